"""The scenario file: what a reform officer says about load and staffing.

A scenario sits next to its procedure and says how many dossiers arrive, how
long each step's work takes, how many officers each agency has, and how often
applicants are asked for more, refused or withdraw. Example::

    simulation: 1
    name: Commune desk, 2026
    procedure: ../child-under-6.yaml
    period: {from: 2026-01-05, to: 2026-12-31}
    seed: 42
    arrivals: {per_working_day: 12, process: poisson}
    officers: {commune-pc: 2, commune-police: 1, social-insurance: 1}
    steps:
      reception: {work: {fixed: 0.25}}
      birth-registration:
        work: {lognormal: {median: 1, p90: 3}}
        supplement: 0.08
        refuse: 0.01
      supplement: {response: {triangular: [4, 16, 40]}}
    withdraw: 0.005

Durations are in working hours (see :mod:`procflow.simulation.distributions`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from procflow.definition.located import validation_findings
from procflow.errors import DefinitionError
from procflow.findings import Finding, Severity
from procflow.simulation.distributions import Distribution


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Model):
    start: dt.date = Field(alias="from", description="First day of the simulation.")
    end: dt.date = Field(alias="to", description="Last day dossiers arrive.")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


class Arrivals(_Model):
    """Dossiers received per working day at the desk."""

    per_working_day: float = Field(gt=0, description="Mean number of dossiers a working day.")
    process: Literal["constant", "poisson"] = Field(
        default="poisson",
        description="poisson: random arrivals around the mean; constant: the mean every day.",
    )
    monthly_profile: dict[int, float] = Field(
        default_factory=dict,
        description="Multiplier per month (1-12), e.g. {1: 1.3, 2: 0.6} for the Tết lull.",
    )

    def rate(self, day: dt.date) -> float:
        return self.per_working_day * self.monthly_profile.get(day.month, 1.0)


class StepLoad(_Model):
    """How one step behaves in the simulation."""

    work: Distribution | None = Field(
        default=None, description="Officer time for an agency step (working hours)."
    )
    response: Distribution | None = Field(
        default=None, description="Applicant's time to answer, for applicant steps (working hours)."
    )
    trigger: str | None = Field(
        default=None,
        description="The trigger fired when the work is done (default: the first forward one).",
    )
    supplement: float = Field(
        default=0.0, ge=0, le=1, description="Chance of asking for more documents."
    )
    refuse: float = Field(
        default=0.0, ge=0, le=1, description="Chance of refusing the dossier here."
    )


class Scenario(_Model):
    simulation: Literal[1] = Field(default=1, description="Version of the scenario language.")
    name: str = Field(default="scenario", description="A name for the results.")
    procedure: str | None = Field(
        default=None,
        description="Path of the procedure file, relative to the scenario file (optional "
        "when the procedure is given on the command line).",
    )
    period: Period | None = Field(default=None, description="{from: date, to: date}.")
    dossiers: int | None = Field(default=None, gt=0, description="Stop after this many arrivals.")
    start: dt.date | None = Field(default=None, description="First day, when no period is given.")
    seed: int = Field(default=0, description="The random seed: the same seed, the same run.")
    arrivals: Arrivals = Field(description="How many dossiers arrive.")
    officers: dict[str, int] = Field(description="Officers per agency (the capacity of its queue).")
    steps: dict[str, StepLoad] = Field(
        default_factory=dict, description="Per step id: its work time and its chances."
    )
    withdraw: float = Field(
        default=0.0, ge=0, le=1, description="Chance per dossier of withdrawal."
    )
    sample_every_hours: float = Field(
        default=7.5, gt=0, description="How often queues are sampled (working hours)."
    )

    @model_validator(mode="after")
    def _bounded(self) -> Scenario:
        if self.period is None and self.dossiers is None:
            raise ValueError("give a period ({from: ..., to: ...}) or a number of dossiers")
        for agency, n in self.officers.items():
            if n < 1:
                raise ValueError(f"officers.{agency}: at least one officer is needed")
        return self

    @property
    def first_day(self) -> dt.date:
        if self.period is not None:
            return self.period.start
        return self.start or dt.date.today()


def read_scenario(path: str | Path, **overrides: Any) -> tuple[Scenario, Path | None]:
    """Read a scenario file; returns it and the procedure file it names (if any).

    Errors carry the file, line and key path, like procedure files.
    """
    from procflow.definition.yamlio import read_yaml

    doc = read_yaml(path)
    file = str(path)
    if any(f.is_error for f in doc.findings):
        raise DefinitionError(doc.findings, source=file)
    data = doc.data if isinstance(doc.data, dict) else {}
    data = {**data, **{k: v for k, v in overrides.items() if v is not None}}
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        findings = validation_findings(
            exc, data, doc.source_map, file, Scenario, what="the scenario"
        )
        raise DefinitionError(findings, source=file) from None
    if scenario.procedure is None:
        return scenario, None
    procedure = (Path(path).parent / scenario.procedure).resolve()
    if not procedure.exists():
        raise DefinitionError(
            [
                Finding(
                    Severity.ERROR,
                    "scenario-procedure-missing",
                    f"procedure file {scenario.procedure!r} not found (looked at {procedure})",
                    file=file,
                    path=("procedure",),
                    hint="give the path relative to the scenario file",
                )
            ],
            source=file,
        )
    return scenario, procedure
