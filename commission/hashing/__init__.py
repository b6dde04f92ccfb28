"""SHA-256d for the hash self-test: compiled tiers behind one dispatcher, and a pure-Python twin."""
