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
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from procflow.calendar.units import DEFAULT_YEARS, TimeUnit

LANGUAGE_VERSION: Literal[1] = 1


class FieldProblem(ValueError):
    """A rule broken by one key, raised by a validator that knows which key and the fix.

    pydantic places the error of a model validator at the model itself
    (``time_limit``), and says nothing of how to fix it. The loader reads
    ``key`` to point at the offending key instead (``time_limit.value``) and
    uses ``hint`` as the finding's hint.
    """

    def __init__(self, message: str, *, key: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.hint = hint


MAX_DURATION_YEARS = 10
"""The longest span any duration of a procedure may have, in years.

Every duration (the statutory time limit, step allotments, agency shares,
the apology lead) is eventually counted on a working-day calendar, which
indexes a bounded range of years (:data:`DEFAULT_YEARS`, 2000-2060): a
figure running past its end cannot be counted. ``1e308 calendar days`` used
to pass validation, then every receipt failed with an OverflowError. Real
statutory limits are days or months; ten years is far beyond any of them and
still leaves every dossier received in the calendar's first fifty years a
due date inside it. :data:`MAX_DURATION` gives the bound in each unit.
"""

_WORKING_DAYS_PER_YEAR = 250  # 261 weekdays less about 11 public holidays
MAX_DURATION: dict[TimeUnit, float] = {
    TimeUnit.CALENDAR_DAYS: 365 * MAX_DURATION_YEARS,
    TimeUnit.WORKING_DAYS: _WORKING_DAYS_PER_YEAR * MAX_DURATION_YEARS,
    TimeUnit.WORKING_HOURS: 8 * _WORKING_DAYS_PER_YEAR * MAX_DURATION_YEARS,
    TimeUnit.SAME_DAY: _WORKING_DAYS_PER_YEAR * MAX_DURATION_YEARS,  # the value is not counted
}
""":data:`MAX_DURATION_YEARS` in each unit (8 working hours to the working day)."""

_SPAN_HINT = (
    "write the published figure in days or hours, e.g. '15 working days'; check for a typo, "
    "an extra digit or a missing unit"
)


def _too_long(value: float | str, unit: TimeUnit | None, what: str) -> str:
    """Why ``value`` (in ``unit``, None when not known yet) cannot be a duration.

    ``value`` is the number, or the text as written when that says more
    (a number of 5,000 digits reads as ``inf`` once converted).
    """
    if isinstance(value, str):
        text = value.strip()
        shown = text if len(text) <= 24 else f"{text[:12]}… ({len(text):,} characters)"
    else:
        shown = f"{value:,g}" if math.isfinite(value) else str(value)
    first, last = DEFAULT_YEARS
    if unit is None:
        bound = (
            f"{MAX_DURATION[TimeUnit.CALENDAR_DAYS]:,g} calendar days, "
            f"{MAX_DURATION[TimeUnit.WORKING_DAYS]:,g} working days or "
            f"{MAX_DURATION[TimeUnit.WORKING_HOURS]:,g} working hours"
        )
    else:
        shown += f" {unit.label}"
        bound = f"{MAX_DURATION[unit]:,g} {unit.label}"
    return (
        f"{what} of {shown} cannot be counted: a time limit longer than {MAX_DURATION_YEARS} "
        f"years (at most {bound}) runs off the working-day calendar, which covers the years "
        f"{first}-{last}"
    )


def _finite_number(value: Any, what: str, unit: TimeUnit | None) -> Any:
    """Refuse NaN, infinities and overflowing numbers before pydantic parses ``value``.

    A 5,000-digit number, ``inf``, ``Infinity`` or ``.nan`` given as text would
    otherwise become a float infinity or NaN (or a bare "greater than or
    equal to 0" for NaN), which no calendar can count. With ``unit`` known,
    a number over :data:`MAX_DURATION` is refused here too, before an int
    field turns 1e308 into a parse error about sizes.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    try:
        number = float(value)
    except (ValueError, OverflowError):
        if isinstance(value, int):  # an int too large for a float
            raise FieldProblem(_too_long(math.inf, unit, what), hint=_SPAN_HINT) from None
        return value  # not a number at all: pydantic says so
    if math.isnan(number):
        raise FieldProblem(
            f"{what} is not a number ({value!s:.40})", hint="write a number, e.g. 15"
        )
    if math.isinf(number) and number > 0:
        raise FieldProblem(_too_long(value, unit, what), hint=_SPAN_HINT)
    if unit is not None and number > MAX_DURATION[unit]:
        raise FieldProblem(_too_long(number, unit, what), hint=_SPAN_HINT)
    return value


def _normal_name(name: str) -> str:
    """``name`` as compared with reserved names: NFKC, case-folded, stripped."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


RESERVED_TRIGGERS: frozenset[str] = frozenset({"withdraw", "stop"})
"""Trigger names the engine adds to every step, so no procedure may define them.

They are the compiler's ``ENGINE_TRIGGERS`` (``procflow.compiler.compiled``;
a test keeps the two equal, the compiler depends on this module and not the
other way round). The engine gives these triggers their own rules (the
applicant may withdraw at the desk; stopping ignores the step's role): a
procedure trigger of the same name would be granted those exemptions.
Compared after :func:`_normal_name`, so ``Withdraw`` and ``'STOP '`` are
refused as reserved, not only as badly written.
"""

_RESERVED_HINT = (
    "rename the trigger (e.g. 'cancel' or 'halt'); the engine already offers 'withdraw' "
    "and 'stop' on every step, leading to the ends 'withdrawn' and 'stopped'"
)


def is_reserved_trigger(name: str) -> bool:
    """Whether ``name`` is, up to case, spaces and Unicode forms, a reserved trigger."""
    return _normal_name(name) in RESERVED_TRIGGERS


def _not_reserved(name: str) -> str:
    if is_reserved_trigger(name):
        raise FieldProblem(
            f"the trigger name {name!r} is reserved: the engine adds 'withdraw' and 'stop' "
            "to every step, with their own rules on who may fire them",
            hint=_RESERVED_HINT,
        )
    return name


Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64),
    Field(description="Lower-case id: letters a-z, digits, '-' and '_', starting with a letter."),
]
TriggerName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    AfterValidator(_not_reserved),
    Field(
        description=(
            "Trigger name: lower-case letters, digits and '_', e.g. 'approve'; "
            "not 'withdraw' or 'stop' (the engine's own)."
        ),
        json_schema_extra={"not": {"enum": sorted(RESERVED_TRIGGERS)}},
    ),
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


