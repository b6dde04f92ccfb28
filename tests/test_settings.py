"""Settings read from the environment."""

from __future__ import annotations

from pathlib import Path

from commission import settings


def test_data_home_prefers_commission_home_then_xdg() -> None:
    assert settings.data_home({"COMMISSION_HOME": "/srv/jobs"}) == Path("/srv/jobs")
    assert settings.data_home({"XDG_DATA_HOME": "/x"}) == Path("/x/commission")
    assert settings.data_home({}).name == "commission"


def test_flag_accepts_common_truthy_spellings() -> None:
    for value in ("1", "true", "YES", " on "):
        assert settings.flag("F", {"F": value})
    for value in ("", "0", "no", "off"):
        assert not settings.flag("F", {"F": value})
