"""The report as one self-contained HTML page: inline CSS and SVG, no scripts,
nothing fetched. Open it in any browser, attach it to an e-mail, print it.

The markup lives in Jinja2 templates (``templates/report.html.j2`` and the
files it includes), not in f-strings: the page used to be assembled by string
replacement, and a marker that no replacement matched went out as invalid CSS
(``--late:@LATE@``), leaving every rate bar an empty grey track with nothing
to say so. Templates render with :class:`jinja2.StrictUndefined`, so a value
the page asks for and the report lacks raises
:class:`jinja2.exceptions.UndefinedError` instead of leaving a blank, and with
autoescaping on, so names from procedure files cannot inject markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from procflow.reports.charts import EARLY, LATE, ON_TIME
from procflow.reports.report import Report

if TYPE_CHECKING:
    from jinja2 import Environment

    from procflow.contrib.labels import Lang
    from procflow.definition.model import Procedure
    from procflow.reports.names import ReportNames

__all__ = ["COLOURS", "render_html"]

COLOURS = {"early": EARLY, "on_time": ON_TIME, "late": LATE}
"""The colours of early, on-time and late dossiers, shared with the SVG charts
so the rate bars of the tables read with the charts' legend; they become the
CSS custom properties ``--early``, ``--on`` and ``--late``."""

_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")

_TEMPLATE = "report.html.j2"


def _fmt(value: Any, spec: str) -> str:
    """``format(value, spec)`` as a filter: the templates keep the format specs
    of Python (Jinja's own ``format`` filter is ``%``-style), and a missing
    value fails like any other."""
    from jinja2 import Undefined

    if isinstance(value, Undefined):
        # format() would raise a TypeError about __format__: name the value instead.
        value._fail_with_undefined_error()
    return format(value, spec)


@cache
def _environment() -> Environment:
    """The Jinja2 environment of the report's templates, built on first use.

    Jinja2 is imported here rather than at the top: ``procflow report`` loads
    this module for every output format and only HTML needs it.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("procflow.reports", "templates"),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = _fmt
    return env


def _colours() -> dict[str, str]:
    """:data:`COLOURS`, checked: whatever goes into a CSS custom property is
    used as is by the browser, and an invalid one silently paints nothing."""
    for name, value in COLOURS.items():
        if not _HEX_COLOUR.fullmatch(value):
            raise ValueError(f"report colour {name}={value!r} is not a #rrggbb CSS colour")
    return dict(COLOURS)


def render_html(
    report: Report,
    *,
    title: str | None = None,
    lang: Lang = "vi",
    procedures: Iterable[Procedure] = (),
    names: ReportNames | None = None,
) -> str:
    """The report as a complete HTML document in ``lang`` (``vi`` or ``en``).

    ``procedures`` are the procedure definitions the report's dossiers ran
    under: they give the agencies, procedures and steps their names, and the
    diagrams that carry each step's time. Without them the page shows ids and
    no diagram. ``names`` may be given instead, built once for several pages.
    ``title`` defaults to the report's title in ``lang``.

    Raises :class:`jinja2.exceptions.UndefinedError` when the template asks for
    a figure the report does not have: a page with holes in it would be read
    as a page of zeros.
    """
    from procflow.errors import ProcflowError
    from procflow.reports.names import ReportNames, report_procedures
    from procflow.reports.page import page_context

    if lang not in ("vi", "en"):
        raise ProcflowError(f"report language {lang!r}: choose vi or en")
    if names is None:
        names = ReportNames(procedures, lang, prefer=report_procedures(report))
    context = page_context(report, lang=lang, title=title, names=names, colours=_colours())
    return _environment().get_template(_TEMPLATE).render(context)
