"""Timestamps as text: RFC 3339, the way events and dossiers store them.

Every transition writes several timestamps (the event's instant, the due
dates it computes), so this runs on the engine's hot path. orjson renders an
aware datetime about three times faster than ``datetime.isoformat`` and, for
every offset in whole minutes (all of them since the early 20th century),
byte for byte the same text: ``2025-03-03T09:00:00+07:00``, with
``.ffffff`` only when there are microseconds. Offsets with seconds (local
mean time before ~1906) are written to the minute, as RFC 3339 requires.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import orjson

from procflow.model.instant import Instant, dt_of

_dumps = orjson.dumps


def iso(value: datetime) -> str:
    """``value`` as RFC 3339 text (``datetime.isoformat`` for whole-minute offsets)."""
    return _dumps(value)[1:-1].decode()


def iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else _dumps(value)[1:-1].decode()


_TEXTS_MAX = 16384


class Texts(dict[Instant, str]):
    """RFC 3339 texts of instants in one zone (as :func:`procflow.model.timefmt.iso`
    writes them), made on first use: ``texts[t]``.

    A row repeats most of its instants from one write to the next, and the
    SQL stores write a dozen of them on every transition: a look-up in this
    dict is one subscript, with no call unless the text is new (bounded:
    cleared when full)."""

    __slots__ = ("tz",)

    def __init__(self, tz: tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, t: Instant) -> str:
        if len(self) >= _TEXTS_MAX:
            self.clear()
        text = self[t] = _dumps(dt_of(t, self.tz))[1:-1].decode()
        return text


_TEXTS: dict[tzinfo, Texts] = {}


def texts_in(tz: tzinfo) -> Texts:
    """The :class:`Texts` of zone ``tz`` (one per zone, shared)."""
    texts = _TEXTS.get(tz)
    if texts is None:
        texts = _TEXTS[tz] = Texts(tz)
    return texts


def text_of(t: Instant, tz: tzinfo) -> str:
    """RFC 3339 text of ``t`` in ``tz``, remembered (see :class:`Texts`)."""
    return texts_in(tz)[t]
