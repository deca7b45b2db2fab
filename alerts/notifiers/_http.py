"""POSTing JSON with the standard library, and sorting HTTP answers into retry / give up.

Redirects are not followed: a webhook that moved is a setting to fix, and following a POST
redirect could hand the payload (or a signed URL) to another host.

The timeout is a deadline for the whole request (connect, send, read), not per socket operation:
a receiver that trickles a byte a second would otherwise hold a send, and the lease on its row,
for as long as it likes. A watchdog shuts the connection's socket down when the deadline passes.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import ClassVar

from alerts.message import Message
from alerts.notifiers._text import one_line, truncate
from alerts.notifiers.base import Clock, DeliveryError, redact, test_message, utc_now

MAX_REPLY_BYTES = 64 * 1024
USER_AGENT = "Storemon-notifier/1"


@dataclass(frozen=True)
class HttpReply:
    """What the server answered: status, headers (case-insensitive) and up to 64 KiB of body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A header's value, case-insensitively."""
        value = self.headers.get(name)
        return None if value is None else str(value)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status, which we classify


class _Deadline:
    """Shuts down the sockets a request opened once ``seconds`` have passed (see the module doc)."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        deadline = getattr(cls._current, "deadline", None)
        if deadline is not None and sock is not None:
            with deadline._lock:
                deadline._sockets.append(sock)
                if deadline.fired:
                    _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)

    def __enter__(self) -> _Deadline:
        _Deadline._current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()
        _Deadline._current.deadline = None


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)  # wakes a recv() blocked in another thread


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _Deadline.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _Deadline.watch(self.sock)


class _HttpHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_WatchedHTTPConnection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_WatchedHTTPSConnection, req, context=self._context)


_OPENER = urllib.request.build_opener(_NoRedirect, _HttpHandler, _HttpsHandler)


def origin(url: str) -> str:
    """scheme://host[:port] of a URL: safe to show, unlike the path or query (tokens live there)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def url_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that may be credentials: the URL, its path, query, values."""
    parts = urllib.parse.urlsplit(url)
    found = [url, parts.path, parts.query]
    found += [value for _, value in urllib.parse.parse_qsl(parts.query)]
    found += [segment for segment in parts.path.split("/") if len(segment) >= 8]
    return found


def validate_url(url: str) -> str:
    """The URL, if it is absolute http(s) with a host; otherwise ValueError (without the URL)."""
    if not isinstance(url, str):
        raise ValueError("must be a URL string")
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be a full http:// or https:// URL")
    if any(ch.isspace() for ch in url.strip()):
        raise ValueError("must not contain spaces")
    if not url.isascii():
        raise ValueError("must be ASCII (percent-encode other characters)")
    return url.strip()


def post_json(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    where: str,
    secrets: Iterable[str | None],
) -> HttpReply:
    """POST `body`; return the reply for any HTTP status, raise DeliveryError when there is none.

    `where` names the destination in messages ("Slack webhook at https://hooks.slack.com").
    """
    secrets = list(secrets)
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("User-Agent", USER_AGENT)
    for name, value in headers.items():
        request.add_header(name, value)
    deadline = _Deadline(timeout)
    try:
        with deadline, _OPENER.open(request, timeout=timeout) as response:
            reply = HttpReply(response.status, response.headers, response.read(MAX_REPLY_BYTES))
        if deadline.fired:
            raise _network_error(TimeoutError(), where, timeout, secrets)
        return reply
    except urllib.error.HTTPError as exc:
        try:
            reply_body = exc.read(MAX_REPLY_BYTES) if exc.fp is not None else b""
        except (OSError, http.client.HTTPException):
            reply_body = b""
        finally:
            exc.close()
        return HttpReply(exc.code, exc.headers or {}, reply_body)
    except urllib.error.URLError as exc:
        raise _network_error(
            TimeoutError() if deadline.fired else exc.reason, where, timeout, secrets
        ) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _network_error(TimeoutError() if deadline.fired else exc, where, timeout, secrets) from None


