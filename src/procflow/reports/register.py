"""The dossier register (sổ theo dõi hồ sơ): one row per dossier received.

The one-stop desk keeps a register of every dossier it receives (Form 06 of
Circular 01/2018/TT-VPCP, Form 07 of Circular 03/2025/TT-VPCP): who brought
it, for which procedure, when it was received and promised, which agencies it
was handed to, when the result was ready and when it was handed back, and
whether that was in time. procflow keeps all of it in the dossiers' state,
so the register is built from the store rather than typed twice.

:func:`iter_register_rows` streams the rows (in receipt order, as the store
gives them); :func:`build_register` collects them with the form in force on
the register's date; :func:`write_register_csv` and
:func:`write_register_json` write it. ``procflow register DB`` and
``procflow export DB --format register`` are the command-line faces.

What each column holds, and the choices behind it: docs/engine.md, "Forms
and the legal text in force".
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, TYPE_CHECKING, Any

from procflow.errors import ProcflowError
from procflow.model.dossier import Dossier, Timeliness
from procflow.model.forms import LEGAL_TZ, FormInForce, LegalText, SlipKind, form_in_force

if TYPE_CHECKING:
    from collections.abc import Sequence

    from procflow.calendar import UnconfirmedDay, WorkCalendar
    from procflow.catalogue import Catalogue
    from procflow.model.storage import Store

__all__ = [
    "COLUMNS",
    "COLUMN_TITLES_VI",
    "DossierRegister",
    "RegisterRow",
    "build_register",
    "iter_register_rows",
    "write_register_csv",
    "write_register_json",
]

#: Outcomes of dossiers that were never received (guidance to supplement,
#: refusal at the desk): they have codes, but no place in the register [design].
NOT_RECEIVED = frozenset({"guided", "refused_at_reception"})

COLUMNS: tuple[str, ...] = (
    "no",
    "code",
    "procedure_id",
    "procedure_version",
    "procedure_name",
    "applicant",
    "contact",
    "received_at",
    "appointment",
    "due_at",
    "handed_to",
    "result_at",
    "returned_at",
    "status",
    "outcome",
    "timeliness",
    "notes",
    "unconfirmed_days",
)
"""The register's columns, in order (CSV header, JSON keys)."""

COLUMN_TITLES_VI: dict[str, str] = {
    "no": "STT",
    "code": "Mã hồ sơ",
    "procedure_id": "Mã thủ tục",
    "procedure_version": "Phiên bản",
    "procedure_name": "Tên thủ tục hành chính",
    "applicant": "Tên cá nhân, tổ chức",
    "contact": "Địa chỉ, số điện thoại",
    "received_at": "Ngày, giờ nhận hồ sơ",
    "appointment": "Hẹn trả kết quả",
    "due_at": "Hạn giải quyết",
    "handed_to": "Chuyển hồ sơ đến cơ quan giải quyết",
    "result_at": "Ngày có kết quả",
    "returned_at": "Ngày trả kết quả",
    "status": "Tình trạng",
    "outcome": "Kết thúc",
    "timeliness": "Trước hạn / đúng hạn / quá hạn",
    "notes": "Ghi chú",
    "unconfirmed_days": "Ngày nghỉ chưa được xác nhận",
}
"""Vietnamese headings of the columns, for a printed register."""

