"""Time is injected: the engine asks a clock, never the system directly.

Tests and the simulator use :class:`VirtualClock` to move time by hand, so a
year of dossiers runs in seconds and every test is deterministic.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from procflow.errors import ProcflowError
from procflow.model.instant import EPOCH as _EPOCH
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
    keep time as numbers (the simulator, :class:`VirtualClock`): the engine
    then reads ``now_ts()`` for a move instead of converting ``now()``, which
    is built only when an act needs a datetime. ``now_ts()`` must be
    ``now()``'s instant, in the engine calendar's zone; a clock whose zone
    can change says which it is in as a :class:`ZonedClock`."""

    def now(self) -> datetime: ...

    def now_ts(self) -> int | float:
        """POSIX seconds of :meth:`now`."""
        ...


@runtime_checkable
class ZonedClock(Protocol):
    """A :class:`TimestampClock` whose zone may change (a :class:`VirtualClock`
    set to an instant in another zone): the engine reads ``now_ts()`` only
    while ``tz``, the zone of ``now()``, is its calendar's, since events keep
    the offset of the clock's zone."""

    tz: tzinfo | None


class SystemClock:
    """The real time, in the given zone (Vietnam by default)."""

    def __init__(self, tz: tzinfo = VIETNAM) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class VirtualClock:
    """A clock that only moves when told to.

    It keeps its instant as a datetime and as POSIX seconds (a
    :class:`TimestampClock` and a :class:`ZonedClock`): moves read the
    seconds, with no datetime taken apart on every transition. A subclass
    that overrides :meth:`now` and not :meth:`now_ts` is not a
    TimestampClock (its ``now_ts`` is None), so the engine reads its
    ``now()``."""

    tz: tzinfo | None
    """The zone of :meth:`now` (the zone of the instant it was last set to)."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "now" in cls.__dict__ and "now_ts" not in cls.__dict__:
            cls.now_ts = None  # type: ignore[assignment,method-assign]

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start
        self._ts = ts_of(start)
        self.tz = start.tzinfo

    def now(self) -> datetime:
        return self._now

    def now_ts(self) -> int | float:
        """POSIX seconds of :meth:`now` (an int on a whole second)."""
        return self._ts

    def set(self, instant: datetime) -> None:
        """Jump to ``instant``; time never goes backwards."""
        _require_aware(instant)
        if instant < self._now:
            raise ProcflowError(
                f"the virtual clock cannot go back from {self._now.isoformat()} "
                f"to {instant.isoformat()}"
            )
        self._now = instant
        self._ts = ts_of(instant)
        self.tz = instant.tzinfo

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` (or timedelta keyword arguments)."""
        step = delta if delta is not None else timedelta(**kwargs)
        if step < _ZERO:
            self.set(self._now + step)  # refused, with the reason
        # Aware arithmetic moves the wall clock (in a zone with summer time an
        # hour may be two), so the seconds are those of the new instant
        # (ts_of, inline: this runs between every two acts of a test or drive).
        now = self._now = self._now + step
        d = now - _EPOCH
        s = d.days * 86400 + d.seconds
        us = d.microseconds
        self._ts = s if not us else (s * 1_000_000 + us) / 1_000_000
        return now


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ProcflowError(
            f"{instant.isoformat()} has no time zone; procflow stores only aware "
            "timestamps (use e.g. datetime(..., tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')))"
        )
