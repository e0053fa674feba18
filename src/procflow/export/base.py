"""What every export format is: a name, a file suffix and a streaming writer;
and :func:`iter_case_logs`, the cases with the states their dossier went through."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procflow.export.cases import Case
    from procflow.model.dossier import Dossier
    from procflow.model.events import Event
    from procflow.store.base import Store

__all__ = ["CaseLog", "ExportFormat", "ExportOptions", "ExportStats", "iter_case_logs"]


@dataclass(frozen=True, slots=True)
class ExportOptions:
    procedure: str | None = None
    """Only dossiers of this procedure."""
    alerts: bool = True
    """Include the sweep's ``warned``/``overdue`` events (off: a cleaner process map)."""


@dataclass(slots=True)
class ExportStats:
    cases: int = 0
    events: int = 0
    """Events as the written file has them, what a tool reading it counts: one
    per stored event in OCEL and CSV; in XES also a ``start`` per stay in a
    step and an event per outcome (see :mod:`procflow.export.xes`)."""
    objects: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"cases": self.cases, "events": self.events, "objects": self.objects}


Writer = Callable[["Store", IO[str], ExportOptions], ExportStats]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One format. A module of :mod:`procflow.export` that defines ``FORMAT``
    (an instance of this) is picked up by :func:`procflow.export.formats`."""

    name: str
    suffix: str
    description: str
    write: Writer


@dataclass(slots=True)
class CaseLog:
    """One dossier's case with what its dossier was after each stored event.

    ``case.dossier`` is its state after the last event. ``states`` pairs every
    stored event of the dossier (alerts too, whatever the options say: they
    change no attribute the formats write, but the pairing stays complete) with
    the dossier right after it, so that a format can date each change of an
    attribute (OCEL 2.0 object attributes carry the time they took a value).
    """

    case: Case
    states: list[tuple[Event, Dossier]] = field(default_factory=list)


class _Tap:
    """``store`` as :func:`procflow.export.cases.iter_cases` reads it, keeping
    the raw events that went by (everything else is the store's own), so
    that the states can be rebuilt without a second read of the log."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.seen: list[Event] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def iter_events(self, code: str | None = None) -> Iterator[Event]:
        for event in self._store.iter_events(code):
            if self.seen and event.code != self.seen[-1].code:
                # A new dossier: the one before last was either claimed by
                # iter_case_logs already or skipped by iter_cases (another
                # procedure), so only the last dossier's events can still be wanted.
                last = self.seen[-1].code
                self.seen = [e for e in self.seen if e.code == last]
            self.seen.append(event)
            yield event


def iter_case_logs(store: Store, options: ExportOptions | None = None) -> Iterator[CaseLog]:
    """:func:`~procflow.export.cases.iter_cases`, each case with its dossier's states.

    Streams as ``iter_cases`` does: one dossier's events are held at a time
    (plus the first event of the next one, which ``iter_cases`` reads to see
    that the dossier ended; the events of dossiers it skips are dropped as
    soon as the next dossier starts). The states are rebuilt here with the public
    reducer rather than taken from ``iter_cases``, whose ``Case.dossier`` is
    whatever object the reducer returned for the first event: once
    :func:`procflow.model.reducer.apply` returns a new dossier per event, that
    is not the final state, and ``case.dossier`` is set to the final one here.
    """
    from procflow.export.cases import iter_cases
    from procflow.model.reducer import apply

    tap = _Tap(store)
    for case in iter_cases(tap, options):  # a Store by delegation
        mine = [e for e in tap.seen if e.code == case.code]
        # What is left: the next dossier's first event, if it was read ahead.
        tap.seen = [e for e in tap.seen if e.code != case.code]
        log = CaseLog(case)
        dossier: Dossier | None = None
        for event in mine:
            dossier = apply(dossier, event)
            log.states.append((event, dossier))
        if dossier is not None:
            case.dossier = dossier
        yield log
