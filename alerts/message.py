"""The notification message every channel sends: plain data, no formatting.

A `Message` is built once per (alert, escalation step, recipient) and stored in the outbox;
each notifier turns it into its own wire format and does its own escaping, because the text
in it (store names, staff names, notes) is typed by people and may be hostile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

SEVERITIES: Final = ("info", "warning", "critical")


@dataclass(frozen=True)
class Link:
    """A labelled web address the reader can open: an answer link, shown as the platform's button.

    Only ``http``/``https`` addresses: a ``javascript:`` or ``data:`` URL never reaches a
    notifier's markup.
    """

    label: str
    url: str

    def __post_init__(self) -> None:
        if not self.url.startswith(("https://", "http://")) or any(ch.isspace() for ch in self.url):
            raise ValueError("Link.url must be an http:// or https:// address without spaces")
        if not self.label.strip():
            raise ValueError("Link.label must not be empty")


@dataclass(frozen=True, kw_only=True)
class Message:
    """One notification: what happened, where, how bad, and the key receivers dedup on.

    `idempotency_key` is stable across retries of the same notification, so a receiver that
    sees it twice (at-least-once delivery) can drop the copy. `fields` are extra labelled
    facts ("Staff on shift": "2") shown under the body. `created_at` is an aware datetime,
    normalised to UTC.
    """

    idempotency_key: str
    title: str
    body: str
    severity: str
    alert_id: int | None
    store: str
    level: int | None
    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    created_at: datetime
    asks: tuple[str, ...] = ()
    """Usernames this message asks to answer: the sender adds an answer link for each (``links``)."""
    links: tuple[Link, ...] = ()
    """Addresses to open (answer links), each notifier shows them as its link or button element."""

    def __post_init__(self) -> None:
        key = self.idempotency_key
        # It travels in HTTP and email headers, so: printable ASCII, no spaces, bounded.
        if not key or len(key) > 200 or not all("!" <= ch <= "~" for ch in key):
            raise ValueError(
                "Message.idempotency_key must be 1-200 printable ASCII characters without spaces"
            )
        if self.severity not in SEVERITIES:
            raise ValueError(
                f"Message.severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}"
            )
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise ValueError("Message.created_at must be an aware datetime (UTC)")
        for key, value in self.fields.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise TypeError("Message.fields must map str to str")
        # Frozen: normalise through object.__setattr__; copy fields so the caller's dict
        # cannot change a message that is already queued.
        object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))
        object.__setattr__(self, "fields", dict(self.fields))
        object.__setattr__(self, "asks", tuple(self.asks))
        object.__setattr__(self, "links", tuple(self.links))

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON-ready data (the generic webhook payload and the outbox column);
        ``asks`` and ``links`` only when there are any."""
        data = {
            "idempotency_key": self.idempotency_key,
            "title": self.title,
            "body": self.body,
            "severity": self.severity,
            "alert_id": self.alert_id,
            "store": self.store,
            "level": self.level,
            "kind": self.kind,
            "fields": dict(self.fields),
            "created_at": self.created_at.isoformat(),
        }
        if self.asks:
            data["asks"] = list(self.asks)
        if self.links:
            data["links"] = [{"label": link.label, "url": link.url} for link in self.links]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        """Rebuild a message from `to_dict()` output (for stores that keep it as JSON)."""
        return cls(
            idempotency_key=data["idempotency_key"],
            title=data["title"],
            body=data["body"],
            severity=data["severity"],
            alert_id=data.get("alert_id"),
            store=data["store"],
            level=data.get("level"),
            kind=data["kind"],
            fields=dict(data.get("fields") or {}),
            created_at=datetime.fromisoformat(data["created_at"]),
            asks=tuple(data.get("asks") or ()),
            links=tuple(Link(link["label"], link["url"]) for link in data.get("links") or ()),
        )