_CONTACT_KEYS = ("address", "phone", "email")


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One dossier in the register."""

    no: int
    code: str
    procedure_id: str
    procedure_version: str
    procedure_name: str
    applicant: str
    contact: str
    received_at: datetime
    appointment: datetime
    """The date promised now: the receipt's, or the latest new appointment."""
    due_at: datetime
    """The statutory due date (moved only by pauses of the clock)."""
    handed_to: list[str]
    """The agencies other than the desk that held the dossier, in order."""
    result_at: datetime | None
    returned_at: datetime | None
    status: str
    outcome: str | None
    timeliness: Timeliness | None
    notes: list[str] = field(default_factory=list)
    unconfirmed_days: list[UnconfirmedDay] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "code": self.code,
            "procedure_id": self.procedure_id,
            "procedure_version": self.procedure_version,
            "procedure_name": self.procedure_name,
            "applicant": self.applicant,
            "contact": self.contact,
            "received_at": self.received_at.isoformat(),
            "appointment": self.appointment.isoformat(),
            "due_at": self.due_at.isoformat(),
            "handed_to": list(self.handed_to),
            "result_at": _iso(self.result_at),
            "returned_at": _iso(self.returned_at),
            "status": self.status,
            "outcome": self.outcome,
            "timeliness": self.timeliness.value if self.timeliness else None,
            "notes": list(self.notes),
            "unconfirmed_days": [u.to_dict() for u in self.unconfirmed_days],
        }

    def csv_cells(self) -> dict[str, str]:
        """The row as CSV text cells: lists joined with ``; `` (unconfirmed
        days with `` | ``, since a source may hold a ``;``), no value as ``""``."""
        data = self.to_dict()
        cells = {k: "" if v is None else str(v) for k, v in data.items()}
        cells["handed_to"] = "; ".join(self.handed_to)
        cells["notes"] = "; ".join(self.notes)
        cells["unconfirmed_days"] = " | ".join(
            f"{u.date.isoformat()} {u.name} ({u.source})" for u in self.unconfirmed_days
        )
        return cells


@dataclass(frozen=True, slots=True)
class DossierRegister:
    """The register as of a date, with the form and circular in force then."""

    as_of: date
    form: FormInForce | None
    rows: list[RegisterRow]
    procedure: str | None = None
    received_from: date | None = None
    received_to: date | None = None

    def to_dict(self) -> dict[str, Any]:
        f = self.form
        return {
            "register": {
                "as_of": self.as_of.isoformat(),
                "form": f.number if f else None,
                "form_title": f.title_vi if f else None,
                "legal_basis": f.legal_basis if f else None,
                "procedure": self.procedure,
                "from": _iso(self.received_from),
                "to": _iso(self.received_to),
                "dossiers": len(self.rows),
            },
            "columns": list(COLUMNS),
            "column_titles_vi": dict(COLUMN_TITLES_VI),
            "rows": [r.to_dict() for r in self.rows],
        }


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


class _Procedures:
    """What the register needs of a procedure version (name, agency names,
    return steps), looked up once per version; nothing without a catalogue."""

    def __init__(self, catalogue: Catalogue | None) -> None:
        self._catalogue = catalogue
        self._seen: dict[tuple[str, str], tuple[str, dict[str, str], frozenset[str]] | None] = {}

    def of(self, pid: str, version: str) -> tuple[str, dict[str, str], frozenset[str]] | None:
        key = (pid, version)
        if key not in self._seen:
            self._seen[key] = self._look_up(pid, version)
        return self._seen[key]

    def _look_up(self, pid: str, version: str) -> tuple[str, dict[str, str], frozenset[str]] | None:
        if self._catalogue is None:
            return None
        from procflow.definition.model import StepKind

        try:
            proc = self._catalogue.get(pid, version)
        except ProcflowError:  # a version no longer in the catalogue: ids only
            return None
        names = {a.id: a.name.vi for a in proc.procedure.agencies}
        returns = frozenset(s.id for s in proc.states.values() if s.kind is StepKind.RETURN)
        return proc.procedure.name.vi, names, returns


def _result_at(d: Dossier, return_steps: frozenset[str] | None) -> datetime | None:
    """When the result was ready at the desk [design]: the last entry into a
    step of kind ``return`` (with the catalogue), else, for a returned
    dossier, the entry into the step it was handed back from; a refusal's
    result is the refusal itself."""
    if d.outcome == "refused":
        return d.closed_at
    if return_steps is not None:
        ready = [v.entered_at for v in d.visits if v.step in return_steps]
        if ready:
            return ready[-1]
        return d.closed_at if d.outcome == "returned" else None
    if d.outcome == "returned" and d.visits:
        return d.visits[-1].entered_at
    return None


def _notes(d: Dossier, as_of: date, tz: Any) -> list[str]:
    notes: list[str] = []
    for a in d.appointments[1:]:
        when = a.due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
        what = {"resumed": "new date after the supplement", "recalculated": "new date, calendar"}
        notes.append(f"{what.get(a.kind or '', 'apology, new appointment')} {when}")
    if d.supplements:
        notes.append(f"supplement requests: {d.supplements}")
    for reason, p in sorted(d.pauses.items()):
        if reason != "supplement":
            notes.append(f"paused for {reason}: {int(p.get('count', 0))}")
    if d.outcome in ("stopped", "withdrawn", "refused"):
        notes.append(d.outcome)
    if d.is_open and d.due_at.astimezone(tz).date() < as_of:
        notes.append(f"overdue as of {as_of:%d/%m/%Y}")
    return notes


