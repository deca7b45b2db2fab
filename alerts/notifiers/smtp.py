"""Email over SMTP (smtplib): plain text plus an HTML alternative, UTF-8 throughout.

The Message-ID is derived from the idempotency key, so the copies an at-least-once retry may
produce share one Message-ID and mail clients that dedup on it show one email. The key is
also sent as `X-Storemon-Idempotency-Key` for filters and mail gateways.
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Final

from alerts.message import Message
from alerts.notifiers._text import clean_text, one_line, truncate
from alerts.notifiers.base import (
    LABEL_ALERT,
    LABEL_LEVEL,
    LABEL_REFERENCE,
    LABEL_SEVERITY,
    LABEL_STORE,
    SEVERITY_LABELS_EN,
    SEVERITY_LABELS_ZH,
    Clock,
    DeliveryError,
    redact,
    test_message,
    utc_now,
)

SECURITY_MODES: Final = ("none", "starttls", "ssl")
DEFAULT_PORTS: Final = {"none": 25, "starttls": 587, "ssl": 465}
IDEMPOTENCY_HEADER: Final = "X-Storemon-Idempotency-Key"
MAX_BODY_CHARS: Final = 100_000
_ADDRESS: Final = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


BUTTON_STYLE: Final = (
    "display:inline-block;padding:12px 22px;background:#1a5fb4;color:#ffffff;"
    "border-radius:6px;text-decoration:none;font-weight:bold"
)


def valid_address(address: str) -> bool:
    """A bare ASCII address like `name@example.com` (no display name, no line breaks)."""
    return len(address) <= 254 and address.isascii() and bool(_ADDRESS.match(address))


def message_id_for(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same for every retry of one notification."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8", "replace")).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "storemon.invalid"
    return f"<{digest}@{domain}>"


class SmtpNotifier:
    """Sends one email per `send` over a fresh SMTP connection (plain, STARTTLS or implicit TLS)."""

    channel = "email"

    def __init__(
        self,
        host: str,
        port: int | None = None,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        sender: str = "storemon@localhost",
        timeout: float = 10.0,
        *,
        ssl_context: ssl.SSLContext | None = None,
        html_part: bool = True,
        clock: Clock = utc_now,
        local_hostname: str | None = None,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"security must be one of {', '.join(SECURITY_MODES)}")
        if not valid_address(sender):
            raise ValueError("sender must be an email address like alerts@example.com")
        self.host = host
        self.port = int(port) if port else DEFAULT_PORTS[security]
        self.security = security
        self.username = username or None
        self._password = password or None
        self.sender = sender
        self.timeout = float(timeout)
        self._ssl_context = ssl_context
        self.html_part = html_part
        self._clock = clock
        self._local_hostname = local_hostname
        self.where = f"SMTP server {host}:{self.port}"

    def __repr__(self) -> str:
        password = "set" if self._password else None
        return (
            f"SmtpNotifier(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"username={self.username!r}, password={password!r}, sender={self.sender!r})"
        )

    # -- building --------------------------------------------------------------------------------

    def build_email(self, recipient: str, message: Message) -> EmailMessage:
        """The email for `message`: UTF-8 subject and body, idempotent Message-ID."""
        email = EmailMessage()
        label = SEVERITY_LABELS_ZH[message.severity]
        email["Subject"] = truncate(one_line(f"【{label}】{message.title}"), 200)
        email["From"] = self.sender
        email["To"] = recipient
        email["Date"] = format_datetime(self._clock())
        email["Message-ID"] = message_id_for(message.idempotency_key, self.sender)
        email[IDEMPOTENCY_HEADER] = truncate(one_line(message.idempotency_key), 200)
        email["X-Storemon-Severity"] = message.severity
        if message.alert_id is not None:
            email["X-Storemon-Alert-Id"] = str(message.alert_id)
        facts = self._facts(message)
        email.set_content(self._text(message, facts), charset="utf-8")
        if self.html_part:
            email.add_alternative(self._html(message, facts), subtype="html", charset="utf-8")
        return email

    @staticmethod
    def _facts(message: Message) -> list[tuple[str, str]]:
        facts = [
            (LABEL_SEVERITY, f"{SEVERITY_LABELS_ZH[message.severity]} {SEVERITY_LABELS_EN[message.severity]}")
        ]
        if message.store:
            facts.append((LABEL_STORE, message.store))
        if message.level is not None:
            facts.append((LABEL_LEVEL, str(message.level)))
        facts += list(message.fields.items())
        if message.alert_id is not None:
            facts.append((LABEL_ALERT, f"#{message.alert_id}"))
        facts.append((LABEL_REFERENCE, message.idempotency_key))
        return [(truncate(one_line(k), 80), truncate(one_line(v), 500)) for k, v in facts]

    @staticmethod
    def _text(message: Message, facts: list[tuple[str, str]]) -> str:
        body = truncate(clean_text(message.body).strip(), MAX_BODY_CHARS)
        lines = [one_line(message.title), "", body, ""]
        lines += [f"{one_line(link.label)}:\n{link.url}\n" for link in message.links]
        lines += [f"{k}: {v}" for k, v in facts]
        lines += ["", "-- ", "Storemon"]
        return "\n".join(lines) + "\n"

    @staticmethod
    def _html(message: Message, facts: list[tuple[str, str]]) -> str:
        body = truncate(clean_text(message.body).strip(), MAX_BODY_CHARS)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p.strip())
        rows = "".join(
            f"<tr><th align=left>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts
        )
        # Answer links as buttons: a styled <a>, the one button form every mail client shows.
        buttons = "".join(
            f'<p><a href="{html.escape(link.url, quote=True)}" style="{BUTTON_STYLE}">'
            f"{html.escape(one_line(link.label))}</a></p>"
            for link in message.links
        )
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
            f"<h2>{html.escape(one_line(message.title))}</h2>{paragraphs}{buttons}<table>{rows}</table>"
            '<p style="color:#888">Storemon</p></body></html>'
        )

    # -- sending ---------------------------------------------------------------------------------

    def send(self, recipient: str, message: Message) -> None:
        """Send `message` to the email address `recipient`. Raises DeliveryError."""
        if not valid_address(recipient):
            shown = truncate(one_line(recipient), 80)
            raise DeliveryError(
                f"'{shown}' is not an email address; fix the recipient's email in Settings", retryable=False
            )
        email = self.build_email(recipient, message)
        try:
            smtp = self._connect()
        except DeliveryError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a DeliveryError without secrets
            raise self._error(exc, "connecting") from None
        try:
            smtp.send_message(email, from_addr=self.sender, to_addrs=[recipient])
        except Exception as exc:  # noqa: BLE001 - as above
            raise self._error(exc, "sending") from None
        finally:
            self._close(smtp)

    def send_test(self, recipient: str | None = None) -> None:
        """Email a message labelled as a test to `recipient`, or to the sender address."""
        self.send(recipient or self.sender, test_message(self._clock(), self.channel))

    def _tls_context(self) -> ssl.SSLContext:
        return self._ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        """An open, secured and logged-in connection."""
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, self._local_hostname, timeout=self.timeout, context=self._tls_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, self._local_hostname, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(
                        f"{self.where} does not offer STARTTLS; choose another security mode in Settings",
                        retryable=False,
                    )
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if self.username:
                self._login(smtp)
        except BaseException:
            self._close(smtp)
            raise
        return smtp

    def _login(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("auth"):
            raise DeliveryError(
                f"{self.where} does not offer login (AUTH) on this connection; "
                "check the security mode, or clear the user name in Settings",
                retryable=False,
            )
        try:
            smtp.login(self.username or "", self._password or "")
        except smtplib.SMTPAuthenticationError as exc:
            if 400 <= exc.smtp_code < 500:
                raise DeliveryError(
                    f"{self.where} could not check the login for user {self.username} right now "
                    f"({exc.smtp_code}); will retry",
                    retryable=True,
                ) from None
            raise DeliveryError(
                f"SMTP login failed for user {self.username} at {self.host}:{self.port}; "
                "check the password in Settings",
                retryable=False,
            ) from None

    @staticmethod
    def _close(smtp: smtplib.SMTP) -> None:
        """QUIT politely; a failing QUIT after the message was accepted must not fail the send."""
        try:
            smtp.quit()
        except Exception:  # noqa: BLE001 - whatever QUIT raises, the message was delivered
            smtp.close()

    def _error(self, exc: Exception, stage: str) -> DeliveryError:
        """Sort an smtplib/socket/TLS failure into retryable or not, with a message free of secrets."""
        if isinstance(exc, DeliveryError):
            return exc
        where = self.where

        def said(text: bytes | str) -> str:
            raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            return truncate(redact(one_line(raw), [self._password]), 200)

        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            (address, (code, text)), *_ = exc.recipients.items()
            permanent = code >= 500
            action = "fix the recipient's email in Settings" if permanent else "will retry"
            return DeliveryError(
                f"{where} refused recipient {address}: {code} {said(text)}; {action}", retryable=not permanent
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return DeliveryError(
                f"{where}: {said(str(exc))}; check the security mode in Settings", retryable=False
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            permanent = exc.smtp_code >= 500
            action = "check the sender address and server settings" if permanent else "will retry"
            return DeliveryError(
                f"{where} answered {exc.smtp_code} {said(exc.smtp_error)} while {stage}; {action}",
                retryable=not permanent,
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return DeliveryError(
                f"{where}: its TLS certificate could not be verified ({said(exc.verify_message or '')}); "
                "check the host name in Settings",
                retryable=False,
            )
        if isinstance(exc, TimeoutError):
            return DeliveryError(
                f"{where}: no answer within {self.timeout:g} s while {stage}; will retry", retryable=True
            )
        if isinstance(exc, ConnectionRefusedError):
            return DeliveryError(f"{where}: connection refused; will retry", retryable=True)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return DeliveryError(f"{where} closed the connection while {stage}; will retry", retryable=True)
        if isinstance(exc, OSError):  # includes other smtplib errors, DNS and TLS failures
            return DeliveryError(
                f"{where}: {type(exc).__name__} while {stage}: {said(str(exc))}; will retry", retryable=True
            )
        return DeliveryError(
            f"{where}: unexpected {type(exc).__name__} while {stage}; will retry", retryable=True
        )
