"""The configuration the notification tests use, on the servers they start."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from notify_servers import HTTPSink, SMTPSink

from procflow.model.storage import Store
from procflow.notify import NotifyConfig, parse_config

Opener = Callable[[], Store]
"""Opens another handle on a test's database (another worker's)."""


def config_for(
    *,
    smtp: SMTPSink | None = None,
    http: HTTPSink | None = None,
    file: Path | None = None,
    base_dir: Path | None = None,
    **extra: Any,
) -> NotifyConfig:
    """A configuration on the given servers: the applicant by e-mail (and by
    webhook to their phone), the commune's officers by e-mail; no jitter, so
    that retry times are exact."""
    channels: dict[str, Any] = {}
    if smtp is not None:
        channels["email"] = {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp.port,
            "from": "Bộ phận một cửa <motcua@xa.example.vn>",
            "timeout_seconds": 5,
        }
    if http is not None:
        channels["sms"] = {"type": "webhook", "url": http.url, "timeout_seconds": 5}
    if file is not None:
        channels["archive"] = {"type": "file", "path": str(file)}
    data: dict[str, Any] = {
        "channels": channels,
        "citizen": {"channels": list(channels)},
        "officer_channels": [c for c in channels if c != "sms"],
        "officers": [
            {
                "id": "hoa",
                "name": "Trần Thị Hoa",
                "agency": "commune-pc",
                "roles": ["officer"],
                "email": "hoa@xa.example.vn",
            },
            {
                "id": "minh",
                "name": "Lê Văn Minh",
                "agency": "commune-pc",
                "roles": ["leader"],
                "email": "minh@xa.example.vn",
                "language": "en",
            },
            {
                "id": "binh",
                "name": "Phạm Văn Bình",
                "agency": "commune-police",
                "roles": ["officer"],
                "email": "binh@ca.example.vn",
            },
        ],
        "retry": {
            "jitter": 0,
            "first_seconds": 60,
            "factor": 2,
            "max_attempts": 4,
            "lease_seconds": 60,
            "batch": 50,
        },
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_config(data, source="test config", base_dir=base_dir)
