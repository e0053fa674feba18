"""Who may act on a dossier: one rule per kind of act, and nothing by name.

Every act on a dossier is taken by the agency holding its current step
(only the agency that owns a step moves a dossier out of it); which of that
agency's officers may take it depends on what the act is:

* a move the procedure defines: the step's role, when the step names one;
* withdrawal (built in): recorded at the one-stop desk or by the holding agency,
  by any of their officers, since the applicant's written request is what counts;
* stopping processing (built in): ``rules.authority.stop`` (default: the head of
  the agency, who issues the notice to stop processing of Circular 03/2025);
* an apology with a new appointment: ``rules.authority.apologise`` (default: the
  head of the agency, who signs Form 4);
* setting the facts that steer branches: ``rules.authority.set_facts`` (default:
  whoever may move the dossier out of its step);
* assigning the dossier to one of the agency's officers (or a role), or
  reassigning it: ``rules.authority.assign`` (default: any officer of the
  holding agency, so that an officer can take a dossier from the worklist).

The kind of a move comes from the compiled procedure (:class:`MoveKind`), never
from the trigger's name: the names of the built-in moves are reserved, and even
a procedure compiled without checks cannot make its own move pass for one.
"""

from __future__ import annotations

import enum

from procflow.compiler import CompiledProcedure, MoveKind, StateInfo
from procflow.definition.model import RoleRule
from procflow.model.actor import Actor


class Act(enum.StrEnum):
    """What an actor is trying to do, for :func:`refusal`."""

    MOVE = "move"
    WITHDRAW = "withdraw"
    STOP = "stop"
    APOLOGISE = "apologise"
    SET_FACTS = "set_facts"
    ASSIGN = "assign"


ACT_OF_MOVE: dict[MoveKind, Act] = {
    MoveKind.STEP: Act.MOVE,
    MoveKind.WITHDRAW: Act.WITHDRAW,
    MoveKind.STOP: Act.STOP,
}


def _describe(act: Act, code: str, trigger: str | None) -> str:
    return {
        Act.MOVE: f"fire {trigger!r} on {code}",
        Act.WITHDRAW: f"record a withdrawal of {code}",
        Act.STOP: f"stop processing {code}",
        Act.APOLOGISE: f"apologise for {code}",
        Act.SET_FACTS: f"change facts of {code}",
        Act.ASSIGN: f"assign {code}",
    }[act]


def roles_for(proc: CompiledProcedure, info: StateInfo, act: Act) -> frozenset[str] | None:
    """The roles (within the allowed agencies) that may take ``act`` at step
    ``info``, or None when any officer of those agencies may."""
    if act is Act.WITHDRAW:
        return None
    if act is Act.MOVE:
        return frozenset({info.role}) if info.role else None
    rules = proc.procedure.rules.authority
    rule: RoleRule = {
        Act.STOP: rules.stop,
        Act.APOLOGISE: rules.apologise,
        Act.SET_FACTS: rules.set_facts,
        Act.ASSIGN: rules.assign,
    }[act]
    if rule == "any":
        return None
    if rule == "step":
        return roles_for(proc, info, Act.MOVE)
    return frozenset(rule)


def agencies_for(info: StateInfo, desk_agency: str, act: Act) -> frozenset[str]:
    """The agencies whose officers may take ``act`` at step ``info``."""
    holder = info.agency or desk_agency
    if act is Act.WITHDRAW:
        return frozenset({desk_agency, holder})
    return frozenset({holder})


def refusal(
    proc: CompiledProcedure,
    info: StateInfo,
    desk_agency: str,
    code: str,
    act: Act,
    actor: Actor,
    trigger: str | None = None,
) -> str | None:
    """Why ``actor`` may not take ``act`` on dossier ``code`` at step ``info``,
    or None when the procedure's rules allow it."""
    agencies = agencies_for(info, desk_agency, act)
    what = _describe(act, code, trigger)
    if actor.agency not in agencies:
        if act is Act.WITHDRAW:
            return (
                f"{actor} cannot {what}: the applicant withdraws at the desk "
                f"({desk_agency}) or with {info.agency}"
            )
        only = "move the dossier out of it" if act is Act.MOVE else "act on the dossier there"
        return (
            f"{actor} cannot {what}: step {info.id!r} is held by {info.agency!r}, and only "
            f"that agency may {only}"
        )
    roles = roles_for(proc, info, act)
    if roles is not None and actor.role not in roles:
        rule = f"rules.authority.{act.value} of {proc.id!r}"
        if not roles:
            return f"{actor} cannot {what}: {rule} allows no officer to"
        need = " or ".join(repr(r) for r in sorted(roles))
        source = f"step {info.id!r} needs" if act is Act.MOVE else f"{rule} requires"
        return f"{actor} cannot {what}: {source} the role {need}"
    return None
