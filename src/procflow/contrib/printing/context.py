"""What a printed slip says that the slip itself does not carry.

A slip is the engine's record of one paper: codes, ids, instants. The paper
handed over the counter also names the issuing agency in its heading, the
place in its date line, the applicant (an apology or a refusal slip does not
hold them), the procedure, agencies and steps by their names, and the
officers by theirs. :class:`SlipContext` carries those; without it every id
stands for itself and a missing particular prints as a dotted blank to fill
in by hand, as on a blank form. :func:`context_for` builds one from the
procedure version the dossier runs under.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from procflow.errors import ProcflowError
from procflow.model.forms import LEGAL_TZ

if TYPE_CHECKING:
    from procflow.catalogue import Catalogue

__all__ = ["Letterhead", "SlipContext", "context_for"]


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The issuing agency, as printed top left beside the national heading.

    ``parent`` is the governing body printed above it (cơ quan chủ quản,
    e.g. "UBND TỈNH AN GIANG"); ``agency`` the agency itself ("UBND XÃ AN
    BÌNH"); ``unit`` the desk under it when it is named apart ("BỘ PHẬN MỘT
    CỬA"); ``place`` the place name of the date line ("An Bình, ngày ...").
    Each is optional: a missing one prints as a blank to fill in.
    """

    agency: str | None = None
    parent: str | None = None
    unit: str | None = None
    place: str | None = None


@dataclass(frozen=True, slots=True)
class SlipContext:
    """The particulars a printed slip needs beyond the slip.

    ``applicant`` is used when the slip carries none (apology, refusal,
    supplement request, control slip); ``pickup`` is where the result is
    handed back (the receipt's "register to collect the result at").
    ``officer_names`` maps an officer as the slip records them
    (``lan@commune-pc/desk-officer``) or their id (``lan``) to the name
    printed under the signature; without it the id is printed.
    ``document_forms`` maps a document's name to its form (``original``,
    ``certified_copy``, ``copy``...), for receipts whose documents were
    recorded by name only. Instants print in ``tz`` (Viet Nam's time).
    """

    letterhead: Letterhead = field(default_factory=Letterhead)
    applicant: Mapping[str, Any] | None = None
    procedure_name: str | None = None
    agency_names: Mapping[str, str] = field(default_factory=dict)
    step_names: Mapping[str, str] = field(default_factory=dict)
    officer_names: Mapping[str, str] = field(default_factory=dict)
    document_forms: Mapping[str, str] = field(default_factory=dict)
    pickup: str | None = None
    tz: tzinfo = LEGAL_TZ

    def agency(self, agency_id: str | None) -> str:
        """The agency's name, or its id when none is known."""
        if not agency_id:
            return ""
        return self.agency_names.get(agency_id, agency_id)

    def step(self, step_id: str | None) -> str:
        if not step_id:
            return ""
        return self.step_names.get(step_id, step_id)

    def officer(self, recorded: str | None) -> str:
        """The name printed for an officer recorded as ``id@agency/role``:
        from ``officer_names`` (by the whole record, then the id), else the id."""
        if not recorded:
            return ""
        if recorded in self.officer_names:
            return self.officer_names[recorded]
        officer_id = recorded.split("@", 1)[0]
        return self.officer_names.get(officer_id, officer_id)

    def with_applicant(self, applicant: Mapping[str, Any] | None) -> SlipContext:
        return replace(self, applicant=applicant)


def context_for(
    catalogue: Catalogue | None,
    procedure_id: str,
    version: str | None = None,
    *,
    lang: str = "vi",
    letterhead: Letterhead | None = None,
    applicant: Mapping[str, Any] | None = None,
    officer_names: Mapping[str, str] | None = None,
    pickup: str | None = None,
    tz: tzinfo | None = None,
) -> SlipContext:
    """The context of a slip of ``procedure_id`` (at ``version``, else the last
    version the catalogue has): its name, agency and step names in ``lang``,
    the forms of its documents, and, unless ``letterhead`` is given, the desk
    agency's name as the letterhead. A procedure the catalogue lacks (or no
    catalogue) gives ids only: the slip still prints."""
    names: dict[str, str] = {}
    steps: dict[str, str] = {}
    forms: dict[str, str] = {}
    procedure_name: str | None = None
    head = letterhead
    proc = _procedure(catalogue, procedure_id, version)
    if proc is not None:
        procedure_name = proc.name.get(lang)
        names = {a.id: a.name.get(lang) for a in proc.agencies}
        steps = {s.id: s.name.get(lang) for s in proc.steps}
        for doc in proc.documents:
            forms[doc.name.vi] = doc.form
            if doc.name.en:
                forms.setdefault(doc.name.en, doc.form)
        if head is None:
            head = Letterhead(agency=proc.desk.name.get(lang))
    return SlipContext(
        letterhead=head or Letterhead(),
        applicant=applicant,
        procedure_name=procedure_name,
        agency_names=names,
        step_names=steps,
        officer_names=dict(officer_names or {}),
        document_forms=forms,
        pickup=pickup,
        tz=tz or LEGAL_TZ,
    )


def _procedure(catalogue: Catalogue | None, procedure_id: str, version: str | None) -> Any:
    if catalogue is None:
        return None
    try:
        if version is not None:
            return catalogue.get(procedure_id, version).procedure
        return catalogue.versions(procedure_id)[-1].procedure
    except (ProcflowError, IndexError, KeyError):  # a version no longer in the catalogue
        return None
