"""The dispatcher: the compiled engine really loaded, the switches, the fallback, the GIL."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from commission import hashing
from commission.hashing.vectors import GENESIS
from commission.settings import ENV_HASH_TIER, ENV_NO_EXTENSIONS, flag
from tests.conftest import REPO
from tests.hashing.conftest import reference_scan

COMPILED_TIERS = [name for name in hashing.COMPILED_TIERS if name in hashing.tiers_available()]


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with only the given hash switches set."""
    import os

    environ = {k: v for k, v in os.environ.items() if k not in (ENV_NO_EXTENSIONS, ENV_HASH_TIER)}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_compiled_engine_did_not_silently_fail_to_load() -> None:
    if flag(ENV_NO_EXTENSIONS):
        pytest.skip(f"{ENV_NO_EXTENSIONS} is set: this run checks the pure-Python twin")
    assert hashing.compiled, f"the compiled engine is missing: {hashing.fallback_reason}"
    assert hashing.fallback_reason is None
    assert hashing.implementation in hashing.COMPILED_TIERS
    assert "portable" in hashing.tiers_available()


def test_twin_in_use_says_why() -> None:
    if hashing.compiled:
        assert hashing.fallback_reason is None
    else:
        assert hashing.implementation == "python"
        assert hashing.fallback_reason


def test_tiers_available_are_ordered_and_end_with_python() -> None:
    available = hashing.tiers_available()
    assert available[-1] == "python"
    assert list(available) == [name for name in hashing.TIERS if name in available]
    assert hashing.implementation in available


def test_no_extensions_switch_forces_the_twin() -> None:
    done = _python(
        "from commission import hashing as h;"
        "print(h.implementation, h.compiled, h.tiers_available(), h.fallback_reason, sep='|')",
        **{ENV_NO_EXTENSIONS: "1"},
    )
    assert done.returncode == 0, done.stderr
    implementation, compiled, tiers, reason = done.stdout.strip().split("|")
    assert (implementation, compiled, tiers) == ("python", "False", "('python',)")
    assert ENV_NO_EXTENSIONS in reason


@pytest.mark.parametrize("name", [*COMPILED_TIERS, "python"])
def test_tier_switch_forces_a_tier(name: str) -> None:
    done = _python(
        "from commission import hashing as h; print(h.implementation)", **{ENV_HASH_TIER: name}
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == name


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({ENV_HASH_TIER: "turbo"}, "COMMISSION_HASH_TIER='turbo' is not a hash tier"),
        (
            {ENV_HASH_TIER: "avx2", ENV_NO_EXTENSIONS: "1"},
            "COMMISSION_HASH_TIER=avx2 but this machine only has python",
        ),
    ],
)
def test_bad_tier_switch_is_a_usage_error_not_a_traceback(
    env: dict[str, str], fragment: str
) -> None:
    done = _python(
        "import sys; from commission.cli import main; sys.exit(main(['selftest']))", **env
    )
    assert done.returncode == 2
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr


def test_unavailable_tier_is_refused_with_the_list() -> None:
    done = _python(
        "from commission import hashing as h\n"
        "try:\n"
        "    h.Scanner(bytes(76), 1, tier='avx2')\n"
        "except ValueError as e:\n"
        "    print(e)\n",
        **{ENV_NO_EXTENSIONS: "1"},
    )
    assert "hash tier 'avx2' is not available here; this machine has python" in done.stdout


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (
            "ImportError('undefined symbol: sha256d_scan')",
            "the compiled engine did not load: undefined symbol: sha256d_scan",
        ),
        (
            "ModuleNotFoundError('gone', name=name)",
            "the compiled engine is not built (no C compiler when it was installed?)",
        ),
    ],
)
def test_a_missing_or_broken_extension_falls_back_to_the_twin_and_says_so(
    raised: str, reason: str
) -> None:
    code = (
        "import sys, importlib.abc\n"
        "class Block(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'commission.hashing._sha256d':\n"
        f"            raise {raised}\n"
        "sys.meta_path.insert(0, Block())\n"
        "from commission import hashing as h\n"
        "from commission.hashing.vectors import GENESIS\n"
        "print(h.implementation, h.fallback_reason, h.sha256d(GENESIS.header)[::-1].hex(), sep='|')\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    implementation, observed_reason, digest = done.stdout.strip().split("|")
    assert implementation == "python"
    assert observed_reason == reason
    assert digest == GENESIS.block_hash


@pytest.mark.parametrize("name", COMPILED_TIERS)
def test_large_scans_release_the_gil(name: str) -> None:
    # With a huge switch interval a thread keeps the GIL until it blocks or releases it. The
    # main thread therefore runs while the scan is still going only if the scan released it.
    count = {"sha-ni": 6_000_000, "avx2": 3_000_000, "portable": 800_000}[name]
    scanner = hashing.Scanner(GENESIS.prefix, 0, tier=name)
    started, finished = threading.Event(), threading.Event()

    def work() -> None:
        started.set()
        scanner.scan(0, count)
        finished.set()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        started.wait()
        ran_during_scan = not finished.is_set()
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert ran_during_scan, f"the {name} scan held the GIL for {count} nonces"


@pytest.mark.skipif("sha-ni" not in hashing.tiers_available(), reason="no SHA-NI on this CPU")
def test_benchmark_variant_with_two_lanes_agrees() -> None:
    from commission.hashing import _sha256d

    prefix, target = bytes(range(3, 79)), 1 << 251
    scanner = _sha256d.Scanner(prefix, target.to_bytes(32, "little"), "sha-ni-x2")
    for start, count in ((0, 333), ((1 << 32) - 7, 7)):
        assert scanner.scan(start, count) == reference_scan(prefix, target, start, count)
