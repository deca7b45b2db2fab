"""Secrets stay secret: the keyring or a private file, never the database, the log or the audit log.

Also here, because they are about credentials too: database URLs shown with the password
masked, TLS options in a PostgreSQL URL reaching psycopg untouched, and the least-privilege
PostgreSQL roles of docs/security.md, run as written against the test server.
"""

from __future__ import annotations

import json
import logging
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from storemon.config import ConfigError
from storemon.db.engine import make_engine, make_session_factory, normalise_url
from storemon.db.migrate import upgrade
from storemon.db.models import AuditEntry, Notification, Region, Role, Setting, Store, User
from storemon.logs import setup_logging
from storemon.services import secrets as secrets_module
from storemon.services.access import SYSTEM
from storemon.services.alert_service import raise_alert
from storemon.services.database import Database, open_database
from storemon.services.secrets import (
    CHANNELS_KEY,
    REF_KEY,
    SecretError,
    SecretStore,
    mask_url,
    notifier_for,
    resolve_channel_settings,
    save_channels,
)
from storemon.worker import Jobs
from tests.alerts.servers import HttpServer, Reply, SmtpServer

T0 = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


class MemoryKeyring:
    """A stand-in for the OS keyring: what ``keyring`` backends offer, in a dict."""

    priority = 5

    def __init__(self, fail: bool = False) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.fail = fail

    def set_password(self, service: str, name: str, value: str) -> None:
        if self.fail:
            raise RuntimeError("the keyring is locked")
        self.values[(service, name)] = value

    def get_password(self, service: str, name: str) -> str | None:
        return self.values.get((service, name))

    def delete_password(self, service: str, name: str) -> None:
        self.values.pop((service, name), None)


# ------------------------------------------------------------------------------------ the store


def test_without_a_keyring_secrets_go_to_a_file_only_the_user_can_read(tmp_path):
    path = tmp_path / "config" / "secrets.json"
    store = SecretStore(path, backend=None)
    store.set("channel.mail.password", "s3cret-Pa55word!")
    store.set("channel.hook.url", "https://hooks.example/services/T0K3N?key=abc")
    store.set("channel.飞书.secret", "签名密钥-ÄÖ-\u202e")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".secrets-")], "no temporary file left"
    again = SecretStore(path, backend=None)
    assert again.get("channel.mail.password") == "s3cret-Pa55word!"
    assert again.get("channel.飞书.secret") == "签名密钥-ÄÖ-\u202e"
    assert again.get("channel.nothing.here") is None
    store.set("channel.mail.password", "new password 2")
    store.delete("channel.hook.url")
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "channel.mail.password": "new password 2",
        "channel.飞书.secret": "签名密钥-ÄÖ-\u202e",
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "still private after a rewrite"
    warning = store.storage_warning()
    assert warning and str(path) in warning and "keyring" in warning
    assert "new password 2" not in repr(store)


def test_with_a_keyring_secrets_go_there_and_no_file_is_written(tmp_path):
    keyring = MemoryKeyring()
    store = SecretStore(tmp_path / "secrets.json", backend=keyring)
    store.set("channel.mail.password", "s3cret-Pa55word!")
    assert keyring.values == {("storemon", "channel.mail.password"): "s3cret-Pa55word!"}
    assert store.get("channel.mail.password") == "s3cret-Pa55word!"
    assert not (tmp_path / "secrets.json").exists()
    assert store.storage_warning() is None and store.kind == "keyring"


def test_a_keyring_that_refuses_falls_back_to_the_file_and_says_so(tmp_path, caplog):
    store = SecretStore(tmp_path / "secrets.json", backend=MemoryKeyring(fail=True))
    with caplog.at_level(logging.DEBUG):
        store.set("channel.mail.password", "s3cret-Pa55word!")
    assert store.kind == "file" and store.storage_warning()
    assert (
        SecretStore(tmp_path / "secrets.json", backend=None).get("channel.mail.password")
        == "s3cret-Pa55word!"
    )
    assert "s3cret-Pa55word!" not in caplog.text and "channel.mail.password" in caplog.text


def test_headless_linux_has_no_usable_keyring(monkeypatch, storemon_home):
    keyring = pytest.importorskip("keyring")
    from keyring.backends import fail

    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    monkeypatch.setattr(secrets_module, "_default", None)
    assert secrets_module.default_store().kind == "file"
    assert str(storemon_home / "config" / "secrets.json") in secrets_module.storage_warning()


def test_a_damaged_secrets_file_is_reported_without_its_content(tmp_path):
    path = tmp_path / "secrets.json"
    path.write_text('{"channel.mail.password": "s3cret-Pa55word!"', encoding="utf-8")
    with pytest.raises(SecretError) as error:
        SecretStore(path, backend=None).get("channel.mail.password")
    assert str(path) in str(error.value) and "s3cret" not in str(error.value)


