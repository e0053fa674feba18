"""One pass over the store: every figure of the report at once.

:func:`build_report` streams the dossiers (``Store.iter_dossier_dicts``, page
by page) and feeds each to the rates, accountability, bottlenecks and scoring
builders, which keep per-group counters and, for the quantiles, one float per
step visit. Nothing holds the list of dossiers.

Given the procedure files (``procedures=``), each closed dossier's agencies are
also judged against their shares of the statutory time and its result's two
instants are read (:mod:`procflow.model.shares`, the rule the control slip
applies): the accountability figures ``share_*`` and ``collection``, and the
agencies' scores.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from procflow.model.shares import ShareTerms, agency_use, result_instants
from procflow.reports.accountability import AccountabilityBuilder, AccountabilityReport
from procflow.reports.backlog import BacklogBuilder, BacklogCounters, BacklogReport
from procflow.reports.bottlenecks import BottlenecksBuilder, BottlenecksReport
from procflow.reports.dossiers import LateDossiers, LateDossiersBuilder
from procflow.reports.query import ReportQuery
from procflow.reports.rates import RECEPTION, RESOLVED, RatesBuilder, RatesReport
from procflow.reports.scoring import _WORST, DEFAULT_RULE, ScoresBuilder, ScoresReport, ScoringRule
from procflow.reports.worktime import WorkingTime

if TYPE_CHECKING:
    from procflow.calendar import WorkCalendar
    from procflow.compiler import CompiledProcedure
    from procflow.definition.model import Procedure
    from procflow.store.base import Store

__all__ = ["Report", "build_report"]

#: Settings carried by the partial reports, not figures: never summed.
_SETTINGS = frozenset({"rule", "as_of", "day_seconds", "procedure", "step", "agency"})


@dataclass(slots=True)
class _Partial:
    """The builders' state after a pass over some of the dossiers."""

    rates: RatesReport
    accountability: AccountabilityReport
    bottlenecks: BottlenecksBuilder
    scores: ScoresReport
    read: int
    matched: int
    late: LateDossiers
    backlog: BacklogCounters

    def merge(self, other: _Partial) -> _Partial:
        for f in fields(self):
            setattr(self, f.name, _combine(getattr(self, f.name), getattr(other, f.name)))
        return self


def _combine(a: Any, b: Any) -> Any:
    """Add counters, concatenate value lists, merge dicts key by key, recursively."""
    if isinstance(a, bool) or a is None:
        return a if a is not None else b
    if isinstance(a, int | float):
        return a + b
    if isinstance(a, array | list):
        a.extend(b)
        return a
    if isinstance(a, dict):
        for key, value in b.items():
            a[key] = _combine(a[key], value) if key in a else value
        return a
    if is_dataclass(a) and not isinstance(a, type):
        names = [f.name for f in fields(a)] if hasattr(a, "__dataclass_fields__") else []
        for name in names:
            if name not in _SETTINGS:
                object.__setattr__(a, name, _combine(getattr(a, name), getattr(b, name)))
        return a
    if hasattr(a, "__dict__") or hasattr(a, "__slots__"):
        for name in _slots(a):
            if name not in _SETTINGS:
                setattr(a, name, _combine(getattr(a, name), getattr(b, name)))
        return a
    return a  # text, dates: the same in every part


