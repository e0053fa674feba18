"""Render a slip as a printable HTML page or as fixed-width plain text.

One :class:`Printer` holds the templates: procflow's own
(``procflow/contrib/printing/templates``), with a province's folder looked
in first, so copying one template there changes that form's layout and a
``words/<lang>.yaml`` there changes its wording. Templates render with
:class:`jinja2.StrictUndefined`, so a value a template asks for and the slip
lacks is an error naming it, never a blank on the paper; the HTML
environment escapes every value, so an applicant's name cannot inject
markup. :func:`render_slip` prints with the built-in templates.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    pass_context,
)
from jinja2.runtime import Context
from markupsafe import Markup

from procflow.contrib.printing.context import SlipContext
from procflow.contrib.printing.errors import PrintingError
from procflow.contrib.printing.forms import register_note
from procflow.contrib.printing.registry import PAPERS, Paper, PrintedForm, Stamp, form_for
from procflow.contrib.printing.text import MAX_WIDTH, MIN_WIDTH, centred, fit, rule, signature_block
from procflow.contrib.printing.words import for_circular, load_words
from procflow.model.forms import form_in_force

__all__ = ["FORMATS", "Format", "Printer", "render_slip"]

Format = Literal["html", "text"]
FORMATS: tuple[Format, ...] = ("html", "text")
_SUFFIX = {"html": "html", "text": "txt"}


def _local(value: datetime, context: Context) -> datetime:
    ctx: SlipContext = context["ctx"]
    return value.astimezone(ctx.tz) if value.tzinfo is not None else value


def _parts(value: date | datetime, context: Context) -> dict[str, str]:
    if isinstance(value, datetime):
        value = _local(value, context)
        hm = {"H": f"{value:%H}", "M": f"{value:%M}"}
    else:
        hm = {"H": "", "M": ""}
    return {"d": f"{value:%d}", "m": f"{value:%m}", "y": f"{value:%Y}", **hm}


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    """An instant as the form writes it (``08 giờ 00 phút, ngày 03/03/2026``)."""
    if value is None:
        return str(context["w"]["common"]["blank"])
    return str(context["w"]["common"]["time"]).format(**_parts(value, context))


@pass_context
def _short(context: Context, value: datetime | None) -> str:
    """An instant in few characters, for table cells (``08:00 03/03/2026``)."""
    if value is None:
        return str(context["w"]["common"]["blank"])
    return str(context["w"]["common"]["short_time"]).format(**_parts(value, context))


@pass_context
def _day(context: Context, value: date | datetime | None) -> str:
    if value is None:
        return str(context["w"]["common"]["blank"])
    return str(context["w"]["common"]["date"]).format(**_parts(value, context))


@pass_context
def _dateline(context: Context, value: date | datetime) -> str:
    """The place-and-date line (``An Bình, ngày 03 tháng 03 năm 2026``)."""
    ctx: SlipContext = context["ctx"]
    common = context["w"]["common"]
    place = ctx.letterhead.place or common["blank"]
    return str(common["place_date"]).format(place=place, **_parts(value, context))


@pass_context
def _or_blank(context: Context, value: Any) -> Any:
    """The value, or the form's dotted blank when there is none, to fill by hand."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return context["w"]["common"]["blank"]
    return value


def _filled_html(wording: str, **values: Any) -> Markup:
    """A wording sentence with its values, the values escaped (the wording is
    the province's own file, trusted as HTML)."""
    return Markup(wording).format(**values)


def _filled_text(wording: str, **values: Any) -> str:
    return str(wording).format(**values)


@pass_context
def _centred(context: Context, value: Any) -> str:
    return centred(str(value), int(context["width"]))


@pass_context
def _rule(context: Context, char: str = "-") -> str:
    return rule(int(context["width"]), char)


@pass_context
def _signatures(context: Context, blocks: list[tuple[str, str, str]]) -> str:
    return signature_block([tuple(map(str, b)) for b in blocks], int(context["width"]))  # type: ignore[misc]


@pass_context
def _register_note(context: Context, note: str) -> str:
    """A note of the register (written in English by procflow.reports.register)
    in the wording of the paper."""
    words = context["w"]["register"]["notes_words"]
    common = context["w"]["common"]

    def when(value: datetime) -> str:  # the register's notes are already local times
        return str(common["short_time"]).format(**_parts(value, context))

    def day(value: date) -> str:
        return str(common["date"]).format(**_parts(value, context))

    return register_note(note, words, str(context["lang"]), when, day)


def _environment(loader: BaseLoader, html: bool) -> Environment:
    env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        when=_when,
        short=_short,
        day=_day,
        dateline=_dateline,
        or_blank=_or_blank,
        fill=_filled_html if html else _filled_text,
        register_note=_register_note,
    )
    if not html:
        env.filters["centred"] = _centred
        env.globals["rule"] = _rule
        env.globals["signatures"] = _signatures
    return env


