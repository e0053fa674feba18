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
    seconds as it moves (an ``int`` on a whole second), so that an engine
    whose calendar is in the clock's zone reads a move's instant with no
    datetime arithmetic, as it reads the simulator's clock.
    """

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start
        self._ts: int | float = ts_of(start)
        self.zone: tzinfo = start.tzinfo  # type: ignore[assignment]  # aware: checked
        """The zone the clock tells time in (its start's)."""

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
        self._ts = ts_of(instant)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` (or timedelta keyword arguments)."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < _ZERO:
            self.set(self._now + step)  # refused, with the reason
        self._now = now = self._now + step
        ts = self._ts
        if step.microseconds or type(ts) is not int:
            self._ts = ts_of(now)  # exact to the microsecond
        else:  # whole seconds: a sum (ts_of's arithmetic, on the step)
            self._ts = ts + step.days * 86400 + step.seconds
        return now


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ProcflowError(
            f"{instant.isoformat()} has no time zone; procflow stores only aware "
            "timestamps (use e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')))"
        )
