"""Real servers for notifier tests, on 127.0.0.1 only: SMTP (aiosmtpd) and HTTP (http.server).

Both record what they received so tests assert on what a receiver would really see.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import ssl
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

LOCALHOST = "127.0.0.1"

# -- TLS -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfSignedCertificate:
    """A self-signed certificate for 127.0.0.1 / localhost, made with the openssl CLI."""

    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this certificate."""
        return ssl.create_default_context(cafile=str(self.cert))


def make_certificate(directory: Path) -> SelfSignedCertificate | None:
    """A fresh certificate in `directory`, or None when the openssl CLI is not installed."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return SelfSignedCertificate(cert, key)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return sock.getsockname()[1]


# -- SMTP ----------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    authenticated_as: str | None
    over_tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class RecordingHandler:
    """aiosmtpd handler: records messages; refuses scripted recipients with 4xx/5xx."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 No such user"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        content = envelope.original_content or envelope.content or b""
        assert isinstance(content, bytes)
        self.received.append(
            ReceivedMail(
                mail_from=envelope.mail_from or "",
                rcpt_tos=list(envelope.rcpt_tos),
                raw=content,
                authenticated_as=login,
                over_tls=server.transport is not None
                and server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 Message accepted"


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1: plain, STARTTLS or implicit TLS, optionally with AUTH."""

    def __init__(
        self,
        *,
        certificate: SelfSignedCertificate | None = None,
        mode: str = "none",
        users: dict[str, str] | None = None,
    ) -> None:
        self.handler = RecordingHandler()
        self.users = users or {}
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if mode == "starttls":
            assert certificate is not None
            kwargs.update(tls_context=certificate.server_context(), require_starttls=True)
        elif mode == "ssl":
            assert certificate is not None
            kwargs.update(ssl_context=certificate.server_context())
        if self.users:
            kwargs.update(
                authenticator=self._authenticate, auth_required=True, auth_require_tls=mode != "none"
            )
        self.controller = Controller(self.handler, hostname=LOCALHOST, port=self.port, **kwargs)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            expected = self.users.get(auth_data.login.decode())
            if expected is not None and auth_data.password.decode() == expected:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


# -- HTTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A scripted answer: a status, headers and body — or `hang` (never answer). `delay`: seconds
    before answering (a slow endpoint); `trickle`: seconds between the bytes of the body, sent
    after the headers (a receiver that keeps the connection alive but never finishes)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    delay: float = 0.0
    trickle: float = 0.0


@dataclass(frozen=True)
class Request:
    """One request as the HTTP server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None  # the status sent, None if the server hung

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


class HttpServer:
    """A threading HTTP server on 127.0.0.1 that records requests and plays a script.

    `script(...)` queues replies for the next requests; after that, `default` answers.
    Successful (2xx) requests are deduplicated by `Idempotency-Key`, as a careful receiver
    would: `deliveries` counts accepted requests per key, `duplicates` lists repeated keys.
    """

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply(200, b"ok")
        self.requests: list[Request] = []
        self.deliveries: Counter[str] = Counter()
        self.duplicates: list[str] = []
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._release = threading.Event()  # set on stop, so hanging handlers finish
        self._server = ThreadingHTTPServer((LOCALHOST, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="test-http", daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/hook") -> str:
        return f"http://{LOCALHOST}:{self.port}{path}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            key = request.header("Idempotency-Key")
            if key and request.answered is not None and 200 <= request.answered < 300:
                if self.deliveries[key]:
                    self.duplicates.append(key)
                self.deliveries[key] += 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                reply = outer._next_reply()
                headers = dict(self.headers.items())
                if reply.hang:
                    outer._record(Request("POST", self.path, headers, body, None))
                    outer._release.wait(10)  # the client times out long before
                    self.close_connection = True
                    return
                if reply.delay:
                    outer._release.wait(reply.delay)
                if not reply.trickle:
                    outer._record(Request("POST", self.path, headers, body, reply.status))
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(reply.body)
                    return
                try:
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        if outer._release.wait(reply.trickle):
                            break
                except OSError:  # the client gave up: it never received the whole answer
                    outer._record(Request("POST", self.path, headers, body, None))
                    return
                outer._record(Request("POST", self.path, headers, body, reply.status))

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
