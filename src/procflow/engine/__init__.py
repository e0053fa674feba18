"""The engine: dossiers moving through compiled procedures, timed against the law."""

from procflow.engine.clock import Clock, SystemClock, TimestampClock, VirtualClock
from procflow.engine.engine import Engine, VerifyReport
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

__all__ = [
    "SYSTEM",
    "Actor",
    "ApologySlip",
    "Appointment",
    "Clock",
    "ControlRow",
    "ControlSlip",
    "Dossier",
    "Engine",
    "Event",
    "EventType",
    "ReceiptSlip",
    "RefusalSlip",
    "Status",
    "StepVisit",
    "SupplementRequest",
    "SystemClock",
    "Timeliness",
    "TimestampClock",
    "VerifyReport",
    "VirtualClock",
]
