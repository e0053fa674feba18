"""Documents and fees at reception: which documents a dossier's facts require,
whether the ones handed in cover them, and which fees it is charged.

A :class:`DeskList` is built once per procedure version (the engine caches it)
so that a receipt pays for none of this when the procedure asks for no check,
and only a few dictionary look-ups when it does.

How what is handed in is read [design]:

* a plain string names a document by its id or its name (Vietnamese or
  English, case and spacing ignored) and stands for the document *as the
  procedure asks for it*: in its form and number of copies (the officer who
  ticks a name on the checklist has checked it);
* a dict may say more: ``{"name": ..., "form": "copy", "copies": 1}`` (or
  ``"id"`` instead of ``"name"``); a key left out is, again, as asked;
* forms cover one another downwards: an original covers a certified copy and
  a copy, a certified copy covers a copy; ``original_or_copy`` is covered by
  any form. Copies of the same document add up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from procflow.definition.model import Document, Procedure
from procflow.errors import MissingDocuments, RuleViolation
from procflow.model.slips import FeeLine

__all__ = ["FORMS", "DeskList", "MissingDocument", "form_label"]

Form = Literal["original", "certified_copy", "copy", "original_or_copy"]
FORMS: tuple[str, ...] = get_args(Form)

#: What each form handed in is worth; a document is covered by a form worth at
#: least what its own form asks (original 2 > certified copy 1 > copy 0).
_WORTH = {"original": 2, "certified_copy": 1, "copy": 0, "original_or_copy": 0}

#: The forms' names as the receipt and supplement slips print them.
_LABELS_VI = {
    "original": "bản chính",
    "certified_copy": "bản sao có chứng thực",
    "copy": "bản sao",
    "original_or_copy": "bản chính hoặc bản sao",
}


def form_label(form: str) -> str:
    """The Vietnamese name of a form (``original`` -> ``bản chính``)."""
    return _LABELS_VI.get(form, form)


def _key(name: str) -> str:
    """A name as compared: NFC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@dataclass(frozen=True, slots=True)
class MissingDocument:
    """A required document the dossier lacks, and what was handed in of it."""

    id: str
    name: str
    form: str
    copies: int
    handed_in: int = 0
    """Copies handed in of a form that covers the one asked."""
    wrong_form: str | None = None
    """The form handed in when it does not cover the one asked (a copy for an original)."""
    template: str | None = None

    def describe(self) -> str:
        """The line on the supplement request, in Vietnamese (the applicant reads it):
        ``Giấy chứng sinh (bản chính): đã nộp bản sao``."""
        text = f"{self.name} ({form_label(self.form)}"
        if self.copies > 1:
            text += f", {self.copies} bản"
        text += ")"
        if self.wrong_form is not None:
            text += f": đã nộp {form_label(self.wrong_form)}"
        elif self.handed_in:
            text += f": đã nộp {self.handed_in} bản"
        return text

    def explain(self) -> str:
        """The same in English, for the officer's error message."""
        text = f"{self.name!r} ({self.id}, {self.form.replace('_', ' ')}"
        if self.copies > 1:
            text += f", {self.copies} copies"
        if self.wrong_form is not None:
            text += f"; a {self.wrong_form.replace('_', ' ')} was handed in"
        elif self.handed_in:
            text += f"; {self.handed_in} handed in"
        return text + ")"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class _Handed:
    """One entry of ``documents`` as read: the document it names (None: not in
    the procedure's list), its form and copies (None: as the procedure asks)."""

    doc: Document | None
    form: str | None
    copies: int | None
    recorded: dict[str, Any]