class PauseReason(enum.StrEnum):
    """Why the statutory clock stops at an applicant step: the time that does
    not count, by the reason the law gives for it (Decree 101/2024/NĐ-CP,
    Art. 22 lists such intervals for land procedures [recalled]; the general
    one-stop rules name the supplement request). Reports count and sum each
    reason separately."""

    SUPPLEMENT = "supplement"
    """The applicant supplements or corrects the dossier (bổ sung, hoàn thiện hồ sơ)."""
    FINANCIAL_OBLIGATIONS = "financial_obligations"
    """The applicant pays taxes, fees and charges (thực hiện nghĩa vụ tài chính)."""
    EXPERT_ASSESSMENT = "expert_assessment"
    """Expert assessment or appraisal outside the agencies (giám định, trưng cầu giám định)."""
    VERIFICATION = "verification"
    """Verification or a site inspection (xác minh, kiểm tra thực địa)."""
    VIOLATION = "violation"
    """A violation is being handled (xem xét, xử lý vi phạm)."""


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


def _read_cutoff(value: Any) -> Any:
    """A cut-off hour as written (``'15:00'``) read as a time, before pydantic parses it."""
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


def _finite_duration(value: Any) -> Any:
    """A duration's or a case's value: a finite number (the checks name the key)."""
    return _finite_number(value, "a duration", None)


def facts_hold(when: str | None, unless: str | None, facts: Mapping[str, Any]) -> bool:
    """Whether ``when`` (a fact that must be true) and ``unless`` (one that must
    be false) hold for a dossier with ``facts``: a fact not set is false. One
    rule for branches' documents, fees and durations' cases."""
    if when is not None and not facts.get(when):
        return False
    return not (unless is not None and facts.get(unless))


