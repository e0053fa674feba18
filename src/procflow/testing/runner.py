"""Run scenario files against the real engine and collect what failed, by line.

Each scenario gets a fresh engine: an in-memory store, the procedure it
names, the calendar it names and a :class:`~procflow.testing.clock.WorkingClock`
starting at ``start:``. Steps run in order; after each, its expectations are
checked in the order written. The first step with a failing expectation ends
the scenario (later steps would only repeat the consequence), with *every*
failing expectation of that step reported: expected, actual, file:line.

Procedures and calendars are loaded once per runner and shared by the
scenarios it runs (they never change after loading).
"""

from __future__ import annotations

import contextlib
import time as _time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from procflow.calendar import WorkCalendar
from procflow.calendar.hours import time_of
from procflow.catalogue import Catalogue
from procflow.compiler import ENGINE_TRIGGERS, STOP, CompiledProcedure, compile_procedure
from procflow.definition.loader import discover, load_procedure
from procflow.definition.model import Rules
from procflow.definition.yamlio import KeyPath
from procflow.engine import Actor, Dossier, Engine, Event, EventType, Timeliness
from procflow.engine.authority import Act, roles_for
from procflow.errors import ProcflowError
from procflow.findings import Finding, Severity
from procflow.model.slips import ControlSlip
from procflow.store import MemoryStore
from procflow.testing.clock import WorkingClock
from procflow.testing.discover import find_scenarios
from procflow.testing.result import Failure, ScenarioResult, Status
from procflow.testing.scenario import (
    ActorSpec,
    AgencyExpect,
    ErrorExpect,
    Expect,
    LoadedScenario,
    PauseExpect,
    Scenario,
    SlipExpect,
    Step,
    StepExpect,
    load_scenario,
)
from procflow.testing.when import Moment, RelativeTime

__all__ = ["ScenarioRunner", "run_scenario"]

HOURS_TOLERANCE = 0.01
"""Hours on the control slip are compared to within 0.01 h (36 s)."""

_NOBODY = frozenset({"none", "nobody", "-"})


class _Stop(Exception):
    """Ends a scenario: a step failed."""


@dataclass
class _Procedure:
    id: str
    versions: list[CompiledProcedure]


