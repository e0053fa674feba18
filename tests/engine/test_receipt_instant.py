"""A receipt on a clock of numbers (a :class:`~procflow.engine.TimestampClock`,
the simulator's) reads the instant as POSIX seconds and makes no datetime for
it: the day it is received on (the version in force, the numbering scope) is
worked out from the seconds. It must be the receipt a datetime clock gives at
the same instant, to the byte: the same code, version, event and slip, on
either side of local midnight and of the day a new version comes into force.
And so must every act after it: a stateful test gives two engines, one on
each kind of clock, the same random receipts, moves, refusals, waits and
sweeps, and holds their dossiers and event bodies equal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from enginetest import BHXH, CHILD, DESK, PC, POLICE, TO_RETURN, VN, load
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from procflow.calendar import WorkCalendar
from procflow.catalogue import Catalogue
from procflow.engine import Actor, Engine, TimestampClock, VirtualClock
from procflow.errors import ProcflowError
from procflow.model.instant import dt_of, ts_of
from procflow.store import MemoryStore

CAL = WorkCalendar.vietnam()
SWITCH = date(2026, 4, 1)  # the new version is in force from this day on
_OLD = load("procedures/lien-thong/child-under-6.yaml").model_copy(
    update={"effective_to": SWITCH - timedelta(days=1)}
)
_NEW = _OLD.model_copy(
    update={"version": "2026-04", "effective_from": SWITCH, "effective_to": None}
)
CATALOGUE = Catalogue([_OLD, _NEW])


class SecondsClock:
    """A clock of numbers, as the simulator's: ``now_ts`` is the instant."""

    def __init__(self, t: int | float) -> None:
        self.t = t

    def now(self) -> datetime:
        return dt_of(self.t, VN)

    def now_ts(self) -> int | float:
        return self.t

    def advance(self, micros: int) -> None:
        """Move on by ``micros`` microseconds, exactly (kept as integer
        microseconds, so that no float sum drifts from the datetime clock)."""
        us = round(self.t * 1_000_000) + micros
        self.t = us // 1_000_000 if us % 1_000_000 == 0 else us / 1_000_000


def _receipt(clock: Any) -> tuple[Any, ...]:
    engine = Engine(MemoryStore(), CATALOGUE, CAL, clock)
    slip = engine.receive(CHILD, actor=DESK, applicant={"name": "Lò Thị Hoa"})
    (event,) = engine.history(slip.code)
    fields = {k: v for k, v in slip.to_dict().items() if k != "form"}
    return (
        slip.code,
        slip.procedure_version,
        event,
        engine.bodies(slip.code),
        fields,
        slip.received_at,
    )


# Around local midnight (where the day, and so the scope and the version in
# force, turns) and anywhere in office hours, on days either side of SWITCH.
_days = st.dates(min_value=SWITCH - timedelta(days=3), max_value=SWITCH + timedelta(days=3))
_times = st.one_of(
    st.integers(min_value=-3, max_value=2).map(lambda s: timedelta(seconds=s)),
    st.integers(min_value=7 * 3600, max_value=17 * 3600).map(lambda s: timedelta(seconds=s)),
)
_micros = st.one_of(st.just(0), st.integers(min_value=1, max_value=999_999))


@settings(max_examples=80, deadline=None)
@given(day=_days, time=_times, micro=_micros)
def test_a_clock_of_numbers_receives_as_a_datetime_clock_does(
    day: date, time: timedelta, micro: int
) -> None:
    now = datetime(day.year, day.month, day.day, tzinfo=VN) + time
    now = now.replace(microsecond=micro)
    clock = SecondsClock(ts_of(now))
    assert isinstance(clock, TimestampClock)
    ours, theirs = _receipt(clock), _receipt(VirtualClock(now))
    assert ours == theirs
    code, version, event, _, _, received_at = ours
    assert event.at == now and received_at == now
    assert version == ("2026-04" if now.date() >= SWITCH else _OLD.version)
    assert f"-{now:%y%m%d}-" in code


def test_the_day_a_version_comes_into_force_begins_at_local_midnight() -> None:
    midnight = datetime(2026, 4, 1, tzinfo=VN)  # 2026-03-31 17:00 UTC
    before = SecondsClock(ts_of(midnight) - 1)
    at = SecondsClock(ts_of(midnight))
    assert _receipt(before)[1] == _OLD.version and _receipt(at)[1] == "2026-04"


_TRIGGERS = sorted({t for t, _ in TO_RETURN} | {"request_supplement", "withdraw", "bogus"})
_ACTORS = [DESK, PC, POLICE, BHXH, Actor("stranger", "tax-office")]


class TwinClocks(RuleBasedStateMachine):
    """Two engines given the same acts at the same instants, one told the
    time by a datetime clock and one by a clock of numbers."""

    def __init__(self) -> None:
        super().__init__()
        start = datetime(2026, 1, 5, 8, 0, tzinfo=VN)
        self.dates = VirtualClock(start)
        self.numbers = SecondsClock(ts_of(start))
        self.engines = [
            Engine(MemoryStore(), CATALOGUE, CAL, clock) for clock in (self.dates, self.numbers)
        ]
        self.codes: list[str] = []

    def _both(self, act: Any) -> list[Any]:
        """``act(engine)`` on each engine: what it returned, or the error's type
        and message (refusals must be the same refusal)."""
        out: list[Any] = []
        for engine in self.engines:
            try:
                out.append(act(engine))
            except ProcflowError as exc:
                out.append((type(exc), str(exc)))
        return out

    @rule()
    def receive(self) -> None:
        dated, numbered = self._both(
            lambda e: e.receive(CHILD, actor=DESK, applicant={"name": "A"}).to_dict()
        )
        assert dated == numbered
        self.codes.append(dated["code"])

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data(), trigger=st.sampled_from(_TRIGGERS), actor=st.sampled_from(_ACTORS))
    def fire(self, data: st.DataObject, trigger: str, actor: Actor) -> None:
        code = data.draw(st.sampled_from(self.codes))
        dated, numbered = self._both(lambda e: e.fire(code, trigger, actor).to_dict())
        assert dated == numbered

    @precondition(lambda self: bool(self.codes))
    @rule(data=st.data())
    def move_on(self, data: st.DataObject) -> None:
        """The dossier's next move to its return, by the agency that holds it."""
        code = data.draw(st.sampled_from(self.codes))
        version = self.engines[0].get(code).version
        if version - 1 < len(TO_RETURN):
            trigger, actor = TO_RETURN[version - 1]
            dated, numbered = self._both(lambda e: e.fire(code, trigger, actor).to_dict())
            assert dated == numbered

    @rule(
        seconds=st.integers(min_value=0, max_value=4 * 86400),
        micros=st.one_of(st.just(0), st.integers(min_value=1, max_value=999_999)),
    )
    def wait(self, seconds: int, micros: int) -> None:
        self.dates.advance(timedelta(seconds=seconds, microseconds=micros))
        self.numbers.advance(seconds * 1_000_000 + micros)
        assert self.numbers.now() == self.dates.now()

    @rule()
    def sweep(self) -> None:
        dated, numbered = self._both(lambda e: e.sweep())
        assert dated == numbered

    @invariant()
    def same_dossiers_and_bodies(self) -> None:
        a, b = self.engines
        for code in self.codes:
            assert a.get(code).to_dict() == b.get(code).to_dict()
            assert a.bodies(code) == b.bodies(code)

    def teardown(self) -> None:
        for engine in self.engines:
            report = engine.verify()
            assert report.ok, report.problems


TestTwinClocks = TwinClocks.TestCase
TestTwinClocks.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
