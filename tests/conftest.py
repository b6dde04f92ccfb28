"""Shared fixtures: paths to the repository, the shared reference samples, and the checklist."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "fixtures" / "samples"


@pytest.fixture
def samples_dir() -> Path:
    """Real replies captured from S9 firmware (copied from ../shared/samples)."""
    return SAMPLES