# ------------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql+psycopg://app:s%40cret@db.example:5432/storemon?sslmode=verify-full&sslrootcert=/etc/ca.pem",
            "postgresql+psycopg://app:***@db.example:5432/storemon?sslmode=verify-full&sslrootcert=/etc/ca.pem",
        ),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("sqlite:////home/li/.local/share/storemon/storemon.sqlite3", "sqlite:////home/li/.local/share/storemon/storemon.sqlite3"),
        ("not a url at all", "not a url at all"),
    ],
)  # fmt: skip
def test_mask_url_hides_passwords_and_keeps_everything_else(url, shown):
    assert mask_url(url) == shown


def test_tls_options_in_the_url_reach_psycopg_unchanged():
    url = "postgresql://app:pw@db.example/storemon?sslmode=verify-full&sslrootcert=/etc/storemon/ca.pem"
    assert dict(make_url(normalise_url(url)).query) == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/storemon/ca.pem",
    }
    engine = make_engine(url)  # engines connect lazily: nothing is contacted here
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert dict(engine.url.query) == {"sslmode": "verify-full", "sslrootcert": "/etc/storemon/ca.pem"}
        _args, kwargs = engine.dialect.create_connect_args(engine.url)
        assert kwargs["sslmode"] == "verify-full" and kwargs["sslrootcert"] == "/etc/storemon/ca.pem"
        assert "pw" not in engine.url.render_as_string(hide_password=True)
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------ channels


def _channels(servers: dict[str, HttpServer], smtp: SmtpServer, secrets: dict[str, str]) -> list[dict]:
    def url(name: str) -> str:
        return servers[name].url(f"/robot/{secrets[name + '-token']}?access_token={secrets[name + '-key']}")

    return [
        {
            "name": "mail",
            "type": "email",
            "settings": {
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "username": "alerts@chain.example",
                "password": secrets["smtp-password"],
                "sender": "alerts@chain.example",
            },
        },
        {"name": "hook", "type": "webhook", "settings": {"url": url("hook"), "secret": secrets["hook-secret"]}},
        {"name": "wecom", "type": "wecom", "settings": {"url": url("wecom")}},
        {"name": "dingtalk", "type": "dingtalk", "settings": {"url": url("dingtalk"), "secret": secrets["dingtalk-secret"]}},
        {"name": "feishu", "type": "feishu", "settings": {"url": url("feishu"), "secret": secrets["feishu-secret"]}},
        {"name": "slack", "type": "slack", "settings": {"url": url("slack")}},
        {"name": "broken", "type": "webhook", "settings": {"url": url("broken")}},
    ]  # fmt: skip


REPLIES = {
    "hook": Reply(200, b"ok"),
    "wecom": Reply(200, b'{"errcode": 0, "errmsg": "ok"}'),
    "dingtalk": Reply(200, b'{"errcode": 0, "errmsg": "ok"}'),
    "feishu": Reply(200, b'{"code": 0, "msg": "success"}'),
    "slack": Reply(200, b"ok"),
}


def _seed_store(session) -> int:
    region = Region(code="E", name="East")
    store = Store(code="S1", name="People's Square", region=region)
    session.add(store)
    session.flush()
    session.add(
        User(
            username="barista",
            display_name="Barista",
            role=Role.STAFF,
            store_id=store.id,
            region_id=region.id,
            email="barista@store.example",
        )
    )
    return store.id


