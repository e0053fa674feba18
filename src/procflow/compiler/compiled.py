"""A procedure compiled for running: states, triggers and time allotments.

A :class:`CompiledProcedure` is built once per procedure version and shared by
every dossier received under that version. It holds a description a
``transitions.Machine`` accepts (for diagrams and for anyone who wants the
machine) and, for the engine, plain lookup tables: a dossier is a row of data,
not a Python object with a machine bound to it, so the cost per dossier is the
cost of its row (a ``transitions.Machine`` per dossier costs ~100 KiB).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from procflow.definition.model import (
    ClockPolicy,
    Duration,
    Procedure,
    StepKind,
    Terminal,
    WarningMargin,
)

if TYPE_CHECKING:
    from transitions.core import Machine

#: Triggers the compiler adds to every open state, outside the procedure's own.
#: Their names are reserved: a procedure cannot define a trigger called so.
WITHDRAW = "withdraw"
STOP = "stop"
ENGINE_TRIGGERS = frozenset({WITHDRAW, STOP})


class MoveKind(enum.StrEnum):
    """What a move is, which decides who may make it (never its name).

    Authority follows the kind: a procedure's own move is made by the holder of
    the step it leaves (with the step's role), a withdrawal is recorded by the
    desk or the holder, and stopping is the head of the holding agency's act.
    """

    STEP = "step"
    """A move the procedure defines."""
    WITHDRAW = "withdraw"
    """The applicant withdraws the dossier (built in)."""
    STOP = "stop"
    """The agency stops processing (built in; notice to stop processing)."""


@dataclass(frozen=True, slots=True)
class StateInfo:
    """What the engine needs to know about one state (a step or an end)."""

    id: str
    agency: str | None
    role: str | None
    kind: StepKind | None
    clock: ClockPolicy
    allotment: Duration | None
    to_agency: str | None = None
    terminal: bool = False
    pause_reason: str | None = None
    """Applicant steps: why the clock stops there (PauseReason's value)."""
    warning: WarningMargin | None = None
    """How long before the step's deadline the sweep warns (None: no step warning)."""
    assigned_only: bool = False
    """Only the officer the dossier is assigned to may move it out of the step."""

    @property
    def is_applicant(self) -> bool:
        return self.kind is StepKind.APPLICANT


@dataclass(frozen=True, slots=True)
class Transition:
    """One arrow: ``trigger`` from ``source`` to ``dest``, maybe conditional.

    ``when``/``unless`` name boolean facts of the dossier. Branches of one
    trigger are tried in file order and the first whose conditions hold wins,
    exactly as ``transitions`` does.
    """

    trigger: str
    source: str
    dest: str
    when: str | None = None
    unless: str | None = None
    kind: MoveKind = MoveKind.STEP

    def applies(self, facts: dict[str, Any]) -> bool:
        if self.when is not None and not facts.get(self.when):
            return False
        return not (self.unless is not None and facts.get(self.unless))


@dataclass(frozen=True)
class CompiledProcedure:
    """A procedure version, ready to run dossiers."""

    procedure: Procedure
    states: dict[str, StateInfo]
    transitions: tuple[Transition, ...]
    initial: str
    table: dict[tuple[str, str], tuple[Transition, ...]] = field(repr=False)

    # Kept once read (an attribute after the first): a receipt reads both a few times.
    @cached_property
    def id(self) -> str:
        return self.procedure.id

    @cached_property
    def version(self) -> str:
        return self.procedure.version

    # Read once per receipt or supplement request: each read of a field of the
    # procedure's (pydantic) model goes through the model's __getattr__ hook.
    @cached_property
    def desk_id(self) -> str:
        """The agency whose one-stop desk receives the dossiers."""
        return self.procedure.desk.id

    @cached_property
    def max_supplement_requests(self) -> int:
        """``rules.max_supplement_requests`` of the procedure."""
        return self.procedure.rules.max_supplement_requests

    @property
    def key(self) -> str:
        return self.procedure.key

    def triggers(self, state: str) -> list[str]:
        """Triggers that can be fired from ``state``, in file order."""
        seen: dict[str, None] = {}
        for t in self.transitions:
            if t.source == state:
                seen.setdefault(t.trigger, None)
        return list(seen)

    def kind_of(self, state: str, trigger: str) -> MoveKind | None:
        """What ``trigger`` is from ``state`` (every branch of a trigger is of one
        kind), or None when the step has no such trigger."""
        branches = self.table.get((state, trigger))
        return branches[0].kind if branches else None

    def resolve(self, state: str, trigger: str, facts: dict[str, Any]) -> Transition | None:
        """The transition ``trigger`` takes from ``state``, or None."""
        for t in self.table.get((state, trigger), ()):
            if t.applies(facts):
                return t
        return None

    # --- the transitions.Machine view ----------------------------------------

    def machine_config(self) -> dict[str, Any]:
        """Keyword arguments for ``transitions.Machine`` describing this procedure.

        Conditions name the model's attributes ``fact_<name>`` (a boolean, or a
        method returning one), so :class:`FactsModel`, or any model with such
        attributes, drives the branches (not ``is_<name>``: ``transitions``
        gives the model an ``is_<state>`` method per state, and a fact named
        like a step would clash). Auto transitions (``to_<state>``) are off:
        only the procedure's own triggers and the built-in ``withdraw`` and
        ``stop`` exist. States are tagged ``terminal`` and ``agency:<id>``.
        """
        states = []
        for info in self.states.values():
            states.append(
                {
                    "name": info.id,
                    "tags": [t for t in ("terminal",) if info.terminal]
                    + ([f"agency:{info.agency}"] if info.agency else []),
                    "final": info.terminal,
                }
            )
        transitions_ = []
        for t in self.transitions:
            spec: dict[str, Any] = {"trigger": t.trigger, "source": t.source, "dest": t.dest}
            if t.when:
                spec["conditions"] = [f"fact_{t.when}"]
            if t.unless:
                spec["unless"] = [f"fact_{t.unless}"]
            transitions_.append(spec)
        return {
            "states": states,
            "transitions": transitions_,
            "initial": self.initial,
            "auto_transitions": False,
            "ignore_invalid_triggers": False,
        }

    def machine(self, model: Any = None) -> Machine:
        """Build a ``transitions`` machine for this procedure, bound to ``model``.

        This is how to drive a procedure from one's own model objects with
        ``transitions`` (callbacks, diagrams, an existing ``transitions`` code
        base): the machine's states, triggers and branches are exactly the
        engine's (a test checks every step, trigger and combination of facts
        of the library). The model needs ``fact_<name>`` attributes for the
        facts the branches test; :class:`FactsModel` reads them from a dict.
        Such a machine knows the graph only: who may act, deadlines, the log
        and the store are the engine's (:class:`procflow.engine.Engine`), which
        does not build a machine per dossier (one costs ~100 KiB).

        Without ``model`` the machine is its own model.
        """
        from transitions.core import Machine
        from transitions.extensions.states import Tags, add_state_features

        @add_state_features(Tags)
        class _Machine(Machine):
            pass

        config = self.machine_config()
        for state in config["states"]:
            state.pop("final", None)
        return _Machine(model=model if model is not None else Machine.self_literal, **config)

    @cached_property
    def agencies(self) -> dict[str, str]:
        return {a.id: a.name.vi for a in self.procedure.agencies}

    @cached_property
    def applicant_states(self) -> frozenset[str]:
        return frozenset(s for s, i in self.states.items() if i.is_applicant)


class FactsModel:
    """A model for :meth:`CompiledProcedure.machine` whose ``facts`` steer the branches.

    ``model.fact_<name>`` reads ``facts[name]`` (missing is False), which is
    how the machine's conditions see a dossier's facts::

        model = FactsModel({"needs_verification": True})
        proc.machine(model).set_state("residence")
        model.trigger("register")  # True, and model.state is the next step
    """

    def __init__(self, facts: dict[str, Any] | None = None) -> None:
        self.facts: dict[str, Any] = dict(facts or {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("fact_"):
            return bool(self.facts.get(name[5:]))
        raise AttributeError(name)


TERMINAL_IDS = tuple(t.value for t in Terminal)
