"""Pool rules: pools configured with valid URLs and workers (three recommended), and the pool in
use alive and accepting shares, with its backups alive."""

from __future__ import annotations

import re

from commission.miner.models import FieldKey, MinerSnapshot, PoolReading
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import (
    Finding,
    not_read,
    rule,
    warm_up_action,
    warm_up_wait,
)

_STRATUM_URL = re.compile(
    r"^(?:stratum\+tcp://)?(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>\d{1,5})/?$"
)


def stratum_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable stratum URL (``stratum+tcp://host:port``), or None if it is."""
    if not url.strip():
        return "no URL"
    match = _STRATUM_URL.match(url.strip())
    if match is None:
        return f"{url!r} is not stratum+tcp://host:port"
    if not 1 <= int(match["port"]) <= 65535:
        return f"port {match['port']} is out of range"
    return None


def configured(snapshot: MinerSnapshot) -> list[PoolReading]:
    """The pools that have a URL (an empty slot is not a pool), by index."""
    return sorted((p for p in snapshot.pools if p.url.strip()), key=lambda p: p.index)


@rule(
    "pools.configured",
    title="Three pools with URL and worker",
    guide_ref="6",
    reads=("pool.*.url", "pool.*.user"),
)
def check_pools_configured(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """At least one pool, each with a valid stratum URL and a worker; fewer than three warns.

    The guide sets up three pools with priorities (guide 6); the miner mines with one, so one or
    two pools is a warning recommending backups, not a failure.
    """
    expected = (
        f"{limits.pool_count} pools (at least 1), each with a stratum+tcp://host:port URL and a "
        "worker"
    )
    if not snapshot.pools:
        return not_read(snapshot, ("pool.*.url",), expected, "the pool list")
    evidence = tuple(
        Evidence(
            label=f"pool {pool.index + 1}",
            value=f"{pool.url or '(no URL)'} worker {pool.user or '(none)'}",
            source=f"rpc pools[{pool.index}] URL/User",
        )
        for pool in snapshot.pools
    )
    issues: list[str] = []
    pools = configured(snapshot)
    for pool in pools:
        if (problem := stratum_url_problem(pool.url)) is not None:
            issues.append(f"pool {pool.index + 1}: {problem}")
        if not pool.user.strip():
            issues.append(f"pool {pool.index + 1}: no worker")
    count = len(pools)
    observed = f"{count} pool{'s' if count != 1 else ''} configured" + (
        "; " + "; ".join(issues) if issues else ""
    )
    if not pools or issues:
        return Finding(
            Status.FAIL,
            expected,
            observed if pools else "no pool configured",
            "in the web UI's General Settings enter for pools 1-3 the URL "
            "(stratum+tcp://host:port) and your worker ID, then Save & Apply (guide 6)",
            evidence,
        )
    if count < limits.pool_count:
        return Finding(
            Status.WARN,
            expected,
            f"{count} of {limits.pool_count} recommended pools configured",
            f"add {limits.pool_count - count} backup pool{'s' if limits.pool_count - count > 1 else ''} "
            "in General Settings so the miner keeps working when its pool is down, then "
            "Save & Apply (guide 6)",
            evidence,
        )
    return Finding(Status.PASS, expected, observed, evidence=evidence)


@rule(
    "pools.active",
    title="Active pool alive and accepting shares",
    guide_ref="6",
    reads=(
        "pool.*.status",
        "pool.*.accepted",
        "pool.*.rejected",
        "pool.*.active",
        "pool.*.priority",
        FieldKey.ELAPSED,
    ),
)
def check_pools_active(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The pool in use is Alive, accepts shares and rejects few; the first pool is preferred and
    the backup pools are alive."""
    expected = (
        f"the first pool Alive and in use, shares accepted, rejects <= {limits.reject_warn_ratio:.0%}"
        ", backup pools Alive"
    )
    if not snapshot.pools:
        return not_read(snapshot, ("pool.*.status",), expected, "the pool list")
    pools = sorted(configured(snapshot), key=lambda p: (p.priority, p.index))
    evidence = tuple(
        Evidence(
            label=f"pool {p.index + 1}",
            value=f"{p.status}, priority {p.priority}, accepted {p.accepted}, rejected {p.rejected}"
            + (", in use" if p.stratum_active else ""),
            source=f"rpc pools[{p.index}] Status/Accepted/Rejected",
        )
        for p in pools
    )
    if not pools:
        return Finding(
            Status.FAIL,
            expected,
            "no pool configured",
            "configure a pool first (see the pools check)",
            evidence,
        )
    alive = [p for p in pools if p.status == "Alive"]
    active = next((p for p in pools if p.stratum_active), None) or (alive[0] if alive else None)
    if active is None or active.status != "Alive":
        return Finding(
            Status.FAIL,
            expected,
            "no pool is alive: " + ", ".join(f"pool {p.index + 1} {p.status}" for p in pools),
            "check the network cable and the miner's gateway and DNS (Network page), and that the "
            "pool URLs and ports are right (guide 6)",
            evidence,
        )
    first = pools[0]
    notes: list[str] = [f"pool {active.index + 1} {active.status}, {active.accepted} accepted"]
    status = Status.PASS
    actions: list[str] = []
    if active is not first:
        status = Status.WARN
        notes.append(f"first pool {first.index + 1} is {first.status}, mining on a backup")
        actions.append(
            f"pool {first.index + 1} ({first.url or 'no URL'}) is {first.status}: check its URL, "
            "port and worker in General Settings, and that the pool is up"
        )
    dead = [p for p in pools if p is not active and p is not first and p.status != "Alive"]
    if dead:
        status = Status.WARN
        notes.append("backup " + ", ".join(f"pool {p.index + 1} {p.status}" for p in dead))
        actions.append(
            "backup "
            + ", ".join(f"pool {p.index + 1} ({p.url})" for p in dead)
            + " would not take over: check its URL, port and worker in General Settings"
        )
    if active.accepted == 0:
        elapsed = snapshot.totals.elapsed_s if snapshot.totals is not None else None
        if elapsed is not None and elapsed < limits.warmup_s:
            return Finding(
                Status.UNJUDGED,
                expected,
                "; ".join(notes)
                + f"; not judged yet: no share after {elapsed} s, "
                + warm_up_wait(elapsed, limits),
                warm_up_action(elapsed, limits),
                evidence,
            )
        return Finding(
            Status.FAIL,
            expected,
            "; ".join(notes) + "; no share accepted",
            "check the worker name and that the pool accepts it; check hash rate and HW errors",
            evidence,
        )
    rate = active.reject_rate
    notes.append(f"{rate:.2%} rejected")
    if rate > limits.reject_warn_ratio:
        status = (
            Status.FAIL
            if rate > limits.reject_fail_ratio
            else max(status, Status.WARN, key=lambda s: s.rank)
        )
        actions.append(
            "many shares are rejected: check the worker name, choose a pool server close to the "
            "site, and check HW errors"
        )
    return Finding(status, expected, "; ".join(notes), "; ".join(actions), evidence)
