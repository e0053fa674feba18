"""Fixed-width text: every line at most ``width`` characters.

A slip printed as plain text goes to a receipt printer (32 to 48 columns on
58 mm and 80 mm rolls) or into an e-mail (72 columns reads well in every
client) [design]. The templates write lines as they come; :func:`fit` then
wraps each line that is too long, keeping its indentation and indenting the
lines it continues on, so no template can overflow the paper. Text is put in
Unicode NFC first: Vietnamese letters then take one column each (a
decomposed "ệ" is three code points but one letter on paper).
"""

from __future__ import annotations

import textwrap
import unicodedata

__all__ = ["BLANKS", "MAX_WIDTH", "MIN_WIDTH", "centred", "fit", "rule", "signature_block"]

MIN_WIDTH = 24
"""Narrower than this, a form's labels no longer fit beside anything."""
MAX_WIDTH = 200
BLANKS = 3
"""Blank lines kept in a row: the space left to sign in."""


def _wrap(line: str, width: int) -> list[str]:
    stripped = line.lstrip(" ")
    indent = " " * min(len(line) - len(stripped), width // 3)
    more = indent + " " * min(2, max(0, width - len(indent) - 8))
    return textwrap.wrap(
        stripped,
        width=width,
        initial_indent=indent,
        subsequent_indent=more,
        break_long_words=True,
        break_on_hyphens=False,
        drop_whitespace=True,
    ) or [""]


def fit(text: str, width: int) -> str:
    """``text`` with every line at most ``width`` characters (wrapped at spaces,
    long words broken), trailing spaces dropped, no blank line first or last,
    at most :data:`BLANKS` blank lines in a row (the space to sign in), and
    one final newline."""
    out: list[str] = []
    blanks = 0
    for raw in unicodedata.normalize("NFC", text).splitlines():
        line = raw.rstrip()
        pieces = [line] if len(line) <= width else _wrap(line, width)
        for piece in pieces:
            blanks = blanks + 1 if not piece else 0
            if not piece and (not out or blanks > BLANKS):
                continue
            out.append(piece)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def centred(text: str, width: int) -> str:
    """``text`` centred on lines of ``width`` (wrapped first when longer)."""
    text = unicodedata.normalize("NFC", " ".join(str(text).split()))
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    return "\n".join(line.center(width).rstrip() for line in lines)


def rule(width: int, char: str = "-") -> str:
    """A line across the paper."""
    return char * width


def signature_block(blocks: list[tuple[str, str, str]], width: int, space: int = BLANKS) -> str:
    """Signature blocks (role, hint, printed name) with ``space`` blank lines to
    sign on: side by side when two fit across the paper, else one under the other."""
    columns = [[role, hint, *([""] * space), name] for role, hint, name in blocks]
    half = width // 2
    if len(columns) == 2 and all(len(s) <= half - 1 for col in columns for s in col):
        left, right = columns
        return "\n".join(
            (a.center(half) + b.center(width - half)).rstrip()
            for a, b in zip(left, right, strict=True)
        )
    if len(columns) == 1 and all(len(s) <= half - 1 for s in columns[0]):
        # one signature sits on the right half, as on the printed forms
        return "\n".join((" " * half + s.center(width - half)).rstrip() for s in columns[0])
    out: list[str] = []
    for col in columns:
        if out:
            out.append("")
        out.extend(centred(s, width) if s else "" for s in col)
    return "\n".join(out)
