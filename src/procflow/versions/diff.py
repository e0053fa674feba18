"""What changed between two versions of a procedure, in words a reform officer reads.

Steps are matched by id. A step that disappears while another appears with
the same name, or the only step of the same kind, is reported as renamed
rather than removed and added. For each matched step: name, kind, agency
(and its level), role, time allotment, clock policy and outcomes. For the
procedure: name, code, level, time limit, effective window, legal basis,
agencies, desk, documents, fees, result and rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procflow.definition.model import Duration, Outcome, Procedure, Step

__all__ = ["Change", "VersionDiff", "diff_procedures"]


@dataclass(frozen=True)
class Change:
    """One difference. ``area`` groups it (procedure, time, legal basis,
    agency, step, document, fee, rules); ``subject`` names the thing;
    ``kind`` is added / removed / renamed / changed."""

    area: str
    kind: str
    subject: str
    text: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "kind": self.kind,
            "subject": self.subject,
            "text": self.text,
            "old": _plain(self.old),
            "new": _plain(self.new),
        }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@dataclass
class VersionDiff:
    procedure_id: str
    old_version: str
    new_version: str
    changes: list[Change] = field(default_factory=list)
    other_procedure: str | None = None
    """Set when the two files are different procedures (then the diff is of little use)."""

    @property
    def same(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "procedure_id": self.procedure_id,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "other_procedure": self.other_procedure,
            "changes": [c.to_dict() for c in self.changes],
        }

    def lines(self) -> list[str]:
        return [c.text for c in self.changes]


def _d(duration: Duration | None) -> str:
    if duration is None:
        return "no time set"
    # the figures chosen by facts too (cases): "3 working days; 5 working days (remote)"
    cases = [f"{duration.alternative(i)} ({c.condition})" for i, c in enumerate(duration.cases)]
    return "; ".join([str(duration), *cases])


def _same_duration(a: Duration | None, b: Duration | None) -> bool:
    if a is None or b is None:
        return a is b

    def figures(d: Duration) -> tuple[object, ...]:
        cases = tuple((c.when, c.unless, c.value, c.unit, c.cutoff) for c in d.cases)
        return (d.value, d.unit, d.cutoff, cases)

    return figures(a) == figures(b)


def _agency_name(p: Procedure, agency_id: str | None) -> str:
    if agency_id is None:
        return "no agency"
    try:
        a = p.agency(agency_id)
    except KeyError:
        return agency_id
    return f"{a.name.vi} ({agency_id})"


def _outcomes(step: Step) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for trigger, o in step.branches():
        out.setdefault(trigger, []).append(_branch(o))
    return out


def _branch(o: Outcome) -> str:
    text = o.to
    if o.when:
        text += f" when {o.when}"
    if o.unless:
        text += f" unless {o.unless}"
    return text


def diff_procedures(old: Procedure, new: Procedure) -> VersionDiff:
    """Every difference between ``old`` and ``new``, most important first."""
    diff = VersionDiff(old.id, old.version, new.version)
    if old.id != new.id:
        diff.other_procedure = new.id
    c = diff.changes
    _procedure(old, new, c)
    _legal(old, new, c)
    _agencies(old, new, c)
    _steps(old, new, c)
    _documents(old, new, c)
    _fees(old, new, c)
    _rules(old, new, c)
    c.sort(key=lambda change: _AREAS.index(change.area))  # stable: file order within an area
    return diff


_AREAS = ("time", "procedure", "agency", "step", "legal basis", "document", "fee", "rules")


def _procedure(old: Procedure, new: Procedure, c: list[Change]) -> None:
    if not _same_duration(old.time_limit, new.time_limit):
        c.append(
            Change(
                "time",
                "changed",
                "time_limit",
                f"Statutory time limit: {_d(old.time_limit)} → {_d(new.time_limit)}"
                + (f" ({new.time_limit.basis})" if new.time_limit.basis else ""),
                str(old.time_limit),
                str(new.time_limit),
            )
        )
    elif old.time_limit.confirmed != new.time_limit.confirmed:
        state = "confirmed" if new.time_limit.confirmed else "not confirmed"
        c.append(
            Change(
                "time",
                "changed",
                "time_limit",
                f"Statutory time limit {_d(new.time_limit)} unchanged, now {state} "
                "against the published text",
            )
        )
    if (old.effective_from, old.effective_to) != (new.effective_from, new.effective_to):
        c.append(
            Change(
                "procedure",
                "changed",
                "effective",
                f"In force: {_window(old)} → {_window(new)}",
                _window(old),
                _window(new),
            )
        )
    for key, label in (("name", "Name"), ("code", "Procedure code"), ("level", "Level")):
        a, b = getattr(old, key), getattr(new, key)
        if str(a) != str(b):
            c.append(Change("procedure", "changed", key, f"{label}: {a or '—'} → {b or '—'}", a, b))
    if old.desk.id != new.desk.id:
        c.append(
            Change(
                "agency",
                "changed",
                "desk",
                f"Dossiers are received at {_agency_name(new, new.desk.id)} instead of "
                f"{_agency_name(old, old.desk.id)}",
                old.desk.id,
                new.desk.id,
            )
        )
    if str(old.result) != str(new.result):
        c.append(
            Change(
                "procedure",
                "changed",
                "result",
                f"The applicant receives: {old.result or '—'} → {new.result or '—'}",
                old.result,
                new.result,
            )
        )


def _window(p: Procedure) -> str:
    start = p.effective_from.isoformat() if p.effective_from else "…"
    end = p.effective_to.isoformat() if p.effective_to else "…"
    return f"{start} to {end}"


def _legal(old: Procedure, new: Procedure, c: list[Change]) -> None:
    a = {d.number: d for d in old.legal_basis}
    b = {d.number: d for d in new.legal_basis}
    for number in [d.number for d in new.legal_basis if d.number not in a]:
        title = f" ({b[number].title})" if b[number].title else ""
        c.append(Change("legal basis", "added", number, f"Legal basis added: {number}{title}"))
    for number in [d.number for d in old.legal_basis if d.number not in b]:
        title = f" ({a[number].title})" if a[number].title else ""
        c.append(
            Change(
                "legal basis", "removed", number, f"Legal basis no longer cited: {number}{title}"
            )
        )
    for number in [d.number for d in old.legal_basis if d.number in b]:
        if a[number].articles != b[number].articles:
            c.append(
                Change(
                    "legal basis",
                    "changed",
                    number,
                    f"Legal basis {number}: articles {a[number].articles or '—'} → "
                    f"{b[number].articles or '—'}",
                )
            )


def _agencies(old: Procedure, new: Procedure, c: list[Change]) -> None:
    a = {x.id: x for x in old.agencies}
    b = {x.id: x for x in new.agencies}
    for aid in [x.id for x in new.agencies if x.id not in a]:
        c.append(
            Change(
                "agency",
                "added",
                aid,
                f"Agency added: {b[aid].name.vi} ({aid}, {b[aid].level.value} level)",
            )
        )
    for aid in [x.id for x in old.agencies if x.id not in b]:
        c.append(
            Change(
                "agency",
                "removed",
                aid,
                f"Agency no longer involved: {a[aid].name.vi} ({aid}, {a[aid].level.value} level)",
            )
        )
    for aid in [x.id for x in old.agencies if x.id in b]:
        x, y = a[aid], b[aid]
        if x.name.vi != y.name.vi:
            c.append(
                Change("agency", "renamed", aid, f"Agency {aid}: name {x.name.vi} → {y.name.vi}")
            )
        if x.level != y.level:
            c.append(
                Change(
                    "agency",
                    "changed",
                    aid,
                    f"Agency {aid}: level {x.level.value} → {y.level.value}",
                )
            )
        if not _same_duration(x.share, y.share):
            c.append(
                Change(
                    "time",
                    "changed",
                    aid,
                    f"Agency {aid}: share of the time {_d(x.share)} → {_d(y.share)}",
                )
            )


def _pair_steps(old: Procedure, new: Procedure) -> list[tuple[Step | None, Step | None]]:
    a = {s.id: s for s in old.steps}
    b = {s.id: s for s in new.steps}
    removed = [s for s in old.steps if s.id not in b]
    added = [s for s in new.steps if s.id not in a]
    pairs: list[tuple[Step | None, Step | None]] = []
    # Renamed: same name, or the only removed and only added step of one kind.
    for s in list(removed):
        match = next((t for t in added if t.name.vi == s.name.vi), None)
        if match is None:
            same_kind_removed = [r for r in removed if r.kind == s.kind]
            same_kind_added = [t for t in added if t.kind == s.kind]
            if len(same_kind_removed) == 1 and len(same_kind_added) == 1:
                match = same_kind_added[0]
        if match is not None:
            pairs.append((s, match))
            removed.remove(s)
            added.remove(match)
    for s in old.steps:
        if s.id in b:
            pairs.append((s, b[s.id]))
    pairs.extend((s, None) for s in removed)
    pairs.extend((None, t) for t in added)
    order = {s.id: i for i, s in enumerate(new.steps)}
    pairs.sort(key=lambda p: order.get(p[1].id, -1) if p[1] else len(order))
    return pairs


def _steps(old: Procedure, new: Procedure, c: list[Change]) -> None:
    for s, t in _pair_steps(old, new):
        if s is None and t is not None:
            c.append(
                Change(
                    "step",
                    "added",
                    t.id,
                    f"Step added: {t.id!r} — {t.name.vi} ({t.kind.value}, held by "
                    f"{_agency_name(new, t.agency)}, {_d(t.time)})",
                )
            )
            continue
        if t is None and s is not None:
            c.append(
                Change(
                    "step",
                    "removed",
                    s.id,
                    f"Step removed: {s.id!r} — {s.name.vi} ({s.kind.value}, held by "
                    f"{_agency_name(old, s.agency)})",
                )
            )
            continue
        assert s is not None and t is not None
        _step(old, new, s, t, c)


def _step(old: Procedure, new: Procedure, s: Step, t: Step, c: list[Change]) -> None:
    label = f"Step {t.id!r}"
    if s.id != t.id:
        c.append(
            Change(
                "step",
                "renamed",
                t.id,
                f"Step {s.id!r} is now {t.id!r}" + (f" ({t.name.vi})" if s.name != t.name else ""),
                s.id,
                t.id,
            )
        )
    elif s.name.vi != t.name.vi:
        c.append(
            Change(
                "step", "renamed", t.id, f"{label}: name {s.name.vi} → {t.name.vi}", s.name, t.name
            )
        )
    if s.agency != t.agency:
        c.append(
            Change(
                "step",
                "changed",
                t.id,
                f"{label}: held by {_agency_name(new, t.agency)} instead of "
                f"{_agency_name(old, s.agency)}",
                s.agency,
                t.agency,
            )
        )
    if s.kind != t.kind:
        c.append(
            Change(
                "step", "changed", t.id, f"{label}: kind {s.kind.value} → {t.kind.value}", s.kind
            )
        )
    if s.role != t.role:
        c.append(
            Change(
                "step",
                "changed",
                t.id,
                f"{label}: done by role {s.role or 'any'} → {t.role or 'any'}",
                s.role,
                t.role,
            )
        )
    if not _same_duration(s.time, t.time):
        c.append(
            Change(
                "time",
                "changed",
                t.id,
                f"{label}: time {_d(s.time)} → {_d(t.time)}",
                str(s.time) if s.time else None,
                str(t.time) if t.time else None,
            )
        )
    if s.clock_policy != t.clock_policy:
        c.append(
            Change(
                "time",
                "changed",
                t.id,
                f"{label}: the clock {_clock(s)} → {_clock(t)}",
                s.clock_policy.value,
                t.clock_policy.value,
            )
        )
    a, b = _outcomes(s), _outcomes(t)
    for trig in [k for k in b if k not in a]:
        c.append(
            Change(
                "step",
                "added",
                f"{t.id}.{trig}",
                f"{label}: new outcome {trig!r} → {', '.join(b[trig])}",
            )
        )
    for trig in [k for k in a if k not in b]:
        c.append(
            Change(
                "step",
                "removed",
                f"{t.id}.{trig}",
                f"{label}: outcome {trig!r} (→ {', '.join(a[trig])}) removed",
            )
        )
    for trig in [k for k in a if k in b]:
        if a[trig] != b[trig]:
            c.append(
                Change(
                    "step",
                    "changed",
                    f"{t.id}.{trig}",
                    f"{label}: {trig!r} leads to {', '.join(b[trig])} instead of "
                    f"{', '.join(a[trig])}",
                )
            )


def _clock(step: Step) -> str:
    return {"run": "runs", "pause": "pauses", "restart": "restarts"}[step.clock_policy.value]


def _documents(old: Procedure, new: Procedure, c: list[Change]) -> None:
    a = {d.name.vi: d for d in old.documents}
    b = {d.name.vi: d for d in new.documents}
    for name in [d.name.vi for d in new.documents if d.name.vi not in a]:
        optional = "" if b[name].required else " (optional)"
        c.append(Change("document", "added", name, f"Document added: {name}{optional}"))
    for name in [d.name.vi for d in old.documents if d.name.vi not in b]:
        c.append(Change("document", "removed", name, f"Document no longer required: {name}"))
    for name in [d.name.vi for d in old.documents if d.name.vi in b]:
        x, y = a[name], b[name]
        if (x.form, x.copies, x.required) != (y.form, y.copies, y.required):
            c.append(
                Change(
                    "document",
                    "changed",
                    name,
                    f"Document {name}: {_doc(x.form, x.copies, x.required)} → "
                    f"{_doc(y.form, y.copies, y.required)}",
                )
            )


def _doc(form: str, copies: int, required: bool) -> str:
    return f"{copies} {form.replace('_', ' ')}" + ("" if required else ", optional")


def _fees(old: Procedure, new: Procedure, c: list[Change]) -> None:
    a = {f.name.vi: f for f in old.fees}
    b = {f.name.vi: f for f in new.fees}
    for name in [f.name.vi for f in new.fees if f.name.vi not in a]:
        c.append(Change("fee", "added", name, f"Fee added: {name}, {b[name].amount:,} VND"))
    for name in [f.name.vi for f in old.fees if f.name.vi not in b]:
        c.append(Change("fee", "removed", name, f"Fee removed: {name}"))
    for name in [f.name.vi for f in old.fees if f.name.vi in b]:
        if a[name].amount != b[name].amount:
            c.append(
                Change(
                    "fee",
                    "changed",
                    name,
                    f"Fee {name}: {a[name].amount:,} → {b[name].amount:,} VND",
                    a[name].amount,
                    b[name].amount,
                )
            )


def _rules(old: Procedure, new: Procedure, c: list[Change]) -> None:
    a, b = old.rules.model_dump(), new.rules.model_dump()
    for key in a:
        if a[key] != b[key]:
            c.append(
                Change(
                    "rules",
                    "changed",
                    key,
                    f"Rule {key.replace('_', ' ')}: {a[key]} → {b[key]}",
                    a[key],
                    b[key],
                )
            )