def _network_error(reason: object, where: str, timeout: float, secrets: list[str | None]) -> DeliveryError:
    """No HTTP answer at all: the network or the server is down, or TLS failed."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        detail = redact(one_line(reason.verify_message or str(reason)), secrets)
        return DeliveryError(
            f"{where}: its TLS certificate could not be verified ({detail}); check the URL",
            retryable=False,
        )
    if isinstance(reason, TimeoutError):
        text = f"no complete answer within {timeout:g} s (timed out)"
    elif isinstance(reason, ConnectionRefusedError):
        text = "connection refused"
    else:
        text = truncate(redact(one_line(str(reason)), secrets), 200) or type(reason).__name__
    return DeliveryError(f"{where}: could not deliver: {text}; will retry", retryable=True)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from `now` (delta-seconds or HTTP-date, RFC 9110 §10.2.3)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def reply_excerpt(reply: HttpReply, secrets: Iterable[str | None]) -> str:
    """A short, single-line, secret-free excerpt of a reply body for error messages."""
    text = reply.body[:1000].decode("utf-8", "replace")
    return truncate(redact(one_line(text), secrets), 200)


def check_status(reply: HttpReply, *, where: str, now: datetime, secrets: Iterable[str | None]) -> None:
    """Raise DeliveryError unless the status is 2xx.

    408, 429 and 5xx are retryable (with the server's Retry-After as a hint); a 3xx means the
    URL moved and other 4xx mean the request itself is wrong: both need a person, not a retry.
    """
    status = reply.status
    if 200 <= status < 300:
        return
    excerpt = reply_excerpt(reply, secrets)
    said = f": {excerpt}" if excerpt else ""
    if status in (408, 429) or status >= 500:
        retry_after = parse_retry_after(reply.header("Retry-After"), now)
        waiting = f" (asked to wait {retry_after:g} s)" if retry_after is not None else ""
        raise DeliveryError(
            f"{where} answered HTTP {status}{said}; will retry{waiting}",
            retryable=True,
            retry_after=retry_after,
        )
    if 300 <= status < 400:
        raise DeliveryError(
            f"{where} answered HTTP {status} (redirect); update the URL in Settings", retryable=False
        )
    raise DeliveryError(
        f"{where} rejected the message with HTTP {status}{said}; check the URL and settings",
        retryable=False,
    )


class UrlNotifier(ABC):
    """A channel whose destination is one URL (which may hold a token), perhaps with a signing secret.

    Holds what the generic webhook and the chat robots share: the checked URL, the secret, the
    timeout and clock, ``where`` for messages (host only, never the token), a ``repr`` without
    secrets, everything to redact, and the test message.
    """

    channel: ClassVar[str]

    def __init__(
        self, url: str, secret: str | None = None, timeout: float = 15.0, *, clock: Clock = utc_now
    ) -> None:
        self._url = validate_url(url)
        self._secret = secret or None
        self.timeout = float(timeout)
        self._clock = clock
        self.where = f"{self.describe()} at {origin(self._url)}"

    @classmethod
    def describe(cls) -> str:
        """What the destination is, for messages: "webhook", "DingTalk robot", ..."""
        return cls.channel

    def __repr__(self) -> str:
        secret = "set" if self._secret else None
        return (
            f"{type(self).__name__}(url='{origin(self._url)}/…', secret={secret!r}, timeout={self.timeout:g})"
        )

    @property
    def secrets(self) -> list[str | None]:
        """Everything that must never show in a message or log."""
        return [*url_secrets(self._url), self._secret]

    @abstractmethod
    def send(self, recipient: str, message: Message) -> None:
        """POST the message; `recipient` is ignored (the URL is the destination)."""

    def send_test(self, recipient: str | None = None) -> None:
        """Send a message labelled as a test."""
        self.send(recipient or "", test_message(self._clock(), self.channel))
