"""Move in-flight dossiers to a new version of their procedure.

A dossier keeps the version it was received under. When a new decree must
apply to dossiers already in progress, an officer writes a mapping
(:mod:`procflow.versions.mapping`) and runs :func:`migrate`:

1. **Validate** (:func:`check_mapping`), before anything is written: both
   versions are in the catalogue and their windows do not overlap, every
   step some open dossier is in now is mapped, every mapped step exists in
   the old version and every target is a step (not an end) of the new one,
   and the clock stays consistent (a dossier paused waiting for the
   applicant maps to an applicant step that pauses, a running one to a
   step where the clock runs). Any error refuses the whole migration
   (:class:`MigrationRefused`) and nothing is changed.
2. **Run**, one dossier at a time, each in one atomic store call: one
   ``migrated`` event, chained like every other, through ``Store.append``
   with the version read. A dossier someone moves meanwhile is read again
   and retried; one that has meanwhile closed or reached an unmapped step is
   skipped and reported.

The clock carries over: the receipt instant, the working time already used
and the pauses stay; the statutory due date stays unless the mapping says
``keep_due: false`` (then: the new version's time limit counted from the
receipt, pauses applied again). The visit to the old step is closed with the
working time used so far and a visit to the new step opened; the new step's
own deadline is its allotment in the new version counted from when the
dossier entered the old step.

``dry_run=True`` computes exactly the same events and writes none.
"""

from __future__ import annotations

import difflib
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from procflow.catalogue import Catalogue
from procflow.compiler import CompiledProcedure, StateInfo
from procflow.definition.model import ClockPolicy
from procflow.engine import SYSTEM, Actor, Dossier, Engine, EventType
from procflow.engine.timing import Deadline, deadline
from procflow.errors import ConflictError, EngineError, UnknownProcedure
from procflow.findings import Finding, Severity
from procflow.versions.clock import limits_of, recompute_due
from procflow.versions.mapping import MigrationMapping
from procflow.versions.windows import VersionWindow, check_versions

__all__ = [
    "DossierMove",
    "MigrationRefused",
    "MigrationReport",
    "check_mapping",
    "migrate",
    "open_states",
]

MIGRATE_TRIGGER = "migrate"
"""The trigger recorded on the visit a migration closes."""


class MigrationRefused(EngineError):
    """The mapping does not fit the dossiers or the versions: nothing was changed.

    ``findings`` lists every problem, each with the mapping file and line.
    """

    def __init__(self, findings: list[Finding], source: str | None = None) -> None:
        self.findings = findings
        self.source = source
        errors = [f for f in findings if f.is_error] or findings
        head = (
            f"migration refused, nothing was changed: {source or 'mapping'}: {len(errors)} error(s)"
        )
        super().__init__(head + "\n" + "\n".join(str(f) for f in errors))


@dataclass
class DossierMove:
    """What the migration did (or would do) to one dossier."""

    code: str
    from_state: str
    to_state: str | None
    from_agency: str | None
    to_agency: str | None
    due_before: datetime
    due_after: datetime
    step_due_after: datetime | None
    paused: bool
    status: str
    """``migrated``, ``planned`` (dry run), ``skipped`` or ``conflict``."""
    note: str | None = None

    @property
    def due_changed(self) -> bool:
        return self.due_after != self.due_before

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "from_agency": self.from_agency,
            "to_agency": self.to_agency,
            "due_before": self.due_before.isoformat(),
            "due_after": self.due_after.isoformat(),
            "due_changed": self.due_changed,
            "step_due_after": self.step_due_after.isoformat() if self.step_due_after else None,
            "paused": self.paused,
            "status": self.status,
            "note": self.note,
        }


