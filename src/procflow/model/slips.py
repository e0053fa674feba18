"""The forms of the one-stop mechanism, as structured data.

Circular 01/2018/TT-VPCP sets the forms (receipt and appointment slip,
supplement request, refusal, apology and new appointment, processing control
slip); Circular 03/2025/TT-VPCP renumbers and renames some of them and adds
the notice to stop processing. procflow produces their content; printing
them on the official template is the embedding system's job.

Every slip says which form it is: ``form`` (the number, "01"),
``form_title`` and ``legal_basis`` (the circular), chosen by the slip's own
date from the table of :mod:`procflow.model.forms` when the slip is made, so
a slip printed today for a dossier received under the old circular keeps the
old form. :meth:`_Slip.under` restamps a slip from another table (a
province's own numbering).

Slips with a due date (the receipt's appointment, the apology's new date, the
control slip's deadlines) list in ``unconfirmed_days`` the unconfirmed
calendar entries between receipt and that date, with their source
(:meth:`procflow.calendar.WorkCalendar.unconfirmed_between`): the date rests
on them, and may move when they are confirmed or dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import MISSING, Field, asdict, dataclass, field, fields, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from procflow.calendar.unconfirmed import UnconfirmedDay
from procflow.model.dossier import Timeliness
from procflow.model.forms import (
    FormsTableError,
    LegalText,
    SlipKind,
    form_in_force,
    legal_date,
)
from procflow.model.shares import AgencyUse


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Timeliness):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Slip:
    """What every slip shares: its form, chosen by its date, and ``to_dict``."""

    FORM_KIND: ClassVar[SlipKind]
    form: str | None
    form_title: str | None
    legal_basis: str | None

    @property
    def form_date(self) -> datetime:
        """The instant that decides the slip's form (its issue or receipt)."""
        issued: datetime = getattr(self, "issued_at")  # noqa: B009 - each slip has it
        return issued

    @classmethod
    def of(cls, values: dict[str, Any]) -> Self:
        """``cls(**values)``, built without the frozen dataclass's per-field
        ``object.__setattr__`` (2.6 us of a 17-field slip, a receipt's biggest
        piece after the calendar): the same fields, defaults and form stamp.
        ``values`` becomes the slip's own (the caller hands over a new dict).
        A name that is not a field is a TypeError, as for the constructor."""
        defaults = _DEFAULTS.get(cls)
        if defaults is None:
            defaults = _DEFAULTS[cls] = _defaults_of(cls)
        given = values.keys()
        if not given <= defaults.keys():
            unknown = sorted(given - defaults.keys())
            raise TypeError(f"{cls.__name__} has no field {', '.join(map(repr, unknown))}")
        for name in defaults.keys() - given:
            default = defaults[name]
            if default is _REQUIRED:
                raise TypeError(f"{cls.__name__} needs {name!r}")
            # a field with a default_factory is kept as its Field: a new value a slip
            if isinstance(default, Field):
                default = default.default_factory()  # type: ignore[operator]
            values[name] = default
        slip = cls.__new__(cls)
        slip.__dict__.update(values)
        slip.__post_init__()
        return slip

    @classmethod
    def later(cls, known: dict[str, Any], make: Callable[[], dict[str, Any]]) -> Self:
        """A slip with the fields ``known`` now and the others ``make()``
        gives when one of them is first read (then as :meth:`of` builds it).

        The engine's receipt returns one: a busy desk's caller often reads
        only the code (the desk's own form prints later, or never), and the
        rest of a slip (its dates, form stamp, unconfirmed days) costs a third
        of a receipt. ``make`` must give the same values whenever it runs:
        the engine's reads only what the receipt fixed (immutable values and
        calendars, copies of the caller's dicts). Reading, comparing,
        copying or pickling the slip builds it first; only ``vars(slip)``
        shows it unbuilt."""
        if not cls.__dict__.get("_LATER"):
            raise TypeError(f"{cls.__name__} is not made ready for later() (_built_later)")
        slip = cls.__new__(cls)
        slip.__dict__.update(known)
        slip.__dict__["_make"] = (known, make)
        return slip

    def _build(self) -> None:
        """Make the fields a slip from :meth:`later` does not have yet.

        All of them land in one ``dict.update`` before the maker goes, so a
        reader in another thread sees the slip unbuilt (and builds it too:
        the same values) or built, never half of it."""
        pending = self.__dict__.get("_make")
        if pending is not None:
            known, make = pending
            self.__dict__.update(type(self).of({**make(), **known}).__dict__)
            self.__dict__.pop("_make", None)

    if not TYPE_CHECKING:  # type checkers keep checking slips' attribute names

        def __getattr__(self, name: str) -> Any:
            # Called only for a name not found: a slip from ``later`` not built yet.
            if "_make" not in self.__dict__:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            self._build()
            return object.__getattribute__(self, name)

    def __getstate__(self) -> dict[str, Any]:
        self._build()
        return self.__dict__

    def __post_init__(self) -> None:
        # Stamped from the national table unless the maker gave a legal basis.
        if self.legal_basis is None:
            found = form_in_force(self.FORM_KIND, self.form_date)
            if found is not None:
                object.__setattr__(self, "form", found.number)
                object.__setattr__(self, "form_title", found.title_vi)
                object.__setattr__(self, "legal_basis", found.legal_basis)

    def under(self, table: Sequence[LegalText]) -> Self:
        """This slip with its form looked up in ``table`` instead of the national
        table (e.g. a province on another numbering). The table must have a text
        in force on the slip's date."""
        found = form_in_force(self.FORM_KIND, self.form_date, table)
        if found is None:
            day = legal_date(self.form_date).isoformat()
            raise FormsTableError(
                f"the forms table has no legal text in force on {day}, the date of "
                f"{type(self).__name__} {getattr(self, 'code', '')}; add a text taking effect "
                "on or before it"
            )
        changed: Self = replace(  # type: ignore[type-var]
            self, form=found.number, form_title=found.title_vi, legal_basis=found.legal_basis
        )
        return changed

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(asdict(self))  # type: ignore[call-overload]
        unconfirmed = getattr(self, "unconfirmed_days", None)
        if unconfirmed is not None:
            data["unconfirmed_days"] = [u.to_dict() for u in unconfirmed]
        return data


