"""Put an engine together from the usual parts: a store URL, procedure folders
and calendar overlays. The CLI uses this; so can an embedding system that keeps
its procedures as files."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from procflow.calendar import WorkCalendar
from procflow.calendar.named import split_calendar_options
from procflow.catalogue import Catalogue
from procflow.engine import Clock, Engine
from procflow.errors import ProcflowError
from procflow.store.base import StoreMode
from procflow.store.url import open_store

DEFAULT_PROCEDURES = Path("procedures")


def open_engine(
    store: str | Path,
    *,
    procedures: Sequence[str | Path] = (),
    calendars: Sequence[str | Path] | Mapping[str, str | Path | Sequence[str | Path]] = (),
    clock: Clock | None = None,
    warning_hours: float = 8.0,
    cache_dir: str | Path | None = None,
    create: bool = True,
    mode: StoreMode | None = None,
) -> Engine:
    """An engine on ``store`` running the procedures found under ``procedures``.

    With no ``procedures`` given, ``./procedures`` is used when it exists.
    ``calendars`` are overlay files laid over Vietnam's national calendar
    (e.g. a province's extra holiday), which make the engine's default
    calendar; ``"NAME=FILE"`` among them, or a mapping ``{name: file or
    files}``, gives the engine a named calendar, the national one with those
    files laid over it, for the procedures and agencies that name it
    (``calendar: NAME``; docs/calendar.md, "Several calendars"). In a mapping
    the name ``vn`` holds the default calendar's overlays. ``cache_dir`` (default: the
    ``PROCFLOW_CACHE_DIR`` environment variable, if set) keeps checked
    procedures between runs so large catalogues load fast.

    ``mode`` is how the store is opened (:data:`~procflow.store.base.StoreMode`):
    ``"read"`` for commands that only look (show, history, verify), ``"write"``
    for those that change existing dossiers (fire, sweep), ``"create"`` for
    those that may start a database (receive). Without it, ``create`` picks
    ``"create"`` (true) or ``"write"`` (false). The store is opened last, so
    a mistake in the procedures or calendars leaves no new database behind.
    """
    paths = [Path(p) for p in procedures]
    if not paths:
        if not DEFAULT_PROCEDURES.is_dir():
            raise ProcflowError(
                "no procedures given: pass --procedures DIR (a folder of procedure YAML files)"
            )
        paths = [DEFAULT_PROCEDURES]
    for path in paths:
        if not path.exists():
            raise ProcflowError(f"{path}: no such file or folder of procedures")
    cache_dir = cache_dir or os.environ.get("PROCFLOW_CACHE_DIR") or None
    catalogue = Catalogue.from_paths(paths, cache_dir=cache_dir)
    files = split_calendar_options(calendars)
    calendar = WorkCalendar.vietnam(list(files.pop(None)) or None)
    named = {name: WorkCalendar.vietnam(paths) for name, paths in files.items() if name}
    opened = open_store(store, mode=mode or ("create" if create else "write"))
    return Engine(opened, catalogue, calendar, clock, warning_hours=warning_hours, calendars=named)