@dataclass
class MigrationReport:
    procedure_id: str
    from_version: str
    to_version: str
    mapping_file: str
    dry_run: bool
    findings: list[Finding] = field(default_factory=list)
    moves: list[DossierMove] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for m in self.moves if m.status == status)

    @property
    def migrated(self) -> int:
        return self.count("migrated")

    @property
    def planned(self) -> int:
        return self.count("planned")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def conflicts(self) -> int:
        return self.count("conflict")

    def by_state(self) -> list[tuple[str, str, int]]:
        """(old step, new step, dossiers), in the mapping's order of first use."""
        counts = Counter(
            (m.from_state, m.to_state or "") for m in self.moves if m.status != "skipped"
        )
        return [(a, b, n) for (a, b), n in counts.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "procedure_id": self.procedure_id,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "mapping": self.mapping_file,
            "dry_run": self.dry_run,
            "migrated": self.migrated,
            "planned": self.planned,
            "skipped": self.skipped,
            "conflicts": self.conflicts,
            "due_changed": sum(1 for m in self.moves if m.due_changed),
            "by_state": [{"from": a, "to": b, "dossiers": n} for a, b, n in self.by_state()],
            "seconds": round(self.seconds, 3),
            "findings": [f.to_dict() for f in self.findings],
            "dossiers": [m.to_dict() for m in self.moves],
        }


def _pauses(info: StateInfo) -> bool:
    return info.is_applicant and info.clock is not ClockPolicy.RUN


def _steps(proc: CompiledProcedure) -> list[str]:
    return [s for s, info in proc.states.items() if not info.terminal]


