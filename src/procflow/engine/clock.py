"""Time is injected: the engine asks a clock, never the system directly.

Tests and the simulator use :class:`VirtualClock` to move time by hand, so a
year of dossiers runs in seconds and every test is deterministic.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from procflow.errors import ProcflowError
from procflow.model.instant import ts_of

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_ZERO = timedelta(0)
_NO_STEP = object()
"""What :class:`VirtualClock` remembers as its last step before it has one: no
argument to ``advance`` is this object."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


@runtime_checkable
class TimestampClock(Protocol):
    """A clock that also tells the time as POSIX seconds, for drivers that
    keep time as numbers (the simulator): the engine then reads ``now_ts()``
    for a move instead of converting ``now()``, which is built only when an
    act needs a datetime. ``now_ts()`` must be ``now()``'s instant, in the
    engine calendar's zone."""

    def now(self) -> datetime: ...

    def now_ts(self) -> int | float:
        """POSIX seconds of :meth:`now`."""
        ...


class SystemClock:
    """The real time, in the given zone (Vietnam by default)."""

    def __init__(self, tz: tzinfo = VIETNAM) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class VirtualClock:
    """A clock that only moves when told to.

    It tells the time in the zone of its start: an instant given to
    :meth:`set` in another zone is the same instant, told in the clock's.
    It is also a :class:`TimestampClock`: it keeps its instant as POSIX
    seconds as it moves, so that an engine whose calendar is in the clock's
    zone reads a move's instant with no datetime arithmetic, as it reads the
    simulator's clock.

    Adding a timedelta to an aware datetime moves its wall clock, and the
    POSIX seconds move by as much only while the zone keeps its offset
    (across a change to or from summer time they do not). So the clock adds
    a whole-second step to its seconds only within a window it has seen the
    zone keep one offset over (probed every half day, a month ahead, as the
    calendar probes its zone: no zone changes its offset and back within
    half a day); anywhere else, and for steps with microseconds, it takes
    the seconds of the new instant itself.
    """

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self.zone: tzinfo = start.tzinfo  # type: ignore[assignment]  # aware: checked
        """The zone the clock tells time in (its start's)."""
        self._now = start
        self._ts: int | float = ts_of(start)
        self._until: int | float = self._ts
        """The last instant of the window the zone keeps the offset of ``_ts`` over."""
        self._step: object = _NO_STEP
        """The last step :meth:`advance` added as whole seconds to whole seconds
        (``_step_s`` of them): a driver advances by the same step again and
        again, and the next such advance skips the checks it passed."""
        self._step_s = 0

    def now(self) -> datetime:
        return self._now

    def now_ts(self) -> int | float:
        """POSIX seconds of :meth:`now`."""
        return self._ts

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``; time never goes backwards."""
        _require_aware(instant)
        if instant < self._now:
            raise ProcflowError(
                f"the virtual clock cannot go back from {self._now.isoformat()} "
                f"to {instant.isoformat()}"
            )
        if instant.tzinfo is not self.zone:
            instant = instant.astimezone(self.zone)
        self._now = instant
        self._ts = self._until = ts_of(instant)  # a window from here, when next asked
        self._step = _NO_STEP  # the seconds may have a fraction now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` (or timedelta keyword arguments)."""
        if delta is self._step:  # the same whole-second step as last time, onto whole seconds
            moved = self._ts + self._step_s
            if moved <= self._until:
                self._ts = moved
                self._now = now = self._now + delta  # type: ignore[operator]  # it is the step
                return now
        self._step = _NO_STEP  # remembered again below, if it moves whole seconds
        step = delta if delta is not None else timedelta(**kwargs)
        if step < _ZERO:
            self.set(self._now + step)  # refused, with the reason
        self._now = now = self._now + step
        ts = self._ts
        if type(ts) is int and not step.microseconds:
            seconds = step.days * 86400 + step.seconds
            moved = ts + seconds
            if moved <= self._until:  # the zone keeps its offset: the seconds move as the wall
                self._ts = moved
                self._step, self._step_s = step, seconds
                return now
        t = self._ts = ts_of(now)  # exact to the microsecond
        if t > self._until:
            self._until = _steady_until(self.zone, t, now.utcoffset())
        return now


_PROBE = 43_200
"""Seconds between two probes of a zone's offset: half a day (see VirtualClock)."""
_PROBES = 62
"""Probes a window looks ahead: a month."""


def _steady_until(zone: tzinfo, t: int | float, offset: timedelta | None) -> int | float:
    """The last half-day probe after POSIX ``t``, at most a month on, up to
    which ``zone`` keeps ``offset`` (``t`` itself when the next probe finds
    another)."""
    until = t
    for _ in range(_PROBES):
        probe = until + _PROBE
        try:
            if datetime.fromtimestamp(probe, zone).utcoffset() != offset:
                break
        except (OverflowError, OSError, ValueError):  # beyond the platform's time_t
            break
        until = probe
    return until


def tells_seconds(clock: object) -> bool:
    """Whether ``clock`` is a :class:`TimestampClock` whose ``now_ts`` is its
    own ``now``'s: the class that defines ``now`` defines ``now_ts`` too. A
    subclass that changes ``now`` alone (of :class:`VirtualClock`, say) would
    otherwise have moves read the seconds of the clock it changed."""
    if not isinstance(clock, TimestampClock):
        return False
    for klass in type(clock).__mro__:
        if "now" in vars(klass):
            return "now_ts" in vars(klass)
    return False


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ProcflowError(
            f"{instant.isoformat()} has no time zone; procflow stores only aware "
            "timestamps (use e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')))"
        )