@dataclass(frozen=True, slots=True)
class _Shares:
    """What the pass needs to judge agencies against their shares."""

    terms: dict[tuple[str, str], ShareTerms] = field(default_factory=dict)
    """(procedure id, version) -> its terms on the report's calendar."""
    keep: bool = False
    """List each dossier's figures (``build_report(per_dossier=True)``)."""
    case_facts: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """Versions whose durations have cases -> the facts they name."""
    variants: dict[tuple[str, str, tuple[bool, ...]], ShareTerms] = field(default_factory=dict)
    """Their terms per combination of those facts (:func:`case_key`): a dossier
    is judged by the shares and allotments its final facts choose, as on its
    control slip."""

    def terms_for(self, d: Mapping[str, Any]) -> ShareTerms | None:
        """The terms a stored dossier (dict) is judged by; None for a version
        the report was not given."""
        key = (d["procedure_id"], d["procedure_version"])
        names = self.case_facts.get(key)
        if names is None:
            return self.terms.get(key)
        facts = d.get("facts") or {}
        return self.variants.get((*key, tuple(bool(facts.get(n)) for n in names)))

    @classmethod
    def of(
        cls,
        procedures: Iterable[Procedure | CompiledProcedure],
        calendar: WorkCalendar,
        keep: bool,
    ) -> _Shares:
        from procflow.compiler import CompiledProcedure
        from procflow.definition.cases import case_key, fact_combinations, resolve_durations

        terms: dict[tuple[str, str], ShareTerms] = {}
        case_facts: dict[tuple[str, str], tuple[str, ...]] = {}
        variants: dict[tuple[str, str, tuple[bool, ...]], ShareTerms] = {}
        for p in procedures:
            proc = p.procedure if isinstance(p, CompiledProcedure) else p
            key = (proc.id, proc.version)
            terms[key] = ShareTerms.of(proc, calendar.day_seconds)
            if proc.case_facts:
                case_facts[key] = proc.case_facts
                for facts in fact_combinations(proc):
                    resolved = resolve_durations(proc, facts)
                    variants[(*key, case_key(proc, facts))] = ShareTerms.of(
                        resolved, calendar.day_seconds
                    )
        return cls(terms, keep, case_facts, variants)


def _slots(obj: Any) -> list[str]:
    names: list[str] = []
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        names.extend([slots] if isinstance(slots, str) else list(slots))
    return names or list(vars(obj))


def _scan_parallel(
    store: Store,
    query: ReportQuery,
    calendar: WorkCalendar,
    rule: ScoringRule,
    as_of: datetime,
    workers: int,
    on_progress: Callable[[int], None] | None = None,
    shares: _Shares | None = None,
) -> _Partial:
    import multiprocessing

    from procflow.store.base import Capability

    methods = multiprocessing.get_all_start_methods()
    opener = store.reader_factory() if Capability.PARALLEL_SCANS in store.capabilities else None
    if opener is None or "fork" not in methods:
        dossiers = store.iter_dossier_dicts(procedure_id=query.procedure)
        return _scan(_counted(dossiers, on_progress), query, calendar, rule, as_of, shares)
    context = multiprocessing.get_context("fork")
    jobs = [(opener, query, calendar, rule, as_of, (i, workers), shares) for i in range(workers)]
    parts: list[_Partial] = []
    with context.Pool(workers) as pool:
        # In shard order, as starmap: the merge below adds the parts in that order.
        for part in pool.imap(_scan_shard_job, jobs):
            parts.append(part)
            if on_progress is not None:
                on_progress(sum(p.read for p in parts))
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(part)
    return merged


def _scan_shard(
    opener: Callable[[], Store],
    query: ReportQuery,
    calendar: WorkCalendar,
    rule: ScoringRule,
    as_of: datetime,
    shard: tuple[int, int],
    shares: _Shares | None = None,
) -> _Partial:
    store = opener()  # a read-only handle of the worker's own
    try:
        dossiers = store.iter_dossier_dicts(procedure_id=query.procedure, shard=shard)
        return _scan(dossiers, query, calendar, rule, as_of, shares)
    finally:
        store.close()


def _scan_shard_job(
    job: tuple[
        Callable[[], Store],
        ReportQuery,
        WorkCalendar,
        ScoringRule,
        datetime,
        tuple[int, int],
        _Shares | None,
    ],
) -> _Partial:
    return _scan_shard(*job)


def _counted(
    dossiers: Iterable[dict[str, Any]], on_progress: Callable[[int], None] | None, every: int = 500
) -> Iterable[dict[str, Any]]:
    """``dossiers``, calling ``on_progress`` with the number read so far every
    ``every`` dossiers and at the end (``dossiers`` itself when no callback)."""
    if on_progress is None:
        return dossiers

    def counting() -> Iterator[dict[str, Any]]:
        n = 0
        for n, d in enumerate(dossiers, 1):
            yield d
            if n % every == 0:
                on_progress(n)
        on_progress(n)

    return counting()