def _did_you_mean(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    listed = ", ".join(options)
    return (f"did you mean {close[0]!r}? " if close else "") + f"the steps are: {listed}"


def check_mapping(
    mapping: MigrationMapping,
    catalogue: Catalogue,
    states_in_use: Mapping[str, int] | None = None,
) -> list[Finding]:
    """Every problem of ``mapping`` against the catalogue (and, if given, the
    steps open dossiers are in now, with how many dossiers are in each).

    Errors refuse the migration; warnings (a step no dossier is in left
    unmapped, a step the new version no longer times) are reported.
    """
    m = mapping.model
    out: list[Finding] = []
    try:
        versions = {c.version: c for c in catalogue.versions(m.procedure)}
    except UnknownProcedure as exc:
        return [mapping.finding("unknown-procedure", str(exc), ("procedure",))]
    old, new = versions.get(m.from_version), versions.get(m.to_version)
    listed = ", ".join(sorted(versions))
    for key, version, proc in (("from", m.from_version, old), ("to", m.to_version, new)):
        if proc is None:
            out.append(
                mapping.finding(
                    "unknown-version",
                    f"{m.procedure} has no version {version!r} in the catalogue (it has: {listed})",
                    (key,),
                    hint="load the folder with both versions (--procedures), or fix the label",
                )
            )
    if old is None or new is None:
        return out
    if old.version == new.version:
        return [
            mapping.finding(
                "same-version", f"from and to are both {old.version!r}: nothing to migrate", ("to",)
            )
        ]
    for finding in check_versions(VersionWindow.of(c.procedure) for c in versions.values()):
        out.append(
            mapping.finding(
                finding.code,
                finding.message + " (fix the versions before migrating)",
                ("to",),
                hint=finding.hint,
            )
        )

    old_steps, new_steps = _steps(old), _steps(new)
    for state, target in m.states.items():
        path: tuple[str | int, ...] = ("states", state)
        if state not in old.states or old.states[state].terminal:
            out.append(
                mapping.finding(
                    "unknown-step",
                    f"{state!r} is not a step of {m.procedure} version {old.version}",
                    path,
                    hint=_did_you_mean(state, old_steps),
                    prefer_key=True,
                )
            )
            continue
        dest = new.states.get(target.to)
        if dest is None or dest.terminal:
            what = "an end, not a step" if dest is not None else "not a step"
            out.append(
                mapping.finding(
                    "unknown-target",
                    f"states.{state}: {target.to!r} is {what} of {m.procedure} version "
                    f"{new.version}; open dossiers must land in a step",
                    path,
                    hint=_did_you_mean(target.to, new_steps),
                )
            )
            continue
        src = old.states[state]
        if _pauses(src) != _pauses(dest):
            if _pauses(src):
                message = (
                    f"states.{state}: dossiers in {state!r} wait for the applicant with the "
                    f"clock paused, but {target.to!r} is a step where the clock runs"
                )
            else:
                message = (
                    f"states.{state}: dossiers in {state!r} run on the clock, but "
                    f"{target.to!r} is an applicant step that pauses it"
                )
            out.append(
                mapping.finding(
                    "clock-mismatch",
                    message,
                    path,
                    hint="map applicant steps to applicant steps and agency steps to agency "
                    "steps; move the dossier with a trigger after the migration",
                )
            )
        if src.allotment is not None and dest.allotment is None and not dest.is_applicant:
            out.append(
                mapping.finding(
                    "untimed-step",
                    f"states.{state}: {target.to!r} has no time allotment in version "
                    f"{new.version}; the step deadline of dossiers moved there is dropped",
                    path,
                    severity=Severity.WARNING,
                )
            )

    in_use = states_in_use or {}
    for state in old_steps:
        if state in m.states:
            continue
        n = in_use.get(state, 0)
        if n:
            out.append(
                mapping.finding(
                    "unmapped-step",
                    f"{n} open dossier(s) are in step {state!r} of version {old.version}, which "
                    "the mapping does not map",
                    ("states",),
                    hint=f"add '{state}: <step of {new.version}>' under states:",
                    prefer_key=True,
                )
            )
        elif states_in_use is not None:
            out.append(
                mapping.finding(
                    "unmapped-step",
                    f"step {state!r} is not mapped; no open dossier is in it now (one that "
                    "reaches it during the migration is skipped and reported)",
                    ("states",),
                    severity=Severity.WARNING,
                    prefer_key=True,
                )
            )
    return out


def open_states(engine: Engine, mapping: MigrationMapping) -> tuple[list[str], dict[str, int]]:
    """The codes of the open dossiers under the mapping's old version, in receipt
    order, and how many are in each step. Streams the store."""
    codes: list[str] = []
    states: Counter[str] = Counter()
    for d in engine.store.iter_dossier_dicts(open_only=True, procedure_id=mapping.procedure_id):
        if d["procedure_version"] != mapping.from_version or d["status"] != "open":
            continue
        codes.append(d["code"])
        states[d["state"]] += 1
    return codes, dict(states)


def _plan(
    engine: Engine,
    mapping: MigrationMapping,
    old: CompiledProcedure,
    new: CompiledProcedure,
    d: Dossier,
    now: datetime,
    actor: Actor,
) -> tuple[DossierMove, dict[str, Any]] | str:
    """The move of one dossier and its event data, or why it is skipped."""
    if not d.is_open:
        return f"closed meanwhile ({d.outcome})"
    if d.procedure_id != mapping.procedure_id or d.procedure_version != old.version:
        return f"now under version {d.procedure_version}"
    target = mapping.target(d.state)
    if target is None:
        return f"reached step {d.state!r}, which the mapping does not map"
    src, dest = old.states[d.state], new.states[target.to]
    # Each figure on its own calendar: the time used on the step left's agency's,
    # the step entered's deadline on its agency's, a receipt on the desk's.
    old_cals = engine.calendars_of(old.id, old.version)
    new_cals = engine.calendars_of(new.id, new.version)
    cal = old_cals.of_agency(src.agency)
    used = 0.0 if src.is_applicant else cal.working_seconds_between(d.state_entered_at, now)
    entered = d.state_entered_at
    if len(d.visits) == 1:  # still in the step entered at receipt: counted as the receipt is
        entered = new_cals.statutory.received_at(entered)
    dest_cal = new_cals.of_agency(dest.agency)
    # the allotment the dossier's facts choose (a step time with cases)
    allotment = dest.allotment.for_facts(d.facts) if dest.allotment is not None else None
    step_due = deadline(dest_cal, entered, allotment) if allotment is not None else None
    data: dict[str, Any] = {
        "procedure_id": d.procedure_id,
        "from_version": old.version,
        "to_version": new.version,
        "from_state": d.state,
        "to_state": dest.id,
        "to_agency": dest.agency,
        "sender": actor.id,
        "left": {"used_seconds": used, "late_seconds": 0.0},
        "step_due_at": step_due.isoformat() if step_due else None,
        "mapping": {
            "file": mapping.file,
            "reason": mapping.model.reason,
            "basis": mapping.model.basis,
        },
    }
    if target.note:
        data["note"] = target.note
    due = d.due_at
    if not mapping.keep_due(d.state):

        def limit_of(version: str) -> Any:
            return Deadline.of_procedure(engine.catalogue.get(d.procedure_id, version).procedure)

        due = recompute_due(
            new_cals.statutory,
            engine.store.events(d.code),
            limit_of,
            to_version=(new.version, False),
            limit_for=limits_of(engine.catalogue, d.procedure_id),
        )
        if due != d.due_at:
            data["due_at"] = due.isoformat()
            data["previous_due_at"] = d.due_at.isoformat()
    move = DossierMove(
        code=d.code,
        from_state=d.state,
        to_state=dest.id,
        from_agency=src.agency,
        to_agency=dest.agency,
        due_before=d.due_at,
        due_after=due,
        step_due_after=step_due,
        paused=d.is_paused,
        status="planned",
        note=target.note,
    )
    return move, data


def migrate(
    engine: Engine,
    mapping: MigrationMapping,
    *,
    dry_run: bool = False,
    actor: Actor = SYSTEM,
    retries: int = 3,
    on_progress: Callable[[int], None] | None = None,
) -> MigrationReport:
    """Validate ``mapping``, then move every open dossier under its old version.

    Raises :class:`MigrationRefused` (nothing written) when validation finds
    an error. With ``dry_run`` the report lists the moves, status ``planned``,
    and nothing is written. ``on_progress``, if given, is called with the
    number of dossiers handled so far after each one (a progress bar).
    """
    started = time.perf_counter()
    codes, states = open_states(engine, mapping)
    findings = check_mapping(mapping, engine.catalogue, states)
    if any(f.is_error for f in findings):
        raise MigrationRefused(findings, mapping.file)
    old = engine.catalogue.get(mapping.procedure_id, mapping.from_version)
    new = engine.catalogue.get(mapping.procedure_id, mapping.to_version)
    report = MigrationReport(
        mapping.procedure_id, old.version, new.version, mapping.file, dry_run, findings
    )
    now = engine.clock.now()
    for code in codes:
        report.moves.append(_one(engine, mapping, old, new, code, now, actor, dry_run, retries))
        if on_progress is not None:
            on_progress(len(report.moves))
    report.seconds = time.perf_counter() - started
    return report


def _one(
    engine: Engine,
    mapping: MigrationMapping,
    old: CompiledProcedure,
    new: CompiledProcedure,
    code: str,
    now: datetime,
    actor: Actor,
    dry_run: bool,
    retries: int,
) -> DossierMove:
    last: DossierMove | None = None
    for _ in range(max(1, retries)):
        dossier = engine.store.get(code)
        if dossier is None:
            return _skipped(code, "no longer stored")
        planned = _plan(engine, mapping, old, new, dossier, now, actor)
        if isinstance(planned, str):
            return _skipped(code, planned, dossier)
        move, data = planned
        if dry_run:
            return move
        try:
            engine.write_event(new, dossier, EventType.MIGRATED, now, actor, data)
        except ConflictError:
            last = move
            continue  # someone moved it meanwhile: read it again
        move.status = "migrated"
        return move
    assert last is not None
    last.status = "conflict"
    last.note = f"changed by someone else {retries} times while migrating; run again"
    return last


def _skipped(code: str, why: str, d: Dossier | None = None) -> DossierMove:
    epoch = datetime.min
    return DossierMove(
        code=code,
        from_state=d.state if d else "",
        to_state=None,
        from_agency=None,
        to_agency=None,
        due_before=d.due_at if d else epoch,
        due_after=d.due_at if d else epoch,
        step_due_after=None,
        paused=d.is_paused if d else False,
        status="skipped",
        note=why,
    )
