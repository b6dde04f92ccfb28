"""Verification: pure rules from miner snapshots to outcomes, and the runner that applies them."""