class ScenarioRunner:
    """Runs scenario files; caches procedures and calendars between them.

    ``procedures`` are folders (or files) where procedures named by id
    (``procedure: vn.lien-thong.death``) are looked up. Without them, the
    nearest ancestor folder named ``procedures`` of the scenario file is used,
    else the folder above its ``tests`` folder.
    """

    def __init__(self, procedures: Sequence[str | Path] = ()) -> None:
        self.procedures = [Path(p) for p in procedures]
        self._files: dict[tuple[str, int, int], CompiledProcedure | list[Finding]] = {}
        self._folders: dict[tuple[str, ...], dict[str, list[Path]]] = {}
        self._calendars: dict[
            tuple[tuple[str, ...], bool, tuple[tuple[str, Any], ...]], WorkCalendar
        ] = {}

    # --- running ----------------------------------------------------------------

    def run_paths(self, paths: Iterable[str | Path]) -> list[ScenarioResult]:
        """Run every scenario file under ``paths`` (files or folders), sorted."""
        return [self.run_file(p) for p in find_scenarios(paths)]

    def run_file(self, path: str | Path) -> ScenarioResult:
        return self.run(load_scenario(path))

    def run(self, loaded: LoadedScenario) -> ScenarioResult:
        began = _time.perf_counter()
        result = self._run(loaded)
        result.duration = _time.perf_counter() - began
        return result

    def _run(self, loaded: LoadedScenario) -> ScenarioResult:
        name = Path(loaded.file).stem
        scenario = loaded.scenario
        if scenario is None or not loaded.ok:
            problems = list(loaded.findings)
            if loaded.partial is not None:
                problems.extend(self._names_in_valid_steps(loaded, loaded.partial))
            return ScenarioResult(loaded.file, name, Status.ERROR, findings=problems)
        result = ScenarioResult(
            loaded.file,
            scenario.scenario,
            Status.PASSED,
            steps_total=len(scenario.steps),
            line=loaded.line(("scenario",)) or 1,
        )
        findings: list[Finding] = []
        proc = self._procedure(loaded, scenario, findings)
        calendar = self._calendar(loaded, scenario, findings)
        if proc is not None:
            findings.extend(_static_checks(loaded, scenario, proc))
        if findings or proc is None or calendar is None:
            result.status = Status.ERROR
            result.findings = findings
            return result
        run = _Run(loaded, scenario, proc, calendar, result)
        with contextlib.suppress(_Stop):
            run.go()
        if result.failures:
            result.status = Status.FAILED
        elif result.findings:
            result.status = Status.ERROR
        return result

    def _names_in_valid_steps(self, loaded: LoadedScenario, partial: Scenario) -> list[Finding]:
        """Typos in trigger, step and agency names of the steps that did validate,
        reported with the file's other mistakes instead of in a second run.

        Only the unknown-name findings: the rest (a step that needs a dossier
        no earlier step receives) may just follow from a step left out."""
        found: list[Finding] = []  # a procedure that cannot be found or loaded: said too
        proc = self._procedure(loaded, partial, found)
        if proc is not None:
            found.extend(
                f for f in _static_checks(loaded, partial, proc) if f.code.startswith("unknown-")
            )
        return found

    # --- procedures -------------------------------------------------------------

    def _procedure(
        self, loaded: LoadedScenario, scenario: Scenario, findings: list[Finding]
    ) -> _Procedure | None:
        ref = scenario.procedure.strip()
        here = Path(loaded.file).parent

        def problem(code: str, message: str, hint: str | None = None) -> None:
            findings.append(_finding(loaded, ("procedure",), code, message, hint))

        if ref.endswith((".yaml", ".yml")) or "/" in ref:
            path = (here / ref) if not Path(ref).is_absolute() else Path(ref)
            if not path.is_file():
                problem(
                    "unknown-procedure",
                    f"no procedure file {ref!r} (looked for {path})",
                    "give the path relative to this scenario file, e.g. ../death.yaml, "
                    "or the procedure id",
                )
                return None
            compiled = self._load(path, findings)
            versions = [compiled] if compiled is not None else []
        else:
            index = self._index(self._search_paths(here))
            if ref not in index:
                known = ", ".join(sorted(index)) or "none"
                problem(
                    "unknown-procedure",
                    f"no procedure with id {ref!r} (known here: {known})",
                    "check the id, or give the procedure file's path",
                )
                return None
            versions = []
            for path in index[ref]:
                compiled = self._load(path, findings)
                if compiled is not None:
                    versions.append(compiled)
        if findings or not versions:
            return None
        if scenario.rules is not None:
            versions = _with_rules(loaded, scenario.rules, versions, findings)
            if findings:
                return None
        if scenario.version is not None and scenario.version not in {v.version for v in versions}:
            have = ", ".join(sorted(v.version for v in versions))
            findings.append(
                _finding(
                    loaded,
                    ("version",),
                    "unknown-version",
                    f"procedure {versions[0].id!r} has no version {scenario.version!r} "
                    f"(it has: {have})",
                )
            )
            return None
        return _Procedure(versions[0].id, versions)

    def _search_paths(self, here: Path) -> list[Path]:
        if self.procedures:
            return self.procedures
        resolved = here.resolve()
        for folder in (resolved, *resolved.parents):
            if folder.name == "procedures":
                return [folder]
        for folder in (resolved, *resolved.parents):
            if folder.name == "tests":
                return [folder.parent]
        return [resolved]

    def _index(self, paths: list[Path]) -> dict[str, list[Path]]:
        key = tuple(str(p.resolve()) for p in paths)
        index = self._folders.get(key)
        if index is None:
            index = {}
            for path in discover(paths):
                compiled = self._load(path, [])
                if compiled is not None:
                    index.setdefault(compiled.id, []).append(path)
            self._folders[key] = index
        return index

    def _load(self, path: Path, findings: list[Finding]) -> CompiledProcedure | None:
        try:
            stat = path.stat()
        except OSError as exc:
            findings.append(
                Finding(Severity.ERROR, "file-unreadable", f"cannot read {path}: {exc}")
            )
            return None
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(key)
        if cached is None:
            loaded = load_procedure(path)
            if loaded.procedure is None or loaded.errors:
                cached = loaded.errors or loaded.findings
            else:
                cached = compile_procedure(loaded.procedure, check=False)
            self._files[key] = cached
        if isinstance(cached, list):
            findings.extend(cached)
            return None
        return cached

    # --- calendars --------------------------------------------------------------

    def _calendar(
        self, loaded: LoadedScenario, scenario: Scenario, findings: list[Finding]
    ) -> WorkCalendar | None:
        here = Path(loaded.file).parent
        files: list[str] = []
        for i, ref in enumerate(scenario.calendar):
            path = Path(ref) if Path(ref).is_absolute() else here / ref
            if not path.is_file():
                findings.append(
                    _finding(
                        loaded,
                        ("calendar", i),
                        "unknown-calendar",
                        f"no calendar file {ref!r} (looked for {path})",
                        "give the overlay's path relative to this scenario file",
                    )
                )
                continue
            files.append(str(path.resolve()))
        if findings:
            return None
        given = scenario.calendar_settings
        settings = given.arguments() if given is not None else {}
        key = (tuple(files), scenario.national_calendar, tuple(sorted(settings.items())))
        calendar = self._calendars.get(key)
        if calendar is None:
            try:
                if scenario.national_calendar:
                    calendar = WorkCalendar.vietnam(files or None, **settings)
                elif files:
                    calendar = WorkCalendar.from_files(*files, **settings)
                else:
                    calendar = WorkCalendar(country="VN", **settings)
            except ProcflowError as exc:
                findings.append(_finding(loaded, ("calendar",), "bad-calendar", str(exc)))
                return None
            self._calendars[key] = calendar
        return calendar


