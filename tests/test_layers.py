"""Architecture contracts: layers import downward only, and only the TUI imports Textual."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO


def test_import_linter_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports")
    if lint_imports is None:
        pytest.fail("lint-imports is not installed; install the test extra")
    done = subprocess.run([lint_imports], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cli_module_does_not_load_textual_or_rich() -> None:
    code = (
        "import sys, commission.cli;"
        "bad = [m for m in ('textual', 'rich') if m in sys.modules];"
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == ""