class DurationCase(_Model):
    """An alternative figure of a duration, chosen by one boolean fact of the dossier.

    ``when`` (the fact is true) or ``unless`` (it is false) names the fact, as
    outcome branches do; the first case whose condition holds gives the
    figure, else the duration's own value does (e.g. the child-under-6
    bundle's longer limit ``when: needs_verification``). ``unit`` and
    ``cutoff`` default to the duration's; ``basis`` and ``confirmed`` say
    where this figure comes from, since it often rests on another article
    than the base figure.
    """

    when: Identifier | None = Field(
        default=None, description="A dossier fact that must be true for this figure."
    )
    unless: Identifier | None = Field(
        default=None, description="A dossier fact that must be false for this figure."
    )
    value: float = Field(
        ge=0,
        description="How many units in this case (the duration's unit unless unit: says).",
        json_schema_extra={"maximum": max(MAX_DURATION.values())},
    )
    unit: TimeUnit | None = Field(
        default=None,
        description=(
            "working_days | working_hours | calendar_days | same_day; default: the duration's."
        ),
    )
    cutoff: dt.time | None = Field(
        default=None,
        description="Same-day only: the cut-off hour in this case; default: the duration's.",
    )
    basis: str | None = Field(
        default=None, description="Where this figure comes from: document and article."
    )
    confirmed: bool | None = Field(
        default=None,
        description=(
            "false when this figure could not be checked against the published text; "
            "default: as the duration's."
        ),
    )
    label: Text | None = Field(
        default=None,
        description=(
            "How slips and the public sheet name the condition, e.g. {vi: Cần xác minh, "
            "en: Verification needed}; default: the fact as written."
        ),
    )
    note: str | None = Field(default=None, description="A remark for authors; not shown to people.")

    _finite = field_validator("value", mode="before")(_finite_duration)
    _parse_cutoff = field_validator("cutoff", mode="before")(_read_cutoff)

    def holds(self, facts: Mapping[str, Any]) -> bool:
        """Whether the condition holds for a dossier with ``facts`` (a fact not
        set is false, as for branches, documents and fees)."""
        return facts_hold(self.when, self.unless, facts)

    @property
    def condition(self) -> str:
        """The condition as written: ``needs_verification``, ``not remote``, or
        both joined by ``and``."""
        parts = [] if self.when is None else [self.when]
        if self.unless is not None:
            parts.append(f"not {self.unless}")
        return " and ".join(parts)

    def describe(self, lang: str = "vi") -> str:
        """The condition for people: the label in ``lang``, else :attr:`condition`."""
        return self.label.get(lang) if self.label is not None else self.condition


