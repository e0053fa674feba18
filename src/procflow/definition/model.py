"""The procedure definition language, as pydantic models.

A reform officer writes one YAML file per procedure version; these models say
what each key means. Field descriptions are exported into the JSON Schema
(``procflow schema``) so an editor can offer completion and inline help.

The models only check what a single field can know (types, formats, allowed
values). Whole-procedure rules (references between steps and agencies,
reachability, cycles, time budget) are the job of :mod:`procflow.checks`, which
reports them all at once as findings.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from procflow.calendar.units import TimeUnit

LANGUAGE_VERSION: Literal[1] = 1

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64),
    Field(description="Lower-case id: letters a-z, digits, '-' and '_', starting with a letter."),
]
TriggerName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="Trigger name: lower-case letters, digits and '_', e.g. 'approve'."),
]


class Terminal(enum.StrEnum):
    """How a dossier ends. These names are reserved: no step may use them."""

    RETURNED = "returned"
    """The result was handed to the applicant (trả kết quả)."""
    REFUSED = "refused"
    """The competent agency refused, with a reason (từ chối giải quyết)."""
    WITHDRAWN = "withdrawn"
    """The applicant withdrew the dossier (rút hồ sơ)."""
    STOPPED = "stopped"
    """Processing was stopped (thông báo dừng giải quyết, Circular 03/2025)."""


TERMINALS: frozenset[str] = frozenset(t.value for t in Terminal)


class StepKind(enum.StrEnum):
    """What kind of work a step is; drives the diagram and the clock."""

    RECEPTION = "reception"
    """The one-stop desk checks and receives the dossier."""
    REVIEW = "review"
    """An officer appraises the dossier (thẩm định)."""
    PROCESSING = "processing"
    """The competent agency does the work (xử lý)."""
    APPROVAL = "approval"
    """A leader signs (phê duyệt, ký)."""
    HANDOFF = "handoff"
    """The dossier moves from one agency to another (liên thông)."""
    APPLICANT = "applicant"
    """The applicant must act: supplement documents, pay a fee or an obligation."""
    RETURN = "return"
    """The result waits at the desk to be handed to the applicant."""


class ClockPolicy(enum.StrEnum):
    """What the statutory clock does while a dossier sits in a step.

    Only applicant steps may pause or restart it: the applicant's time does not
    count against the agencies (domain notes, "Incomplete during processing",
    [recalled] as the general rule; make it explicit per procedure).
    """

    RUN = "run"
    """The clock keeps running (the default for agency steps)."""
    PAUSE = "pause"
    """The clock stops and resumes where it was (the default for applicant steps)."""
    RESTART = "restart"
    """The clock starts again from zero when the applicant responds."""


class AgencyLevel(enum.StrEnum):
    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"
    MINISTRY = "ministry"
    CENTRAL = "central"
    OTHER = "other"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(_Model):
    """A name in Vietnamese, optionally with an English translation.

    Write either a plain string (taken as Vietnamese) or ``{vi: ..., en: ...}``.
    """

    vi: str = Field(min_length=1, description="Vietnamese text, as published.")
    en: str | None = Field(default=None, description="English translation.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"vi": value}
        return value

    def get(self, lang: str = "vi") -> str:
        return self.en if lang == "en" and self.en else self.vi

    def __str__(self) -> str:
        return self.vi


_DURATION_RE = re.compile(
    r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>working[ _]days?|working[ _]hours?|"
    r"calendar[ _]days?|days?|hours?)\s*$"
)
_UNIT_WORDS = {
    "working day": TimeUnit.WORKING_DAYS,
    "working days": TimeUnit.WORKING_DAYS,
    "working hour": TimeUnit.WORKING_HOURS,
    "working hours": TimeUnit.WORKING_HOURS,
    "calendar day": TimeUnit.CALENDAR_DAYS,
    "calendar days": TimeUnit.CALENDAR_DAYS,
}


class Duration(_Model):
    """A length of time in one of the units procedures are published in.

    Write it as a mapping (``{value: 3, unit: working_days}``) or a short
    string: ``3 working days``, ``4 working hours``, ``15 calendar days``,
    ``same day``. Plain ``days`` or ``hours`` are refused on purpose: the
    unit must say whether days off count.
    """

    value: float = Field(ge=0, description="How many units; fractions allowed (0.5 working day).")
    unit: TimeUnit = Field(description="working_days | working_hours | calendar_days | same_day")
    cutoff: dt.time | None = Field(
        default=None,
        description=(
            "Same-day only: a dossier received after this hour counts from the next "
            "working day, e.g. '15:00'."
        ),
    )
    basis: str | None = Field(
        default=None, description="Where this figure comes from: document and article."
    )
    confirmed: bool = Field(
        default=True,
        description="false when the figure could not be checked against the published text.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        if text in ("same day", "same_day", "trong ngày"):
            return {"value": 0, "unit": TimeUnit.SAME_DAY}
        match = _DURATION_RE.match(text)
        if not match:
            raise ValueError(
                f"cannot read {value!r} as a duration; write e.g. '3 working days', "
                "'4 working hours', '15 calendar days' or 'same day'"
            )
        words = match["unit"].replace("_", " ")
        if words not in _UNIT_WORDS:
            raise ValueError(
                f"{value!r}: say 'working {words}' or 'calendar {words}', so it is clear "
                "whether days off count"
            )
        return {"value": float(match["value"]), "unit": _UNIT_WORDS[words]}

    @field_validator("cutoff", mode="before")
    @classmethod
    def _parse_cutoff(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.time.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"cut-off {value!r} is not a time; write it as 'HH:MM'") from None
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads 15:00 as a sexagesimal integer (900); accept it back.
            hours, minutes = divmod(value, 60)
            if 0 <= hours < 24:
                return dt.time(hours, minutes)
        return value

    @model_validator(mode="after")
    def _check(self) -> Duration:
        if self.cutoff is not None and self.unit is not TimeUnit.SAME_DAY:
            raise ValueError("a cut-off hour only applies to same-day durations")
        return self

    def in_working_days(self, hours_per_day: float = 8.0) -> float | None:
        """The duration in working days, or None when it is not in working time."""
        if self.unit is TimeUnit.WORKING_DAYS:
            return self.value
        if self.unit is TimeUnit.WORKING_HOURS:
            return self.value / hours_per_day
        if self.unit is TimeUnit.SAME_DAY:
            return 1.0
        return None

    def __str__(self) -> str:
        if self.unit is TimeUnit.SAME_DAY:
            return "same day" + (f" (cut-off {self.cutoff:%H:%M})" if self.cutoff else "")
        value = int(self.value) if float(self.value).is_integer() else self.value
        label = self.unit.label
        # "1 working day", as the reader accepts it too; "0.5 working days".
        return f"{value} {label[:-1] if value == 1 and label.endswith('s') else label}"


class LegalDocument(_Model):
    """A legal text a procedure rests on (căn cứ pháp lý)."""

    number: str = Field(min_length=1, description="Document number, e.g. '63/2024/NĐ-CP'.")
    title: str | None = Field(default=None, description="Title or kind of the document.")
    date: dt.date | None = Field(default=None, description="Date signed (YYYY-MM-DD).")
    articles: str | None = Field(default=None, description="The articles relied on.")
    note: str | None = None


class Agency(_Model):
    """An agency (cơ quan) taking part in the procedure."""

    id: Identifier
    name: Text
    level: AgencyLevel = AgencyLevel.OTHER
    desk: bool = Field(
        default=False,
        description="true for the agency whose one-stop desk (bộ phận một cửa) receives dossiers.",
    )
    share: Duration | None = Field(
        default=None,
        description=(
            "The agency's share of the statutory total in an inter-agency procedure. "
            "When omitted, it is the sum of its steps' time."
        ),
    )


class Outcome(_Model):
    """Where a trigger leads from a step.

    The short form ``approve: signing`` is the same as
    ``approve: {to: signing}``. ``when`` names a boolean fact of the dossier
    (e.g. ``needs_verification``) that must be true for this branch; give a
    list of outcomes for one trigger to branch on such facts.
    """

    to: str = Field(description="A step id, or an end: returned, refused, withdrawn, stopped.")
    when: Identifier | None = Field(
        default=None, description="A dossier fact that must be true for this branch."
    )
    unless: Identifier | None = Field(
        default=None, description="A dossier fact that must be false for this branch."
    )
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"to": value}
        return value


class Document(_Model):
    """A document the applicant hands in (thành phần hồ sơ)."""

    name: Text
    form: Literal["original", "certified_copy", "copy", "original_or_copy"] = "original"
    copies: int = Field(default=1, ge=1)
    required: bool = True
    template: str | None = Field(default=None, description="Form number, e.g. 'Mẫu TK1-TS'.")
    note: str | None = None


class Fee(_Model):
    """A fee or charge (phí, lệ phí)."""

    name: Text
    amount: int = Field(ge=0, description="Amount in VND (0 for exempt).")
    currency: Literal["VND"] = "VND"
    basis: str | None = Field(default=None, description="The document that sets the fee.")
    note: str | None = None


class Step(_Model):
    """One step of the procedure, held by one agency."""

    id: Identifier
    name: Text
    kind: StepKind
    agency: Identifier = Field(
        description=(
            "The agency that holds the dossier in this step and alone may move it out. "
            "For applicant steps: the agency waiting for the applicant's answer."
        )
    )
    role: Identifier | None = Field(
        default=None, description="The role within the agency allowed to act, if restricted."
    )
    to_agency: Identifier | None = Field(
        default=None, description="Hand-off steps: the agency that receives the dossier."
    )
    time: Duration | None = Field(
        default=None, description="The step's allotted share of the statutory time."
    )
    clock: ClockPolicy | None = Field(
        default=None,
        description="run | pause | restart. Default: pause for applicant steps, run otherwise.",
    )
    outcomes: dict[TriggerName, Outcome | list[Outcome]] = Field(
        default_factory=dict, description="trigger: next step (or end)."
    )
    note: str | None = None

    @property
    def clock_policy(self) -> ClockPolicy:
        if self.clock is not None:
            return self.clock
        return ClockPolicy.PAUSE if self.kind is StepKind.APPLICANT else ClockPolicy.RUN

    def branches(self) -> list[tuple[str, Outcome]]:
        """Every (trigger, outcome) pair, with lists flattened, in file order."""
        out: list[tuple[str, Outcome]] = []
        for trigger, outcome in self.outcomes.items():
            if isinstance(outcome, list):
                out.extend((trigger, o) for o in outcome)
            else:
                out.append((trigger, outcome))
        return out


class Rules(_Model):
    """Rules of the one-stop mechanism that vary by procedure or province.

    Several are [recalled] rather than confirmed against the decree, so they
    are settings, not constants.
    """

    max_reappointments: int = Field(
        default=1,
        ge=0,
        description="How many apology-and-new-appointment slips one dossier may get [recalled].",
    )
    apology_lead_days: int = Field(
        default=1,
        ge=0,
        description=(
            "The apology must be issued at least this many working days before the "
            "due date (provincial practice)."
        ),
    )
    max_supplement_requests: int = Field(
        default=1,
        ge=0,
        description="How many times the agency may ask for a supplement during processing.",
    )
    withdrawal: bool = Field(
        default=True, description="Whether the applicant may withdraw the dossier."
    )


class Procedure(_Model):
    """One version of one administrative procedure (thủ tục hành chính)."""

    procflow: Literal[1] = Field(
        default=LANGUAGE_VERSION, description="Version of this definition language."
    )
    id: Annotated[
        str,
        StringConstraints(pattern=r"^[a-z][a-z0-9_.-]*$", max_length=128),
        Field(description="Stable id, e.g. 'vn.civil-status.birth-registration'."),
    ]
    version: str = Field(min_length=1, description="Version label, e.g. '2025-07'.")
    code: str | None = Field(
        default=None, description="Official procedure code (mã TTHC) in the national database."
    )
    name: Text
    sector: str | None = Field(default=None, description="Field or sector (lĩnh vực).")
    level: AgencyLevel | None = Field(default=None, description="Level that settles it.")
    legal_basis: list[LegalDocument] = Field(default_factory=list)
    effective_from: dt.date | None = Field(
        default=None, description="First day dossiers are received under this version."
    )
    effective_to: dt.date | None = Field(
        default=None, description="Last day dossiers are received under this version."
    )
    time_limit: Duration = Field(
        description=(
            "The statutory total time (thời hạn giải quyết) from receipt of a complete dossier."
        )
    )
    agencies: list[Agency] = Field(min_length=1)
    start: Identifier | None = Field(
        default=None, description="The first step after receipt; default: the first step listed."
    )
    steps: list[Step] = Field(min_length=1)
    documents: list[Document] = Field(default_factory=list)
    fees: list[Fee] = Field(default_factory=list)
    result: Text | None = Field(default=None, description="What the applicant receives.")
    rules: Rules = Field(default_factory=Rules)
    notes: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Procedure:
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_to < self.effective_from
        ):
            raise ValueError("effective_to is before effective_from")
        return self

    # --- lookups used by the checks, the compiler and the engine -------------

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def start_step(self) -> str:
        return self.start or self.steps[0].id

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(agency_id)

    @property
    def desk(self) -> Agency:
        """The agency whose one-stop desk receives the dossier."""
        for agency in self.agencies:
            if agency.desk:
                return agency
        return self.agencies[0]

    def in_force_on(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return not (self.effective_to is not None and day > self.effective_to)
