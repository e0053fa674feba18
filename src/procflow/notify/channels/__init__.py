"""Channels: one file each, registered with :func:`register_channel`.

A channel is a class built from its settings (a pydantic model, validated
from the ``channels`` section of the configuration file) that sends one
:class:`~procflow.notify.message.Message` at a time::

    class PagerSettings(ChannelSettings):
        type: Literal["pager"]
        number: str

    @register_channel("pager", PagerSettings)
    class Pager:
        def __init__(self, name: str, settings: PagerSettings, base_dir: Path) -> None: ...
        def send(self, message: Message) -> None: ...   # DeliveryError when it fails
        def close(self) -> None: ...

Every module in this package is imported the first time the channel types
are asked for, so a new channel is a new file here; an application can also
register one from its own module before it calls :func:`procflow.notify.notify`.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from procflow.notify.message import Message

__all__ = ["Channel", "ChannelSettings", "ChannelType", "channel_types", "register_channel"]


class ChannelSettings(BaseModel):
    """What every channel's settings have; each channel adds its own fields."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str
    address_field: str | None = Field(
        default=None,
        description=(
            "The recipient's contact field this channel sends to (email, phone, zalo...); "
            "none: the channel needs no address (a file, the portal's webhook)."
        ),
    )
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)


class Channel(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise :class:`~procflow.notify.errors.DeliveryError`."""
        ...

    def close(self) -> None:
        """Let go of connections and files (called once the run is over)."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelType:
    name: str
    settings: type[ChannelSettings]
    factory: Callable[[str, Any, Path], Channel]
    """``factory(name, settings, base_dir)``: ``base_dir`` is the configuration
    file's folder, against which relative paths are read."""


_TYPES: dict[str, ChannelType] = {}
_discovered = False
_lock = threading.Lock()

F = TypeVar("F", bound=Callable[..., Channel])


def register_channel(type_name: str, settings: type[ChannelSettings]) -> Callable[[F], F]:
    """Class decorator: make channels of ``type: type_name`` buildable from a config file."""

    def add(factory: F) -> F:
        _TYPES[type_name] = ChannelType(type_name, settings, factory)
        return factory

    return add


def channel_types() -> dict[str, ChannelType]:
    """Every registered channel type by name (this package's modules imported first)."""
    global _discovered
    with _lock:
        if not _discovered:
            for module in pkgutil.iter_modules(__path__):
                importlib.import_module(f"{__name__}.{module.name}")
            _discovered = True
    return dict(_TYPES)