_REQUIRED = object()


_DEFAULTS: dict[type, dict[str, Any]] = {}


def _defaults_of(cls: type) -> dict[str, Any]:
    """Each init field of dataclass ``cls`` and its default (``_REQUIRED``: none;
    the field itself when its default is made by a factory)."""
    out: dict[str, Any] = {}
    for f in fields(cls):
        if not f.init:
            continue
        if f.default is not MISSING:
            out[f.name] = f.default
        elif f.default_factory is not MISSING:
            out[f.name] = f
        else:
            out[f.name] = _REQUIRED
    return out


class _Unbuilt:
    """The class attribute of a field with a default, on a slip class that
    :meth:`_Slip.later` may return unbuilt: the default, as the dataclass's
    own attribute gives it, except on a slip not built yet, which it builds.
    (A built slip has every field in its ``__dict__``, found first.)"""

    __slots__ = ("default", "name")

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, slip: _Slip | None, owner: type | None = None) -> Any:
        if slip is None or "_make" not in slip.__dict__:
            return self.default
        slip._build()
        return slip.__dict__[self.name]


S = TypeVar("S", bound=type)


def _built_later(cls: S) -> S:
    """Let :meth:`_Slip.later` make slips of dataclass ``cls``: its fields'
    defaults, class attributes the dataclass left, would otherwise answer for
    a slip not built yet."""
    for f in fields(cls):
        if f.default is not MISSING:
            setattr(cls, f.name, _Unbuilt(f.name, f.default))
    cls._LATER = True  # type: ignore[attr-defined]
    return cls


@dataclass(frozen=True, slots=True)
class FeeLine:
    """A fee or charge on the receipt slip: what the applicant pays, on what basis.

    One per fee of the procedure that applies to the dossier's facts
    (``fees:`` with ``when``/``unless``); immutable, so a procedure version's
    lines are built once and shared by its slips."""

    name: str
    amount: int
    currency: str = "VND"
    basis: str | None = None
    note: str | None = None


