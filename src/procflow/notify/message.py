"""The message one delivery carries, as a channel receives it.

The dispatcher renders each message when it fans an outbox item out and the
store keeps it with the delivery (:attr:`~procflow.model.outbox.Delivery.message`,
JSON): a retry days later sends exactly the words decided when the event
happened, whatever the templates or the dossier became meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from procflow.model.outbox import Delivery


@dataclass(frozen=True, slots=True)
class Message:
    key: str
    """The idempotency key: channels pass it on (``Idempotency-Key`` header,
    ``Message-ID``) so that a receiver drops a repeat."""
    channel: str
    recipient: str
    """``applicant``, ``officer:ID`` or ``feed:NAME``."""
    address: str
    """Where to: an e-mail address, a phone number... ("" for channels that need none)."""
    kind: str
    """The notice: ``receipt``, ``supplement``, ``apology``, ``result_ready``,
    ``returned``, ``refusal``, ``warned``, ``overdue``, ``escalated``."""
    language: str
    subject: str
    text: str
    code: str
    seq: int
    event_type: str
    at: str
    """The event's instant, RFC 3339 with its own offset."""
    facts: dict[str, Any] = field(default_factory=dict)
    """The notice's facts as data (appointment, missing documents, due date...),
    for receivers that build their own text (an SMS gateway, the portal)."""

    def body(self) -> str:
        """What the store keeps (everything but what the delivery row holds)."""
        return orjson.dumps(
            {
                "kind": self.kind,
                "language": self.language,
                "subject": self.subject,
                "text": self.text,
                "event_type": self.event_type,
                "at": self.at,
                "facts": self.facts,
            }
        ).decode()

    @classmethod
    def of_delivery(cls, delivery: Delivery) -> Message:
        kept = orjson.loads(delivery.message)
        return cls(
            key=delivery.key,
            channel=delivery.channel,
            recipient=delivery.recipient,
            address=delivery.address,
            kind=kept["kind"],
            language=kept["language"],
            subject=kept["subject"],
            text=kept["text"],
            code=delivery.code,
            seq=delivery.seq,
            event_type=kept["event_type"],
            at=kept["at"],
            facts=kept.get("facts") or {},
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form webhooks post and the file channel writes."""
        return {
            "key": self.key,
            "channel": self.channel,
            "recipient": self.recipient,
            "to": self.address,
            "kind": self.kind,
            "language": self.language,
            "subject": self.subject,
            "text": self.text,
            "dossier": self.code,
            "event": {"seq": self.seq, "type": self.event_type, "at": self.at},
            "facts": self.facts,
        }
