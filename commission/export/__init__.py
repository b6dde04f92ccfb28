"""Printable and machine-readable reports of a job (text, HTML, SVG, JSON, JUnit)."""