@_built_later
@dataclass(frozen=True)
class ReceiptSlip(_Slip):
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Form 01 under both circulars).

    ``fees`` lists the fees and charges with their amount and legal basis;
    ``clock_starts_at`` is the instant the time limit counts from: the receipt
    itself in office hours, the next opening of office hours for a dossier
    submitted at night or on a day off (docs/calendar.md)."""

    FORM_KIND: ClassVar[SlipKind] = SlipKind.RECEIPT

    code: str
    procedure_id: str
    procedure_version: str
    procedure_name: str
    applicant: dict[str, Any]
    documents: list[dict[str, Any]]
    received_at: datetime
    appointment: datetime
    time_limit: str
    received_by: str
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""
    unconfirmed_days: list[UnconfirmedDay] = field(default_factory=list)
    """Unconfirmed calendar entries between receipt and the date promised."""
    unrecorded_years: list[int] = field(default_factory=list)
    """Years between receipt and the date promised whose days off and swaps no
    calendar file records yet (:meth:`~procflow.calendar.WorkCalendar.unrecorded_years`):
    the date may move when the Prime Minister's yearly decision is recorded."""
    fees: tuple[FeeLine, ...] = ()
    """The fees and charges for this dossier's facts, with their legal basis."""
    clock_starts_at: datetime | None = None
    """When the time limit starts counting (the receipt, or the next opening)."""
    time_limit_case: str | None = None
    """Why ``time_limit`` applies when the procedure's limit depends on facts:
    the condition of the case that chose it (its label, else the fact, e.g.
    ``needs_verification``); None for the base figure."""

    @property
    def time_limit_shown(self) -> str:
        """The time limit with why it applies: ``5 working days (needs_verification)``."""
        case = self.time_limit_case
        return f"{self.time_limit} ({case})" if case else self.time_limit

    @property
    def fees_total(self) -> int:
        """The sum of the fees, in VND."""
        return sum(f.amount for f in self.fees)

    @property
    def form_date(self) -> datetime:
        return self.received_at

    def to_dict(self) -> dict[str, Any]:
        data = _Slip.to_dict(self)
        data["fees_total"] = self.fees_total
        if self.time_limit_case is None:  # the base figure: the slip as before
            del data["time_limit_case"]
        return data


@dataclass(frozen=True)
class SupplementRequest(_Slip):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Form 02): what is missing and why."""

    FORM_KIND: ClassVar[SlipKind] = SlipKind.SUPPLEMENT_REQUEST

    code: str
    procedure_id: str
    missing: list[str]
    reason: str | None
    contact_officer: str
    issued_at: datetime
    during_processing: bool
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""
    documents: list[dict[str, Any]] = field(default_factory=list)
    """The missing documents as data (id, name, form, copies, what was handed
    in), when the request was made from the procedure's list of documents;
    ``missing`` is their wording on the slip."""

    def to_dict(self) -> dict[str, Any]:
        data = _Slip.to_dict(self)
        if not self.documents:  # a request written by hand: the slip as before
            del data["documents"]
        return data


@dataclass(frozen=True)
class RefusalSlip(_Slip):
    """Phiếu từ chối tiếp nhận giải quyết hồ sơ (Form 03)."""

    FORM_KIND: ClassVar[SlipKind] = SlipKind.REFUSAL

    code: str
    procedure_id: str
    reason: str
    officer: str
    issued_at: datetime
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""


@dataclass(frozen=True)
class ApologySlip(_Slip):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Form 04; under Circular 03/2025 a
    letter of apology and request to extend the time)."""

    FORM_KIND: ClassVar[SlipKind] = SlipKind.APOLOGY

    code: str
    agency: str
    reason: str
    previous_appointment: datetime
    new_appointment: datetime
    statutory_due: datetime
    issued_at: datetime
    signed_by: str
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""
    unconfirmed_days: list[UnconfirmedDay] = field(default_factory=list)
    """Unconfirmed calendar entries between receipt and the new appointment."""
    unrecorded_years: list[int] = field(default_factory=list)
    """Years between receipt and the new appointment that no calendar file
    records yet (as :attr:`ReceiptSlip.unrecorded_years`)."""


