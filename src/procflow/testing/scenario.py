"""The scenario file: a pydantic model of it, and a loader that reports problems by line.

A scenario is a small story told to the real engine: which procedure, which
calendar, when the dossier arrives, who does what and when, and what must be
true after each step. See docs/testing.md for every key with examples.

:func:`load_scenario` reads the file with procflow's strict YAML reader
(:mod:`procflow.definition.yamlio`) and validates it with the models below.
It never raises on a bad file: every problem comes back as a
:class:`~procflow.findings.Finding` with the file, line and key path. The
models keep the :class:`~procflow.definition.yamlio.SourceMap`, so the runner
can say on which line a failing expectation was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from procflow.definition.located import validation_findings
from procflow.definition.model import PauseReason, Rules
from procflow.definition.yamlio import KeyPath, SourceMap, read_yaml
from procflow.findings import Finding, Severity
from procflow.testing.when import Moment, RelativeTime, parse_at, parse_moment

__all__ = [
    "ACTIONS",
    "ERROR_TYPES",
    "ActorSpec",
    "AgencyExpect",
    "ApologiseSpec",
    "CalendarSettings",
    "ErrorExpect",
    "Expect",
    "GuideSpec",
    "LoadedScenario",
    "PauseExpect",
    "ReceiveSpec",
    "RefuseSpec",
    "Scenario",
    "SlipExpect",
    "Step",
    "StepExpect",
    "is_scenario_text",
    "load_scenario",
]

ACTIONS = ("receive", "fire", "apologise", "sweep", "set_facts", "guide", "refuse_at_reception")
"""The actions a step can take (at most one per step; none means: only check)."""

ERROR_TYPES = (
    "NotPermitted",
    "InvalidTrigger",
    "RuleViolation",
    "DossierClosed",
    "DossierNotFound",
    "UnknownProcedure",
    "ConflictError",
    "ProcflowError",
)
"""The engine errors a step may expect (``expect: {error: NotPermitted}``)."""

_SCENARIO_KEY = re.compile(r"^scenario[ \t]*:[ \t]*(?P<value>[^\n]*)$", re.MULTILINE)
_NUMBER = re.compile(r"^[0-9.]+[ \t]*(?:#.*)?$")

TimelinessText = Literal["early", "on_time", "late", "open"]
ShareTimeliness = Literal["early", "on_time", "late"]


def is_scenario_text(text: str) -> bool:
    """Whether YAML text has a top-level ``scenario:`` key holding text.

    ``scenario: 1`` (a number: the simulator's format version) is not a test scenario.
    """
    match = _SCENARIO_KEY.search(text)
    return match is not None and not _NUMBER.match(match["value"].strip())


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _moment(value: Any) -> Moment:
    return parse_moment(value)


def _timeliness(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().lower().replace(" ", "_").replace("-", "_")
    if value is None:
        return "open"
    return value


class ActorSpec(_Model):
    """Who acts: an officer of an agency (``agency`` is what the engine checks)."""

    agency: str = Field(description="the agency the officer acts for, e.g. commune-police")
    id: str | None = Field(None, description="the officer's id (default: the agency id)")
    role: str | None = Field(None, description="the officer's role, e.g. desk-officer, leader")
    name: str | None = Field(None, description="the officer's name (free text)")


class ReceiveSpec(_Model):
    """``receive:`` a complete dossier at the desk: the clock starts."""

    applicant: dict[str, Any] = Field(default_factory=dict, description="who applies")
    facts: dict[str, Any] = Field(default_factory=dict, description="facts steering branches")
    documents: list[str | dict[str, Any]] = Field(
        default_factory=list, description="the documents handed in, recorded on the receipt"
    )
    version: str | None = Field(None, description="the procedure version to receive under")


class ApologiseSpec(_Model):
    """``apologise:`` an apology slip with a new appointment."""

    reason: str = Field(description="why the dossier will be late")
    new_appointment: Moment = Field(
        description="the new date (close of office) or instant promised to the applicant"
    )

    _check_appointment = field_validator("new_appointment", mode="before")(_moment)


class GuideSpec(_Model):
    """``guide:`` incomplete at reception: guidance, no clock (a new dossier code)."""

    missing: list[str] = Field(description="what the applicant must bring")
    reason: str | None = Field(None, description="why the dossier is incomplete")
    applicant: dict[str, Any] = Field(default_factory=dict, description="who applies")


class RefuseSpec(_Model):
    """``refuse_at_reception:`` the desk refuses to receive (a new dossier code)."""

    reason: str = Field(description="why the desk refuses to receive the dossier")
    applicant: dict[str, Any] = Field(default_factory=dict, description="who applies")


class ErrorExpect(_Model):
    """The action must fail with this engine error, and nothing must change."""

    type: str = Field(description="NotPermitted, InvalidTrigger, RuleViolation, DossierClosed...")
    message: str | None = Field(None, description="a fragment the error message must contain")

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        wanted = _norm(value)
        for name in ERROR_TYPES:
            if _norm(name) == wanted:
                return name
        raise ValueError(f"{value!r} is not an engine error; use one of: {', '.join(ERROR_TYPES)}")


def _norm(name: str) -> str:
    return name.replace("-", "").replace("_", "").replace(" ", "").lower()


class StepExpect(_Model):
    """What the control slip must say about one step of the procedure."""

    timeliness: TimelinessText | None = Field(None, description="early, on_time, late or open")
    late_hours: float | None = Field(None, ge=0, description="working hours over the allotment")
    used_hours: float | None = Field(None, ge=0, description="working hours the step took")
    agency: str | None = Field(None, description="the agency that held the step")

    _t = field_validator("timeliness", mode="before")(_timeliness)


class AgencyExpect(_Model):
    """What the control slip must say about one agency.

    ``late_hours``, ``used_hours`` and ``late`` sum its steps' rows (each step
    against its own allotment); ``share_hours``, ``overrun_hours``,
    ``timeliness`` and ``share_from`` are what it is charged, its working time
    across its steps against its share (``AgencyUse`` in
    :mod:`procflow.model.shares`, the figures of the slip's ``agencies``).
    """

    late_hours: float | None = Field(
        None, ge=0, description="working hours over the allotments, over its steps"
    )
    used_hours: float | None = Field(None, ge=0, description="working hours its steps took")
    late: bool | None = Field(None, description="true when it ran over on any step")
    share_hours: float | None = Field(
        None, ge=0, description="its share of the statutory time, in working hours"
    )
    overrun_hours: float | None = Field(
        None,
        ge=0,
        description="working hours charged to it: its use across its steps over its share (net)",
    )
    timeliness: ShareTimeliness | None = Field(
        None, description="early, on_time or late against its share"
    )
    share_from: Literal["share", "steps"] | None = Field(
        None,
        description="share: the procedure's share; steps: the sum of its steps' allotments",
    )

    _t = field_validator("timeliness", mode="before")(_timeliness)


class PauseExpect(_Model):
    """How often, and for how long, the clock stopped for one reason."""

    count: int | None = Field(None, ge=0, description="how many pauses for this reason")
    hours: float | None = Field(
        None, ge=0, description="working hours paused for this reason (pauses ended so far)"
    )


class SlipExpect(_Model):
    """The form the slip a step gave is printed on, by the circular in force on its date."""

    form: str | None = Field(None, description='the form\'s number, e.g. "04"')
    legal_basis: str | None = Field(
        None, description="the circular prescribing it, e.g. 03/2025/TT-VPCP"
    )
    title: str | None = Field(None, description="the form's title in Vietnamese")

    @field_validator("form", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        # YAML reads an unquoted 04 as the number 4: the form is "04".
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:02d}"
        return value


class Expect(_Model):
    """Expectations checked after a step, in the order written."""

    state: str | None = Field(None, description="the step the dossier is in, or its end")
    outcome: str | None = Field(None, description="returned, refused, withdrawn, stopped...")
    holder: str | None = Field(None, description="the agency holding the dossier")
    paused: bool | None = Field(None, description="whether the statutory clock is stopped")
    appointment: Moment | None = Field(None, description="the date promised to the applicant")
    due: Moment | None = Field(None, description="the statutory due date (moves with pauses)")
    step_due: Moment | None = Field(None, description="the current step's own due date")
    timeliness: TimelinessText | None = Field(None, description="early, on_time, late or open")
    supplements: int | None = Field(None, ge=0, description="supplement requests so far")
    apologies: int | None = Field(None, ge=0, description="apology slips so far")
    steps: dict[str, TimelinessText | StepExpect] | None = Field(
        None, description="per step id: its timeliness, or what its control slip row says"
    )
    agencies: dict[str, AgencyExpect] | None = Field(
        None, description="per agency id: what the control slip says of it"
    )
    late_agency: str | list[str] | None = Field(
        None, description="the agencies with late time on the control slip ('none': nobody)"
    )
    pauses: dict[PauseReason, int | PauseExpect] | None = Field(
        None,
        description="per reason the clock stopped for, exactly: how many times, or {count, hours}",
    )
    ready_at: Moment | None = Field(
        None, description="when the result reached the desk's return step (control slip)"
    )
    returned_at: Moment | None = Field(
        None, description="when the result was handed to the applicant (control slip)"
    )
    collection_hours: float | None = Field(
        None,
        ge=0,
        description="collected after the due date: working hours from ready to hand-over",
    )
    unconfirmed_days: list[date] | None = Field(
        None, description="the unconfirmed calendar days the control slip names, exactly"
    )
    slip: SlipExpect | None = Field(
        None, description="the slip this step gave: its form and the circular in force"
    )
    events: list[str] | None = Field(None, description="event types this step emitted, in order")
    history: list[str] | None = Field(None, description="every event type of the dossier so far")
    error: str | ErrorExpect | None = Field(
        None, description="the action must fail: 'NotPermitted' or 'NotPermitted: a fragment'"
    )

    _moments = field_validator(
        "appointment", "due", "step_due", "ready_at", "returned_at", mode="before"
    )(_moment)
    _t = field_validator("timeliness", mode="before")(_timeliness)

    @field_validator("steps", mode="before")
    @classmethod
    def _step_timeliness(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _timeliness(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @field_validator("error", mode="before")
    @classmethod
    def _error(cls, value: Any) -> Any:
        if isinstance(value, str):
            kind, _, fragment = value.partition(":")
            out: dict[str, Any] = {"type": kind.strip()}
            if fragment.strip():
                out["message"] = fragment.strip()
            return out
        return value

    def written(self) -> list[str]:
        """The keys written in the file, in the file's order."""
        return [k for k in type(self).model_fields if k in self.model_fields_set]


class Step(_Model):
    """One step of the story: when, who, one action, what to expect."""

    name: str | None = Field(None, description="a label shown in reports")
    at: Moment | RelativeTime | None = Field(
        None, description="an instant, or '+N working days/hours' after the previous step"
    )
    actor: str | ActorSpec | None = Field(
        None, description="a name from actors:, an agency id, or {agency, id, role}"
    )
    receive: ReceiveSpec | None = Field(
        None, description="receive a complete dossier at the desk (the clock starts)"
    )
    fire: str | None = Field(None, description="the trigger to fire, e.g. forward")
    missing: list[str] = Field(default_factory=list, description="with fire: what is missing")
    note: str | None = Field(None, description="with fire: a note recorded on the event")
    apologise: ApologiseSpec | None = Field(
        None, description="issue an apology slip with a new appointment"
    )
    sweep: bool | None = Field(None, description="run the sweep (warnings, overdue events)")
    set_facts: dict[str, Any] | None = Field(
        None, description="set facts that steer branches, e.g. {needs_verification: true}"
    )
    guide: GuideSpec | None = Field(
        None, description="incomplete at reception: give guidance (no clock)"
    )
    refuse_at_reception: RefuseSpec | None = Field(
        None, description="the desk refuses to receive the dossier"
    )
    expect: Expect | None = Field(None, description="what must be true after this step")

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> Any:
        return None if value is None else parse_at(value)

    @field_validator("receive", mode="before")
    @classmethod
    def _receive(cls, value: Any) -> Any:
        return {} if value is None or value is True else value

    @field_validator("sweep", mode="before")
    @classmethod
    def _sweep(cls, value: Any) -> Any:
        return True if value is None else value

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        actions = self.actions()
        if len(actions) > 1:
            raise ValueError(
                f"a step takes one action, this one has {len(actions)}: {', '.join(actions)}; "
                "split it into several steps"
            )
        if (self.missing or self.note) and self.fire is None:
            raise ValueError("missing: and note: go with fire: (e.g. fire: request_supplement)")
        if self.sweep is False:
            raise ValueError("sweep: takes no value (write 'sweep:' or 'sweep: true')")
        return self

    def actions(self) -> list[str]:
        return [a for a in ACTIONS if a in self.model_fields_set]

    @property
    def action(self) -> str | None:
        actions = self.actions()
        return actions[0] if actions else None

    def label(self, index: int) -> str:
        if self.name:
            return f"step {index + 1} ({self.name})"
        what = self.action
        if what == "fire":
            what = f"fire {self.fire}"
        return f"step {index + 1} ({what or 'expect'})"


class CalendarSettings(_Model):
    """Settings of the calendar the scenario runs on (``WorkCalendar`` arguments)."""

    defer_receipts_outside_hours: bool | None = Field(
        None,
        description="false: a receipt outside office hours counts from its own instant "
        "(default true: from the next opening of office hours)",
    )
    include_unconfirmed: bool | None = Field(
        None, description="false: ignore calendar entries marked confirmed: false"
    )
    cutoff_applies_to_days: bool | None = Field(
        None, description="true: a receipt after the cut-off counts days from the next working day"
    )

    def arguments(self) -> dict[str, Any]:
        """The settings written, as keyword arguments of ``WorkCalendar``."""
        return self.model_dump(exclude_none=True)


class Scenario(_Model):
    """A scenario file."""

    scenario: str = Field(description="what the scenario shows, in one line")
    description: str | None = Field(None, description="more about the story, for readers")
    procedure: str = Field(description="a procedure file (relative to this file) or an id")
    version: str | None = Field(None, description="the procedure version to run")
    calendar: list[str] = Field(
        default_factory=list, description="overlay files on the national calendar"
    )
    national_calendar: bool = Field(True, description="false: only the calendar: files")
    calendar_settings: CalendarSettings | None = Field(
        None,
        description="calendar settings for this run, e.g. {defer_receipts_outside_hours: false}",
    )
    rules: Rules | None = Field(
        None,
        description="procedure rules for this run, laid over the procedure's rules: "
        "(e.g. {result_counts: returned}); the keys a procedure's rules: takes",
    )
    start: datetime = Field(description="when the story starts (the clock's first instant)")
    actors: dict[str, ActorSpec] = Field(
        default_factory=dict, description="names for the officers the steps' actor: refers to"
    )
    steps: list[Step] = Field(min_length=1, description="the story, one action per step")
    tags: list[str] = Field(default_factory=list, description="labels to select scenarios by")

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> Any:
        return parse_moment(value, need_time=True)

    @field_validator("calendar", mode="before")
    @classmethod
    def _calendar(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(f'quote the version: version: "{value}"')
        return value


@dataclass
class LoadedScenario:
    """A scenario file as read: the model (None when unusable), problems, positions."""

    file: str
    scenario: Scenario | None
    findings: list[Finding]
    source_map: SourceMap = field(default_factory=SourceMap, repr=False)
    partial: Scenario | None = field(default=None, repr=False)
    """When the file does not validate only because of some steps: the
    scenario with each of those steps replaced by a no-op (indices kept), so
    the names the other steps use can be checked in the same run."""

    @property
    def ok(self) -> bool:
        return self.scenario is not None and not any(f.is_error for f in self.findings)

    def line(self, path: KeyPath, *, prefer_key: bool | None = None) -> int | None:
        pos = self.source_map.locate(path, prefer_key=prefer_key)
        return pos[0] if pos else None


def load_scenario(path: str | Path, *, text: str | bytes | None = None) -> LoadedScenario:
    """Read and validate one scenario file; never raises on bad content."""
    name = str(path)
    doc = read_yaml(path, text=text)
    if doc.findings:
        return LoadedScenario(name, None, doc.findings, doc.source_map)
    data = doc.data
    if not isinstance(data, dict) or "scenario" not in data:
        pos = doc.source_map.locate(())
        return LoadedScenario(
            name,
            None,
            [
                Finding(
                    Severity.ERROR,
                    "not-a-scenario",
                    "a scenario file is a mapping starting with 'scenario: <what it shows>'",
                    file=name,
                    line=pos[0] if pos else 1,
                    hint="see docs/testing.md for a worked example",
                )
            ],
            doc.source_map,
        )
    value = data.get("scenario")
    if isinstance(value, int | float) and not isinstance(value, bool):
        pos = doc.source_map.locate(("scenario",))
        return LoadedScenario(
            name,
            None,
            [
                Finding(
                    Severity.ERROR,
                    "not-a-scenario",
                    f"'scenario: {value}' is a simulation file (its format number), not a "
                    "test scenario",
                    file=name,
                    line=pos[0] if pos else 1,
                    hint="a test scenario starts with 'scenario: <what it shows>' (text); "
                    "see docs/testing.md",
                )
            ],
            doc.source_map,
        )
    try:
        scenario = Scenario.model_validate(data)
    except pydantic.ValidationError as exc:
        return LoadedScenario(
            name,
            None,
            validation_findings(exc, data, doc.source_map, name, Scenario, what="the scenario"),
            doc.source_map,
            partial=_without_bad_steps(data),
        )
    return LoadedScenario(name, scenario, [], doc.source_map)


_NO_OP: dict[str, Any] = {"sweep": True}
"""What stands in for a step that does not validate: it names nothing."""


def _without_bad_steps(data: dict[str, Any]) -> Scenario | None:
    """The scenario with its invalid steps replaced by no-ops, if that validates."""
    steps = data.get("steps")
    if not isinstance(steps, list):
        return None
    kept: list[Any] = []
    for step in steps:
        try:
            Step.model_validate(step)
        except pydantic.ValidationError:
            kept.append(_NO_OP)
        else:
            kept.append(step)
    try:
        return Scenario.model_validate({**data, "steps": kept})
    except pydantic.ValidationError:
        return None  # the file's other keys are wrong too: they come first


# Make the annotations resolvable for pydantic (Moment is a runtime union).
_ = (date, datetime)
