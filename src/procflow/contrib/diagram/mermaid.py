"""Mermaid ``flowchart``: renders on GitHub, GitLab and in most Markdown viewers.

One ``subgraph`` per agency (the swimlane), hand-offs as thick arrows,
applicant steps as hexagons, hand-off steps as parallelograms, ends as
stadiums; the critical path in red, the dossier's path in blue.
"""

from __future__ import annotations

import re

from procflow.contrib.diagram.model import Diagram, Node

__all__ = ["FORMAT", "MEDIA_TYPE", "render"]

FORMAT = "mermaid"
MEDIA_TYPE = "text/vnd.mermaid"

_CLASSES = {
    "step": "fill:#ffffff,stroke:#4a5568,color:#1a202c",
    "applicant": "fill:#fff8e1,stroke:#b7791f,stroke-dasharray:5 3,color:#5f370e",
    "handoff": "fill:#ebf4ff,stroke:#2b6cb0,color:#1a365d",
    "ending": "fill:#edf2f7,stroke:#718096,color:#1a202c",
    "critical": "stroke:#c53030,stroke-width:3px",
    "visited": "fill:#e6f0ff,stroke:#1f4fb8,stroke-width:2px",
    "late": "fill:#fde8e8,stroke:#c53030,stroke-width:3px",
    "current": "fill:#fefcbf,stroke:#1f4fb8,stroke-width:4px",
}
CRITICAL_LINK = "stroke:#c53030,stroke-width:3px"
TAKEN_LINK = "stroke:#1f4fb8,stroke-width:4px"


def _id(raw: str) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", raw)


def _text(raw: str) -> str:
    """Text inside a quoted Mermaid label: quotes and markup characters escaped."""
    return (
        raw.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _yaml_string(raw: str) -> str:
    """``raw`` as a YAML double-quoted scalar, for the front matter.

    The front matter is YAML: written plain, a title holding ``": "`` (the
    English names of the bundles do: "Bundle for children under 6: ...") or
    `` #``, or starting with ``-``, ``&``, ``*``, ``!``, ``%``, ``@``, a
    quote or a bracket, means something else or does not parse at all
    (mermaid-cli stops with a YAMLException). The double-quoted style holds
    any text once backslash and quote are escaped, and so is every character
    YAML forbids in a stream (controls, DEL, C1, surrogates, U+FFFE/FFFF) or
    reads as a line break (NEL, U+2028, U+2029) or a byte-order mark: the
    value then reads back exactly as given. The title is YAML data, not a
    label, so it takes no ``#quot;`` entity codes, which would read back as
    themselves.
    """
    out = ['"']
    for ch in raw:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif (
            code < 0x20
            or 0x7F <= code <= 0x9F
            or 0xD800 <= code <= 0xDFFF
            or ch in "\u2028\u2029\ufeff\ufffe\uffff"
        ):
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _label(node: Node) -> str:
    return "<br/>".join(_text(line) for line in node.lines())


def _shape(node: Node) -> str:
    label = f'"{_label(node)}"'
    if node.terminal:
        return f"([{label}])"
    if node.applicant:
        return "{{" + label + "}}"
    if node.handoff:
        return f"[/{label}/]"
    return f"[{label}]"


def _classes(node: Node) -> list[str]:
    if node.terminal:
        out = ["ending"]
    elif node.applicant:
        out = ["applicant"]
    elif node.handoff:
        out = ["handoff"]
    else:
        out = ["step"]
    if node.critical:
        out.append("critical")
    if node.visited:
        out.append("visited")
    if node.late:
        out.append("late")
    if node.current:
        out.append("current")
    return out


def render(diagram: Diagram) -> str:
    """The diagram as Mermaid source."""
    lines = [
        "---",
        f"title: {_yaml_string(diagram.title)}",
        "---",
        "flowchart LR",
        f"    %% {_text(diagram.subtitle)}",
    ]
    for index, lane in enumerate(diagram.lanes):
        if not lane.nodes:
            continue
        lines.append(f'    subgraph lane{index}["{_text(lane.label)}"]')
        lines.append("        direction LR")
        for node_id in lane.nodes:
            node = diagram.nodes[node_id]
            lines.append(f"        {_id(node.id)}{_shape(node)}")
        lines.append("    end")
    for end in diagram.ends:
        node = diagram.nodes[end]
        lines.append(f"    {_id(node.id)}{_shape(node)}")

    critical_links: list[int] = []
    taken_links: list[int] = []
    for index, edge in enumerate(diagram.edges):
        label = edge.label
        if edge.handoff:
            label = f"⇄ {label}" if label else "⇄"
        if edge.taken > 1:
            label += f" ×{edge.taken}"
        arrow = "==>" if edge.handoff else ("-.->" if edge.back else "-->")
        text = f'|"{_text(label)}"|' if label else ""
        lines.append(f"    {_id(edge.source)} {arrow}{text} {_id(edge.target)}")
        if edge.taken:
            taken_links.append(index)
        elif edge.critical:
            critical_links.append(index)

    for name, style in _CLASSES.items():
        lines.append(f"    classDef {name} {style}")
    by_class: dict[str, list[str]] = {}
    for node in diagram.nodes.values():
        for name in _classes(node):
            by_class.setdefault(name, []).append(_id(node.id))
    for name in _CLASSES:
        if by_class.get(name):
            lines.append(f"    class {','.join(by_class[name])} {name}")
    if critical_links:
        lines.append(f"    linkStyle {','.join(map(str, critical_links))} {CRITICAL_LINK}")
    if taken_links:
        lines.append(f"    linkStyle {','.join(map(str, taken_links))} {TAKEN_LINK}")
    return "\n".join(lines) + "\n"