class Printer:
    """Prints slips with procflow's templates, or a folder's laid over them.

    ``templates`` is a folder holding any of the templates (``receipt.html.j2``,
    ``_page.txt.j2``...) and wording files (``words/vi.yaml``) to use instead
    of the built-in ones: docs/forms.md lists them.
    """

    def __init__(self, templates: str | Path | None = None) -> None:
        self.templates = Path(templates) if templates is not None else None
        if self.templates is not None and not self.templates.is_dir():
            raise PrintingError(
                f"{self.templates}: no such folder of templates; give a folder holding the "
                "templates and words/<lang>.yaml files to use instead of procflow's"
            )
        loaders: list[BaseLoader] = []
        if self.templates is not None:
            loaders.append(FileSystemLoader(str(self.templates)))
        loaders.append(PackageLoader("procflow.contrib.printing", "templates"))
        loader = ChoiceLoader(loaders)
        self._envs = {"html": _environment(loader, True), "text": _environment(loader, False)}
        self._words: dict[str, dict[str, Any]] = {}

    def words(self, lang: str) -> dict[str, Any]:
        """The wording of ``lang``, overrides laid over procflow's (cached)."""
        if lang not in self._words:
            self._words[lang] = load_words(lang, self.templates)
        return self._words[lang]

    def render(
        self,
        slip: object,
        format: Format = "html",
        lang: str = "vi",
        *,
        context: SlipContext | None = None,
        paper: Paper | None = None,
        width: int = 72,
    ) -> str:
        """``slip`` as a printable HTML page or as plain text of ``width`` columns.

        ``context`` adds what the slip does not carry (agency names, the
        applicant of an apology...); ``paper`` overrides the form's own
        (A5 for the slips, A4 landscape for the register).
        """
        if format not in FORMATS:
            raise PrintingError(f"format {format!r}: print as one of {', '.join(FORMATS)}")
        if paper is not None and paper not in PAPERS:
            raise PrintingError(f"paper {paper!r}: print on one of {', '.join(PAPERS)}")
        if not MIN_WIDTH <= width <= MAX_WIDTH:
            raise PrintingError(
                f"width {width}: plain text needs {MIN_WIDTH} to {MAX_WIDTH} columns "
                "(32 or 48 for a receipt printer, 72 for e-mail)"
            )
        form = form_for(slip)
        stamp = form.stamp(slip)
        ctx = context or SlipContext()
        words = for_circular(self.words(lang), stamp.basis)
        values: dict[str, Any] = {
            "slip": slip,
            "form": _form_view(form, stamp, words, lang),
            "w": words,
            "lang": lang,
            "ctx": ctx,
            "applicant": _applicant(slip, ctx),
            "issued": _issued(slip, stamp),
            "paper": paper or form.paper,
            "landscape": form.landscape,
            "width": width,
            "unconfirmed": list(getattr(slip, "unconfirmed_days", None) or []),
            "unrecorded": list(getattr(slip, "unrecorded_years", None) or []),
        }
        if form.prepare is not None:
            values.update(form.prepare(slip, ctx, lang))
        name = f"{form.name}.{_SUFFIX[format]}.j2"
        try:
            template = self._envs[format].get_template(name)
            out = template.render(values)
        except TemplateNotFound as exc:
            where = f" nor in {self.templates}" if self.templates else ""
            raise PrintingError(
                f"no template {exc.name} in procflow{where}; a printed form needs "
                f"{form.name}.html.j2 and {form.name}.txt.j2"
            ) from None
        except TemplateSyntaxError as exc:
            raise PrintingError(
                f"{exc.filename or exc.name} line {exc.lineno}: {exc.message}; fix the template"
            ) from None
        except UndefinedError as exc:
            raise PrintingError(
                f"template {name} (or a file it uses) asks for a value that is not there: "
                f"{exc.message}; check the name in the template and in words/{lang}.yaml"
            ) from None
        except (KeyError, IndexError, ValueError) as exc:
            raise PrintingError(
                f"template {name}: a wording of words/{lang}.yaml names a value it is not "
                f"given ({exc!r}); use only the {{names}} the built-in wording uses"
            ) from None
        except TemplateError as exc:
            raise PrintingError(f"template {name}: {exc}") from None
        return fit(out, width) if format == "text" else out


def _form_view(form: PrintedForm, stamp: Stamp, words: Mapping[str, Any], lang: str) -> Any:
    """Number, title (in ``lang``) and circular of the form, for the templates."""
    title = stamp.title_vi if lang == "vi" else None
    if title is None and lang == "en" and stamp.basis is not None:
        national = form_in_force(form.kind, stamp.on)
        if (
            national is not None
            and national.legal_basis == stamp.basis
            and national.number == stamp.number
        ):
            title = national.title_en
    if title is None:
        own = words.get(form.name)
        title = own.get("title") if isinstance(own, Mapping) else None
    if title is None:
        raise PrintingError(
            f"the wording has no {form.name}.title, and the slip names no form title; "
            f"add it to words/{lang}.yaml"
        )
    return {"number": stamp.number, "title": title, "basis": stamp.basis, "on": stamp.on}


def _applicant(slip: object, ctx: SlipContext) -> Mapping[str, Any]:
    own = getattr(slip, "applicant", None)
    if isinstance(own, Mapping) and own:
        return own
    return ctx.applicant or {}


def _issued(slip: object, stamp: Stamp) -> date | datetime:
    """The date of the paper's date line: when it was issued (a receipt's and a
    control slip's: the receipt)."""
    for name in ("issued_at", "received_at"):
        value = getattr(slip, name, None)
        if isinstance(value, datetime):
            return value
    return stamp.on


@functools.cache
def _default_printer() -> Printer:
    return Printer()


def render_slip(
    slip: object,
    format: Format = "html",
    lang: str = "vi",
    *,
    context: SlipContext | None = None,
    paper: Paper | None = None,
    width: int = 72,
    templates: str | Path | None = None,
) -> str:
    """Print ``slip`` (a receipt, supplement request, refusal, apology, control
    slip, stop notice or the dossier register) as a printable HTML page
    (``format="html"``) or as plain text of ``width`` columns (``"text"``), in
    the layout and wording of its form, in ``lang`` (``vi`` or ``en``).
    ``templates`` is a folder of templates and wording laid over procflow's
    (see :class:`Printer`)."""
    printer = Printer(templates) if templates is not None else _default_printer()
    return printer.render(slip, format, lang, context=context, paper=paper, width=width)
