"""The settings file's ``log_level`` decides what reaches the log file."""

from __future__ import annotations

import logging

import pytest

from storemon.logs import setup_logging


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def _logged(tmp_path, settings: str | None, verbosity: int = 0) -> str:
    settings_file = tmp_path / "settings.toml"
    if settings is not None:
        settings_file.write_text(settings, encoding="utf-8")
    log_file = setup_logging(tmp_path / "logs", verbosity, settings_file)
    probe = logging.getLogger("storemon.probe")
    probe.debug("debug line")
    probe.info("info line")
    probe.warning("warning line")
    for handler in logging.getLogger().handlers:
        handler.flush()
    return log_file.read_text(encoding="utf-8")


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize(
    ("settings", "verbosity", "expected"),
    [
        (None, 0, {"info", "warning"}),
        ('log_level = "WARNING"\n', 0, {"warning"}),
        ('log_level = "debug"\n', 0, {"debug", "info", "warning"}),
        ('log_level = "WARNING"\n', 2, {"debug", "info", "warning"}),
    ],
)
def test_log_level_of_the_settings_file_sets_what_the_log_file_gets(tmp_path, settings, verbosity, expected):
    text = _logged(tmp_path, settings, verbosity)
    assert {word for word in ("debug", "info", "warning") if f"{word} line" in text} == expected


@pytest.mark.usefixtures("restore_logging")
def test_an_unknown_log_level_is_logged_and_info_is_kept(tmp_path):
    text = _logged(tmp_path, 'log_level = "LOUD"\n')
    assert "log_level 'LOUD' is not a level" in text
    assert "info line" in text
    assert "debug line" not in text