def _with_rules(
    loaded: LoadedScenario,
    rules: Rules,
    versions: list[CompiledProcedure],
    findings: list[Finding],
) -> list[CompiledProcedure]:
    """Each version with the scenario's ``rules:`` laid over its own.

    Only the keys the scenario writes replace the procedure's; the procedure
    is checked again with them (a rule may name roles the procedure lacks),
    so the scenario runs only a procedure the loader would have accepted.
    """
    from procflow.checks import check_procedure

    written = {k: getattr(rules, k) for k in rules.model_fields_set}
    out: list[CompiledProcedure] = []
    for compiled in versions:
        base = compiled.procedure
        procedure = base.model_copy(update={"rules": base.rules.model_copy(update=written)})
        errors = [f for f in check_procedure(procedure) if f.is_error]
        for problem in errors:
            findings.append(
                _finding(
                    loaded,
                    ("rules",),
                    "bad-rules",
                    f"with the scenario's rules, {base.id} version {base.version}: "
                    f"{problem.message}",
                    problem.hint,
                )
            )
        if not errors:
            out.append(compile_procedure(procedure, check=False))
    return out


def run_scenario(path: str | Path, *, procedures: Sequence[str | Path] = ()) -> ScenarioResult:
    """Run one scenario file with a fresh runner."""
    return ScenarioRunner(procedures).run_file(path)


# --- static checks against the procedure ------------------------------------------------


def _finding(
    loaded: LoadedScenario,
    path: KeyPath,
    code: str,
    message: str,
    hint: str | None = None,
    *,
    prefer_key: bool | None = None,
) -> Finding:
    pos = loaded.source_map.locate(path, prefer_key=prefer_key)
    return Finding(
        Severity.ERROR,
        code,
        message,
        file=loaded.file,
        line=pos[0] if pos else None,
        column=pos[1] if pos else None,
        path=path,
        hint=hint,
    )


