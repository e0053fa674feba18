"""The transactional outbox: which events someone must hear of, and the rows kept for them.

A store writes an :class:`OutboxItem` in the same transaction as every event
that :func:`enters_outbox` accepts, so a notice exists if and only if its
event was committed: a crash can lose neither, and a write refused with
:class:`~procflow.errors.ConflictError` leaves neither. The dispatcher
(:mod:`procflow.notify`) later turns each item into :class:`Delivery` rows,
one per recipient and channel, each under an idempotency key.

The store stays generic: it records the event's code, seq, type and instant
only. Who hears of it, on which channel, in which words, is the dispatcher's
business, read from its configuration when it fans an item out.

This module sits beside :mod:`procflow.model.storage` (below the engine and
the stores) because every store must agree on the same rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from procflow.model.entry import Entry

__all__ = [
    "NOTIFYING_TYPES",
    "RESULT_STEPS",
    "Delivery",
    "DeliveryStatus",
    "NewDelivery",
    "OutboxItem",
    "enters_outbox",
    "entry_notifies",
]

NOTIFYING_TYPES: frozenset[str] = frozenset(
    {
        "received",  # the receipt and its appointment date
        "guided",  # written guidance at reception: what is missing
        "refused_at_reception",
        "paused",  # the applicant must act: a supplement request, taxes to pay...
        "apologised",  # the apology and the new appointment
        "returned",  # the result was handed over
        "refused",
        "warned",  # officers: a deadline is near
        "overdue",  # officers: a deadline has passed
        "escalated",  # officers: an escalation rule fired (issue 22, part 2)
    }
)
"""Event types that always enter the outbox. Plain strings, not
:class:`~procflow.model.events.EventType` members, so that a type added later
(``escalated``) is covered the day it exists: a str enum member equals and
hashes as its value."""

MOVES: frozenset[str] = frozenset({"moved", "handed_off"})

RESULT_STEPS: frozenset[str] = frozenset({"return"})
"""[design] The step ids read as "the result is ready at the desk" when the
step's kind is not known: an event given in its public form (imported,
written by an older procflow) says where it went, not what kind of step that
is. The engine marks each move into a ``kind: return`` step itself
(``Entry.result_ready``), whatever the step's id; every procedure in
``procedures/`` also names that step ``return``."""


def enters_outbox(type_: str, to_step: object = None, *, result_ready: bool = False) -> bool:
    """Whether an event of ``type_`` (moving into step ``to_step``, for moves)
    is written to the outbox with it. ``result_ready``: the writer knows the
    move enters the procedure's ``kind: return`` step."""
    if type_ in NOTIFYING_TYPES:
        return True
    return type_ in MOVES and (result_ready or to_step in RESULT_STEPS)


def entry_notifies(entry: Entry) -> bool:
    """:func:`enters_outbox` for an entry being written: its typed payload
    says where a move goes, so no data dict is built or searched (the
    stores ask on every write)."""
    type_ = entry.type
    if type_ in NOTIFYING_TYPES:
        return True
    if type_ not in MOVES:
        return False
    if entry.result_ready:
        return True
    if entry.kind == "T":
        return entry.payload[2] in RESULT_STEPS
    return enters_outbox(type_, entry.data().get("to"))


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One event someone must hear of, as the store keeps it."""

    code: str
    seq: int
    type: str
    at: datetime
    """The event's instant (UTC)."""
    done: bool = False
    """Fanned out into deliveries already."""


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    """Not delivered yet: waiting for its next attempt."""
    SENT = "sent"
    """The channel accepted it; never sent again under its key."""
    DEAD = "dead"
    """Given up (too many attempts, or refused for good): see ``last_error``."""


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A delivery the dispatcher plans for an outbox item."""

    key: str
    """The idempotency key, ``code:seq:channel:recipient``: at most one row per key."""
    channel: str
    recipient: str
    address: str
    message: str
    """The rendered message, as JSON text (the store keeps it as it is)."""
    status: DeliveryStatus = DeliveryStatus.PENDING
    last_error: str | None = None
    """Why a delivery planned ``DEAD`` (a template that cannot be rendered)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one recipient on one channel, as the store keeps it."""

    key: str
    code: str
    seq: int
    channel: str
    recipient: str
    address: str
    message: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "code": self.code,
            "seq": self.seq,
            "channel": self.channel,
            "recipient": self.recipient,
            "address": self.address,
            "status": self.status.value,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "last_error": self.last_error,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "created_at": self.created_at.isoformat(),
        }
