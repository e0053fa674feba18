"""What a dossier is, below the engine that moves it and the stores that keep it.

Dossier (its state), Event (its append-only log, hash-chained) and the
reducer that rebuilds one from the other, Actor, the slips the desk hands
out, what an applicant's data may hold, and the storage contract (Store,
StoreBase, Capability). The engine and the stores both build on this package;
it imports neither, so a store (or a report reading one) does not load the
engine, the compiler or the procedure language.
"""

from procflow.model.actor import SYSTEM, Actor
from procflow.model.dossier import Appointment, Dossier, Status, StepVisit, Timeliness
from procflow.model.events import Event, EventType
from procflow.model.slips import (
    ApologySlip,
    ControlRow,
    ControlSlip,
    ReceiptSlip,
    RefusalSlip,
    SupplementRequest,
)
from procflow.model.storage import Capability, Store, StoreBase

__all__ = [
    "SYSTEM",
    "Actor",
    "ApologySlip",
    "Appointment",
    "Capability",
    "ControlRow",
    "ControlSlip",
    "Dossier",
    "Event",
    "EventType",
    "ReceiptSlip",
    "RefusalSlip",
    "Status",
    "StepVisit",
    "Store",
    "StoreBase",
    "SupplementRequest",
    "Timeliness",
]
