"""The security rule: the shipped root/root web login no longer works."""

from __future__ import annotations

from commission.miner.models import FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import Finding, not_read, rule, whole_read_problems


@rule(
    "security.default_password",
    title="Default web password changed",
    guide_ref="8.3",
    reads=(FieldKey.WEB_LOGIN,),
)
def check_default_password(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The shipped root/root web login no longer works."""
    expected = "the default web login root/root refused"
    active = snapshot.default_password_active
    if active is None:
        if whole_read_problems(snapshot, (FieldKey.WEB_LOGIN,)):
            return not_read(snapshot, (FieldKey.WEB_LOGIN,), expected, "the web login")
        return Finding(Status.SKIPPED, expected, "not checked (web UI not read)")
    evidence = (
        Evidence(
            label="root/root logs in",
            value="yes" if active else "no",
            source="web digest login to get_system_info.cgi",
        ),
    )
    if not active:
        return Finding(Status.PASS, expected, "root/root refused", evidence=evidence)
    return Finding(
        Status.WARN,
        expected,
        "root/root still logs in",
        "change the web password under System > Administration, then Save & Apply (guide 8.3)",
        evidence,
    )
