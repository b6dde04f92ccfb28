"""Run-time settings that come from the environment: where jobs live and which switches are set.

Everything configurable outside the command line is read here, once, so that the rest of the code
takes plain values and tests can pass their own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

ENV_NO_EXTENSIONS: Final = "COMMISSION_NO_EXTENSIONS"
"""Set to 1 to use the pure-Python hash twin even when the compiled engine is available."""
ENV_HASH_TIER: Final = "COMMISSION_HASH_TIER"
"""Force one hash tier: sha-ni, avx2, portable or python (tests, bug reports)."""
ENV_WEB_PASSWORD: Final = "COMMISSION_WEB_PASSWORD"
"""The miner's web UI password for headless runs (never taken on the command line)."""
ENV_HOME: Final = "COMMISSION_HOME"
"""Folder for jobs and the recent-jobs list (default: $XDG_DATA_HOME/commission)."""


def data_home(environ: dict[str, str] | None = None) -> Path:
    """The folder where jobs are kept unless a job file is named explicitly."""
    env = os.environ if environ is None else environ
    if env.get(ENV_HOME):
        return Path(env[ENV_HOME]).expanduser()
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser() / "commission"


def flag(name: str, environ: dict[str, str] | None = None) -> bool:
    """True when the environment variable ``name`` is set to 1, true, yes or on."""
    env = os.environ if environ is None else environ
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}