def _static_checks(loaded: LoadedScenario, scenario: Scenario, proc: _Procedure) -> list[Finding]:
    """Names the scenario uses must exist in the procedure: catch typos before running."""
    out: list[Finding] = []
    triggers = sorted({t.trigger for v in proc.versions for t in v.transitions})
    states = sorted({s for v in proc.versions for s in v.states})
    agencies = sorted({a for v in proc.versions for a in v.agencies})
    event_types = [t.value for t in EventType]

    def check(value: str, known: list[str], path: KeyPath, what: str) -> None:
        if value not in known:
            out.append(
                _finding(
                    loaded,
                    path,
                    f"unknown-{what.replace(' ', '-')}",
                    f"{proc.id} has no {what} {value!r}",
                    f"use one of: {', '.join(known)}",
                )
            )

    def check_actor(spec: ActorSpec, path: KeyPath) -> None:
        check(spec.agency, agencies, (*path, "agency"), "agency")

    for name, spec in scenario.actors.items():
        check_actor(spec, ("actors", name))
    received = False
    for i, step in enumerate(scenario.steps):
        at: KeyPath = ("steps", i)
        expect = step.expect
        expects_invalid = (
            expect is not None
            and isinstance(expect.error, ErrorExpect)
            and expect.error.type in ("InvalidTrigger", "ProcflowError")
        )
        if isinstance(step.actor, ActorSpec):
            check_actor(step.actor, (*at, "actor"))
        elif (
            isinstance(step.actor, str)
            and step.actor not in scenario.actors
            and step.actor not in agencies
        ):
            out.append(
                _finding(
                    loaded,
                    (*at, "actor"),
                    "unknown-actor",
                    f"{step.actor!r} is neither a name under actors: nor an agency of {proc.id}",
                    f"agencies: {', '.join(agencies)}; names: "
                    f"{', '.join(scenario.actors) or 'none declared'}",
                )
            )
        if step.fire is not None and not expects_invalid:
            check(step.fire, triggers, (*at, "fire"), "trigger")
        action = step.action
        if action in ("receive", "guide", "refuse_at_reception"):
            received = True
        needs_dossier = action in ("fire", "apologise", "set_facts") or (
            expect is not None and _dossier_keys(expect)
        )
        if needs_dossier and not received:
            out.append(
                _finding(
                    loaded,
                    at,
                    "no-dossier-yet",
                    "this step needs a dossier, but no earlier step receives one",
                    "start with a step '- receive:' (or guide: / refuse_at_reception:)",
                )
            )
        if expect is None:
            continue
        ex: KeyPath = (*at, "expect")
        if expect.state is not None:
            check(expect.state, states, (*ex, "state"), "step or end")
        if expect.holder is not None:
            check(expect.holder, agencies, (*ex, "holder"), "agency")
        for key in expect.steps or {}:
            check(key, states, (*ex, "steps", key), "step")
            value = (expect.steps or {})[key]
            if isinstance(value, StepExpect) and value.agency is not None:
                check(value.agency, agencies, (*ex, "steps", key, "agency"), "agency")
        for key in expect.agencies or {}:
            check(key, agencies, (*ex, "agencies", key), "agency")
        for j, agency in enumerate(_late_agencies(expect.late_agency)):
            path = (
                (*ex, "late_agency")
                if isinstance(expect.late_agency, str)
                else (
                    *ex,
                    "late_agency",
                    j,
                )
            )
            check(agency, agencies, path, "agency")
        for key in ("events", "history"):
            for j, kind in enumerate(getattr(expect, key) or []):
                if kind not in event_types:
                    out.append(
                        _finding(
                            loaded,
                            (*ex, key, j),
                            "unknown-event",
                            f"{kind!r} is not an event type",
                            f"use one of: {', '.join(event_types)}",
                        )
                    )
    return out


_DOSSIER_KEYS = (
    "state",
    "outcome",
    "holder",
    "paused",
    "appointment",
    "due",
    "step_due",
    "timeliness",
    "supplements",
    "apologies",
    "steps",
    "agencies",
    "late_agency",
    "history",
    "pauses",
    "ready_at",
    "returned_at",
    "collection_hours",
    "unconfirmed_days",
)


def _dossier_keys(expect: Expect) -> list[str]:
    return [k for k in expect.written() if k in _DOSSIER_KEYS]


