"""Which printed form a slip is: one registry, keyed by the slip's type.

Each kind of paper is a :class:`PrintedForm`: a name, which is also the
stem of its templates (``receipt`` prints with ``receipt.html.j2`` and
``receipt.txt.j2``), the slip kind of the forms table it is numbered by, its
paper, and optionally a function preparing the values its templates need
beyond the slip (names looked up, rows put in order). A new form is a new
pair of template files and one :func:`register_form` call; nothing else
dispatches on slip types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from procflow.contrib.printing.context import SlipContext
from procflow.contrib.printing.errors import PrintingError
from procflow.model.forms import SlipKind, legal_date

__all__ = [
    "PAPERS",
    "Paper",
    "PrintedForm",
    "Stamp",
    "form_for",
    "register_form",
    "registered_forms",
    "slip_stamp",
]

Paper = Literal["A4", "A5"]
PAPERS: tuple[Paper, ...] = ("A5", "A4")

Prepare = Callable[[Any, SlipContext, str], Mapping[str, Any]]
"""``(slip, context, lang) -> values``: what a form's templates need beyond the slip."""


@dataclass(frozen=True, slots=True)
class Stamp:
    """The form a paper is printed on, as the paper itself records it."""

    number: str | None
    """"01"; None when the circular in force prescribes no such form."""
    title_vi: str | None
    basis: str | None
    """The circular, e.g. ``03/2025/TT-VPCP``; None before the first one."""
    on: date
    """The date that chose the form (the slip's, read in Viet Nam)."""


def slip_stamp(slip: Any) -> Stamp:
    """The stamp of one of :mod:`procflow.model.slips`' slips."""
    return Stamp(slip.form, slip.form_title, slip.legal_basis, legal_date(slip.form_date))


@dataclass(frozen=True, slots=True)
class PrintedForm:
    """One kind of printed paper."""

    name: str
    """The templates' stem, and the name ``procflow dossier print --slip`` knows it by."""
    kind: SlipKind
    paper: Paper = "A5"
    """The paper it is printed on unless asked otherwise."""
    landscape: bool = False
    prepare: Prepare | None = None
    stamp: Callable[[Any], Stamp] = slip_stamp


_FORMS: dict[type, PrintedForm] = {}


def register_form(slip_type: type, form: PrintedForm) -> None:
    """Print slips of ``slip_type`` (and its subclasses) as ``form``; a type
    registered again is printed as the last form given."""
    _FORMS[slip_type] = form


def registered_forms() -> dict[type, PrintedForm]:
    """Every registered slip type and its form."""
    return dict(_FORMS)


def form_for(slip: object) -> PrintedForm:
    """The form ``slip`` prints as: its own type's, else its nearest base's."""
    for cls in type(slip).__mro__:
        form = _FORMS.get(cls)
        if form is not None:
            return form
    known = ", ".join(sorted(t.__name__ for t in _FORMS))
    raise PrintingError(
        f"no printed form for a {type(slip).__name__}; the forms printed are {known}. "
        "Register one with procflow.contrib.printing.register_form and give it templates"
    )
