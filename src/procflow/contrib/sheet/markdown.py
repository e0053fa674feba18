"""The sheet as Markdown (GitHub-flavoured tables), for portals and wikis."""

from __future__ import annotations

from collections.abc import Sequence

from procflow.contrib.sheet.model import Sheet, SheetRow

__all__ = ["FORMAT", "MEDIA_TYPE", "render"]

FORMAT = "md"
MEDIA_TYPE = "text/markdown"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[SheetRow]) -> list[str]:
    out = [
        "| " + " | ".join(_cell(h) for h in headers) + " |",
        "|" + "|".join(" --- " for _ in headers) + "|",
    ]
    for row in rows:
        cells = [_cell(c) for c in row.cells]
        if row.note and len(cells) > row.note_at:
            cells[row.note_at] += f" <br>*{_cell(row.note)}*"
        if row.mark == "applicant" and len(cells) > 1:
            cells[1] = f"*{cells[1]}*"
        out.append("| " + " | ".join(cells) + " |")
    return out


def render(sheet: Sheet) -> str:
    w = sheet.labels
    out = [f"# {sheet.title}", "", f"*{w['heading']}*", ""]
    for label, value in sheet.facts:
        out.append(f"- **{label}:** {value}")
    out.append(f"- **{w['where']}:** {sheet.where}")
    out += ["", f"## {w['time_limit']}", "", f"**{sheet.time_limit}**", ""]
    for note in sheet.time_notes:
        out += [f"> {note}", ">"]
    if sheet.time_notes:
        out[-1] = ""
    out += [f"## {w['agencies']}", ""]
    out += _table([w["agency"], w["level"], w["share"]], sheet.agencies)
    out += ["", f"## {w['steps']}", ""]
    out += _table([w["no"], w["step"], w["kind"], w["agency"], w["time"]], sheet.steps)
    out += ["", f"## {w['documents']}", ""]
    if sheet.documents:
        out += _table(
            [w["no"], w["document"], w["form"], w["copies"], w["required"]], sheet.documents
        )
    else:
        out.append(w["none"])
    out += ["", f"## {w['fees']}", ""]
    if sheet.fees:
        out += _table([w["fee"], w["amount"], w["basis"]], sheet.fees)
    else:
        out.append(w["none"])
    if sheet.result:
        out += ["", f"## {w['result']}", "", sheet.result]
    out += ["", f"## {w['legal_basis']}", ""]
    out += [f"{i}. {item}" for i, item in enumerate(sheet.legal_basis, start=1)]
    out += ["", "---", "", f"*{w['footer']} `{sheet.key}` · procflow*"]
    return "\n".join(out) + "\n"
