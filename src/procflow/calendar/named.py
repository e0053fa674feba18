"""Named calendars from files: what ``--calendar NAME=FILE`` and
``open_engine(..., calendars={name: path})`` mean.

An engine runs on a default calendar (the national one, with any plain
overlay files laid over it) and may hold named calendars besides it, which
procedures and agencies name (``calendar: NAME``; see
:mod:`procflow.engine.calendars`). A named calendar *extends* the national
one: its files are laid over ``vn.yaml`` as a plain overlay is (a province's
local days off, an agency's own ``office_hours``), not over the default's
other overlays [design]: each name says all that differs from the nation.
Several files under one name are laid in the order given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from procflow.errors import CalendarError

__all__ = ["CalendarFiles", "split_calendar_options"]

_NAMED = re.compile(r"^([a-z][a-z0-9_-]{0,63})=(.+)$")

#: Overlay files laid over the national calendar, by calendar name (``None``:
#: the engine's default calendar).
CalendarFiles = dict[str | None, list[Path]]


def split_calendar_options(
    values: Sequence[str | Path] | Mapping[str, str | Path | Sequence[str | Path]],
    default_name: str = "vn",
) -> CalendarFiles:
    """The calendar files each calendar is made of.

    ``values`` is either what ``--calendar`` was given (``FILE`` for an
    overlay on the default calendar, ``NAME=FILE`` for a named one; an
    existing file whose name contains ``=`` is a plain overlay) or a mapping
    from names to a file or files (``default_name`` maps to the default
    calendar's overlays). Missing files are refused, naming the option.
    """
    out: CalendarFiles = {None: []}
    items: list[tuple[str | None, str | Path]] = []
    if isinstance(values, Mapping):
        for label, files in values.items():
            key = None if label == default_name else label
            if isinstance(files, str | Path):
                items.append((key, files))
            else:
                items.extend((key, f) for f in files)
    else:
        for value in values:
            text = str(value)
            match = _NAMED.match(text) if isinstance(value, str) else None
            if match is not None and not Path(text).is_file():
                given = match.group(1)
                items.append((None if given == default_name else given, match.group(2)))
            else:
                items.append((None, value))
    for name, file in items:
        path = Path(file)
        if not path.is_file():
            shown = f"{name}={file}" if name is not None else str(file)
            hint = (
                "; a calendar's NAME is a lower-case id (a-z, digits, '-', '_'), as in "
                "--calendar province=FILE"
                if name is None and "=" in str(file)
                else ""
            )
            raise CalendarError(
                f"--calendar {shown}: no such calendar file; give an overlay file "
                f"(procedures/calendars/example-province.yaml shows the format){hint}"
            )
        out.setdefault(name, []).append(path)
    return out
