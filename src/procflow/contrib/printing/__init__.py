"""The one-stop desk's papers, printable: each slip as an HTML page for the
printer (A5, the register A4 landscape) or as fixed-width plain text for a
receipt printer or an e-mail, in the layout and wording of the form in force
on the slip's date (Circular 01/2018/TT-VPCP, Circular 03/2025/TT-VPCP from
2025-09-15).

    from procflow.contrib.printing import render_slip, receipt_slip
    html = render_slip(engine.receive(...), format="html")
    text = render_slip(engine.control_slip(code), format="text", width=48)
    html = render_slip(receipt_slip(engine, code))      # rebuilt from the store

Templates and wording: ``templates/`` beside this module; a folder given as
``templates=`` is looked in first. docs/forms.md says what each form prints,
how to override it, and how well each wording is backed.
"""

from procflow.contrib.printing.context import Letterhead, SlipContext, context_for
from procflow.contrib.printing.errors import NoSuchSlip, PrintingError
from procflow.contrib.printing.rebuild import (
    SLIP_NAMES,
    apology_slip,
    receipt_slip,
    refusal_slip,
    slip_for,
    supplement_request,
)
from procflow.contrib.printing.registry import (
    PAPERS,
    Paper,
    PrintedForm,
    Stamp,
    form_for,
    register_form,
    registered_forms,
)
from procflow.contrib.printing.render import FORMATS, Format, Printer, render_slip

__all__ = [
    "FORMATS",
    "PAPERS",
    "SLIP_NAMES",
    "Format",
    "Letterhead",
    "NoSuchSlip",
    "Paper",
    "PrintedForm",
    "Printer",
    "PrintingError",
    "SlipContext",
    "Stamp",
    "apology_slip",
    "context_for",
    "form_for",
    "receipt_slip",
    "refusal_slip",
    "register_form",
    "registered_forms",
    "render_slip",
    "slip_for",
    "supplement_request",
]
