"""Reception at the one-stop desk: receipt of a complete dossier (the clock
starts), written guidance for an incomplete one, refusal to receive.

At receipt the documents handed in can be checked against those the
procedure requires for the dossier's facts (``rules.check_documents``, or
``check_documents=`` per call; :mod:`procflow.engine.documents`), the fees for
those facts go on the receipt slip, and the clock starts when the calendar
says the dossier counts as received: the next opening of office hours for one
submitted at night or on a day off (:meth:`WorkCalendar.received_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from functools import partial
from typing import Any

from procflow.compiler import CompiledProcedure
from procflow.definition.cases import limit_case
from procflow.definition.model import Document
from procflow.engine.core import EngineCore
from procflow.engine.documents import DeskList, MissingDocument
from procflow.engine.plans import Plans
from procflow.errors import NotPermitted, RuleViolation
from procflow.model.actor import Actor
from procflow.model.dossier import Dossier
from procflow.model.encoding import GENESIS_RAW
from procflow.model.entry import Entry, apply_entry
from procflow.model.events import GENESIS, Event, EventType, make_event
from procflow.model.instant import EPOCH_ORDINAL, Instant, dt_of, ts_of
from procflow.model.payload import check_payload
from procflow.model.record import Record
from procflow.model.reducer import open_receipt
from procflow.model.slips import FeeLine, ReceiptSlip, RefusalSlip, SupplementRequest

_Received = tuple[
    Record,
    CompiledProcedure,
    Plans,
    datetime | None,
    Instant,
    list[Any],
    tuple[FeeLine, ...],
]
"""What a receipt computed that its slip shows: the record, the version and
its moves, the clock's datetime (None from a clock of numbers: the record's
``received`` is the instant), when the clock starts, the receipt's payload
(:data:`~procflow.model.encoding.RECEIPT`: the applicant, facts and
documents as received) and the fees (a plain tuple: a named one costs a
Python call to make, every receipt)."""


_DeskDay = tuple[CompiledProcedure, tuple[CompiledProcedure, Plans], DeskList, str, date]
"""What receipts of one procedure on one day share (:meth:`Reception._desk_day`)."""


def _slip_fields(
    proc: CompiledProcedure,
    plans: Plans,
    actor: Actor,
    now: datetime | None,
    start: Instant,
    due: Instant,
    received: Instant,
    payload: list[Any],
    fees: tuple[FeeLine, ...],
    tz: tzinfo,
) -> dict[str, Any]:
    """The receipt slip's fields but its code, from what the receipt fixed:
    the version and its moves, the clock's datetime (None from a clock of
    numbers: then the instant ``received``, in the calendar's zone ``tz``),
    when the clock starts, the due date, the receipt's own copies of what
    the caller gave (its payload, which nothing changes after it is written)
    and the fees. The same values whenever it runs (ReceiptSlip.later)."""
    received_at = now if now is not None else dt_of(received, tz)
    appointment = dt_of(due, tz)
    return {
        "procedure_id": proc.id,
        "procedure_version": proc.version,
        "procedure_name": proc.procedure.name.vi,
        "applicant": payload[7],
        "documents": payload[9],
        "received_at": received_at,
        "appointment": appointment,
        "time_limit": plans.time_limit_text,
        "time_limit_case": limit_case(proc.procedure, payload[8]),
        "received_by": str(actor),
        # the appointment rests on these days (form and circular: by the date)
        "unconfirmed_days": plans.calendar.unconfirmed_between(received_at, appointment),
        "unrecorded_years": plans.calendar.unrecorded_years(received_at, appointment),
        "fees": fees,
        # the receipt instant itself, or the opening it counts from
        "clock_starts_at": received_at if start == received else dt_of(start, tz),
    }


class Reception(EngineCore):
    """Receive, guide and refuse at the desk; number each dossier."""

    _desk_lists: dict[tuple[str, str], DeskList]

    def _desk_list(self, proc: CompiledProcedure) -> DeskList:
        """The version's documents and fees, ready for the desk (built once per
        version; a receipt pays one look-up for them)."""
        try:
            cache = self._desk_lists
        except AttributeError:
            cache = self._desk_lists = {}
        key = (proc.id, proc.version)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = DeskList(proc.procedure)
        return hit

    def receive(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        applicant: dict[str, Any] | None = None,
        documents: Sequence[dict[str, Any] | str] = (),
        facts: dict[str, Any] | None = None,
        version: str | None = None,
        version_override: str | None = None,
        check_documents: bool | None = None,
    ) -> ReceiptSlip:
        """Receive a complete, valid dossier: the clock starts now.

        Returns the receipt-and-appointment slip with the dossier code, the
        appointment date computed from the statutory time limit and the fees
        and charges for the dossier's ``facts``. The receipt event keeps the
        real instant of receipt; the time limit counts from
        :meth:`WorkCalendar.received_at` of it (the next opening of office
        hours for a dossier submitted at night or on a day off), which the
        slip gives as ``clock_starts_at``. The slip's code is made at once and
        the rest when a field is first read (:meth:`ReceiptSlip.later`), from
        what the receipt fixed: a caller that keeps only the code pays for no
        dates or form stamp.

        ``check_documents`` (default: the procedure's ``rules.check_documents``)
        checks ``documents`` against the documents the procedure requires for
        ``facts``, by form and copies (:mod:`procflow.engine.documents` says how
        a plain name and a dict are read); a dossier lacking one is refused
        with :class:`~procflow.errors.MissingDocuments`, which lists what is
        missing, and nothing is written. Pass its ``missing`` to :meth:`guide`
        for the supplement request.

        The dossier is received under the version in force today, or under
        ``version``, which must be in force today as well; to receive under a
        version outside its effective window, ``version_override`` names the
        legal ground (e.g. "court judgment 12/2026/HC-ST orders re-receipt"),
        and the receipt event records it.
        """
        rec, proc, plans, now, start, payload, fees = self._receive(
            procedure_id,
            actor,
            applicant,
            documents,
            facts,
            version,
            version_override,
            check_documents,
        )
        # The slip is built when first read (ReceiptSlip.later): from what the
        # receipt fixed, not from the record, which later acts change. Its
        # maker is a partial of a module function, not a closure: a closure
        # over a dozen names makes a cell for each, every receipt.
        tz = (self._zone or self._read_zone())[0]
        make = partial(
            _slip_fields, proc, plans, actor, now, start, rec.due, rec.received, payload, fees, tz
        )
        return ReceiptSlip.later({"code": rec.code}, make)

    def receive_record(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        applicant: dict[str, Any] | None = None,
        facts: dict[str, Any] | None = None,
        version: str | None = None,
        version_override: str | None = None,
    ) -> Record:
        """:meth:`receive` for procflow's own drivers (the simulator): the record
        the store keeps, without the slip. Read it, never change it; it changes
        with the next act on the dossier."""
        # no documents handed in: the procedure's rules.check_documents decides,
        # as for receive() without them
        return self._receive(
            procedure_id, actor, applicant, (), facts, version, version_override, None
        )[0]

    def _receive(
        self,
        procedure_id: str,
        actor: Actor,
        applicant: dict[str, Any] | None,
        documents: Sequence[dict[str, Any] | str],
        facts: dict[str, Any] | None,
        version: str | None,
        version_override: str | None,
        check_documents: bool | None,
    ) -> _Received:
        """The whole of a receipt but its slip: checked, computed, written, told."""
        if applicant is not None:  # None: nothing given, nothing to check (a call spared)
            check_payload("applicant", applicant)
        if facts is not None:
            check_payload("facts", facts)
        for i, doc in enumerate(documents):
            if not isinstance(doc, str):
                check_payload(f"documents[{i}]", doc)
        # The receipt's instant, as a move reads it: a clock of numbers (the
        # simulator's) gives POSIX seconds, and no datetime is made for it
        seen, now_ts = self._ts_clock
        if seen is not self.clock:
            now_ts = self._clock_ts()
        now: datetime | None
        zone: tzinfo | None
        desk_day: _DeskDay | None = None
        if now_ts is not None:
            zone, off = self._zone or self._read_zone()
            t, offset, now = now_ts(), off or 0, None
            lo, hi = self._span
            if off is not None and lo <= t < hi:
                # the version received under today and what goes with it, asked once a day
                desk_day = self._desk_day(
                    procedure_id, int((t + off) // 86400), t, version, version_override
                )
                day = desk_day[4]
            else:
                day = self._local_date(t, self.calendar)
        else:
            now = self.clock.now()
            t, offset = self._instant(now)
            zone = now.tzinfo
            # (the clock's datetime in the calendar's zone: astimezone is itself)
            day = now.astimezone(self.calendar.tz).date()
        if desk_day is not None:
            proc, base, desk_list, scope, _ = desk_day
            desk = proc.desk_id
            if actor.agency != desk:
                self._require_desk(proc, actor)  # refused, with the reason
        else:
            proc = self._procedure_for_receipt(procedure_id, version, day, version_override)
            desk = self._require_desk(proc, actor)
            base = self._plans_of(proc.id, proc.version)
            desk_list = self._desk_list(proc)
            scope = self._scope(desk, t)
        # the version's durations for these facts (a time limit with cases)
        plans = (self._variant(base, facts or {}) if base[1].case_facts else base)[1]
        if check_documents if check_documents is not None else desk_list.check:
            handed = desk_list.read(documents)
            lacking = desk_list.missing(handed, facts or {})
            if lacking:
                raise desk_list.refusal(lacking, handed)
            docs = [h.recorded for h in handed]
        else:
            docs = [d if isinstance(d, dict) else {"name": d} for d in documents]
        # The desk's calendar (the procedure's) counts the statutory time and
        # when a receipt outside office hours counts from; the first step's
        # agency's calendar counts that step's allotment.
        cal = plans.calendar
        # the real instant goes into the event; the clock starts when it counts
        start = cal.received_at_ts(t)
        due = plans.limit_due(start)
        # the first step's allotment, on its agency's calendar
        step_due = plans.initial_due(start) if plans.initial_due is not None else None
        fees = desk_list.fixed_fees
        if fees is None:
            fees = desk_list.fees_for(facts or {})
        override = None
        if version_override is not None and not proc.procedure.in_force_on(
            day if cal is self.calendar else self._local_date(t, cal)
        ):
            override = version_override.strip()
        payload = [
            proc.id,
            proc.version,
            desk,
            proc.initial,
            proc.states[proc.initial].agency,
            due,
            step_due,
            dict(applicant or {}),
            dict(facts or {}),
            docs,
            override,
        ]
        # the engine's margin before the due date (_warn_at's cache first, as a move reads it)
        warn = self._warn_cache.get(due) if cal is self.calendar else None
        if warn is None:
            warn = self._warn_at(due, None, cal)
        next_alert = warn if step_due is None or warn <= step_due else step_due
        tz = (self._zone or self._read_zone())[0]
        # what the store calls with the number it takes (a partial, not a
        # closure: no cell for each name it reads, in this whole function)
        make = partial(
            self._opened, scope, t, offset, zone, actor, payload, desk, tz, plans, next_alert
        )
        with self._acting():
            rec, entry = self.store.create_numbered_record(scope, make)
        if self._listeners:
            self._notify(entry, rec)
        return rec, proc, plans, now, start, payload, fees

    def _opened(
        self,
        scope: str,
        t: Instant,
        offset: int,
        zone: tzinfo | None,
        actor: Actor,
        payload: list[Any],
        desk: str,
        tz: tzinfo,
        plans: Plans,
        next_alert: Instant | None,
        number: int,
    ) -> tuple[Record, Entry, Instant | None]:
        """The record, entry and next alert of a receipt numbered ``number``
        in ``scope`` (what :meth:`_receive` hands the store to number)."""
        code = self._code(scope, number)
        entry = Entry(code, 1, EventType.RECEIVED, t, offset, actor, "R", payload, GENESIS_RAW)
        entry.tz = zone  # ``offset`` is its offset at ``t``
        # apply_entry of a receipt, inline: the reducer's rule for it
        rec = open_receipt(code, t, payload, desk, tz)
        rec.version, rec.updated, rec.last_hash = 1, t, entry.hash
        # a procedure with its own margins or step warnings: the general rule
        return rec, entry, self._next_alert(rec) if plans.alerting else next_alert

    def required_documents(
        self,
        procedure_id: str,
        *,
        facts: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> list[Document]:
        """The documents a dossier with ``facts`` must have (the desk's checklist),
        under the version in force today or ``version``."""
        proc = self._desk_version(procedure_id, version)
        return self._desk_list(proc).required_for(facts or {})

    def missing_documents(
        self,
        procedure_id: str,
        *,
        documents: Sequence[dict[str, Any] | str] = (),
        facts: dict[str, Any] | None = None,
        version: str | None = None,
    ) -> list[MissingDocument]:
        """What :meth:`receive` with ``check_documents=True`` would find missing;
        nothing is written (an empty list: the dossier is complete)."""
        proc = self._desk_version(procedure_id, version)
        desk_list = self._desk_list(proc)
        return desk_list.missing(desk_list.read(documents), facts or {})

    def _desk_version(self, procedure_id: str, version: str | None) -> CompiledProcedure:
        if version is not None:
            return self.catalogue.get(procedure_id, version)
        day = self.clock.now().astimezone(self.calendar.tz).date()
        return self.catalogue.in_force(procedure_id, day)

    def _desk_day(
        self,
        procedure_id: str,
        day_number: int,
        t: Instant,
        version: str | None = None,
        version_override: str | None = None,
    ) -> _DeskDay:
        """What a receipt of ``procedure_id`` on local day ``day_number`` (days
        since 1970-01-01, the instant ``t`` one of its) rests on: the version it
        is received under (the one in force, or ``version`` as
        :meth:`_procedure_for_receipt` allows it), its moves, the desk's
        checklist, the numbering scope and the date. Worked out on a day's
        first receipt (a refused version is not remembered: the next receipt
        is refused again, with the reason); a version added to the catalogue
        (``Catalogue.generation``) makes every day's answer again. The
        simulator receives every dossier of a what-if under one named
        version, with an override: a receipt of its year asks here too."""
        catalogue = self.catalogue
        if self._desk_days_of is not catalogue or self._desk_days_at != catalogue.generation:
            self._desk_days.clear()
            self._desk_days_of, self._desk_days_at = catalogue, catalogue.generation
        key = (procedure_id, day_number, version, version_override)
        hit = self._desk_days.get(key)
        if hit is None:
            day = date.fromordinal(day_number + EPOCH_ORDINAL)
            proc = self._procedure_for_receipt(procedure_id, version, day, version_override)
            hit = (
                proc,
                self._plans_of(proc.id, proc.version),
                self._desk_list(proc),
                self._scope(proc.desk_id, t),
                day,
            )
            if len(self._desk_days) > 4096:
                self._desk_days.clear()
            self._desk_days[key] = hit
        return hit

    def _code(self, scope: str, number: int) -> str:
        """A dossier's code: its numbering scope and its number, padded to
        ``sequence_digits`` (``str.zfill``: the nested format spec
        ``f"{number:0{digits}d}"`` costs twice as much, every receipt)."""
        return f"{scope}-{str(number).zfill(self.sequence_digits)}"

    def _scope(self, desk: str, t: Instant) -> str:
        """The numbering scope of a receipt: the desk's code and the local date
        (``DESK-250303``), remembered per desk and day."""
        day = self.calendar.ordinal_ts(t)
        key = (desk, day)
        scope = self._scopes.get(key)
        if scope is None:
            local = dt_of(t, self.calendar.tz)
            prefix = self.agency_codes.get(desk, desk.upper())
            scope = f"{prefix}-{local:%y%m%d}"
            if len(self._scopes) > 4096:
                self._scopes.clear()
            self._scopes[key] = scope
        return scope

    def guide(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        missing: Sequence[str | MissingDocument] = (),
        reason: str | None = None,
        applicant: dict[str, Any] | None = None,
        documents: Sequence[dict[str, Any] | str] | None = None,
        facts: dict[str, Any] | None = None,
    ) -> SupplementRequest:
        """Incomplete at reception: written guidance, once; no clock starts.

        ``missing`` lists what the applicant must still bring: text, or the
        :class:`MissingDocument` items of a :class:`~procflow.errors.MissingDocuments`
        refusal (``engine.guide(pid, actor=desk, missing=error.missing)``),
        which the slip words in Vietnamese and also carries as data. Without
        ``missing``, the documents handed in (``documents``) are checked
        against those the procedure requires for ``facts`` and the slip lists
        what they lack: the desk's check and its slip in one call.

        The guidance is recorded (it counts in reports) under its own code;
        when the applicant comes back, :meth:`receive` gives a new receipt.
        """
        check_payload("applicant", applicant)
        check_payload("facts", facts)
        now = self.clock.now()
        proc = self._procedure_for_receipt(
            procedure_id, None, now.astimezone(self.calendar.tz).date()
        )
        desk = self._require_desk(proc, actor)
        if not missing and (documents is not None or facts is not None):
            desk_list = self._desk_list(proc)
            missing = desk_list.missing(desk_list.read(documents or ()), facts or {})
            if not missing:
                raise RuleViolation(
                    f"nothing {proc.id!r} requires for these facts is missing: receive the "
                    "dossier instead of guiding the applicant"
                )
        if not missing:
            raise RuleViolation("a supplement request must list what is missing")
        lines = [m.describe() if isinstance(m, MissingDocument) else m for m in missing]
        items = [m.to_dict() for m in missing if isinstance(m, MissingDocument)]
        data = self._not_received_data(proc, desk, "guided", applicant)
        data.update(missing=lines, reason=reason)
        if items:
            data["missing_documents"] = items
        dossier, _ = self._open(proc, desk, now, EventType.GUIDED, actor, data)
        return SupplementRequest(
            code=dossier.code,
            procedure_id=proc.id,
            missing=list(lines),
            reason=reason,
            contact_officer=str(actor),
            issued_at=now,
            during_processing=False,
            documents=[dict(i) for i in items],
        )

    def refuse_at_reception(
        self,
        procedure_id: str,
        *,
        actor: Actor,
        reason: str,
        applicant: dict[str, Any] | None = None,
    ) -> RefusalSlip:
        """The desk refuses to receive the dossier (e.g. not within its competence)."""
        if not reason.strip():
            raise RuleViolation("a refusal must give its reason")
        check_payload("applicant", applicant)
        now = self.clock.now()
        proc = self._procedure_for_receipt(
            procedure_id, None, now.astimezone(self.calendar.tz).date()
        )
        desk = self._require_desk(proc, actor)
        data = self._not_received_data(proc, desk, "refused_at_reception", applicant)
        data["reason"] = reason
        dossier, _ = self._open(proc, desk, now, EventType.REFUSED_AT_RECEPTION, actor, data)
        return RefusalSlip(dossier.code, proc.id, reason, str(actor), now)

    def _not_received_data(
        self, proc: CompiledProcedure, desk: str, state: str, applicant: dict[str, Any] | None
    ) -> dict[str, Any]:
        return {
            "procedure_id": proc.id,
            "procedure_version": proc.version,
            "desk_agency": desk,
            "state": state,
            "applicant": dict(applicant or {}),
        }

    def _procedure_for_receipt(
        self,
        procedure_id: str,
        version: str | None,
        day: date,
        version_override: str | None = None,
    ) -> CompiledProcedure:
        """The version a dossier received on ``day`` (the engine calendar's
        local date) is received under.

        A version named explicitly must be in force that day too, unless
        ``version_override`` gives the legal ground for receiving under another
        one (e.g. a court-ordered re-receipt); the receipt event records it.
        """
        if version is None:
            if version_override is not None:
                raise RuleViolation(
                    "version_override is the ground for receiving under a version outside "
                    "its effective window: name that version with version= too"
                )
            return self.catalogue.in_force(procedure_id, day)
        proc = self.catalogue.get(procedure_id, version)
        p = proc.procedure
        if p.in_force_on(day) or (version_override is not None and version_override.strip()):
            return proc
        window = f"from {p.effective_from or 'the start'} to {p.effective_to or 'further notice'}"
        raise RuleViolation(
            f"version {version!r} of {procedure_id!r} receives dossiers {window}, not on "
            f"{day.isoformat()}; receive under the version in force, or name the legal ground "
            "for an exception (e.g. a court-ordered re-receipt) with version_override="
        )

    def _require_desk(self, proc: CompiledProcedure, actor: Actor) -> str:
        desk = proc.desk_id
        if actor.agency != desk:
            raise NotPermitted(
                f"{actor} cannot receive dossiers of {proc.id!r}: they are received at the "
                f"one-stop desk of {desk!r}"
            )
        return desk

    def _open(
        self,
        proc: CompiledProcedure,
        desk: str,
        now: datetime,
        type_: EventType,
        actor: Actor,
        data: dict[str, Any],
    ) -> tuple[Dossier, Event]:
        """Number and store a dossier opened by guidance or a refusal at the desk."""
        tz = self._tz
        t = ts_of(now)

        def make(number: int) -> tuple[Record, Entry, Instant | None]:
            code = self._code(self._scope(desk, t), number)
            event = make_event(code, 1, type_, now, actor, data, GENESIS)
            entry = Entry.of_event(event, GENESIS_RAW)
            return apply_entry(None, entry, tz), entry, None

        with self._acting():
            rec, entry = self.store.create_numbered_record(self._scope(desk, t), make)
        event = entry.event(tz)
        if self._listeners:
            self._notify(event, rec)
        return rec.to_dossier(), event
