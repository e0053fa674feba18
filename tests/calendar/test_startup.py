"""What building the national calendar costs a one-shot command, and that the
shortcuts taken for it change nothing.

``procflow calendar due ...`` must answer in well under half a second of CPU.
Two imports used to dominate it: pydantic with the overlay models (the
shipped vn.yaml is now checked by hand, see test_overlay_fast.py), and the
package ``holidays.countries``, whose ``__init__`` imports all ~250 countries
(the Vietnamese module is now loaded by itself). Each check runs in a fresh
interpreter, where nothing is imported yet.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(code: str) -> None:
    subprocess.run([sys.executable, "-c", code], check=True)


def test_national_calendar_needs_neither_pydantic_nor_every_country() -> None:
    run(
        "import sys\n"
        "from datetime import datetime\n"
        "from procflow.calendar import WorkCalendar\n"
        "cal = WorkCalendar.vietnam()\n"
        "due = cal.due(datetime(2026, 2, 10, 9, tzinfo=cal.tz), 15)\n"
        "assert due == datetime(2026, 3, 10, 17, tzinfo=cal.tz), due\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "assert 'holidays.countries' not in sys.modules, 'every country imported'\n"
        "assert cal.overlays[0].spec.base.holidays == 'VN'  # the pydantic view, on demand\n"
    )


def test_holidays_loaded_alone_are_the_packages_holidays() -> None:
    run(
        "import sys\n"
        "from procflow.calendar.workcalendar import _base_holidays, _holidays_class\n"
        "days, workdays = _base_holidays('VN', None, 1990, 2100)\n"
        "assert 'holidays.countries' not in sys.modules\n"
        "assert _holidays_class('VN').__module__ == 'procflow.calendar._holidays_vietnam'\n"
        "import holidays\n"
        "h = holidays.country_holidays('VN', years=range(1990, 2101), language='vi')\n"
        "assert 'holidays.countries' in sys.modules\n"
        "assert days == {d: str(n) for d, n in h.items()}, 'holidays differ'\n"
        "assert workdays == frozenset(h.weekend_workdays), 'make-up days differ'\n"
        "assert len(days) > 1500 and workdays\n"
        "assert _holidays_class('VN').__module__ == 'holidays.countries.vietnam'\n"
        "assert _holidays_class('XX') is None\n"
    )


def test_the_checks_day_length_is_the_national_calendars() -> None:
    """The procedure checks count hours into working days on the national
    calendar's office hours, read from the overlay without building the
    calendar; they must be the hours the calendar itself has."""
    from procflow.calendar import WorkCalendar
    from procflow.calendar.workcalendar import national_office_hours
    from procflow.checks.graph import _standard_day_hours, standard_calendar

    cal = WorkCalendar.vietnam()
    assert national_office_hours().as_strings() == cal.hours.as_strings()
    assert national_office_hours().day_seconds == cal.day_seconds == 7.5 * 3600
    assert _standard_day_hours() == standard_calendar().day_seconds / 3600


def test_checking_a_procedure_builds_no_calendar() -> None:
    path = Path(__file__).resolve().parents[2] / "procedures/lien-thong/child-under-6.yaml"
    run(
        "import sys\n"
        "from procflow.definition.loader import load_procedure\n"
        f"result = load_procedure({str(path)!r})\n"
        "assert result.ok, result.findings\n"
        "assert 'holidays' not in sys.modules, 'the national calendar was built'\n"
        "assert 'networkx' not in sys.modules, 'networkx imported'\n"
    )
