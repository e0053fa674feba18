"""Compile a checked procedure into a :class:`CompiledProcedure`."""

from __future__ import annotations

from procflow.compiler.compiled import (
    ENGINE_TRIGGERS,
    STOP,
    TERMINAL_IDS,
    WITHDRAW,
    CompiledProcedure,
    MoveKind,
    StateInfo,
    Transition,
)
from procflow.definition.model import ClockPolicy, PauseReason, Procedure, StepKind, Terminal
from procflow.errors import DefinitionError
from procflow.findings import Finding, Severity


def _reserved(trigger: str) -> bool:
    return trigger.strip().lower() in ENGINE_TRIGGERS


def compile_procedure(procedure: Procedure, *, check: bool = True) -> CompiledProcedure:
    """Turn a procedure into lookup tables and a ``transitions`` description.

    With ``check`` (the default) the procedure is first run through
    :func:`procflow.checks.check_procedure`; a procedure with errors is not
    compiled, since the engine would fail on it later and further from the
    cause. Pass ``check=False`` only for procedures already checked.
    """
    if check:
        from procflow.checks import check_procedure

        findings = check_procedure(procedure)
        if any(f.is_error for f in findings):
            raise DefinitionError(findings, source=procedure.key)

    states: dict[str, StateInfo] = {}
    for step in procedure.steps:
        states[step.id] = StateInfo(
            id=step.id,
            agency=step.agency,
            role=step.role,
            kind=step.kind,
            clock=step.clock_policy,
            allotment=step.time,
            to_agency=step.to_agency,
            pause_reason=(
                (step.pause_reason or PauseReason.SUPPLEMENT).value
                if step.kind is StepKind.APPLICANT
                else None
            ),
            warning=step.warning or procedure.alerts.warning,
            assigned_only=step.assigned_only,
        )
    for end in TERMINAL_IDS:
        states[end] = StateInfo(
            id=end,
            agency=None,
            role=None,
            kind=None,
            clock=ClockPolicy.RUN,
            allotment=None,
            terminal=True,
        )

    arrows: list[Transition] = []
    for step in procedure.steps:
        for trigger, outcome in step.branches():
            if _reserved(trigger):
                # The checks refuse it too; this guards procedures compiled with
                # check=False, since a procedure's own "stop" must never pass for
                # the built-in one and inherit who may fire it.
                raise DefinitionError(
                    [
                        Finding(
                            code="trigger-reserved",
                            message=(
                                f"step {step.id!r} defines a trigger {trigger!r}: "
                                f"{', '.join(sorted(ENGINE_TRIGGERS))} are built into "
                                "every step and cannot be redefined"
                            ),
                            severity=Severity.ERROR,
                            file=procedure.key,
                            hint="give the move a name of its own, e.g. 'return-to-desk'",
                        )
                    ],
                    source=procedure.key,
                )
            arrows.append(
                Transition(trigger, step.id, outcome.to, when=outcome.when, unless=outcome.unless)
            )
    # Withdrawal and stopping are possible from every open step; the engine
    # decides who may fire them, by their kind.
    for step in procedure.steps:
        if procedure.rules.withdrawal:
            arrows.append(
                Transition(WITHDRAW, step.id, Terminal.WITHDRAWN.value, kind=MoveKind.WITHDRAW)
            )
        arrows.append(Transition(STOP, step.id, Terminal.STOPPED.value, kind=MoveKind.STOP))

    table: dict[tuple[str, str], tuple[Transition, ...]] = {}
    for arrow in arrows:
        key = (arrow.source, arrow.trigger)
        table[key] = (*table.get(key, ()), arrow)

    return CompiledProcedure(
        procedure=procedure,
        states=states,
        transitions=tuple(arrows),
        initial=procedure.start_step,
        table=table,
    )
