"""The sheet as ONE self-contained HTML file (no external CSS, fonts or images)
that prints on A4: ``@page`` margins, a running footer with the procedure key,
table headers repeated on each page and rows never split across pages."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from procflow.contrib.sheet.model import Sheet, SheetRow

__all__ = ["CSS", "FORMAT", "MEDIA_TYPE", "render"]

FORMAT = "html"
MEDIA_TYPE = "text/html"

CSS = """
@page { size: A4 portrait; margin: 16mm 14mm 18mm 16mm; }
@page { @bottom-center { content: counter(page) " / " counter(pages); font-size: 9pt; } }
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  font-family: "Times New Roman", "Liberation Serif", "DejaVu Serif", "Noto Serif", serif;
  font-size: 12pt; line-height: 1.35; color: #000; background: #fff;
  max-width: 190mm; margin: 0 auto; padding: 8mm 0;
}
header.top { display: flex; justify-content: space-between; gap: 8mm; text-align: center; }
header.top .agency { font-weight: bold; text-transform: uppercase; font-size: 11pt; flex: 1; }
header.top .nation { font-weight: bold; font-size: 11pt; flex: 1.3; }
header.top .motto { font-weight: bold; font-size: 12pt; text-decoration: underline; }
h1 { font-size: 14pt; text-align: center; margin: 8mm 0 1mm; text-transform: uppercase; }
h1 + .title { text-align: center; font-size: 14pt; font-weight: bold; margin: 0 0 5mm; }
h2 { font-size: 12.5pt; margin: 5mm 0 2mm; border-bottom: 1px solid #000; padding-bottom: 1mm;
     break-after: avoid; page-break-after: avoid; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 4mm; margin: 0; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
p.limit { font-size: 13pt; font-weight: bold; margin: 1mm 0; }
p.note, td .note { font-size: 10.5pt; font-style: italic; margin: 0.5mm 0; }
table { width: 100%; border-collapse: collapse; font-size: 11pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 1.2mm 2mm; vertical-align: top; text-align: left; }
th { background: #eee; font-weight: bold; }
td.num, th.num { text-align: center; width: 10mm; }
tr.applicant td { background: #fff8e1; font-style: italic; }
tr.handoff td { background: #eef4ff; }
ol.legal { margin: 0; padding-left: 6mm; }
footer { margin-top: 8mm; font-size: 9pt; color: #444; border-top: 1px solid #999;
         padding-top: 1mm; }
@media print {
  body { max-width: none; padding: 0; }
  th, tr.applicant td, tr.handoff td {
    -webkit-print-color-adjust: exact; print-color-adjust: exact;
  }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def _table(headers: Sequence[str], rows: Sequence[SheetRow], numbered: bool = False) -> list[str]:
    out = ["<table>", "<thead><tr>"]
    for i, header in enumerate(headers):
        cls = ' class="num"' if numbered and i == 0 else ""
        out.append(f"<th{cls}>{escape(header)}</th>")
    out.append("</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cls = f' class="{row.mark}"' if row.mark in ("applicant", "handoff") else ""
        out.append(f"<tr{cls}>")
        for i, cell in enumerate(row.cells):
            td = ' class="num"' if numbered and i == 0 else ""
            body = escape(cell)
            if i == row.note_at and row.note:
                body += f'<div class="note">{escape(row.note)}</div>'
            out.append(f"<td{td}>{body}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return out


def render(sheet: Sheet) -> str:
    """The sheet as a complete HTML document."""
    w = sheet.labels
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{sheet.lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="procflow {escape(sheet.key)}">',
        f"<title>{escape(sheet.title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        '<header class="top">',
        f'<div class="agency">{escape(sheet.desk_agency)}</div>',
        f'<div class="nation">{escape(w["nation"])}<br>'
        f'<span class="motto">{escape(w["motto"])}</span></div>',
        "</header>",
        f"<h1>{escape(w['heading'])}</h1>",
        f'<p class="title">{escape(sheet.title)}</p>',
        '<dl class="facts">',
    ]
    for label, value in sheet.facts:
        out.append(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>")
    out.append(f"<dt>{escape(w['where'])}</dt><dd>{escape(sheet.where)}</dd>")
    out.append("</dl>")

    out.append(f'<h2 id="time-limit">{escape(w["time_limit"])}</h2>')
    out.append(f'<p class="limit">{escape(sheet.time_limit)}</p>')
    out.extend(f'<p class="note">{escape(note)}</p>' for note in sheet.time_notes)

    out.append(f'<h2 id="agencies">{escape(w["agencies"])}</h2>')
    out.extend(_table([w["agency"], w["level"], w["share"]], sheet.agencies))

    out.append(f'<h2 id="steps">{escape(w["steps"])}</h2>')
    out.extend(_table([w["no"], w["step"], w["kind"], w["agency"], w["time"]], sheet.steps, True))

    out.append(f'<h2 id="documents">{escape(w["documents"])}</h2>')
    if sheet.documents:
        out.extend(
            _table(
                [w["no"], w["document"], w["form"], w["copies"], w["required"]],
                sheet.documents,
                True,
            )
        )
    else:
        out.append(f"<p>{escape(w['none'])}</p>")

    out.append(f'<h2 id="fees">{escape(w["fees"])}</h2>')
    if sheet.fees:
        out.extend(_table([w["fee"], w["amount"], w["basis"]], sheet.fees))
    else:
        out.append(f"<p>{escape(w['none'])}</p>")

    if sheet.result:
        out.append(f'<h2 id="result">{escape(w["result"])}</h2>')
        out.append(f"<p>{escape(sheet.result)}</p>")

    out.append(f'<h2 id="legal-basis">{escape(w["legal_basis"])}</h2>')
    out.append('<ol class="legal">')
    out.extend(f"<li>{escape(item)}</li>" for item in sheet.legal_basis)
    out.append("</ol>")
    out.append(f"<footer>{escape(w['footer'])} {escape(sheet.key)} · procflow</footer>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
