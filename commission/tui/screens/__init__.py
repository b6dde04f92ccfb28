"""Full screens of the TUI: start, walkthrough, dashboard, soak, self-test and summary."""
