"""The repository and the package as every operating system sees them.

A Windows checkout turns a symlink into a small text file, so the tree must hold none; the checklist
folder reaches the package through the build configuration instead (see setup.py).
"""

from __future__ import annotations

import os
import subprocess

from tests.conftest import REPO


def test_the_repository_holds_no_symlink() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if tracked.returncode == 0:
        links = [
            line.split("\t", 1)[1] for line in tracked.stdout.splitlines() if line[:6] == "120000"
        ]
        assert links == [], f"symlinks tracked by git: {links}"
    found = []
    for folder, names, files in os.walk(REPO):
        names[:] = [n for n in names if n not in {".git", "build", "dist", ".venv", "node_modules"}]
        found += [
            os.path.join(folder, n)
            for n in names + files
            if os.path.islink(os.path.join(folder, n))
        ]
    assert found == [], f"symlinks in the tree: {found}"