@dataclass(frozen=True)
class ControlRow:
    """One hand-over on the processing control slip."""

    step: str
    from_agency: str | None
    to_step: str | None
    to_agency: str | None
    sender: str | None
    receiver: str | None
    entered_at: datetime
    left_at: datetime | None
    due_at: datetime | None
    timeliness: Timeliness | None
    used_working_hours: float
    late_working_hours: float
    calendar: str | None = None
    """The calendar the row's due date, working time and lateness are counted
    on: its agency's (None as for :attr:`ControlSlip.statutory_calendar`)."""


@dataclass(frozen=True)
class ControlSlip(_Slip):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ (Form 05; Form 06 under Circular 03/2025).

    ``per_agency`` sums working hours used and late per agency, step by step
    (each step against its own allotment). ``agencies`` is what each agency is
    charged: its working time across all its steps against its share of the
    statutory time (:func:`procflow.model.shares.agency_use`, the figure the
    accountability report adds up). ``ready_at`` and ``returned_at`` are the
    two instants of the result; ``collection_seconds`` the applicant's time
    to collect it, for a dossier collected after its due date, charged to no
    agency.
    """

    FORM_KIND: ClassVar[SlipKind] = SlipKind.CONTROL_SLIP

    code: str
    procedure_id: str
    received_at: datetime
    due_at: datetime
    rows: list[ControlRow] = field(default_factory=list)
    per_agency: dict[str, dict[str, float]] = field(default_factory=dict)
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""
    unconfirmed_days: list[UnconfirmedDay] = field(default_factory=list)
    """Unconfirmed calendar entries from receipt to the latest date on the slip
    (the due date, a step's deadline or hand-over)."""
    agencies: list[AgencyUse] = field(default_factory=list)
    """Each agency's working time across its steps against its share, and
    what it is charged (its net over-run), in the order it held the dossier."""
    ready_at: datetime | None = None
    """The result reached the desk: entry into the return step."""
    returned_at: datetime | None = None
    """The result was handed to the applicant."""
    result_counts: str | None = None
    """Which of the two classified the dossier (``rules.result_counts``)."""
    collected_after_due: bool = False
    """Handed over after the statutory due date."""
    ready_by_due: bool | None = None
    """The result was at the desk by the due date (None: not at a return step yet)."""
    collection_seconds: float | None = None
    """Collected after the due date: the working time the result waited at the
    desk for the applicant, charged to no agency."""
    statutory_calendar: str | None = None
    """The calendar the statutory due date, the result's instants and the
    dossier's timeliness are counted on: the procedure's (the desk's), by its
    name in the engine (``vn`` unless named otherwise). None when the engine
    has one calendar and the procedure names none (every figure is on the
    engine's calendar), or the procedure's file was not at hand."""
    calendars: dict[str, str] | None = None
    """Each agency of the procedure -> the name of the calendar its rows and
    its figures (working time used, lateness, share) are counted on; None as
    for ``statutory_calendar``."""

    @property
    def form_date(self) -> datetime:
        """The receipt: the slip is opened then and follows the dossier [design]."""
        return self.received_at


@dataclass(frozen=True)
class StopNotice(_Slip):
    """Thông báo dừng giải quyết hồ sơ (Form 05 under Circular 03/2025; no form
    before it): the dossier is no longer processed, and why.

    ``cause`` is ``stopped`` (the agency stopped processing) or ``withdrawn``
    (the applicant asked to withdraw the dossier); ``step`` and ``agency`` say
    where it stood. Built from the dossier's history by
    :meth:`procflow.engine.Engine.stop_notice`.
    """

    FORM_KIND: ClassVar[SlipKind] = SlipKind.STOP_NOTICE

    code: str
    procedure_id: str
    cause: str
    reason: str | None
    step: str
    agency: str | None
    applicant: dict[str, Any]
    received_at: datetime
    issued_at: datetime
    signed_by: str
    form: str | None = None
    """The form's number ("01"), from the circular in force on the slip's date."""
    form_title: str | None = None
    legal_basis: str | None = None
    """The circular prescribing the form, e.g. ``03/2025/TT-VPCP``."""
