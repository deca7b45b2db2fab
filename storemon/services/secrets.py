"""Secrets of the notification channels: SMTP passwords, webhook URLs and signing secrets.

They are kept out of the database, out of logs and out of the audit log. A channel's settings
in the database hold a reference (``{"$secret": "channel.<name>.<key>"}``) in place of each
secret value; the value lives on the machine that sends:

- in the operating system's keyring (Windows Credential Manager, macOS Keychain, GNOME Keyring
  or KWallet) when the ``keyring`` package finds one;
- otherwise in ``secrets.json`` in this user's config folder, created readable and writable by
  this user only (0600), and ``storage_warning()`` says so, for the Settings screen to show.

In chain mode the worker sends, so the worker's host needs the secrets (``storemon secret set``).
``mask_url`` hides the password of a database URL wherever one is shown or logged.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from storemon.config import app_paths
from storemon.errors import StoremonError
from storemon.services import audit, setting_keys
from storemon.services.access import Actor

log = logging.getLogger(__name__)

SERVICE = "storemon"
"""The keyring service name every Storemon secret is filed under."""
FILE_NAME = "secrets.json"
REF_KEY = "$secret"
SECRET_SETTINGS = frozenset({"password", "secret", "url"})
"""Channel settings that are credentials (``alerts.notifiers.factory`` never echoes them either)."""
CHANNELS_KEY = setting_keys.CHANNELS.name
MASK = "***"


class SecretError(StoremonError):
    """A secret cannot be stored or is missing; the message names it, never its value."""


# ------------------------------------------------------------------------------------ storage


def _usable_keyring() -> Any | None:
    """The system keyring backend, or None where there is none (headless Linux, no package)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except (KeyringError, RuntimeError, OSError):
        return None
    # keyring's own stand-ins when nothing usable is installed: fail.Keyring, null.Keyring and an
    # empty chainer all have priority 0 or less.
    try:
        priority = float(getattr(backend, "priority", 0))
    except Exception:  # noqa: BLE001 - a backend that cannot even say its priority is not usable
        return None
    return backend if priority > 0 else None


_AUTO = object()


