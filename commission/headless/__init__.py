"""Headless front end: commands that print to a terminal or write files, without Textual."""