@dataclass(slots=True)
class Report:
    """Everything ``procflow report`` shows, as plain data (``to_dict()``)."""

    query: ReportQuery
    as_of: datetime
    rates: RatesReport
    accountability: AccountabilityReport
    bottlenecks: BottlenecksReport
    scores: ScoresReport
    dossiers_read: int = 0
    """Dossiers streamed from the store (after the procedure filter)."""
    dossiers_matched: int = 0
    """Of those, the ones that count for at least one figure."""
    generated_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    late: LateDossiers = field(default_factory=LateDossiers)
    """The late and overdue dossiers one by one (the HTML page lists them).
    Not in :meth:`to_dict`, whose JSON stays the aggregate figures; call
    ``late.to_dict()`` for them."""
    backlog: BacklogReport = field(default_factory=BacklogReport)
    """Open and overdue dossiers at the end of each day of the period (not in
    :meth:`to_dict` either: ``backlog.to_dict()``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query.to_dict(),
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at.isoformat() if self.generated_at else None,
            "dossiers_read": self.dossiers_read,
            "dossiers_matched": self.dossiers_matched,
            "rates": self.rates.to_dict(),
            "accountability": self.accountability.to_dict(),
            "bottlenecks": self.bottlenecks.to_dict(),
            "scores": self.scores.to_dict(),
        }


def build_report(
    store: Store,
    query: ReportQuery | None = None,
    *,
    calendar: WorkCalendar | None = None,
    rule: ScoringRule = DEFAULT_RULE,
    now: datetime | None = None,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
    procedures: Iterable[Procedure | CompiledProcedure] = (),
    per_dossier: bool = False,
) -> Report:
    """Compute the report for ``query`` (default: everything) from ``store``.

    ``calendar`` (default: Vietnam's national calendar) measures step
    allotments and applicant waiting in working time; ``rule`` scores
    dossiers; ``now`` is "now" for in-progress dossiers when the query has
    neither ``as_of`` nor an end date. ``workers`` > 1 splits the pass over
    that many processes (SQLite stores, on systems that fork): every figure
    is a sum or a list of values, so the parts merge exactly. ``on_progress``,
    if given, is called with the number of dossiers read so far as the pass
    goes (a progress bar).

    ``procedures`` (every version the dossiers name; a ``Catalogue`` will do)
    lets the report judge each agency against its share of the statutory time
    and read when results were ready, as the control slip does; dossiers of a
    version not given are counted as ``unknown_procedure``. ``per_dossier``
    keeps each closed dossier's figures in ``accountability.dossiers`` (memory
    grows with the dossiers: for reconciling the report with the slips).
    """
    if calendar is None:
        from procflow.calendar import WorkCalendar

        calendar = WorkCalendar.vietnam()
    query = query or ReportQuery(tz=calendar.tz)
    current = now or datetime.now(query.tz)
    as_of = query.in_progress_at(current)

    shares = _Shares.of(procedures, calendar, per_dossier)
    if workers > 1:
        partial = _scan_parallel(store, query, calendar, rule, as_of, workers, on_progress, shares)
    else:
        dossiers = store.iter_dossier_dicts(procedure_id=query.procedure)
        partial = _scan(_counted(dossiers, on_progress), query, calendar, rule, as_of, shares)
    return Report(
        query=query,
        as_of=as_of,
        rates=partial.rates,
        accountability=partial.accountability,
        bottlenecks=partial.bottlenecks.build(),
        scores=partial.scores,
        dossiers_read=partial.read,
        dossiers_matched=partial.matched,
        generated_at=current,
        late=partial.late,
        backlog=BacklogBuilder.build(partial.backlog, query.tz, query.start, as_of),
    )


def _scan(
    dossiers: Iterable[dict[str, Any]],
    query: ReportQuery,
    calendar: WorkCalendar,
    rule: ScoringRule,
    as_of: datetime,
    shares: _Shares | None = None,
) -> _Partial:
    """One pass over some dossiers: the partial figures of every builder."""
    lower, upper = query.lower, query.upper
    agency = query.agency
    keep = shares is not None and shares.keep
    tz = calendar.tz
    between = calendar.working_seconds_between

    rates = RatesBuilder(as_of, query.tz)
    accountability = AccountabilityBuilder(calendar.day_seconds)
    bottlenecks = BottlenecksBuilder()
    scores = ScoresBuilder(rule)
    work = WorkingTime(calendar)
    cum = work.cumulative_iso
    parse = datetime.fromisoformat

    late = LateDossiersBuilder(cum, as_of)
    backlog = BacklogBuilder(query.tz)

    worst = _WORST
    read = matched = 0
    for d in dossiers:
        read += 1
        if agency is not None and not query.matches(d):
            continue
        received = parse(d["received_at"])
        if upper is not None and received >= upper:
            continue  # received after the period: nothing of it is in the period
        closed_text = d["closed_at"]
        closed = parse(closed_text) if closed_text is not None else None
        if closed is not None and lower is not None and closed < lower:
            continue  # finished before the period
        counted = False
        procedure = d["procedure_id"]
        # One walk over the visits: the agencies involved, each agency's worst
        # step classification (scoring, attribution), and the steps left in
        # the period (accountability, bottlenecks).
        parts: dict[str, str] = {}
        prev_text, prev_cum = "", 0.0
        for v in d["visits"]:
            holder = v["agency"]
            if holder is None:
                continue
            t = v["timeliness"]
            seen = parts.get(holder)
            if seen is None or (t is not None and worst[t] > worst[seen]):
                parts[holder] = t or seen or ""
            left_text = v["left_at"]
            if left_text is None or (agency is not None and holder != agency):
                continue
            if lower is not None or upper is not None:
                left = parse(left_text)
                if (lower is not None and left < lower) or (upper is not None and left >= upper):
                    continue
            counted = True
            entered_text = v["entered_at"]
            # A visit starts when the one before it ended: reuse that reading.
            entered = prev_cum if entered_text == prev_text else cum(entered_text)
            due_text = v["due_at"]
            allotted = cum(due_text) - entered if due_text is not None else None
            left_cum = cum(left_text)
            prev_text, prev_cum = left_text, left_cum
            accountability.add_visit(v, allotted)
            bottlenecks.add_visit(procedure, v, left_cum - entered)
        outcome = d["outcome"]
        if closed is not None and (upper is None or closed < upper):
            counted = True
            rates.add_finished(d, closed, parts)
            scored = parts
            if outcome not in RECEPTION:
                # What each agency is charged: its time against its share, the
                # figure of the control slip (model.shares), and the result's
                # two instants.
                terms = shares.terms_for(d) if shares is not None else None
                if terms is None:
                    accountability.add_unknown()
                else:
                    uses = agency_use(d, terms)
                    if agency is not None:
                        uses = {a: u for a, u in uses.items() if a == agency}
                    # The calendar's own arithmetic, as on the slip (the cached
                    # cumulative sums differ in the last bits); only late
                    # collections ask it.
                    result = result_instants(d, terms, between, tz)
                    is_late = outcome in RESOLVED and d["timeliness"] == "late"
                    accountability.add_shares(d["code"], uses, result, is_late, keep)
                    scored = rule.share_parts(parts, uses)
            if outcome in RESOLVED:
                scores.add_resolved(d, scored)
                if d["timeliness"] == "late":
                    accountability.add_late_dossier(parts)
                    late.add_late(d)
        if outcome not in RECEPTION:
            due = parse(d["due_at"])
            backlog.add(received, closed, due)
            if received <= as_of and (closed is None or closed > as_of):
                counted = True
                paused_text = d["paused_at"]
                overdue = due < as_of
                rates.add_in_progress(
                    d,
                    overdue,
                    paused_text is not None and parse(paused_text) <= as_of,
                    parts,
                )
                if overdue:
                    late.add_overdue(d)
        if counted:
            matched += 1

    return _Partial(
        rates.report,
        accountability.report,
        bottlenecks,
        scores.report,
        read,
        matched,
        late.report,
        backlog.counters,
    )