class Duration(_Model):
    """A length of time in one of the units procedures are published in.

    Write it as a mapping (``{value: 3, unit: working_days}``) or a short
    string: ``3 working days``, ``4 working hours``, ``15 calendar days``,
    ``same day``. Plain ``days`` or ``hours`` are refused on purpose: the
    unit must say whether days off count.

    ``cases`` (mapping form) give other figures chosen by the dossier's
    facts: the first case whose condition holds wins, else ``value``
    (:meth:`for_facts`). The time limit, step allotments and agency shares
    take them alike.
    """

    value: float = Field(
        ge=0,
        description=(
            "How many units; fractions allowed (0.5 working day). At most "
            f"{MAX_DURATION_YEARS} years: {MAX_DURATION[TimeUnit.CALENDAR_DAYS]:g} calendar days, "
            f"{MAX_DURATION[TimeUnit.WORKING_DAYS]:g} working days, "
            f"{MAX_DURATION[TimeUnit.WORKING_HOURS]:g} working hours."
        ),
        json_schema_extra={"maximum": max(MAX_DURATION.values())},
    )
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
    cases: list[DurationCase] = Field(
        default_factory=list,
        description=(
            "Other figures chosen by the dossier's facts: the first case whose when:/unless: "
            "holds gives the figure, else value. E.g. [{when: needs_verification, value: 5}]."
        ),
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
        number, unit = float(match["value"]), _UNIT_WORDS[words]
        if number > MAX_DURATION[unit]:  # also a number of thousands of digits (inf)
            shown = number if math.isfinite(number) else match["value"]
            raise FieldProblem(_too_long(shown, unit, "a duration"), hint=_SPAN_HINT)
        return {"value": number, "unit": unit}

    _finite = field_validator("value", mode="before")(_finite_duration)
    _parse_cutoff = field_validator("cutoff", mode="before")(_read_cutoff)

    @model_validator(mode="after")
    def _check(self) -> Duration:
        if self.cutoff is not None and self.unit is not TimeUnit.SAME_DAY:
            raise ValueError("a cut-off hour only applies to same-day durations")
        if self.value > MAX_DURATION[self.unit]:
            raise FieldProblem(
                _too_long(self.value, self.unit, "a duration"), key="value", hint=_SPAN_HINT
            )
        for i, case in enumerate(self.cases):
            unit = case.unit or self.unit
            if case.value > MAX_DURATION[unit]:
                raise FieldProblem(
                    _too_long(case.value, unit, "a duration"),
                    key="cases",
                    hint=_SPAN_HINT,
                )
            if case.cutoff is not None and unit is not TimeUnit.SAME_DAY:
                raise FieldProblem(
                    f"case {i} is in {unit.label}, but a cut-off hour only applies to "
                    "same-day durations",
                    key="cases",
                    hint="give the case unit: same_day, or leave out its cutoff",
                )
        return self

    def case_for(self, facts: Mapping[str, Any]) -> int | None:
        """The index of the case that applies to a dossier with ``facts``: the
        first whose condition holds; None when none does (the base figure)."""
        for i, case in enumerate(self.cases):
            if case.holds(facts):
                return i
        return None

    def for_facts(self, facts: Mapping[str, Any]) -> Duration:
        """The plain duration (no cases) that applies to a dossier with ``facts``.

        The first case whose condition holds gives value, unit, cut-off and,
        when it names them, basis and confirmed; otherwise the base figure.
        A duration without cases is returned as it is (most of them).
        """
        if not self.cases:
            return self
        index = self.case_for(facts)
        if index is None:
            return self.model_copy(update={"cases": []})
        return self.alternative(index)

    def alternative(self, index: int) -> Duration:
        """The plain duration case ``index`` gives (what the public sheet lists)."""
        case = self.cases[index]
        unit = case.unit or self.unit
        return Duration(
            value=case.value,
            unit=unit,
            # the base's cut-off belongs to a same-day figure; another unit has none
            cutoff=case.cutoff
            if case.cutoff is not None or unit is not TimeUnit.SAME_DAY
            else self.cutoff,
            basis=case.basis if case.basis is not None else self.basis,
            confirmed=case.confirmed if case.confirmed is not None else self.confirmed,
        )

    @property
    def facts(self) -> frozenset[str]:
        """The facts this duration's cases depend on (empty without cases)."""
        names: set[str] = set()
        for case in self.cases:
            names.update(f for f in (case.when, case.unless) if f is not None)
        return frozenset(names)

    def in_working_days(self, hours_per_day: float | None = None) -> float | None:
        """The duration in working days, or None when it is not in working time.

        Hours need the length of a working day, which only a calendar knows
        (``procflow.checks.graph.working_day_hours``): there is no default.
        """
        if self.unit is TimeUnit.WORKING_DAYS:
            return self.value
        if self.unit is TimeUnit.WORKING_HOURS:
            if hours_per_day is None:
                raise ValueError(
                    "working hours to days needs the calendar's working day "
                    "(procflow.checks.graph.working_day_hours)"
                )
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
    note: str | None = Field(
        default=None, description="A remark on this legal text, for the procedure's authors."
    )


class Agency(_Model):
    """An agency (cơ quan) taking part in the procedure."""

    id: Identifier
    name: Text = Field(description="The agency's name as published, e.g. 'Ủy ban nhân dân cấp xã'.")
    level: AgencyLevel = Field(
        default=AgencyLevel.OTHER,
        description="Administrative level: commune, district, province, ministry, central, other.",
    )
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
    calendar: Identifier | None = Field(
        default=None,
        description=(
            "The named calendar this agency works on (its office hours and days off): its "
            "steps' time, the working time it uses, its lateness and its share are counted "
            "on it. The engine must be given a calendar of that name (--calendar NAME=FILE). "
            "When omitted, the procedure's calendar."
        ),
    )


class Outcome(_Model):
    """Where a trigger leads from a step.

    The short form ``approve: signing`` is the same as
    ``approve: {to: signing}``. ``when`` names a boolean fact of the dossier
    (e.g. ``needs_verification``) that must be true for this branch; give a
    list of outcomes for one trigger to branch on such facts.

    ``label`` is what officers and applicants read for the move (buttons,
    diagrams, slips): the trigger is an identifier for files and the command
    line, not a word for people. Without it, procflow's table of common moves
    (:mod:`procflow.contrib.labels`) names it, else the trigger with spaces.
    """

    to: str = Field(description="A step id, or an end: returned, refused, withdrawn, stopped.")
    when: Identifier | None = Field(
        default=None, description="A dossier fact that must be true for this branch."
    )
    unless: Identifier | None = Field(
        default=None, description="A dossier fact that must be false for this branch."
    )
    label: Text | None = Field(
        default=None,
        description=(
            "What people read for this move on buttons, diagrams and slips, e.g. "
            "{vi: Chuyển xử lý, en: Forward} (a plain string is Vietnamese). Default: "
            "procflow's table of common moves, else the trigger with spaces. For a "
            "trigger with several branches, the first label given names the move."
        ),
    )
    note: str | None = Field(default=None, description="A remark for authors; not shown to people.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"to": value}
        return value


class Document(_Model):
    """A document the applicant hands in (thành phần hồ sơ).

    ``when``/``unless`` name a boolean fact of the dossier, as outcome
    branches do: the document is asked for only when the fact is true (or
    false), e.g. a power of attorney ``when: by_proxy``. ``id`` lets callers
    and the desk's software refer to the document; without one it is derived
    from the Vietnamese name (:meth:`derive_id`), so give one when the name
    may be reworded.
    """

    id: Identifier | None = Field(
        default=None,
        description=(
            "Stable id callers refer to the document by; default: derived from the "
            "Vietnamese name ('Tờ khai đăng ký khai sinh' -> 'to-khai-dang-ky-khai-sinh')."
        ),
    )
    name: Text = Field(description="The document's name as the procedure lists it.")
    form: Literal["original", "certified_copy", "copy", "original_or_copy"] = Field(
        default="original",
        description=(
            "Which copy is handed in: original (bản chính), certified_copy (bản sao có "
            "chứng thực), copy (bản sao) or original_or_copy."
        ),
    )
    copies: int = Field(default=1, ge=1, description="How many copies (số lượng).")
    required: bool = Field(
        default=True, description="false for a document needed only in some cases (nếu có)."
    )
    when: Identifier | None = Field(
        default=None, description="A dossier fact that must be true for the document to be asked."
    )
    unless: Identifier | None = Field(
        default=None,
        description="A dossier fact that must be false for the document to be asked.",
    )
    template: str | None = Field(default=None, description="Form number, e.g. 'Mẫu TK1-TS'.")
    note: str | None = Field(
        default=None, description="When the document is needed, or other remarks (public sheet)."
    )

    @property
    def ref(self) -> str:
        """The document's id: the one written, else derived from the Vietnamese name."""
        return self.id or self.derive_id(self.name.vi)

    @staticmethod
    def derive_id(name: str) -> str:
        """An id from a name: accents dropped (đ as d), lower case, words joined by
        '-', at most 64 characters, starting with a letter ('doc-' is put first
        when the name starts with a digit or has no letter at all)."""
        text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
        text = "".join(c for c in text if not unicodedata.combining(c)).lower()
        slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
        if not slug[:1].isalpha():
            slug = f"doc-{slug}".rstrip("-")
        return slug[:64].rstrip("-")

    def applies(self, facts: dict[str, Any]) -> bool:
        """Whether the document is asked for a dossier with ``facts`` (its conditions)."""
        return facts_hold(self.when, self.unless, facts)


class Fee(_Model):
    """A fee or charge (phí, lệ phí), listed on the receipt slip with its basis.

    ``when``/``unless`` name a boolean fact, as for documents: e.g. the lower
    fee of an online submission ``when: online``.
    """

    name: Text = Field(description="The fee or charge as published, e.g. 'Lệ phí hộ tịch'.")
    amount: int = Field(ge=0, description="Amount in VND (0 for exempt).")
    currency: Literal["VND"] = Field(
        default="VND", description="Always VND (đồng), the currency fees are published in."
    )
    basis: str | None = Field(default=None, description="The document that sets the fee.")
    when: Identifier | None = Field(
        default=None, description="A dossier fact that must be true for the fee to be charged."
    )
    unless: Identifier | None = Field(
        default=None, description="A dossier fact that must be false for the fee to be charged."
    )
    note: str | None = Field(
        default=None, description="Exemptions, reductions or other remarks (public sheet)."
    )

    def applies(self, facts: dict[str, Any]) -> bool:
        """Whether the fee is charged to a dossier with ``facts`` (its conditions)."""
        return facts_hold(self.when, self.unless, facts)


_MARGIN_RE = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*%\s*$")


class WarningMargin(_Model):
    """How long before a deadline the sweep warns: working time, or a share of
    the time allowed.

    Write ``8 working hours``, ``1 working day`` or ``25%`` (a quarter of the
    step's allotment, or of the statutory time limit for the dossier's own
    deadline, measured in working time). OpenCPS's ``dueDateNotify`` offers
    the same three kinds [design: procflow's reading of that practice].
    """

    value: float = Field(ge=0, description="How many working hours or days, or a percentage.")
    unit: Literal["working_hours", "working_days", "percent"] = Field(
        description="working_hours | working_days | percent (of the time allowed)"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        match = _MARGIN_RE.match(value)
        if match:
            return {"value": float(match["value"]), "unit": "percent"}
        try:
            d = Duration.model_validate(value)
        except ValidationError:
            d = None
        if d is None or d.unit not in (TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS):
            raise ValueError(
                f"cannot read {value!r} as a warning margin; write e.g. '8 working hours', "
                "'1 working day' or '25%'"
            )
        return {"value": d.value, "unit": d.unit.value}

    @model_validator(mode="after")
    def _check(self) -> WarningMargin:
        if self.unit == "percent" and self.value > 100:
            raise ValueError(f"a warning margin of {self.value:g}% is more than the whole time")
        limit = MAX_DURATION[TimeUnit(self.unit)] if self.unit != "percent" else None
        if limit is not None and self.value > limit:
            raise FieldProblem(_too_long(self.value, TimeUnit(self.unit), "a warning margin"))
        return self

    def __str__(self) -> str:
        value = int(self.value) if float(self.value).is_integer() else self.value
        if self.unit == "percent":
            return f"{value}%"
        label = self.unit.replace("_", " ")
        return f"{value} {label[:-1] if value == 1 else label}"


class Escalation(_Model):
    """What happens, by itself, when a deadline is near or past.

    The sweep carries each rule out once per deadline, as an ``escalated``
    event (and, for ``fire``, the move itself), whichever of several sweepers
    gets there first. A rule may do any of the three things it names.
    """

    alert: Literal["warned", "overdue"] = Field(
        description=(
            "warned (the deadline is near) or overdue (it has passed). Not 'on': "
            "YAML 1.1 readers take the key 'on' for true."
        )
    )
    scope: Literal["step", "dossier", "any"] = Field(
        default="any",
        description=(
            "Whose deadline: the current step's allotment (step), the statutory "
            "due date (dossier), or either (any)."
        ),
    )
    steps: list[Identifier] | None = Field(
        default=None, description="Only when the dossier is in one of these steps (default: any)."
    )
    notify: list[Identifier] = Field(
        default_factory=list,
        description=(
            "Roles of the agency holding the dossier to notify, e.g. [leader]: the head "
            "of the agency answers for lateness (the notification goes through the outbox)."
        ),
    )
    reassign: Identifier | None = Field(
        default=None,
        description="Assign the dossier to this role of the holding agency (its worklist).",
    )
    fire: TriggerName | None = Field(
        default=None,
        description=(
            "A move to fire from the current step, e.g. into an apology step; the "
            "system fires it for the rule."
        ),
    )
    note: str | None = Field(
        default=None, description="Why the rule exists, for the procedure's authors."
    )

    @model_validator(mode="after")
    def _does_something(self) -> Escalation:
        if not self.notify and self.reassign is None and self.fire is None:
            raise ValueError("an escalation rule must notify, reassign or fire something")
        return self


class Alerts(_Model):
    """Warnings and escalation: when the sweep warns, and what it then does."""

    warning: WarningMargin | None = Field(
        default=None,
        description=(
            "How long before a deadline to warn: '8 working hours', '1 working day' or "
            "'25%'. Set here, it applies to the dossier's due date and to every step "
            "with an allotment; unset, the engine's warning_hours applies to the "
            "dossier's due date only."
        ),
    )
    escalate: list[Escalation] = Field(
        default_factory=list, description="Rules the sweep carries out on warnings and overdue."
    )


class Step(_Model):
    """One step of the procedure, held by one agency."""

    id: Identifier
    name: Text = Field(
        description="The step's name on the control slip, sheet and diagrams: 'Tiếp nhận hồ sơ'."
    )
    kind: StepKind = Field(
        description=(
            "reception, review, processing, approval, handoff, applicant or return: "
            "drives the clock, the diagram and the public sheet."
        )
    )
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
    pause_reason: PauseReason | None = Field(
        default=None,
        description=(
            "Applicant steps: why the clock stops there (supplement, financial_obligations, "
            "expert_assessment, verification, violation). Default: supplement."
        ),
    )
    outcomes: dict[TriggerName, Outcome | list[Outcome]] = Field(
        default_factory=dict, description="trigger: next step (or end)."
    )
    warning: WarningMargin | None = Field(
        default=None,
        description="This step's warning margin, overriding the procedure's alerts.warning.",
    )
    assigned_only: bool = Field(
        default=False,
        description=(
            "Only the officer the dossier is assigned to may move it out of this step "
            "(assign it first; the agency and role rules still apply)."
        ),
    )
    note: str | None = Field(
        default=None, description="A remark on the step, shown on the public sheet."
    )

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


RoleRule = list[Identifier] | Literal["any", "step"]
"""Who, within the agency holding the dossier, may take an action: a list of roles,
``step`` (the role the current step names, as for moving the dossier out of it) or
``any`` (any officer of that agency)."""


class Authority(_Model):
    """Who may take the engine's own actions on a dossier, beyond a step's moves.

    Every action is taken by the agency holding the dossier's current step
    (withdrawal may also be recorded at the one-stop desk); these rules say which
    of its officers. The defaults follow the forms: the apology (Form 4 of
    Circular 01/2018, the letter of apology under Circular 03/2025) is signed by
    the head of the agency, and the notice to stop processing that Circular
    03/2025 adds is issued by the head of the agency [source, secondary: see
    docs/engine.md]. ``leader`` is the role the library's procedures give the
    head of an agency.
    """

    stop: RoleRule = Field(
        default=["leader"],
        description="Roles that may stop processing (notice to stop processing).",
    )
    apologise: RoleRule = Field(
        default=["leader"],
        description="Roles that may issue an apology with a new appointment.",
    )
    assign: RoleRule = Field(
        default="any",
        description=(
            "Roles that may assign the dossier to an officer of the holding agency, or "
            "reassign it; 'any' lets an officer take a dossier from the worklist [design]."
        ),
    )
    set_facts: RoleRule = Field(
        default="step",
        description=(
            "Roles that may set the facts that steer branches; 'step': whoever may "
            "move the dossier out of its current step."
        ),
    )


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
            f"due date (provincial practice); at most {MAX_DURATION_YEARS} years."
        ),
        json_schema_extra={"maximum": MAX_DURATION[TimeUnit.WORKING_DAYS]},
    )
    max_supplement_requests: int = Field(
        default=1,
        ge=0,
        description="How many times the agency may ask for a supplement during processing.",
    )
    withdrawal: bool = Field(
        default=True, description="Whether the applicant may withdraw the dossier."
    )
    pause_rounding: Literal["whole_days", "exact"] = Field(
        default="whole_days",
        description=(
            "How a pause (a supplement request, a payment) moves a time limit of whole "
            "days: whole_days moves the due date by the paused working time rounded to "
            "whole working days (half a day or more counts as one) [design]; exact moves "
            "it by the paused working time itself. Limits in hours, fractions of a day "
            "and same-day limits always move by the exact time."
        ),
    )
    result_counts: Literal["ready", "returned"] = Field(
        default="ready",
        description=(
            "Which instant decides whether a dossier was resolved early, on time or "
            "late: ready (the result reached the return step at the desk) or returned "
            "(handed to the applicant). With ready, an applicant who collects the "
            "result days later does not make the agencies late [recalled: see "
            "docs/engine.md]."
        ),
    )
    check_documents: bool = Field(
        default=False,
        description=(
            "Whether receiving a dossier checks the documents handed in against the "
            "required ones for its facts (form and copies) and refuses it, with the list "
            "of what is missing, when one lacks [design: off by default, so desks that "
            "record no documents keep working; Engine.receive(check_documents=) decides "
            "per call]."
        ),
    )
    authority: Authority = Field(
        default_factory=Authority,
        description="Which officers of the holding agency may stop, apologise, set facts.",
    )

    @field_validator("apology_lead_days", mode="before")
    @classmethod
    def _lead_finite(cls, value: Any) -> Any:
        """Refuse ``inf`` or a 5,000-digit lead with the duration message, not a parse error."""
        return _finite_number(value, "an apology lead", TimeUnit.WORKING_DAYS)

    @field_validator("apology_lead_days", mode="after")
    @classmethod
    def _lead_countable(cls, value: int) -> int:
        """Bound the lead like any duration: the engine counts it on the calendar."""
        if value > MAX_DURATION[TimeUnit.WORKING_DAYS]:
            shown: float | str = float(value) if value < 10**300 else str(value)
            raise FieldProblem(
                _too_long(shown, TimeUnit.WORKING_DAYS, "an apology lead"),
                hint="the apology is issued a day or a few days before the due date, e.g. 1",
            )
        return value


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
    name: Text = Field(description="The procedure's name as published, e.g. 'Đăng ký khai sinh'.")
    sector: str | None = Field(default=None, description="Field or sector (lĩnh vực).")
    level: AgencyLevel | None = Field(default=None, description="Level that settles it.")
    legal_basis: list[LegalDocument] = Field(
        default_factory=list, description="The legal texts it rests on (căn cứ pháp lý)."
    )
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
    calendar: Identifier | None = Field(
        default=None,
        description=(
            "The named calendar of the one-stop desk (e.g. a province's, with its local days "
            "off): the statutory due date, the receipt's office hours and the dossier's "
            "warnings are counted on it. The engine must be given a calendar of that name "
            "(--calendar NAME=FILE). When omitted, the engine's default calendar."
        ),
    )
    agencies: list[Agency] = Field(
        min_length=1, description="Every agency taking part; one of them has desk: true."
    )
    start: Identifier | None = Field(
        default=None, description="The first step after receipt; default: the first step listed."
    )
    steps: list[Step] = Field(
        min_length=1,
        description="The steps, in order; a received dossier enters the first (or start).",
    )
    documents: list[Document] = Field(
        default_factory=list, description="What the applicant hands in (thành phần hồ sơ)."
    )
    fees: list[Fee] = Field(
        default_factory=list, description="Fees and charges (phí, lệ phí); none if empty."
    )
    result: Text | None = Field(default=None, description="What the applicant receives.")
    rules: Rules = Field(
        default_factory=Rules,
        description="One-stop rules for this procedure: reappointments, supplements, pauses.",
    )
    alerts: Alerts = Field(
        default_factory=Alerts, description="Warning margins and escalation rules."
    )
    notes: str | None = Field(
        default=None, description="Remarks for authors: sources, standing of the figures."
    )

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
        """The first step with id ``step_id`` (KeyError if none), in O(1).

        A scan per call made the checks quadratic on procedures with
        thousands of steps; the index is built at the first call.
        """
        return _first_by_id(self, "steps", self.steps, step_id)

    def agency(self, agency_id: str) -> Agency:
        """The first agency with id ``agency_id`` (KeyError if none), in O(1)."""
        return _first_by_id(self, "agencies", self.agencies, agency_id)

    @property
    def desk(self) -> Agency:
        """The agency whose one-stop desk receives the dossier."""
        for agency in self.agencies:
            if agency.desk:
                return agency
        return self.agencies[0]

    def durations(self) -> list[tuple[tuple[str | int, ...], Duration]]:
        """Every duration that counts a deadline, with its key path: the time
        limit, each step's allotment, each agency's share (the ones that may
        carry ``cases``)."""
        out: list[tuple[tuple[str | int, ...], Duration]] = [(("time_limit",), self.time_limit)]
        out += [(("steps", i, "time"), s.time) for i, s in enumerate(self.steps) if s.time]
        out += [(("agencies", i, "share"), a.share) for i, a in enumerate(self.agencies) if a.share]
        return out

    @property
    def case_facts(self) -> tuple[str, ...]:
        """The facts any duration's ``cases`` depend on, sorted; empty for
        almost every procedure. Worked out once per instance (the engine asks
        it per version; a copy with other durations works it out again)."""
        cached: tuple[tuple[object, ...], tuple[str, ...]] | None = self.__dict__.get("_case_facts")
        owners = (self.time_limit, self.steps, self.agencies)
        if cached is not None and all(a is b for a, b in zip(cached[0], owners, strict=True)):
            return cached[1]
        names: set[str] = set()
        for _, duration in self.durations():
            names |= duration.facts
        facts = tuple(sorted(names))
        self.__dict__["_case_facts"] = (owners, facts)
        return facts

    def in_force_on(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return not (self.effective_to is not None and day > self.effective_to)


_Item = TypeVar("_Item", Step, Agency)


def _first_by_id(owner: Procedure, name: str, items: list[_Item], item_id: str) -> _Item:
    """``items``' first element with id ``item_id``, through an index kept on ``owner``.

    The index lives in the instance ``__dict__`` (pydantic ignores unknown
    entries there when comparing, dumping and hashing), with the list it was
    built from: a copy whose list was replaced (``model_copy(update=...)``)
    or a list changed in length rebuilds it rather than answering stale.
    """
    slot = f"_index_{name}"
    cached: tuple[list[_Item], int, dict[str, _Item]] | None = owner.__dict__.get(slot)
    if cached is None or cached[0] is not items or cached[1] != len(items):
        index: dict[str, _Item] = {}
        for item in items:
            index.setdefault(item.id, item)
        cached = (items, len(items), index)
        owner.__dict__[slot] = cached
    try:
        return cached[2][item_id]
    except KeyError:
        raise KeyError(item_id) from None
