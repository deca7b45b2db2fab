"""The per-PC settings file is written by a TOML library and reads back as written."""

from __future__ import annotations

import stat

from storemon.config import SETTINGS_HEADER, Settings, load_settings, save_settings


def test_settings_file_round_trips_awkward_values_and_keeps_only_what_differs(tmp_path):
    path = tmp_path / "config" / "settings.toml"
    awkward = Settings(database_url='sqlite:///C:\\Users\\李娜\\"shop"\n.sqlite3', log_level="DEBUG")
    save_settings(path, awkward)
    assert load_settings(path) == awkward
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_settings(path, Settings())
    assert path.read_text(encoding="utf-8") == SETTINGS_HEADER, "defaults are not written out"
    assert load_settings(path) == Settings()
