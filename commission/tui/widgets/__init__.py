"""Widgets of the technician's TUI; each owns its look (DEFAULT_CSS) and its messages."""