def _late_agencies(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [a for a in items if a.strip().lower() not in _NOBODY]


# --- one run --------------------------------------------------------------------------


def _show_moment(value: datetime | None, tz: Any) -> str:
    if value is None:
        return "none"
    local = value.astimezone(tz)
    return f"{local.date().isoformat()} {local:%H:%M} ({local.isoformat()})"


def _hours(value: float) -> str:
    return f"{value:g} h"


class _Run:
    def __init__(
        self,
        loaded: LoadedScenario,
        scenario: Scenario,
        proc: _Procedure,
        calendar: WorkCalendar,
        result: ScenarioResult,
    ) -> None:
        self.loaded = loaded
        self.scenario = scenario
        self.proc = proc
        self.cal = calendar
        self.result = result
        start = scenario.start
        if start.tzinfo is None:
            start = calendar.localize(start)
        self.clock = WorkingClock(start, calendar)
        catalogue = Catalogue(proc.versions)
        self.engine = Engine(MemoryStore(compress_closed=False), catalogue, calendar, self.clock)
        self.emitted: list[Event] = []
        self.engine.subscribe(lambda event, _dossier: self.emitted.append(event))
        self.code: str | None = None
        self.slip: Any = None
        """The slip the current step's action gave (receipt, guidance, refusal,
        apology, stop notice), for ``expect: slip:``."""

    # --- helpers ----------------------------------------------------------------

    def line(self, path: KeyPath, prefer_key: bool | None = None) -> int | None:
        return self.loaded.line(path, prefer_key=prefer_key)

    def fail(
        self,
        path: KeyPath,
        label: str,
        what: str,
        expected: str,
        actual: str,
        message: str = "",
        prefer_key: bool | None = True,
    ) -> None:
        self.result.failures.append(
            Failure(
                self.loaded.file,
                self.line(path, prefer_key),
                label,
                what,
                expected,
                actual,
                message,
            )
        )

    def localize(self, value: datetime) -> datetime:
        return self.cal.localize(value) if value.tzinfo is None else value

    def close_of_office(self, day: date) -> datetime:
        return datetime.combine(day, time_of(self.cal.hours.closing), tzinfo=self.cal.tz)

    # --- the story --------------------------------------------------------------

    def go(self) -> None:
        for i, step in enumerate(self.scenario.steps):
            self.step(i, step)
            self.result.steps_run = i + 1
            if self.result.failures:
                raise _Stop
        report = self.engine.verify()
        if not report.ok:
            self.fail(
                ("scenario",),
                "after the last step",
                "verify",
                "the event log replays to the stored state",
                "; ".join(report.problems),
            )

    def step(self, i: int, step: Step) -> None:
        at: KeyPath = ("steps", i)
        label = step.label(i)
        if step.at is not None:
            try:
                self.move_clock(step.at)
            except ProcflowError as exc:
                self.fail((*at, "at"), label, "at", str(step.at), str(exc), prefer_key=False)
                raise _Stop from None
        self.emitted.clear()
        self.slip = None
        error: Exception | None = None
        try:
            self.act(i, step)
        except ProcflowError as exc:
            error = exc
        except Exception as exc:  # a bug: report it like a failure, with its type
            self.fail(
                at,
                label,
                step.action or "expect",
                "the action to complete",
                f"{type(exc).__name__}: {exc}",
                "procflow raised an unexpected exception",
            )
            raise _Stop from None
        expect = step.expect
        wanted = expect.error if expect is not None else None
        if error is not None and wanted is None:
            self.fail(
                at,
                label,
                step.action or "expect",
                "the action to succeed",
                f"{type(error).__name__}: {error}",
                "the engine refused the action (add 'expect: {error: "
                f"{type(error).__name__}}}' if that is the point)",
            )
            raise _Stop
        if expect is None:
            return
        for key in expect.written():
            self.check(i, label, key, expect, error)

    def move_clock(self, when: Moment | RelativeTime) -> None:
        clock = self.clock
        if isinstance(when, RelativeTime):
            amount = when.amount
            unit = when.unit
            if unit == "working_days":
                target = clock.shifted(working_days=amount)
            elif unit == "working_hours":
                target = clock.shifted(working_hours=amount)
            elif unit == "working_minutes":
                target = clock.shifted(working_minutes=amount)
            else:
                target = clock.shifted(timedelta(**{unit: amount}))
            if when.at is not None:  # that day, at that time of day
                target = target.replace(
                    hour=when.at.hour, minute=when.at.minute, second=0, microsecond=0
                )
            clock.set(target)
            return
        if isinstance(when, datetime):
            clock.set(self.localize(when))
            return
        clock.set(self.close_of_office(when))  # pragma: no cover - parse_at needs a time

    def actor(self, step: Step, *, agency: str | None = None, role: str | None = None) -> Actor:
        spec = step.actor
        if isinstance(spec, str):
            named = self.scenario.actors.get(spec)
            if named is not None:
                spec = named
            else:  # an agency id: an officer of it with the role the step needs
                return Actor(spec, spec, role if spec == agency else None)
        if isinstance(spec, ActorSpec):
            return Actor(spec.id or spec.agency, spec.agency, spec.role, spec.name)
        if agency is None:
            raise ProcflowError("no agency holds the dossier; name the actor: with actor:")
        return Actor(role or agency, agency, role)

    def dossier(self) -> Dossier:
        if self.code is None:
            raise ProcflowError("no dossier yet: receive one first")
        return self.engine.get(self.code)

    def holder(self, act: Act = Act.MOVE) -> tuple[str | None, str | None]:
        """The agency holding the dossier, and the role an officer of it needs
        for ``act`` (the first the procedure allows; None when any will do)."""
        dossier = self.dossier()
        proc = self.engine.procedure_of(dossier)
        info = proc.states[dossier.state]
        roles = roles_for(proc, info, act)
        return (info.agency or dossier.desk_agency), (min(roles) if roles else None)

    def act(self, i: int, step: Step) -> None:
        engine = self.engine
        action = step.action
        version = self.scenario.version
        if action in ("receive", "guide", "refuse_at_reception"):
            spec_version = step.receive.version if step.receive is not None else None
            compiled = self.compiled_for_receipt(spec_version or version)
            first = compiled.states[compiled.initial] if compiled else None
            desk = compiled.procedure.desk.id if compiled else None
            actor = self.actor(step, agency=desk, role=first.role if first else None)
            if step.receive is not None:
                r = step.receive
                slip = engine.receive(
                    self.proc.id,
                    actor=actor,
                    applicant=r.applicant,
                    documents=r.documents,
                    facts=r.facts,
                    version=spec_version or version,
                )
                self.code = slip.code
                self.slip = slip
            elif step.guide is not None:
                g = step.guide
                guided = engine.guide(
                    self.proc.id,
                    actor=actor,
                    missing=g.missing,
                    reason=g.reason,
                    applicant=g.applicant,
                )
                self.code = guided.code
                self.slip = guided
            elif step.refuse_at_reception is not None:
                f = step.refuse_at_reception
                refused = engine.refuse_at_reception(
                    self.proc.id, actor=actor, reason=f.reason, applicant=f.applicant
                )
                self.code = refused.code
                self.slip = refused
            return
        if action == "sweep":
            engine.sweep()
            return
        if action is None:
            return
        act = {"apologise": Act.APOLOGISE, "set_facts": Act.SET_FACTS}.get(action, Act.MOVE)
        if action == "fire" and step.fire in ENGINE_TRIGGERS:
            act = Act.STOP if step.fire == STOP else Act.WITHDRAW
        agency, role = self.holder(act)
        actor = self.actor(step, agency=agency, role=role)
        code = self.code
        assert code is not None  # holder() checked it
        if action == "fire":
            assert step.fire is not None
            engine.fire(code, step.fire, actor, note=step.note, missing=step.missing)
            if act in (Act.STOP, Act.WITHDRAW):
                self.slip = engine.stop_notice(code)
        elif action == "apologise":
            assert step.apologise is not None
            new = step.apologise.new_appointment
            when = self.localize(new) if isinstance(new, datetime) else self.close_of_office(new)
            self.slip = engine.apologise(
                code, actor, reason=step.apologise.reason, new_appointment=when
            )
        elif action == "set_facts":
            assert step.set_facts is not None
            engine.set_facts(code, step.set_facts, actor)

    def compiled_for_receipt(self, version: str | None) -> CompiledProcedure | None:
        try:
            if version is not None:
                return self.engine.catalogue.get(self.proc.id, version)
            day = self.clock.now().astimezone(self.cal.tz).date()
            return self.engine.catalogue.in_force(self.proc.id, day)
        except ProcflowError:
            return None  # the engine will say why when it receives

    # --- expectations -----------------------------------------------------------

    def check(self, i: int, label: str, key: str, expect: Expect, error: Exception | None) -> None:
        path: KeyPath = ("steps", i, "expect", key)
        value = getattr(expect, key)

        def fail(expected: str, actual: str, message: str = "", where: KeyPath = path) -> None:
            self.fail(
                where,
                label,
                key if where == path else _dotted(where[3:]),
                expected,
                actual,
                message,
            )

        if key == "error":
            assert isinstance(value, ErrorExpect)
            self.check_error(value, error, fail)
            return
        if key == "events":
            actual_events = [
                e.type.value for e in self.emitted if self.code is None or e.code == self.code
            ]
            if actual_events != list(value):
                fail(_list(value), _list(actual_events))
            return
        if key == "slip":
            self.check_slip(value, fail)
            return
        try:
            dossier = self.dossier()
        except ProcflowError as exc:
            fail(str(value), str(exc))
            return
        if key in ("state", "outcome", "holder", "paused", "supplements", "apologies"):
            actual: Any = {
                "state": dossier.state,
                "outcome": dossier.outcome,
                "holder": dossier.holder,
                "paused": dossier.is_paused,
                "supplements": dossier.supplements,
                "apologies": dossier.apologies,
            }[key]
            if actual != value:
                fail(_text(value), _text(actual))
        elif key in ("appointment", "due", "step_due"):
            instant = {
                "appointment": dossier.appointment,
                "due": dossier.due_at,
                "step_due": dossier.step_due_at,
            }[key]
            self.check_moment(value, instant, fail)
        elif key == "timeliness":
            got = dossier.timeliness.value if dossier.timeliness else "open"
            if got != value:
                fail(value, got)
        elif key == "history":
            kinds = [e.type.value for e in self.engine.history(dossier.code)]
            if kinds != list(value):
                fail(_list(value), _list(kinds))
        elif key in ("steps", "agencies", "late_agency"):
            slip = self.engine.control_slip(dossier.code)
            if key == "steps":
                for step_id, wanted in value.items():
                    self.check_step(step_id, wanted, slip.rows, (*path, step_id), fail)
            elif key == "agencies":
                for agency, wanted in value.items():
                    self.check_agency(agency, wanted, slip, (*path, agency), fail)
            else:
                wanted_set = sorted(set(_late_agencies(value)))
                late_set = sorted(a for a, row in slip.per_agency.items() if row["late_hours"] > 0)
                if wanted_set != late_set:
                    detail = ", ".join(
                        f"{a} {_hours(slip.per_agency[a]['late_hours'])}" for a in late_set
                    )
                    fail(
                        ", ".join(wanted_set) or "nobody late",
                        (", ".join(late_set) + f" (late: {detail})") if late_set else "nobody late",
                    )

        elif key == "pauses":
            self.check_pauses(value, dossier.pauses, path, fail)
        elif key in ("ready_at", "returned_at", "collection_hours", "unconfirmed_days"):
            slip = self.engine.control_slip(dossier.code)
            if key == "ready_at":
                self.check_moment(value, slip.ready_at, fail)
            elif key == "returned_at":
                self.check_moment(value, slip.returned_at, fail)
            elif key == "collection_hours":
                seconds = slip.collection_seconds
                if seconds is None:
                    fail(_hours(value), "none (not collected after the due date)")
                elif abs(seconds / 3600 - value) > HOURS_TOLERANCE:
                    fail(_hours(value), _hours(seconds / 3600))
            else:
                days = [u.date for u in slip.unconfirmed_days]
                if days != list(value):
                    fail(
                        _list([d.isoformat() for d in value]),
                        _list([u.describe() for u in slip.unconfirmed_days]),
                    )

    def check_agency(
        self, agency: str, wanted: AgencyExpect, slip: ControlSlip, where: KeyPath, fail: Any
    ) -> None:
        """The agency's rows summed (``late_hours``, ``used_hours``, ``late``),
        then what it is charged against its share (the slip's ``agencies``)."""
        row = slip.per_agency.get(agency, {"used_hours": 0.0, "late_hours": 0.0})
        late = row["late_hours"]
        if wanted.late_hours is not None and abs(late - wanted.late_hours) > HOURS_TOLERANCE:
            fail(_hours(wanted.late_hours), _hours(late), "late hours", where)
        used = row["used_hours"]
        if wanted.used_hours is not None and abs(used - wanted.used_hours) > HOURS_TOLERANCE:
            fail(_hours(wanted.used_hours), _hours(used), "used hours", where)
        if wanted.late is not None and (late > 0) != wanted.late:
            fail(
                "late" if wanted.late else "not late",
                f"late by {_hours(late)}" if late > 0 else "not late",
                where=where,
            )
        share_keys = ("share_hours", "overrun_hours", "timeliness", "share_from")
        if not any(getattr(wanted, k) is not None for k in share_keys):
            return
        use = next((u for u in slip.agencies if u.agency == agency), None)
        if use is None:
            fail(
                "its share figures",
                f"none: {agency} has left none of its counted steps yet",
                "share",
                where,
            )
            return
        share = None if use.share_seconds is None else use.share_seconds / 3600
        if wanted.share_hours is not None and (
            share is None or abs(share - wanted.share_hours) > HOURS_TOLERANCE
        ):
            shown = "none (calendar days are not working time)" if share is None else _hours(share)
            fail(_hours(wanted.share_hours), shown, "share hours", where)
        overrun = use.overrun_seconds / 3600
        if wanted.overrun_hours is not None and abs(overrun - wanted.overrun_hours) > (
            HOURS_TOLERANCE
        ):
            fail(
                _hours(wanted.overrun_hours),
                f"{_hours(overrun)} (used {_hours(use.used_seconds / 3600)} "
                f"of {_hours(share) if share is not None else 'no share'})",
                "over-run hours",
                where,
            )
        got = use.timeliness.value if use.timeliness is not None else "not judged (no share)"
        if wanted.timeliness is not None and got != wanted.timeliness:
            fail(wanted.timeliness, got, "timeliness against its share", where)
        if wanted.share_from is not None and use.share_from != wanted.share_from:
            fail(wanted.share_from, _text(use.share_from), "share from", where)

    def check_pauses(
        self,
        wanted: dict[str, int | PauseExpect],
        actual: dict[str, dict[str, float]],
        path: KeyPath,
        fail: Any,
    ) -> None:
        """The reasons the clock stopped for, exactly; per reason its count and hours."""
        names = sorted(str(r) for r in wanted)
        if names != sorted(actual):
            fail(_list(names), _list(sorted(actual)) if actual else "no pause")
            return
        for reason, spec in wanted.items():
            got = actual[str(reason)]
            where = (*path, str(reason))
            count = spec if isinstance(spec, int) else spec.count
            if count is not None and got["count"] != count:
                fail(str(count), f"{got['count']:g}", "count", where)
            hours = None if isinstance(spec, int) else spec.hours
            if hours is not None and abs(got["seconds"] / 3600 - hours) > HOURS_TOLERANCE:
                fail(_hours(hours), _hours(got["seconds"] / 3600), "hours", where)

    def check_slip(self, wanted: SlipExpect, fail: Any) -> None:
        """The form the step's slip is printed on (Circular 01/2018 or 03/2025 by its date)."""
        slip = self.slip
        if slip is None:
            fail(
                "a slip",
                "this step gave none",
                "slips come from receive, guide, refuse_at_reception, apologise, "
                "and fire: stop / withdraw (the notice to stop processing)",
            )
            return
        kind = type(slip).__name__
        for attr, label in (("form", "form"), ("legal_basis", "legal basis")):
            expected = getattr(wanted, attr)
            actual = getattr(slip, attr)
            if expected is not None and actual != expected:
                shown = actual or "none (no such form under the circular in force)"
                fail(expected, f"{shown} ({kind})", label)
        if wanted.title is not None and slip.form_title != wanted.title:
            fail(wanted.title, f"{_text(slip.form_title)} ({kind})", "form title")

    def check_error(self, wanted: ErrorExpect, error: Exception | None, fail: Any) -> None:
        expected = wanted.type + (f" containing {wanted.message!r}" if wanted.message else "")
        if error is None:
            fail(expected, "the action succeeded")
            return
        names = [cls.__name__ for cls in type(error).__mro__]
        wrong_text = wanted.message and wanted.message.lower() not in str(error).lower()
        if wanted.type not in names or wrong_text:
            fail(expected, f"{type(error).__name__}: {error}")

    def check_moment(self, wanted: Moment, instant: datetime | None, fail: Any) -> None:
        tz = self.cal.tz
        if instant is None:
            fail(wanted.isoformat(), "none")
            return
        if isinstance(wanted, datetime):
            if self.localize(wanted) != instant:
                fail(_show_moment(self.localize(wanted), tz), _show_moment(instant, tz))
        elif instant.astimezone(tz).date() != wanted:
            fail(wanted.isoformat(), _show_moment(instant, tz))

    def check_step(
        self,
        step_id: str,
        wanted: str | StepExpect,
        rows: list[Any],
        where: KeyPath,
        fail: Any,
    ) -> None:
        matching = [r for r in rows if r.step == step_id]
        if not matching:
            fail("a visit to step " + repr(step_id), "the dossier was never in it", where=where)
            return
        row = matching[-1]
        spec = (
            wanted
            if isinstance(wanted, StepExpect)
            else StepExpect.model_validate({"timeliness": wanted})
        )
        got = row.timeliness.value if isinstance(row.timeliness, Timeliness) else "open"
        if spec.timeliness is not None and got != spec.timeliness:
            late = f", {_hours(row.late_working_hours)} late" if row.late_working_hours else ""
            fail(spec.timeliness, f"{got}{late}", "timeliness", where)
        if spec.late_hours is not None and abs(row.late_working_hours - spec.late_hours) > (
            HOURS_TOLERANCE
        ):
            fail(_hours(spec.late_hours), _hours(row.late_working_hours), "late hours", where)
        if spec.used_hours is not None and abs(row.used_working_hours - spec.used_hours) > (
            HOURS_TOLERANCE
        ):
            fail(_hours(spec.used_hours), _hours(row.used_working_hours), "used hours", where)
        if spec.agency is not None and row.from_agency != spec.agency:
            fail(spec.agency, str(row.from_agency), "agency", where)


def _dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(values) + "]"
