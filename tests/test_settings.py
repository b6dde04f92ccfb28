"""Settings read from the environment, and where each OS keeps the jobs."""

from __future__ import annotations

from pathlib import Path

import platformdirs.windows
import pytest

from commission import settings


def test_commission_home_wins_everywhere() -> None:
    for system in ("linux", "darwin", "win32"):
        assert settings.data_home({"COMMISSION_HOME": "/srv/jobs"}, system=system) == Path(
            "/srv/jobs"
        )


def test_linux_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "x"))
    assert settings.data_home({}, system="linux") == tmp_path / "x" / "commission"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert settings.data_home({}, system="linux") == Path.home() / ".local/share/commission"


def test_macos_uses_application_support() -> None:
    expected = Path.home() / "Library" / "Application Support" / "commission"
    assert settings.data_home({}, system="darwin") == expected


def test_windows_uses_local_app_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # Off Windows, platformdirs cannot ask the shell for its known folders: fake that one call.
    folders = {"CSIDL_LOCAL_APPDATA": r"C:\Users\tech\AppData\Local"}
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    home = settings.data_home({}, system="win32")
    assert str(home).replace("/", "\\") == r"C:\Users\tech\AppData\Local\commission"


def test_this_machine_gets_its_own_convention() -> None:
    assert settings.data_home({}).name == "commission"


def test_flag_accepts_common_truthy_spellings() -> None:
    for value in ("1", "true", "YES", " on "):
        assert settings.flag("F", {"F": value})
    for value in ("", "0", "no", "off"):
        assert not settings.flag("F", {"F": value})