class DeskList:
    """A procedure version's documents and fees, ready for the desk.

    Built once per version: the documents by id and by name, which of them
    are required and under which conditions, and the fee lines (shared by
    every slip when no fee depends on facts).
    """

    __slots__ = (
        "_by_key",
        "_fees",
        "check",
        "checks_anything",
        "documents",
        "fixed_fees",
        "procedure_id",
        "required",
    )

    def __init__(self, procedure: Procedure) -> None:
        self.procedure_id = procedure.id
        self.documents: tuple[Document, ...] = tuple(procedure.documents)
        self.required: tuple[Document, ...] = tuple(d for d in self.documents if d.required)
        self.check: bool = procedure.rules.check_documents
        """The procedure's ``rules.check_documents``."""
        self.checks_anything = bool(self.required)
        by_key: dict[str, Document] = {}
        for doc in self.documents:  # ids first: an id wins over a name that looks like it
            by_key.setdefault(doc.ref, doc)
        for doc in self.documents:
            for name in (doc.name.vi, doc.name.en):
                if name:
                    by_key.setdefault(_key(name), doc)
        self._by_key = by_key
        self._fees = tuple(
            (
                fee,
                FeeLine(fee.name.vi, fee.amount, fee.currency, fee.basis, fee.note),
            )
            for fee in procedure.fees
        )
        conditional = any(f.when is not None or f.unless is not None for f in procedure.fees)
        self.fixed_fees: tuple[FeeLine, ...] | None = (
            None if conditional else tuple(line for _, line in self._fees)
        )
        """The fee lines of every dossier, when no fee depends on facts (else None)."""

    # --- fees ------------------------------------------------------------------------

    def fees_for(self, facts: Mapping[str, Any]) -> tuple[FeeLine, ...]:
        """The fees and charges of a dossier with ``facts``."""
        if self.fixed_fees is not None:
            return self.fixed_fees
        f = dict(facts)
        return tuple(line for fee, line in self._fees if fee.applies(f))

    # --- documents -------------------------------------------------------------------

    def required_for(self, facts: Mapping[str, Any]) -> list[Document]:
        """The documents a dossier with ``facts`` must have, in the procedure's order."""
        f = dict(facts)
        return [d for d in self.required if d.applies(f)]

    def find(self, name: str) -> Document | None:
        """The document named ``name`` (its id, or its name in either language)."""
        return self._by_key.get(name) or self._by_key.get(_key(name))

    def read(self, documents: Sequence[str | dict[str, Any]]) -> list[_Handed]:
        """``documents`` as handed in, each matched to the procedure's list.

        Raises :class:`RuleViolation` naming the entry for a form that is not
        one or a number of copies that is not a positive whole number.
        """
        out: list[_Handed] = []
        for i, entry in enumerate(documents):
            if isinstance(entry, str):
                doc = self.find(entry)
                recorded: dict[str, Any] = {"name": entry}
                if doc is not None:
                    recorded = {"id": doc.ref, "name": entry}
                out.append(_Handed(doc, None, None, recorded))
                continue
            label = entry.get("id", entry.get("name"))
            if not isinstance(label, str) or not label.strip():
                raise RuleViolation(
                    f"documents[{i}]: name the document with 'name' or 'id' (text), e.g. "
                    "{'name': 'Giấy chứng sinh', 'form': 'original'}"
                )
            form = entry.get("form")
            if form is not None and form not in FORMS:
                raise RuleViolation(
                    f"documents[{i}].form: {form!r} is not a form; use one of {', '.join(FORMS)}"
                )
            copies = entry.get("copies")
            if copies is not None and (
                isinstance(copies, bool) or not isinstance(copies, int) or copies < 1
            ):
                raise RuleViolation(
                    f"documents[{i}].copies: {copies!r} is not a number of copies; give a "
                    "whole number of 1 or more"
                )
            doc = self.find(label)
            recorded = dict(entry)
            if doc is not None and "id" not in recorded:
                recorded = {"id": doc.ref, **recorded}
            out.append(_Handed(doc, form, copies, recorded))
        return out

    def missing(self, handed: Sequence[_Handed], facts: Mapping[str, Any]) -> list[MissingDocument]:
        """The required documents for ``facts`` that ``handed`` does not cover."""
        lacking: list[MissingDocument] = []
        for doc in self.required_for(facts):
            need = _WORTH[doc.form]
            count = 0
            wrong: str | None = None
            for h in handed:
                if h.doc is not doc:
                    continue
                form = h.form or doc.form
                if _WORTH[form] >= need:
                    count += h.copies if h.copies is not None else doc.copies
                else:
                    wrong = form
            if count < doc.copies:
                lacking.append(
                    MissingDocument(
                        id=doc.ref,
                        name=doc.name.vi,
                        form=doc.form,
                        copies=doc.copies,
                        handed_in=count,
                        wrong_form=wrong if count == 0 else None,
                        template=doc.template,
                    )
                )
        return lacking

    def refusal(
        self, lacking: Sequence[MissingDocument], handed: Sequence[_Handed]
    ) -> MissingDocuments:
        """The error refusing a receipt that lacks ``lacking``."""
        unknown = [str(h.recorded.get("name", h.recorded.get("id"))) for h in handed if not h.doc]
        message = (
            f"the dossier of {self.procedure_id!r} cannot be received: {len(lacking)} required "
            f"document(s) missing: {'; '.join(m.explain() for m in lacking)}"
        )
        if unknown:
            message += (
                f". Handed in but not in the procedure's list (a misspelt name?): "
                f"{', '.join(repr(u) for u in unknown)}"
            )
        message += (
            ". Receive it when they are handed in, or give the applicant the supplement "
            "request (Engine.guide(..., missing=error.missing); procflow dossier guide)"
        )
        return MissingDocuments(message, lacking, unknown)