@pytest.fixture
def debug_log(tmp_path) -> Path:
    """The app's log file at DEBUG (``storemon -vv``); the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield setup_logging(tmp_path / "logs", verbosity=2)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_no_secret_reaches_the_log_the_audit_log_or_the_database(
    sqlite_url, tmp_path, monkeypatch, debug_log
):
    secrets = {
        "smtp-password": "smtp-Pa55word-7f3a9c",
        "hook-secret": "whsec-2b8e41d0c6",
        "dingtalk-secret": "SECdd9a7e3b10f4",
        "feishu-secret": "fs-sign-8c1e55a2",
    }
    for name in ("hook", "wecom", "dingtalk", "feishu", "slack", "broken"):
        secrets[f"{name}-token"] = f"tok-{name}-4d2f9a81b7"
        secrets[f"{name}-key"] = f"key-{name}-93c07e12aa"
    # The receiving end is a test double, not the app: its own debug log is not ours to check.
    monkeypatch.setattr(logging.getLogger("mail.log"), "level", logging.WARNING)
    # And SQL with its parameters, as someone debugging a database problem would switch on.
    monkeypatch.setattr(logging.getLogger("sqlalchemy.engine"), "level", logging.INFO)
    servers = {
        name: HttpServer(REPLIES.get(name, Reply(401, b"bad token tok-broken-4d2f9a81b7"))).start()
        for name in (*REPLIES, "broken")
    }
    smtp = SmtpServer(users={"alerts@chain.example": secrets["smtp-password"]}).start()
    engine = make_engine(sqlite_url)  # after logging is set up, so SQLAlchemy logs every statement
    try:
        sessions = make_session_factory(engine)
        store = SecretStore(tmp_path / "config" / "secrets.json", backend=None)
        with sessions.begin() as session:
            store_id = _seed_store(session)
            channels = save_channels(session, SYSTEM, _channels(servers, smtp, secrets), T0, store=store)
        with sessions.begin() as session:
            alert_id = raise_alert(
                session, rule="test", store_id=store_id, dedup_key="t", title="Queue", now=T0
            ).id
        jobs = Jobs(
            Database(engine, sessions, None),
            clock=lambda: T0 + timedelta(seconds=1),
            worker_id="test",
            notifier_overrides={
                ("email" if c["type"] == "email" else c["name"]): notifier_for(c, store) for c in channels
            },
        )
        assert jobs.dispatch() == 6
        logging.getLogger("storemon.test").debug("dispatch done with %r", jobs._dispatcher.notifiers)
        with sessions() as session:
            states = {
                n.channel: n.status
                for n in session.scalars(select(Notification).where(Notification.alert_id == alert_id))
            }
            stored = {
                "settings": [s.value for s in session.scalars(select(Setting))],
                "audit": [
                    (a.actor, a.host, a.action, a.subject, a.details)
                    for a in session.scalars(select(AuditEntry))
                ],
                "notifications": [
                    (n.recipient, n.payload, n.last_error) for n in session.scalars(select(Notification))
                ],
            }
    finally:
        for server in servers.values():
            server.stop()
        smtp.stop()
        engine.dispose()
    assert states == {
        "inapp": "delivered", "email": "delivered", "hook": "delivered", "wecom": "delivered",
        "dingtalk": "delivered", "feishu": "delivered", "slack": "delivered", "broken": "dead",
    }  # fmt: skip
    assert [m.authenticated_as for m in smtp.received] == ["alerts@chain.example"]
    assert all(len(s.requests) == 1 for s in servers.values())
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = debug_log.read_text(encoding="utf-8")
    assert "INSERT INTO settings" in logged and "outbox: notification" in logged, (
        "SQL and failures are logged"
    )
    database = json.dumps(stored, ensure_ascii=False, default=str)
    assert "***" in database, "the audit entry shows that secrets were set, masked"
    for name, secret in secrets.items():
        assert secret not in logged, f"{name} is in the log"
        assert secret not in database, f"{name} is in the database"
    assert (
        json.loads(Path(store.path).read_text(encoding="utf-8"))["channel.mail.password"]
        == secrets["smtp-password"]
    )


def test_channel_settings_in_the_database_hold_references_only(sqlite_url, tmp_path):
    store = SecretStore(tmp_path / "secrets.json", backend=None)
    engine = make_engine(sqlite_url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        save_channels(
            session,
            SYSTEM,
            [
                {
                    "name": "hook",
                    "type": "webhook",
                    "settings": {"url": "https://h.example/T0K3N", "secret": "whsec-1"},
                }
            ],
            T0,
            store=store,
        )
    with sessions() as session:
        (channel,) = session.get(Setting, CHANNELS_KEY).value
    engine.dispose()
    assert channel["settings"] == {
        "url": {REF_KEY: "channel.hook.url"},
        "secret": {REF_KEY: "channel.hook.secret"},
    }
    assert resolve_channel_settings(channel["settings"], store) == {
        "url": "https://h.example/T0K3N",
        "secret": "whsec-1",
    }
    store.delete("channel.hook.secret")
    with pytest.raises(SecretError, match="channel.hook.secret") as missing:
        resolve_channel_settings(channel["settings"], store)
    assert "whsec-1" not in str(missing.value)


def test_the_worker_reads_channel_secrets_from_the_secret_store(sqlite_url, storemon_home, monkeypatch):
    """The worker builds its notifiers with ``secrets.notifier_for`` (see the worker patch)."""
    monkeypatch.setattr(secrets_module, "_usable_keyring", lambda: None)
    monkeypatch.setattr(secrets_module, "_default", None)
    server = HttpServer().start()
    engine = make_engine(sqlite_url)
    try:
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            store_id = _seed_store(session)
            save_channels(
                session,
                SYSTEM,
                [{"name": "hook", "type": "webhook", "settings": {"url": server.url("/T0K3N")}}],
                T0,
            )
        with sessions.begin() as session:
            raise_alert(session, rule="test", store_id=store_id, dedup_key="t", title="Queue", now=T0)
        jobs = Jobs(Database(engine, sessions, None), clock=lambda: T0, worker_id="test")
        assert jobs.dispatch() == 1
        assert [r.path for r in server.requests] == ["/T0K3N"]
    finally:
        server.stop()
        engine.dispose()


# ------------------------------------------------------------------------------------ PostgreSQL roles


def _doc_sql(section: str) -> str:
    """The SQL block after the marker ``-- storemon: <section>`` in docs/security.md."""
    doc = (REPO / "docs" / "security.md").read_text(encoding="utf-8")
    found = re.search(r"```sql\n(-- storemon: " + re.escape(section) + r"\n.*?)```", doc, re.S)
    assert found, f"docs/security.md has no SQL block marked '-- storemon: {section}'"
    return found.group(1)


def _statements(sql: str, names: dict[str, str]) -> list[str]:
    for old, new in names.items():
        sql = re.sub(rf"\b{old}\b", new, sql)
    sql = re.sub(r"--[^\n]*", "", sql)
    return [s.strip() for s in sql.split(";") if s.strip()]


def _roles(pg_server, tmp_path) -> dict[str, str]:
    """Run the "roles" and "schema" blocks of the guide as the superuser; URLs per role."""
    suffix = f"{abs(hash(str(tmp_path))) % 10**8}"
    names = {"storemon_owner": f"owner_{suffix}", "storemon_app": f"app_{suffix}", "storemon": f"db_{suffix}"}
    for database, section in (("postgres", "roles"), (names["storemon"], "schema")):
        engine = make_engine(pg_server.url(database))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in _statements(_doc_sql(section), names):
                conn.execute(text(statement))
        engine.dispose()
    superuser = f"//{pg_server.user}@"
    return {
        "names": names,
        "owner": pg_server.url(names["storemon"]).replace(superuser, f"//{names['storemon_owner']}@"),
        "app": pg_server.url(names["storemon"]).replace(superuser, f"//{names['storemon_app']}@"),
    }


@pytest.mark.postgres
def test_the_least_privilege_roles_of_the_security_guide_work_as_written(pg_server, tmp_path, monkeypatch):
    """Owner migrates, the app role reads and writes but cannot change the schema or the audit log."""
    roles = _roles(pg_server, tmp_path)
    owner = make_engine(roles["owner"])
    upgrade(owner)  # storemon --db postgresql://storemon_owner@.../storemon db upgrade
    with owner.begin() as conn:
        for statement in _statements(_doc_sql("after-upgrade"), roles["names"]):
            conn.execute(text(statement))
    owner.dispose()
    monkeypatch.setenv("STOREMON_HOME", str(tmp_path / "home"))
    database = open_database(roles["app"])  # the schema is current: no DDL needed
    try:
        assert not database.upgrade_report.changed
        with database.sessions.begin() as session:
            store_id = _seed_store(session)
            raise_alert(session, rule="test", store_id=store_id, dedup_key="t", title="Queue", now=T0)
        with database.sessions() as session:
            assert session.scalar(select(AuditEntry.id).limit(1)) is not None, "the audit chain is appended"
        for forbidden in (
            "CREATE TABLE sneaky (id int)",
            "ALTER TABLE stores ADD COLUMN sneaky int",
            "DROP TABLE incidents",
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
            "UPDATE alembic_version SET version_num = 'x'",
        ):
            with (
                database.engine.connect() as conn,
                pytest.raises(DBAPIError, match="permission denied|must be owner"),
            ):
                conn.execute(text(forbidden))
    finally:
        database.close()


@pytest.mark.postgres
def test_an_app_role_meeting_an_old_schema_is_told_to_upgrade_as_the_owner(pg_server, tmp_path, monkeypatch):
    """Without DDL rights the app cannot upgrade; it must say so, not crash (see the database patch)."""
    from alembic import command

    from storemon.db.migrate import _config

    roles = _roles(pg_server, tmp_path)
    owner = make_engine(roles["owner"])
    with owner.begin() as conn:
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    owner.dispose()
    monkeypatch.setenv("STOREMON_HOME", str(tmp_path / "home"))
    with pytest.raises(ConfigError, match="db upgrade"):
        open_database(roles["app"])


def test_storemon_secret_set_stores_a_secret_on_this_computer(capsys, monkeypatch, sqlite_url, storemon_home):
    """For worker hosts (see the CLI patch): the value is asked for, never an argument or echoed."""
    from storemon.cli import main

    monkeypatch.setattr(secrets_module, "_usable_keyring", lambda: None)
    monkeypatch.setattr(secrets_module, "_default", None)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "smtp-Pa55word-7f3a9c")
    assert main(["--db", sqlite_url, "secret", "set", "channel.mail.password"]) == 0
    out, err = capsys.readouterr()
    assert "smtp-Pa55word-7f3a9c" not in out + err and "keyring" in err
    assert SecretStore(storemon_home / "config" / "secrets.json", backend=None).get(
        "channel.mail.password"
    ) == ("smtp-Pa55word-7f3a9c")
