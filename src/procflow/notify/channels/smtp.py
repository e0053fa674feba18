"""E-mail over SMTP, with the standard library only (smtplib, email).

Each message carries its idempotency key twice: in an ``Idempotency-Key``
header, and as the ``Message-ID``, derived from the key (a hash, since a key's
colons are not allowed there), so that a mail system or a mailbox rule can
drop a repeat sent after a crash between sending and recording it.

Headers are encoded with the classic :class:`email.header.Header`: the newer
``email.policy.default`` folds a long Vietnamese subject between two encoded
words and the space there is lost on reading ("bổ sung,hoàn thiện"; seen on
CPython 3.11). The text goes quoted-printable, readable in the raw mail.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from email.charset import QP, Charset
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path
from typing import Literal

from pydantic import Field

from procflow.notify.channels import ChannelSettings, register_channel
from procflow.notify.errors import DeliveryError, NotifyConfigError
from procflow.notify.message import Message


class SMTPSettings(ChannelSettings):
    type: Literal["smtp"]
    host: str = Field(min_length=1)
    port: int = Field(default=25, ge=1, le=65535)
    sender: str = Field(
        alias="from",
        min_length=3,
        description="The From address, e.g. 'Bộ phận một cửa <motcua@xa.gov.vn>'.",
    )
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password_env: str | None = Field(
        default=None,
        description="The environment variable holding the password (never the password itself).",
    )
    message_id_domain: str | None = Field(
        default=None, description="The domain of Message-IDs (default: the From address's)."
    )
    address_field: str | None = "email"


def message_id(key: str, domain: str) -> str:
    """The ``Message-ID`` of the delivery ``key``: the same key, the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}.procflow@{domain}>"


@register_channel("smtp", SMTPSettings)
class SMTPChannel:
    """Sends through one SMTP connection per run, opened at the first message."""

    def __init__(self, name: str, settings: SMTPSettings, base_dir: Path) -> None:
        self.name = name
        self.settings = settings
        self._password: str | None = None
        if settings.password_env:
            self._password = os.environ.get(settings.password_env)
            if self._password is None:
                raise NotifyConfigError(
                    f"channel {name}: the environment variable {settings.password_env} "
                    "(channels." + name + ".password_env) is not set; set it to the SMTP password"
                )
        _, address = parseaddr(settings.sender)
        self.domain = settings.message_id_domain or address.rpartition("@")[2] or "procflow"
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_seconds, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if s.username:
            smtp.login(s.username, self._password or "")
        return smtp

    def build(self, message: Message) -> MIMEText:
        charset = Charset("utf-8")
        charset.body_encoding = QP
        mail = MIMEText(message.text, "plain", charset)  # type: ignore[arg-type]
        name, address = parseaddr(self.settings.sender)
        mail["From"] = formataddr((name, address), charset="utf-8")
        mail["To"] = message.address
        mail["Subject"] = Header(message.subject, "utf-8")  # type: ignore[assignment]
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = message_id(message.key, self.domain)
        mail["Idempotency-Key"] = message.key
        # RFC 3834: an automatic message; auto-responders must not answer it.
        mail["Auto-Submitted"] = "auto-generated"
        mail["Content-Language"] = message.language
        return mail

    def send(self, message: Message) -> None:
        mail = self.build(message)
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"the mail server refused {message.address}: {exc.recipients}",
                permanent=all(500 <= c < 600 for c in codes),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raw = exc.smtp_error
            detail = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw or "")
            # 5xx for the message itself is final; a refused login is the
            # configuration's fault and is retried once it is mended.
            final = 500 <= exc.smtp_code < 600 and not isinstance(
                exc, smtplib.SMTPAuthenticationError
            )
            raise DeliveryError(
                f"the mail server answered {exc.smtp_code} {detail}".strip(), permanent=final
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise DeliveryError(
                f"cannot reach the mail server {self.settings.host}:{self.settings.port}: {exc}"
            ) from exc

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def close(self) -> None:
        self._drop()
