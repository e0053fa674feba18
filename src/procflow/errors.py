"""Every exception procflow raises on purpose, in one hierarchy.

Catch :class:`ProcflowError` to handle anything procflow raises deliberately.
Each error carries a message written for the person who must fix the cause:
what is wrong, where, and how to put it right. None of them means the state
was changed: an operation that raises leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from procflow.engine.documents import MissingDocument
    from procflow.findings import Finding


class ProcflowError(Exception):
    """Base class of every error procflow raises deliberately."""


# --- definition ---------------------------------------------------------------


class DefinitionError(ProcflowError):
    """A procedure (or calendar, or scenario) file cannot be used.

    ``findings`` lists every problem found, each with its file, line and key
    path; ``str(error)`` prints them all.
    """

    def __init__(self, findings: list[Finding], source: str | None = None) -> None:
        self.findings = findings
        self.source = source
        errors = [f for f in findings if f.is_error] or findings
        head = f"{source or 'input'}: {len(errors)} error(s)"
        super().__init__(head + "\n" + "\n".join(str(f) for f in errors))

    def __reduce__(self) -> tuple[type[DefinitionError], tuple[list[Finding], str | None]]:
        # So that it crosses process boundaries (parallel catalogue loads) intact.
        return (type(self), (self.findings, self.source))


class CalendarError(ProcflowError):
    """A calendar or a calendar overlay is invalid, or a date lies outside it."""


# --- engine -------------------------------------------------------------------


class EngineError(ProcflowError):
    """Base class of errors raised while running dossiers."""


class UnknownProcedure(EngineError):
    """No procedure with this id (and version in force) is in the catalogue."""


class DossierNotFound(EngineError):
    """No dossier with this code is stored."""


class NotPermitted(EngineError):
    """The actor may not do this: the step belongs to another agency or role.

    Only the agency that holds a dossier's current step can move it out of
    that step. Nothing was changed.
    """


class InvalidTrigger(EngineError):
    """The trigger is unknown, or not possible from the dossier's current step."""


class DossierClosed(EngineError):
    """The dossier has reached a terminal outcome and cannot move any more."""


class RuleViolation(EngineError):
    """A legal or configured rule forbids the action (e.g. a second apology)."""


class MissingDocuments(RuleViolation):
    """The dossier lacks required documents, so the desk cannot receive it.

    ``missing`` lists what lacks (:class:`procflow.engine.documents.MissingDocument`:
    the document, its form and copies, and what was handed in of it); pass it
    to :meth:`procflow.engine.Engine.guide` for the supplement request
    (``engine.guide(procedure_id, actor=..., missing=error.missing)``).
    ``unknown`` lists the names handed in that the procedure does not list (a
    typo shows up there). Nothing was written.
    """

    def __init__(
        self,
        message: str,
        missing: Sequence[MissingDocument],
        unknown: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.missing: tuple[MissingDocument, ...] = tuple(missing)
        self.unknown: tuple[str, ...] = tuple(unknown)

    def __reduce__(self) -> Any:
        return (type(self), (str(self), self.missing, self.unknown))


class ConflictError(EngineError):
    """Someone else changed the dossier first (optimistic version check).

    Re-read the dossier and try again; nothing of this call was written.
    """


class StoreError(ProcflowError):
    """The store failed, or holds data procflow cannot read."""


class TamperDetected(StoreError):
    """The event log's hash chain does not verify: an event was edited or removed."""
