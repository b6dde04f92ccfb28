"""Tests of the headless front end: commission --verify and commission discover."""
