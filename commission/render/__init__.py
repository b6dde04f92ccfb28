"""Rich renderables shared by the headless output, the exports and the TUI."""