def iter_register_rows(
    store: Store,
    *,
    catalogue: Catalogue | None = None,
    calendar: WorkCalendar | None = None,
    procedure: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    as_of: date | None = None,
    on_row: Callable[[int], None] | None = None,
) -> Iterator[RegisterRow]:
    """The register's rows, streamed in receipt order.

    ``catalogue`` adds procedure and agency names and finds the return steps
    (without it: ids, and the result date of returned dossiers only);
    ``calendar`` adds each row's unconfirmed calendar days between receipt
    and the latest date promised. ``received_from``/``received_to`` keep the
    dossiers received in those local dates (both included); ``as_of`` (default:
    today in Viet Nam) dates the "overdue" notes. ``on_row(n)`` hears the
    count of rows so far (a progress bar).
    """
    tz = calendar.tz if calendar is not None else LEGAL_TZ
    day = as_of or datetime.now(tz).date()
    procs = _Procedures(catalogue)
    no = 0
    for data in store.iter_dossier_dicts(procedure_id=procedure):
        d = Dossier.from_dict(data)
        if d.outcome in NOT_RECEIVED:
            continue
        received = d.received_at.astimezone(tz).date()
        if (received_from and received < received_from) or (received_to and received > received_to):
            continue
        no += 1
        known = procs.of(d.procedure_id, d.procedure_version)
        name, agency_names, returns = known if known else ("", {}, None)
        handed: list[str] = []
        for v in d.visits:
            if v.agency and v.agency != d.desk_agency:
                label = agency_names.get(v.agency, v.agency)
                if label not in handed:
                    handed.append(label)
        who = d.applicant
        contact = ", ".join(str(who[k]) for k in _CONTACT_KEYS if who.get(k))
        latest = max(d.due_at, d.appointment)
        yield RegisterRow(
            no=no,
            code=d.code,
            procedure_id=d.procedure_id,
            procedure_version=d.procedure_version,
            procedure_name=name,
            applicant=str(who.get("name", "")),
            contact=contact,
            received_at=d.received_at,
            appointment=d.appointment,
            due_at=d.due_at,
            handed_to=handed,
            result_at=_result_at(d, returns),
            returned_at=d.closed_at if d.outcome == "returned" else None,
            status=d.status.value,
            outcome=d.outcome,
            timeliness=d.timeliness,
            notes=_notes(d, day, tz),
            unconfirmed_days=(
                calendar.unconfirmed_between(d.received_at, latest) if calendar else []
            ),
        )
        if on_row is not None:
            on_row(no)


def build_register(
    store: Store,
    *,
    catalogue: Catalogue | None = None,
    calendar: WorkCalendar | None = None,
    procedure: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    as_of: date | None = None,
    table: Sequence[LegalText] | None = None,
    on_row: Callable[[int], None] | None = None,
) -> DossierRegister:
    """The register of ``store`` (see :func:`iter_register_rows`), with the
    form in force on ``as_of`` (default: today) from the national table or
    ``table``."""
    tz = calendar.tz if calendar is not None else LEGAL_TZ
    day = as_of or datetime.now(tz).date()
    rows = list(
        iter_register_rows(
            store,
            catalogue=catalogue,
            calendar=calendar,
            procedure=procedure,
            received_from=received_from,
            received_to=received_to,
            as_of=day,
            on_row=on_row,
        )
    )
    return DossierRegister(
        as_of=day,
        form=form_in_force(SlipKind.REGISTER, day, table),
        rows=rows,
        procedure=procedure,
        received_from=received_from,
        received_to=received_to,
    )


def write_register_csv(rows: Iterator[RegisterRow] | list[RegisterRow], out: IO[str]) -> int:
    """Write the rows as CSV (header: :data:`COLUMNS`); returns how many."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row.csv_cells())
        n += 1
    return n


def write_register_json(register: DossierRegister, out: IO[str]) -> int:
    """Write the register as one JSON document; returns the number of rows."""
    out.write(json.dumps(register.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return len(register.rows)