class SecretStore:
    """Named secrets in the system keyring, or in a 0600 JSON file where there is no keyring."""

    def __init__(self, path: Path | None = None, backend: Any = _AUTO) -> None:
        self.path = path or app_paths().config_dir / FILE_NAME
        self.backend = _usable_keyring() if backend is _AUTO else backend
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SecretStore(kind={self.kind!r}, path={str(self.path)!r})"

    @property
    def kind(self) -> str:
        """``"keyring"`` or ``"file"``: where new secrets go."""
        return "keyring" if self.backend is not None else "file"

    def storage_warning(self) -> str | None:
        """A sentence for the Settings screen when secrets sit in a file; None with a keyring."""
        if self.backend is not None:
            return None
        return (
            f"No system keyring was found, so e-mail passwords and webhook addresses are kept in "
            f"{self.path}, which only your user account can read. Anyone who can sign in to this "
            "computer as you can read them: protect this account, or install a keyring "
            "(GNOME Keyring, KWallet) and enter the secrets again."
        )

    # -- file ----------------------------------------------------------------------------------
    def _read_file(self) -> dict[str, str]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SecretError(f"{self.path}: cannot be read ({exc.strerror}); check its owner") from exc
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise SecretError(
                f"{self.path}: not a Storemon secrets file (line {getattr(exc, 'lineno', '?')}); "
                "move it away and enter the secrets again in Settings"
            ) from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise SecretError(
                f"{self.path}: not a Storemon secrets file; move it away and enter the secrets again"
            )
        return data

    def _write_file(self, data: dict[str, str]) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file 0600 from the start: the secret never exists world-readable.
        fd, temp = tempfile.mkstemp(prefix=".secrets-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, stat.S_IRUSR | stat.S_IWUSR)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    # -- public --------------------------------------------------------------------------------
    def set(self, name: str, value: str) -> None:
        """Store ``value`` under ``name`` (replacing it); a failing keyring falls back to the file."""
        if not name or not isinstance(value, str):
            raise SecretError("a secret needs a name and a text value")
        with self._lock:
            if self.backend is not None:
                try:
                    self.backend.set_password(SERVICE, name, value)
                except Exception as exc:  # noqa: BLE001 - any keyring failure: use the file instead
                    log.warning(
                        "the system keyring refused secret %r (%s); keeping it in %s instead",
                        name,
                        type(exc).__name__,
                        self.path,
                    )
                    self.backend = None
                else:
                    self._forget_in_file(name)
                    return
            data = self._read_file()
            data[name] = value
            self._write_file(data)
        log.info("secret %r stored (%s)", name, self.kind)

    def get(self, name: str) -> str | None:
        """The secret, from the keyring first and then the file; None when it is nowhere."""
        with self._lock:
            if self.backend is not None:
                try:
                    value = self.backend.get_password(SERVICE, name)
                except Exception as exc:  # noqa: BLE001
                    log.warning("the system keyring could not read secret %r (%s)", name, type(exc).__name__)
                    value = None
                if value is not None:
                    return value
            return self._read_file().get(name)

    def delete(self, name: str) -> None:
        with self._lock:
            if self.backend is not None:
                with contextlib.suppress(Exception):  # not there is what we want
                    self.backend.delete_password(SERVICE, name)
            self._forget_in_file(name)

    def _forget_in_file(self, name: str) -> None:
        data = self._read_file()
        if name in data:
            del data[name]
            self._write_file(data)


_default: SecretStore | None = None


def default_store() -> SecretStore:
    """This user's secret store (created on first use)."""
    global _default
    if _default is None or _default.path != app_paths().config_dir / FILE_NAME:
        _default = SecretStore()
    return _default


def storage_warning() -> str | None:
    """What the UI shows when secrets are kept in a file (no keyring); None otherwise."""
    return default_store().storage_warning()


# ------------------------------------------------------------------------------------ channels


def secret_name(channel: str, key: str) -> str:
    return f"channel.{channel}.{key}"


def is_ref(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {REF_KEY} and isinstance(value[REF_KEY], str)


def store_channel_secrets(
    channel: str, settings: Mapping[str, Any], store: SecretStore | None = None
) -> dict[str, Any]:
    """Move the secret settings of a channel into the store; returns the settings with references."""
    store = store or default_store()
    kept: dict[str, Any] = {}
    for key, value in settings.items():
        if key in SECRET_SETTINGS and isinstance(value, str) and value:
            name = secret_name(channel, key)
            store.set(name, value)
            kept[key] = {REF_KEY: name}
        else:
            kept[key] = value
    return kept


def resolve_channel_settings(settings: Mapping[str, Any], store: SecretStore | None = None) -> dict[str, Any]:
    """The settings with every reference replaced by its secret (``SecretError`` if one is missing)."""
    resolved: dict[str, Any] = {}
    for key, value in settings.items():
        if is_ref(value):
            store = store or default_store()
            secret = store.get(value[REF_KEY])
            if secret is None:
                raise SecretError(
                    f"the secret {value[REF_KEY]!r} is not on this computer ({store.kind}); enter it "
                    "again in Settings, or on a worker host: storemon secret set " + value[REF_KEY]
                )
            resolved[key] = secret
        else:
            resolved[key] = value
    return resolved


def notifier_for(channel: Mapping[str, Any], store: SecretStore | None = None):
    """The notifier for a subscribed channel (``{"name", "type", "settings"}``), secrets resolved."""
    from alerts.notifiers import notifier_from_settings

    return notifier_from_settings(
        channel["type"], resolve_channel_settings(channel.get("settings", {}), store)
    )


def masked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings safe to show, log or audit: secret values and references become ``"***"``."""
    return {
        key: (MASK if key in SECRET_SETTINGS and value not in (None, "") else value)
        for key, value in settings.items()
    }


def save_channels(
    session: Session,
    actor: Actor,
    channels: list[Mapping[str, Any]],
    now: datetime,
    store: SecretStore | None = None,
) -> list[dict[str, Any]]:
    """Store the chain's channels (``alerts.channels``) with their secrets moved to ``store``.

    Each channel is ``{"name", "type", "settings", "levels"?, "enabled"?}``. Head office only;
    one audit entry that names the channels and setting keys but never a secret value.
    """
    from storemon.services.access import HEAD_OFFICE, require

    require(actor, HEAD_OFFICE, "change chain-wide settings")
    names = [str(c.get("name", "")).strip() for c in channels]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise SecretError("every channel needs a name, and no two channels may have the same name")
    stored = []
    for name, channel in zip(names, channels, strict=True):
        settings = store_channel_secrets(name, channel.get("settings", {}), store)
        stored.append(
            {**{k: v for k, v in channel.items() if k != "settings"}, "name": name, "settings": settings}
        )
    setting_keys.CHANNELS.save(session, stored)
    audit.append(
        session,
        actor.username,
        "settings.save",
        CHANNELS_KEY,
        {
            "channels": [
                {"name": c["name"], "type": c.get("type"), "settings": masked_settings(c["settings"])}
                for c in stored
            ]
        },
        now,
    )
    return stored


# ------------------------------------------------------------------------------------ URLs


def mask_url(url: str) -> str:
    """A database URL safe to show and log: the password, and a ``password=`` parameter, become ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc and not parts.query:
        return url
    netloc = parts.netloc
    userinfo, at, hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in ("password", "passwd", "sslpassword") for k, _ in pairs):
            query = urlencode(
                [(k, MASK if k.lower() in ("password", "passwd", "sslpassword") else v) for k, v in pairs],
                safe="/:*",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
