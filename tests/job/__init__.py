"""Tests of job files: round trip, resume, secrets, corruption and crash safety."""
