"""The settings registry: one loader per setting, and a bad stored value names the key, the field and the fix."""

from __future__ import annotations

import pytest

from alerts.codec import dump_policy
from alerts.escalation import DEFAULT_POLICY
from storemon.db.models import Setting
from storemon.services import escalation_settings, setting_keys
from storemon.services.alert_service import escalation_policy
from storemon.services.setting_keys import SettingError


def _store(session, key: str, value) -> None:
    session.merge(Setting(key=key, value=value))
    session.flush()


def test_a_bad_stored_escalation_policy_is_a_setting_error_for_the_worker_and_the_screen(session_factory):
    broken = dump_policy(DEFAULT_POLICY)
    del broken["levels"][1]["ack_timeout_seconds"]
    with session_factory() as session:
        _store(session, "alerts.escalation_policy", broken)
        for load in (
            escalation_policy,
            escalation_settings.load_escalation_policy,
        ):  # the rules job and the Policies tab
            with pytest.raises(SettingError) as failed:
                load(session)
            message = str(failed.value)
            assert "'alerts.escalation_policy'" in message
            assert "levels[1]: missing field ack_timeout_seconds" in message
            assert "Fix it in Policies > Escalation or reset it to the defaults" in message


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("staffing.targets", {"service_minutes": 2.0, "typo": 1}, "unknown field(s) typo"),
        ("staffing.targets", {"service_minutes": "2"}, "service_minutes must be a number"),
        ("staffing.targets", {"service_minutes": 99.0}, "service_minutes must be between"),
        ("staffing.pressure", {"red_at": True}, "red_at must be a number"),
        (
            "staffing.surge",
            {"periods": [{"label": "x", "start": "2026-13-01", "end": "2026-03-01"}]},
            "month",
        ),
        ("alerts.channels", {"name": "not a list"}, "expected a list"),
    ],
)
def test_bad_stored_settings_name_key_and_field(session_factory, key, value, problem):
    with session_factory() as session:
        _store(session, key, value)
        with pytest.raises(SettingError, match=f"setting '{key}'") as failed:
            setting_keys.registered()[key].load(session)
        assert problem in str(failed.value)


def test_a_key_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):
        setting_keys.Key("staffing.targets", setting_keys.CHANNELS.codec, list)
