"""The Textual TUI: the technician's guided walkthrough. The only package that imports textual."""
