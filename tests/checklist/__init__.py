"""Tests of the checklist models, loader, calculations, answer judging and command."""
