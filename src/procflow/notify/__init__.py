"""Notifications that are never lost and never doubled.

Every event someone must hear of is written with an outbox row in its own
transaction (:mod:`procflow.model.outbox`, :mod:`procflow.store.outbox`).
:func:`notify` (the ``procflow notify`` command) fans outbox rows out into
deliveries, one per recipient and channel under an idempotency key, and
delivers each at least once, with retries, backoff and a dead letter.
Channels are one file each under :mod:`procflow.notify.channels`; templates
per notice and language are package data under ``templates/``. See
docs/notifications.md.
"""

from procflow.notify.channels import Channel, ChannelSettings, register_channel
from procflow.notify.config import NotifyConfig, load_config, parse_config
from procflow.notify.dispatch import NotifyRun, notify
from procflow.notify.errors import DeliveryError, NotifyConfigError, NotifyError
from procflow.notify.message import Message

__all__ = [
    "Channel",
    "ChannelSettings",
    "DeliveryError",
    "Message",
    "NotifyConfig",
    "NotifyConfigError",
    "NotifyError",
    "NotifyRun",
    "load_config",
    "notify",
    "parse_config",
    "register_channel",
]
