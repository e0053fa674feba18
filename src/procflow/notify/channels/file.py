"""A file of JSON lines: one line per message, appended (an archive, a pickup folder
for another system, or a channel to try the configuration with).

Each line is one ``write`` under an exclusive lock and is synced to disk
before the delivery is recorded as sent, so that a line is never half
written and several dispatchers may share the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from procflow.notify.channels import ChannelSettings, register_channel
from procflow.notify.errors import DeliveryError
from procflow.notify.message import Message

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: O_APPEND alone
    fcntl = None  # type: ignore[assignment]


class FileSettings(ChannelSettings):
    type: Literal["file"]
    path: Path
    """Relative paths are read from the configuration file's folder."""


@register_channel("file", FileSettings)
class FileChannel:
    def __init__(self, name: str, settings: FileSettings, base_dir: Path) -> None:
        self.name = name
        self.path = settings.path if settings.path.is_absolute() else base_dir / settings.path

    def send(self, message: Message) -> None:
        line = (json.dumps(message.to_dict(), ensure_ascii=False) + "\n").encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DeliveryError(f"cannot open {self.path}: {exc.strerror or exc}") from exc
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as exc:
            raise DeliveryError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)

    def close(self) -> None:
        pass
