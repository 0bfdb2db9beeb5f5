"""SMTP, one message at a time (docs/campaigns.md, "Sending"). The settings come from the
book's Settings rows (SMTP host, SMTP port, SMTP user, From address, SMTP TLS), each
overridden by an environment variable where it is set (ACCTBOOK_SMTP_HOST, _PORT, _USER,
_FROM), so a test or an IT department can point acctbook at another server; the password
only ever from ACCTBOOK_SMTP_PASSWORD, never from the workbook. Port 465 is TLS from the
start; another port with TLS on is STARTTLS.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Mapping

from acctbook.book.i18n import said, tr
from acctbook.book.model import AcctbookError

ENV = {"host": "ACCTBOOK_SMTP_HOST", "port": "ACCTBOOK_SMTP_PORT", "user": "ACCTBOOK_SMTP_USER",
       "sender": "ACCTBOOK_SMTP_FROM"}
PASSWORD = "ACCTBOOK_SMTP_PASSWORD"
TIMEOUT = 30            # seconds a server may keep us waiting for one answer


class SmtpFailed(AcctbookError):
    """The mail server could not be reached or refused a message (exit 2)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    sender: str                 # the From address: From address, else Manager email
    tls: bool
    password: str = ""

    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(values: Mapping[str, Any], environ: Mapping[str, str]) -> SmtpSettings:
    """The SMTP settings of a book's Settings values, the environment over them."""
    def pick(key: str, setting: str) -> str:
        env = (environ.get(ENV[key]) or "").strip()
        return env or str(values.get(setting) or "").strip()
    port_text = pick("port", "smtp_port") or "587"
    try:
        port = int(float(port_text))
    except ValueError:
        raise said(SmtpFailed, tr("en", "{variable}: '{value}' is not a port number"),
                   variable=ENV["port"], value=port_text) from None
    sender = pick("sender", "smtp_from") or str(values.get("manager_email") or "").strip()
    tls = values.get("smtp_tls")
    return SmtpSettings(pick("host", "smtp_host"), port, pick("user", "smtp_user"), sender,
                        True if tls is None else bool(tls), environ.get(PASSWORD) or "")


class Mailer:
    """A connection to the server for one run: `with Mailer(settings) as m: m.send(msg)`."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        s = self.settings
        if not s.host:
            raise said(SmtpFailed, tr("en", "no mail server given (set {variable})"),
                       variable=ENV["host"])
        try:
            if s.tls and s.port == 465:
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
                if s.tls:
                    self.smtp.starttls(context=ssl.create_default_context())
            if s.user:
                self.smtp.login(s.user, s.password)
        except (OSError, smtplib.SMTPException, ssl.SSLError) as e:
            self.close()
            raise said(SmtpFailed, tr("en", "cannot use the mail server {server}: {error}"),
                       server=s.where(), error=describe(e)) from e
        return self

    def send(self, msg: EmailMessage) -> None:
        """One message; SmtpFailed (the server's words) when it is not accepted."""
        try:
            refused = self.smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as e:
            raise said(SmtpFailed, tr("en", "the mail server {server} did not take the message "
                                            "to {to}: {error}"),
                       server=self.settings.where(), to=str(msg["To"]), error=describe(e)) from e
        if refused:
            raise said(SmtpFailed, tr("en", "the mail server {server} did not take the message "
                                            "to {to}: {error}"),
                       server=self.settings.where(), to=str(msg["To"]), error=str(refused))

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self.close()


def describe(e: BaseException) -> str:
    """An SMTP error in one line: the server's code and words, or the network's."""
    if isinstance(e, smtplib.SMTPResponseException):
        words = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) \
            else str(e.smtp_error)
        return f"{e.smtp_code} {' '.join(words.split())}"
    if isinstance(e, socket.timeout):
        return "timed out"
    return " ".join(str(e).split()) or type(e).__name__
