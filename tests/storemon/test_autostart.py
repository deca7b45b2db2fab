"""Starting Storemon with the session, so a PC's escalations keep running (freedesktop autostart)."""

from __future__ import annotations

import shlex
import sys

import pytest

from storemon import autostart


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the XDG autostart folder is a Linux desktop's"
)
def test_enable_writes_a_desktop_entry_that_starts_this_storemon_and_disable_removes_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not autostart.is_enabled()
    path = autostart.enable()
    assert path == tmp_path / "autostart" / "storemon.desktop" and autostart.is_enabled()
    entry = dict(line.split("=", 1) for line in path.read_text().splitlines()[1:])
    assert entry["Type"] == "Application"
    assert shlex.split(entry["Exec"]) == [sys.executable, "-m", "storemon.cli", "gui"]
    autostart.disable()
    assert not autostart.is_enabled() and not path.exists()
