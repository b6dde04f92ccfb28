"""The built-in checklists (TOML data), shipped inside the package as commission.checklist.files.

This folder is mapped onto that package by setup.py, so every checkout, sdist and wheel carries the
checklists without a symlink; the loader reads them with importlib.resources.
"""
