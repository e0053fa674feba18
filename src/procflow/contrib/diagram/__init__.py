"""Procedures and dossiers as pictures.

    from procflow.contrib.diagram import build_diagram, render
    diagram = build_diagram(procedure, lang="vi")          # or dossier=..., calendar=, now=
    render(diagram, "mermaid")   # "dot", "svg"

:mod:`~procflow.contrib.diagram.model` decides what is shown (swimlanes per
agency, hand-offs, allotted times, applicant steps, the critical path, a
dossier's path and time spent); each format is one module with a
``render(diagram) -> str`` function, listed in :data:`FORMATS`. A new format
is a new module added there.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from procflow.contrib.diagram.model import (
    Diagram,
    DossierTrace,
    Edge,
    Lane,
    Node,
    build_diagram,
)
from procflow.errors import ProcflowError

__all__ = [
    "FORMATS",
    "Diagram",
    "DossierTrace",
    "Edge",
    "Lane",
    "Node",
    "build_diagram",
    "render",
    "renderer",
]

#: format name -> module rendering it (each has ``render(diagram) -> str``).
FORMATS: dict[str, str] = {
    "mermaid": "procflow.contrib.diagram.mermaid",
    "dot": "procflow.contrib.diagram.dot",
    "svg": "procflow.contrib.diagram.svg",
}


def renderer(fmt: str) -> ModuleType:
    """The module that renders ``fmt``."""
    try:
        return importlib.import_module(FORMATS[fmt])
    except KeyError:
        raise ProcflowError(
            f"no diagram format {fmt!r}; choose one of: {', '.join(FORMATS)}"
        ) from None


def render(diagram: Diagram, fmt: str) -> str:
    """``diagram`` in ``fmt`` (one of :data:`FORMATS`)."""
    text: str = renderer(fmt).render(diagram)
    return text
