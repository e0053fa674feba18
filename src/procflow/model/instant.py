"""Instants as numbers inside, aware datetimes at the edges.

The engine works on POSIX seconds: an ``int`` on a whole second (the usual
case), else a ``float`` carrying the microseconds, exactly as
:meth:`procflow.calendar.WorkCalendar.to_ts` gives them. The event encoding
writes whole microseconds (an ``int``: no float text to agree on). These
helpers convert without the rounding of ``datetime.timestamp()`` /
``datetime.fromtimestamp(float)``: every conversion here is exact to the
microsecond, both ways, wherever a float keeps the microseconds apart:
below 2**32 seconds either side of 1970, from 1833 to 2106 (whole seconds,
the ``int`` case, are exact from year 1 to 9999). Beyond, an instant with
microseconds may come back one microsecond off, as from any float clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)

Instant = int | float
"""POSIX seconds: an int on a whole second, a float with microseconds otherwise."""


def ts_of(value: datetime) -> Instant:
    """POSIX seconds of an aware datetime (int on a whole second)."""
    d = value - EPOCH
    s = d.days * 86400 + d.seconds
    us = d.microseconds
    return s if not us else (s * 1_000_000 + us) / 1_000_000


EPOCH_ORDINAL = 719163
"""``date(1970, 1, 1).toordinal()``."""


def wall_seconds(value: datetime) -> int:
    """Whole seconds from 1970-01-01 00:00 to ``value``'s wall clock, read from
    its fields: an aware datetime's POSIX seconds plus its UTC offset, with no
    call to its zone. In a zone of one offset that offset is known, and this
    and a subtraction cost a third of ``datetime.timestamp()``, which asks the
    zone (``ZoneInfo.utcoffset``) for it: the engine converts its clock's
    instant so on every move."""
    return (
        (value.toordinal() - EPOCH_ORDINAL) * 86400
        + value.hour * 3600
        + value.minute * 60
        + value.second
    )


def us_of(t: Instant) -> int:
    """Whole microseconds since the epoch of POSIX seconds ``t``."""
    if type(t) is int:
        return t * 1_000_000
    return round(t * 1_000_000)


def dt_of(t: Instant, tz: tzinfo) -> datetime:
    """The aware datetime in ``tz`` of POSIX seconds ``t``, exact to the microsecond."""
    if type(t) is int:
        # whole seconds: exact, and a third of the time of the sum below (every
        # dossier read converts each of its instants)
        try:
            return datetime.fromtimestamp(t, tz)
        except (OverflowError, OSError, ValueError):  # beyond the platform's time_t
            return (EPOCH + timedelta(seconds=t)).astimezone(tz)
    return (EPOCH + us_of(t) * _ONE_US).astimezone(tz)


def dt_or_none(t: Instant | None, tz: tzinfo) -> datetime | None:
    return None if t is None else dt_of(t, tz)


def ts_or_none(value: datetime | None) -> Instant | None:
    return None if value is None else ts_of(value)
