"""Tests of the verification rules, the runner and the soak."""
