"""Run-time settings that come from the environment: where jobs live and which switches are set.

Everything configurable outside the command line is read here, once, so that the rest of the code
takes plain values and tests can pass their own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from platformdirs.api import PlatformDirsABC
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

ENV_NO_EXTENSIONS: Final = "COMMISSION_NO_EXTENSIONS"
"""Set to 1 to use the pure-Python hash twin even when the compiled engine is available."""
ENV_HASH_TIER: Final = "COMMISSION_HASH_TIER"
"""Force one hash tier: sha-ni, avx2, portable or python (tests, bug reports)."""
ENV_WEB_PASSWORD: Final = "COMMISSION_WEB_PASSWORD"
"""The miner's web UI password for headless runs (never taken on the command line)."""
ENV_HOME: Final = "COMMISSION_HOME"
"""Folder for jobs and the recent-jobs list (default: where the OS keeps a user's app data)."""
APP_NAME: Final = "commission"

_PLATFORM_DIRS: Final[dict[str, type[PlatformDirsABC]]] = {
    "linux": Unix,
    "darwin": MacOS,
    "win32": Windows,
}


def data_home(environ: Mapping[str, str] | None = None, *, system: str | None = None) -> Path:
    """The folder where jobs are kept unless a job file is named explicitly.

    ``COMMISSION_HOME`` wins; otherwise the OS's own place for a user's application data, through
    platformdirs: ``$XDG_DATA_HOME/commission`` (``~/.local/share/commission``) on Linux,
    ``~/Library/Application Support/commission`` on macOS, ``%LOCALAPPDATA%\\commission`` on Windows.

    Args:
        environ: the environment to read ``COMMISSION_HOME`` from (default ``os.environ``).
        system: ``sys.platform`` to follow (default this machine's; tests pass others).
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_HOME):
        return Path(env[ENV_HOME]).expanduser()
    platform = sys.platform if system is None else system
    dirs = _PLATFORM_DIRS.get(platform, Unix)
    return Path(dirs(APP_NAME, appauthor=False, roaming=False).user_data_dir)


def flag(name: str, environ: dict[str, str] | None = None) -> bool:
    """True when the environment variable ``name`` is set to 1, true, yes or on."""
    env = os.environ if environ is None else environ
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
