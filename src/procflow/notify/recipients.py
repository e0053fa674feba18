"""Who hears of a notice: the applicant, officers by agency and role, feeds.

* **The applicant** hears of the citizen notices the configuration lists
  (``citizen.notices``), at the contact fields the dossier's ``applicant``
  holds (``email``, ``phone``...), in the language its ``language`` field
  names, else the configuration's.
* **Officers** hear of the officer notices (warned, overdue, escalated)
  about the dossiers their agency holds: the event's ``holder`` (or
  ``agency``). An ``escalated`` event reaches only the officers with one of
  the roles its rule names to notify (``notify``: the head of the agency,
  who answers for lateness); a rule that names none (it only reassigns or
  fires a move) tells no officer.
* **Feeds** (the provincial portal) hear of every notice of the kinds they
  list, on their one channel, with no address.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from procflow.model.dossier import Dossier
from procflow.model.events import Event
from procflow.notify.config import LANGUAGES, OFFICER_NOTICES, NotifyConfig
from procflow.notify.notices import escalation_roles


@dataclass(frozen=True, slots=True)
class Recipient:
    id: str
    """``applicant``, ``officer:ID`` or ``feed:NAME``: part of the idempotency key."""
    name: str | None
    language: str
    contacts: Mapping[str, str]
    channels: Sequence[str]
    needs_address: bool = True

    def address(self, field: str | None) -> str | None:
        """Where a channel reading ``field`` sends to this recipient; None when
        the recipient has no such contact ("" for channels needing none)."""
        if field is None or not self.needs_address:
            return ""
        value = self.contacts.get(field)
        return value or None


def _contacts(values: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for k, v in values.items():
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            out[str(k)] = str(v).strip()
    return out


def recipients(kind: str, event: Event, dossier: Dossier, config: NotifyConfig) -> list[Recipient]:
    """Everyone who hears of notice ``kind`` about ``event``, in a fixed order."""
    out: list[Recipient] = []
    if kind in OFFICER_NOTICES:
        data = event.data
        agency = data.get("holder") or data.get("agency")
        roles = set(escalation_roles(data)) if kind == "escalated" else None
        for officer in config.officers:
            if officer.agency != agency or kind not in officer.notices:
                continue
            if roles is not None and not roles & set(officer.roles):
                continue
            contacts = {"email": officer.email or "", "phone": officer.phone or ""}
            contacts.update(officer.contacts)
            out.append(
                Recipient(
                    f"officer:{officer.id}",
                    officer.name,
                    officer.language,
                    _contacts(contacts),
                    officer.channels if officer.channels is not None else config.officer_channels,
                )
            )
    elif kind in config.citizen.notices and config.citizen.channels:
        applicant = dossier.applicant or {}
        language = applicant.get(config.citizen.language_field)
        out.append(
            Recipient(
                "applicant",
                applicant.get("name"),
                language if language in LANGUAGES else config.language,
                _contacts(applicant),
                config.citizen.channels,
            )
        )
    for feed in config.feeds:
        if kind in feed.notices:
            out.append(
                Recipient(f"feed:{feed.name}", None, feed.language, {}, [feed.channel], False)
            )
    return out
