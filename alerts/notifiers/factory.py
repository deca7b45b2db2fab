"""Building a notifier from the settings a user typed, with errors that name the bad setting.

Settings come from the database as a dict of strings or numbers (the settings dialog writes
them). Unknown keys are refused, so a typo such as "pasword" is reported instead of leading
to a puzzling login failure later. Messages never echo a password, secret or URL.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, Final

from alerts.errors import StoremonError
from alerts.notifiers._http import validate_url
from alerts.notifiers.base import Clock, Notifier, utc_now
from alerts.notifiers.dingtalk import DingTalkNotifier
from alerts.notifiers.feishu import FeishuNotifier
from alerts.notifiers.slack import SlackNotifier
from alerts.notifiers.smtp import DEFAULT_PORTS, SECURITY_MODES, SmtpNotifier, valid_address
from alerts.notifiers.webhook import WebhookNotifier
from alerts.notifiers.wecom import WeComNotifier

# Accepted settings per channel: (key, required). The UI can build its forms from this.
SETTINGS_KEYS: Final[dict[str, tuple[tuple[str, bool], ...]]] = {
    "email": (
        ("host", True),
        ("port", False),
        ("security", False),
        ("username", False),
        ("password", False),
        ("sender", True),
        ("timeout", False),
        ("html", False),
        ("ca_file", False),
    ),
    "webhook": (("url", True), ("secret", False), ("timeout", False)),
    "wecom": (("url", True), ("timeout", False)),
    "dingtalk": (("url", True), ("secret", False), ("timeout", False)),
    "feishu": (("url", True), ("secret", False), ("timeout", False)),
    "slack": (("url", True), ("timeout", False)),
}
CHANNEL_ALIASES: Final = {"smtp": "email", "lark": "feishu", "wechat_work": "wecom"}
_SECRET_KEYS: Final = frozenset({"password", "secret", "url"})


class SettingsError(StoremonError, ValueError):
    """A channel setting is missing or wrong; `channel` and `setting` say which."""

    def __init__(self, channel: str, setting: str | None, problem: str) -> None:
        where = f"{channel} setting '{setting}'" if setting else f"{channel} settings"
        super().__init__(f"{where} {problem}")
        self.channel = channel
        self.setting = setting


def _text(channel: str, settings: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = settings.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SettingsError(channel, key, "is required")
        return None
    if not isinstance(value, str):
        raise SettingsError(channel, key, "must be text")
    return value if key in ("password", "secret") else value.strip()


def _number(
    channel: str, settings: Mapping[str, Any], key: str, default: float, low: float, high: float
) -> float:
    value = settings.get(key)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not low <= number <= high:
        shown = value if key not in _SECRET_KEYS else "…"
        raise SettingsError(channel, key, f"must be a number from {low:g} to {high:g}, got {shown!r}")
    return number


def _flag(channel: str, settings: Mapping[str, Any], key: str, default: bool) -> bool:
    value = settings.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise SettingsError(channel, key, f"must be true or false, got {value!r}")


def _url(channel: str, settings: Mapping[str, Any]) -> str:
    url = _text(channel, settings, "url", required=True) or ""
    try:
        return validate_url(url)
    except ValueError as exc:
        raise SettingsError(channel, "url", str(exc)) from None


def notifier_from_settings(channel: str, settings: Mapping[str, Any], *, clock: Clock = utc_now) -> Notifier:
    """The notifier for `channel` ("email", "webhook", "wecom", "dingtalk", "feishu", "slack")."""
    name = CHANNEL_ALIASES.get(channel.strip().lower(), channel.strip().lower())
    if name not in SETTINGS_KEYS:
        known = ", ".join(SETTINGS_KEYS)
        raise SettingsError(channel, None, f"cannot be used: unknown channel (known: {known})")
    accepted = {key for key, _ in SETTINGS_KEYS[name]}
    unknown = sorted(str(key) for key in settings if key not in accepted)
    if unknown:
        raise SettingsError(
            name, unknown[0], f"is not a setting of this channel (accepted: {', '.join(sorted(accepted))})"
        )
    # HTTP channels: a deadline for the whole request (alerts/notifiers/_http.py); e-mail: per step.
    timeout = _number(name, settings, "timeout", 10.0 if name == "email" else 15.0, 0.1, 300.0)

    if name == "email":
        security = (_text(name, settings, "security") or "starttls").lower()
        if security not in SECURITY_MODES:
            raise SettingsError(
                name, "security", f"must be one of {', '.join(SECURITY_MODES)}, got {security!r}"
            )
        host = _text(name, settings, "host", required=True) or ""
        if any(ch.isspace() for ch in host) or "/" in host:
            raise SettingsError(name, "host", f"must be a host name or IP address, got {host!r}")
        port = int(_number(name, settings, "port", DEFAULT_PORTS[security], 1, 65535))
        sender = _text(name, settings, "sender", required=True) or ""
        if not valid_address(sender):
            raise SettingsError(
                name, "sender", f"must be an email address like alerts@example.com, got {sender!r}"
            )
        username = _text(name, settings, "username")
        password = _text(name, settings, "password")
        if password and not username:
            raise SettingsError(name, "username", "is required when a password is set")
        ca_file = _text(name, settings, "ca_file")
        context = None
        if ca_file:
            try:
                context = ssl.create_default_context(cafile=ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise SettingsError(
                    name, "ca_file", f"cannot be read as a PEM certificate file ({exc.strerror or exc})"
                ) from None
        return SmtpNotifier(
            host,
            port,
            security,
            username,
            password,
            sender,
            timeout,
            ssl_context=context,
            html_part=_flag(name, settings, "html", True),
            clock=clock,
        )

    url = _url(name, settings)
    secret = _text(name, settings, "secret")
    if name == "webhook":
        return WebhookNotifier(url, secret, timeout, clock=clock)
    if name == "wecom":
        return WeComNotifier(url, timeout, clock=clock)
    if name == "dingtalk":
        return DingTalkNotifier(url, secret, timeout, clock=clock)
    if name == "feishu":
        return FeishuNotifier(url, secret, timeout, clock=clock)
    return SlackNotifier(url, timeout, clock=clock)
