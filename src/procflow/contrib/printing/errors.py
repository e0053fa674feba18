"""What can go wrong when printing a slip, as procflow errors.

Every one names what to fix: the slip type without a printed form, the
template or wording file that cannot be used (with its line), the paper or
language asked for, the paper a dossier does not have. The command line
prints them as one line, never as a traceback.
"""

from __future__ import annotations

from procflow.errors import ProcflowError

__all__ = ["NoSuchSlip", "PrintingError"]


class PrintingError(ProcflowError):
    """A slip cannot be printed as asked (unknown slip type, format, language or
    paper; a template or wording file that cannot be read or rendered)."""


class NoSuchSlip(PrintingError):
    """The dossier has no paper of the kind asked for (a refusal slip of a
    dossier that was received, a stop notice of an open one...)."""
