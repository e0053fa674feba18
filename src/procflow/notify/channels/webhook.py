"""An HTTP webhook: each message POSTed as JSON (SMS and Zalo gateways, the provincial portal).

The idempotency key goes in the ``Idempotency-Key`` header (and in the body
as ``key``), so that a gateway drops a repeat sent after a crash between
sending and recording it. Any 2xx answer is delivery. 408, 425, 429 and 5xx,
a refused connection or a timeout are retried; other 4xx answers mean the
request itself is wrong, and are not.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from procflow import __version__
from procflow.notify.channels import ChannelSettings, register_channel
from procflow.notify.errors import DeliveryError, NotifyConfigError
from procflow.notify.message import Message

_RETRIED = frozenset({408, 425, 429})


class WebhookSettings(ChannelSettings):
    type: Literal["webhook"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    headers_env: dict[str, str] = Field(
        default_factory=dict,
        description="Headers whose values are read from environment variables "
        "(header: VARIABLE), for tokens that must not sit in the file.",
    )
    address_field: str | None = "phone"

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"give an http:// or https:// URL with a host, not {value!r}")
        return value


@register_channel("webhook", WebhookSettings)
class WebhookChannel:
    def __init__(self, name: str, settings: WebhookSettings, base_dir: Path) -> None:
        self.name = name
        self.settings = settings
        self.headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": f"procflow/{__version__}",
            **settings.headers,
        }
        for header, variable in settings.headers_env.items():
            value = os.environ.get(variable)
            if value is None:
                raise NotifyConfigError(
                    f"channel {name}: the environment variable {variable} "
                    f"(channels.{name}.headers_env.{header}) is not set"
                )
            self.headers[header] = value

    def send(self, message: Message) -> None:
        body = json.dumps(message.to_dict(), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.settings.url,
            data=body,
            headers={**self.headers, "Idempotency-Key": message.key},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
            raise DeliveryError(
                f"{self.settings.url} answered {status} {exc.reason}",
                permanent=400 <= status < 500 and status not in _RETRIED,
            ) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            # Refused, timed out, reset, or an answer that is not HTTP: try again later.
            reason = getattr(exc, "reason", None) or exc
            raise DeliveryError(f"cannot reach {self.settings.url}: {reason}") from exc

    def close(self) -> None:
        pass
