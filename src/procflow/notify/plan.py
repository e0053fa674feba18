"""Fanning an outbox item out: one delivery per recipient and channel, rendered once.

Each delivery's key is ``code:seq:channel:recipient``: the same event, channel
and recipient give the same key however often (and by however many
dispatchers) the item is fanned out, and the store keeps one row per key.
A recipient without the contact a channel needs (no e-mail address) gets
nothing on it. A message that cannot be rendered (a template's mistake) is
recorded dead at once with the error, so it shows in ``procflow notify
--dead`` and is sent after the template is mended and it is requeued.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from jinja2 import TemplateError

from procflow.catalogue import Catalogue
from procflow.model.dossier import Dossier
from procflow.model.events import Event
from procflow.model.outbox import Delivery, DeliveryStatus, NewDelivery, OutboxItem
from procflow.model.storage import Store
from procflow.notify.config import NotifyConfig
from procflow.notify.message import Message
from procflow.notify.notices import facts, names_for, notice_kind
from procflow.notify.recipients import Recipient, recipients
from procflow.notify.render import Templates

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Plan:
    deliveries: list[NewDelivery]
    unreachable: int
    """Recipient and channel pairs skipped for want of an address."""


def delivery_key(code: str, seq: int, channel: str, recipient: str) -> str:
    return f"{code}:{seq}:{channel}:{recipient}"


class Planner:
    def __init__(
        self,
        store: Store,
        config: NotifyConfig,
        templates: Templates,
        catalogue: Catalogue | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.templates = templates
        self.catalogue = catalogue

    def _event(self, item: OutboxItem) -> Event | None:
        for event in self.store.iter_events(item.code):
            if event.seq == item.seq:
                return event
        return None

    def plan(self, item: OutboxItem) -> Plan:
        """The deliveries of ``item`` (none when the event notifies nobody configured)."""
        event = self._event(item)
        dossier = self.store.get(item.code)
        if event is None or dossier is None:
            log.warning("outbox item %s:%s has no event or dossier; skipped", item.code, item.seq)
            return Plan([], 0)
        kind = notice_kind(event, dossier, self.catalogue)
        if kind is None:
            return Plan([], 0)
        out: list[NewDelivery] = []
        unreachable = 0
        for recipient in recipients(kind, event, dossier, self.config):
            for channel in recipient.channels:
                settings = self.config.channels[channel]
                address = recipient.address(settings.address_field)
                if address is None:
                    unreachable += 1
                    continue
                key = delivery_key(item.code, item.seq, channel, recipient.id)
                out.append(self._delivery(key, channel, recipient, address, kind, event, dossier))
        return Plan(out, unreachable)

    def _delivery(
        self,
        key: str,
        channel: str,
        recipient: Recipient,
        address: str,
        kind: str,
        event: Event,
        dossier: Dossier,
    ) -> NewDelivery:
        made = self._message(key, channel, recipient, address, kind, event, dossier)
        if isinstance(made, Message):
            return NewDelivery(key, channel, recipient.id, address, made.body())
        return NewDelivery(
            key,
            channel,
            recipient.id,
            address,
            orjson.dumps({"kind": kind, "language": recipient.language, "error": made}).decode(),
            DeliveryStatus.DEAD,
            made,
        )

    def _message(
        self,
        key: str,
        channel: str,
        recipient: Recipient,
        address: str,
        kind: str,
        event: Event,
        dossier: Dossier,
    ) -> Message | str:
        """The rendered message, or why it cannot be rendered."""
        language = recipient.language
        names = names_for(self.catalogue, dossier, language)
        known = facts(kind, event, dossier, names)
        try:
            subject, text = self.templates.render(
                kind, language, {**known, "recipient": recipient.name}
            )
        except TemplateError as exc:
            return f"template {language}/{kind}.txt: {type(exc).__name__}: {exc}"
        return Message(
            key=key,
            channel=channel,
            recipient=recipient.id,
            address=address,
            kind=kind,
            language=language,
            subject=subject,
            text=text,
            code=event.code,
            seq=event.seq,
            event_type=event.type.value,
            at=event.at.isoformat(),
            facts=known,
        )

    def replan(self, delivery: Delivery) -> Message | None:
        """The message of a delivery planned dead because it could not be
        rendered, rendered again now (None: it still cannot be, or the
        recipient is no longer configured)."""
        item = OutboxItem(delivery.code, delivery.seq, "", delivery.created_at)
        event = self._event(item)
        dossier = self.store.get(delivery.code)
        if event is None or dossier is None:
            return None
        kind = notice_kind(event, dossier, self.catalogue)
        if kind is None:
            return None
        for recipient in recipients(kind, event, dossier, self.config):
            if recipient.id == delivery.recipient:
                made = self._message(
                    delivery.key,
                    delivery.channel,
                    recipient,
                    delivery.address,
                    kind,
                    event,
                    dossier,
                )
                return made if isinstance(made, Message) else None
        return None
