"""Keep the Vietnamese sheet wholly Vietnamese.

Names in a procedure are bilingual (``{vi: ..., en: ...}``), but a few fields
are plain strings that authors often write in English: the basis of the time
limit and of a fee (``Decree 63/2024/NĐ-CP, Art. 22 [recalled]``), the
articles relied on (``Articles 20-22``), the English gloss after a law's title
(``Luật Cư trú (Residence Law)``), form numbers and notes. For the Vietnamese
sheet:

* citations are translated: the kinds of document (Decree → Nghị định,
  Circular → Thông tư, Decision → Quyết định, Residence Law → Luật Cư trú...),
  articles (``Art. 28(1)(a)`` → ``điểm a khoản 1 Điều 28``) and time units
  (working days → ngày làm việc); numbers are left as they are;
* a provenance mark in brackets (``[recalled, not confirmed]``) becomes
  ``[chưa được đối chiếu với văn bản gốc]``;
* English commentary that cannot be translated (a parenthesis, a clause
  between semicolons, a whole note) is left out: the English sheet keeps it.

Whether a fragment is English is judged on its words, quotations aside: an
English word that is no Vietnamese one (``the``, ``of``, ``per``, ``Decree``...),
or words that cannot be Vietnamese syllables (see :func:`is_english`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "DOCUMENT_KINDS",
    "LAW_NAMES",
    "UNCONFIRMED_MARK",
    "citation",
    "free_text",
    "glossary",
    "is_english",
    "law_title",
    "template",
]

#: What a provenance mark in brackets becomes.
UNCONFIRMED_MARK = "[chưa được đối chiếu với văn bản gốc]"

#: English names of the kinds of legal document, longest first.
DOCUMENT_KINDS: dict[str, str] = {
    "Joint Circular": "Thông tư liên tịch",
    "Circular": "Thông tư",
    "Decree": "Nghị định",
    "Decision": "Quyết định",
    "Resolution": "Nghị quyết",
    "Ordinance": "Pháp lệnh",
    "Directive": "Chỉ thị",
    "Code": "Bộ luật",
    "Law": "Luật",
}

#: English names of laws as authors write them (the procedure's own glosses,
#: ``Luật Cư trú (Residence Law)``, are added to these).
LAW_NAMES: dict[str, str] = {
    "Residence Law": "Luật Cư trú",
    "Law on Residence": "Luật Cư trú",
    "Civil Status Law": "Luật Hộ tịch",
    "Law on Civil Status": "Luật Hộ tịch",
    "Enterprise Law": "Luật Doanh nghiệp",
    "Law on Enterprises": "Luật Doanh nghiệp",
    "Construction Law": "Luật Xây dựng",
    "Law on Construction": "Luật Xây dựng",
    "Land Law": "Luật Đất đai",
    "Investment Law": "Luật Đầu tư",
    "Law on Investment": "Luật Đầu tư",
    "Housing Law": "Luật Nhà ở",
    "Law on Housing": "Luật Nhà ở",
    "Law on Fees and Charges": "Luật Phí và lệ phí",
    "Tax Administration Law": "Luật Quản lý thuế",
    "Law on Tax Administration": "Luật Quản lý thuế",
    "Identification Law": "Luật Căn cước",
    "Law on Identification": "Luật Căn cước",
    "Social Insurance Law": "Luật Bảo hiểm xã hội",
    "Law on Social Insurance": "Luật Bảo hiểm xã hội",
    "Health Insurance Law": "Luật Bảo hiểm y tế",
    "Law on Health Insurance": "Luật Bảo hiểm y tế",
    "Marriage and Family Law": "Luật Hôn nhân và gia đình",
    "Law on Marriage and Family": "Luật Hôn nhân và gia đình",
    "Nationality Law": "Luật Quốc tịch Việt Nam",
    "Law on Vietnamese Nationality": "Luật Quốc tịch Việt Nam",
    "Notarization Law": "Luật Công chứng",
    "Law on Notarization": "Luật Công chứng",
    "Law on Electronic Transactions": "Luật Giao dịch điện tử",
    "Law on Promulgation of Legal Documents": "Luật Ban hành văn bản quy phạm pháp luật",
    "Civil Code": "Bộ luật Dân sự",
}

#: The kind of document told by its number: ``63/2024/NĐ-CP`` is a decree.
_KIND_BY_NUMBER: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"/TTLT-"), "Thông tư liên tịch"),
    (re.compile(r"/NĐ-"), "Nghị định"),
    (re.compile(r"/TT-"), "Thông tư"),
    (re.compile(r"/QĐ-"), "Quyết định"),
    (re.compile(r"/NQ-"), "Nghị quyết"),
    (re.compile(r"/CT-"), "Chỉ thị"),
    (re.compile(r"/PL-|/UBTVQH"), "Pháp lệnh"),
    (re.compile(r"/QH\d"), "Luật"),
)

#: English words that never stand for a Vietnamese word (``an``, ``do``,
#: ``so``, ``in``, ``can``, ``than``, ``may``, ``to``, ``no`` may, so they are
#: not here: they are judged with the others).
_ENGLISH_TEXT = """
    the of and or is are was were be been being not for by with from per as at on
    into onto where when which who whose that this these those its it see only each any
    every if then after before until under over also has have had will would should must
    all one two three first new same other such
    day days hour hours working calendar week weeks month months year years
    law decree decision circular resolution article articles art clause point chapter
    form copy copies recalled confirmed placeholder published
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())

#: A Vietnamese syllable written without its marks (``theo``, ``cho``, ``trong``).
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)

_PROVENANCE = re.compile(
    r"recalled|confirm|not read|secondary|source|unverified|checked|assumed|estimated?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’")
_ATTACHED = re.compile(r"\(\w{1,4}\)")
_OPENING = {"(": ")", "[": "]"}

_ARTICLE = re.compile(
    r"\b(?:Articles|Article|Arts\.|Art\.)\s*"
    r"(?P<first>\d+[a-z]?)(?P<parts>(?:\(\w{1,4}\))*)"
    r"(?P<rest>(?:\s*(?:-|–|,|\band\b|\bto\b)\s*\d+[a-z]?(?![\w/]))*)"
)
_SUBDIVISIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "Point a of Clause 1 of Article 28": Article is already "Điều 28"
    (re.compile(r"\bClauses?\s+(\d+)(?:\s+of\b)?"), r"khoản \1"),
    (re.compile(r"\bPoints?\s+([a-zđ])\b(?:\s+of\b)?"), r"điểm \1"),
    (re.compile(r"\bChapter\s+([IVXLC]+|\d+)\b"), r"Chương \1"),
    (re.compile(r"\bSection\s+(\d+)\b"), r"Mục \1"),
)
_PHRASES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"\bas amended (?:in )?(\d{4})\b"), r"được sửa đổi, bổ sung năm \1"),
    (re.compile(r"\bas amended\b"), "được sửa đổi, bổ sung"),
    (re.compile(r"\bamended by\b"), "được sửa đổi, bổ sung bởi"),
    (re.compile(r"\bamends\b"), "sửa đổi, bổ sung"),
    (
        re.compile(r"\b(\d+)\.(\d+)(?=\s+(?:working|calendar)\b)"),
        lambda m: f"{m[1]},{m[2]}",
    ),
    (re.compile(r"\bworking days?\b"), "ngày làm việc"),
    (re.compile(r"\bworking hours?\b"), "giờ làm việc"),
    (re.compile(r"\bcalendar days?\b"), "ngày lịch"),
    (re.compile(r"\bForm No\.\s*"), "Mẫu số "),
    (re.compile(r"\bForm\s+(?=\w*\d)"), "Mẫu "),
    (re.compile(r"\bNo\.\s*(?=\d)"), "số "),
)


def _parts_text(parts: str) -> str:
    """``(1)(a)`` → ``điểm a khoản 1 `` (the Vietnamese order: smallest first)."""
    out = []
    for part in reversed(re.findall(r"\((\w+)\)", parts)):
        out.append(f"{'khoản' if part.isdigit() else 'điểm'} {part} ")
    return "".join(out)


def _article(match: re.Match[str]) -> str:
    rest = match["rest"] or ""
    rest = re.sub(r"\s*\band\b\s*", " và ", rest)
    rest = re.sub(r"\s*\bto\b\s*", "-", rest)
    rest = re.sub(r"\s*([-–])\s*", r"\1", rest)
    return f"{_parts_text(match['parts'] or '')}Điều {match['first']}{rest}"


def _kinds_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(k) for k in sorted(DOCUMENT_KINDS, key=len, reverse=True))
    return re.compile(rf"\b({names})\b(\s+No\.)?(?=\s*\d[\w-]*/)")


_KINDS = _kinds_pattern()


def _phrases(text: str, names: Mapping[str, str]) -> str:
    """Translate what can be translated word for word in ``text`` (no groups)."""
    for english in sorted(names, key=len, reverse=True):
        name = re.escape(english)
        vietnamese = names[english].replace("\\", "\\\\")
        # "Residence Law 2020" → "Luật Cư trú năm 2020"
        text = re.sub(rf"\b{name}\s+(?=\d{{4}}\b)", f"{vietnamese} năm ", text)
        text = re.sub(rf"\b{name}\b", vietnamese, text)
    text = _ARTICLE.sub(_article, text)
    for pattern, repl in _SUBDIVISIONS:
        text = pattern.sub(repl, text)
    text = _KINDS.sub(lambda m: DOCUMENT_KINDS[m[1]] + (" số" if m[2] else ""), text)
    for phrase, replacement in _PHRASES:
        text = phrase.sub(replacement, text)
    return text


def _words(text: str) -> list[str]:
    """The words of ``text`` that tell its language: no numbers, no single
    letters (``điểm a``), no abbreviations (``NĐ``, ``UBND``, ``VNeID``)."""
    return [
        w
        for w in re.findall(r"[^\W\d_]+", _QUOTED.sub(" ", text))
        if len(w) > 1 and sum(c.isupper() for c in w) < 2
    ]


def is_english(text: str) -> bool:
    """Whether ``text`` (quotations aside) reads as English rather than Vietnamese.

    It does when it has an English word that is no Vietnamese one (``the``,
    ``per``, ``Decree``), or words that cannot be Vietnamese syllables
    (``remote``, ``households``; a capitalised one inside the text is taken for
    a name): two of them, or as many as the Vietnamese words.
    """
    words = _words(text)
    if any(w.lower() in _ENGLISH_WORDS for w in words):
        return True
    foreign = vietnamese = 0
    for i, word in enumerate(words):
        if not word.isascii() or _SYLLABLE.fullmatch(word.lower()):
            vietnamese += 1
        elif i == 0 or not word[0].isupper():
            foreign += 1
    return foreign >= 2 or 0 < foreign >= vietnamese


def _groups(text: str) -> list[tuple[str, str]]:
    """``text`` cut into top-level pieces: ``("", text)``, ``("(", inside)``, ``("[", inside)``.

    A parenthesis stuck to a number or word (``22(3)``, ``(1)(a)``) is part of a
    citation, not a group. An unclosed bracket is text.
    """
    out: list[tuple[str, str]] = []
    plain: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char in _OPENING:
            attached = i > 0 and (text[i - 1].isalnum() or text[i - 1] == ")")
            short = _ATTACHED.match(text, i)
            if char == "(" and attached and short:
                plain.append(short.group())
                i = short.end()
                continue
            depth, j = 0, i
            while j < len(text):
                if text[j] in _OPENING:
                    depth += 1
                elif text[j] in _OPENING.values():
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j < len(text) and text[j] == _OPENING[char]:
                if plain:
                    out.append(("", "".join(plain)))
                    plain = []
                out.append((char, text[i + 1 : j]))
                i = j + 1
                continue
        plain.append(char)
        i += 1
    if plain:
        out.append(("", "".join(plain)))
    return out


def _split(text: str, sep: str = ";") -> list[str]:
    """``text`` split on ``sep`` outside brackets and parentheses."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == sep and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"[,;:]\s*$", "", text.strip())
    text = re.sub(r"^[,;:.]\s*", "", text)
    return text.strip()


def _references(text: str, names: Mapping[str, str]) -> list[str]:
    """The citations in a translated ``text`` that stays English otherwise:
    ``0,5 ngày làm việc per Nghị định 1/2020/NĐ-CP`` → ``Nghị định 1/2020/NĐ-CP``."""
    kinds = sorted({*DOCUMENT_KINDS.values(), *names.values()}, key=len, reverse=True)
    document = (
        rf"(?:{'|'.join(map(re.escape, kinds))})"
        r"(?:(?: số)? \d[\w/.-]*| năm \d{4})?"
    )
    article = r"(?:điểm \w+ )?(?:khoản \d+ )?Điều \d+[a-z]?(?:[-–]\d+[a-z]?)?"
    found = re.finditer(rf"(?<!\w)(?:{document}(?:,? {article})?|{article})(?!\w)", text)
    laws = tuple(names.values())
    return [m.group() for m in found if m.group().startswith(laws) or re.search(r"\d", m.group())]


def _render(text: str, names: Mapping[str, str], glosses: bool = False) -> str:
    """``text`` translated; English parentheses dropped, provenance marks translated.

    A parenthesis that stays English keeps only its citations, if any. With
    ``glosses``, a parenthesis written in English is dropped before it is
    translated: it glosses the Vietnamese before it (``Luật Cư trú (Residence Law)``).
    """
    out: list[str] = []
    for kind, inside in _groups(text):
        if kind == "":
            out.append(_phrases(inside, names))
        elif kind == "[":
            if is_english(inside):
                if _PROVENANCE.search(inside):
                    out.append(f" {UNCONFIRMED_MARK}")
                continue
            out.append(f"[{_render(inside, names)}]")
        else:
            if glosses and is_english(inside):
                continue
            rendered = _tidy(_render(inside, names))
            if rendered and is_english(rendered):
                rendered = "; ".join(_references(rendered, names))
            if rendered:
                out.append(f" ({rendered})")
    return _tidy("".join(out))


def glossary(titles: Iterable[str | None]) -> dict[str, str]:
    """:data:`LAW_NAMES` and the glosses of ``titles``: ``Luật Cư trú (Residence Law)``
    teaches ``Residence Law`` → ``Luật Cư trú``."""
    names = dict(LAW_NAMES)
    for title in titles:
        match = re.fullmatch(r"\s*(.*?\S)\s*\(([^()]+)\)\s*", title or "")
        if not match:
            continue
        vietnamese, english = match[1], match[2].strip()
        if is_english(vietnamese) or not is_english(english):
            continue
        if re.fullmatch(r"(?:[A-Z][\w-]*\s+)+(?:Law|Code)|(?:Law|Code) on [\w ,-]+", english):
            names.setdefault(english, vietnamese)
    return names


def citation(text: str | None, names: Mapping[str, str] = LAW_NAMES) -> str:
    """A basis or articles in Vietnamese: each clause (between semicolons)
    translated; of a clause that stays English, only its citations are kept
    (``Decree 151/2025/NĐ-CP`` → ``Nghị định 151/2025/NĐ-CP``); ``""`` when
    nothing is left."""
    if not text:
        return ""
    kept = []
    for clause in _split(text):
        rendered = _render(clause, names)
        if rendered and is_english(rendered):
            rendered = ", ".join(_references(rendered, names))
        if rendered:
            kept.append(rendered)
    return "; ".join(kept)


def free_text(text: str | None, names: Mapping[str, str] = LAW_NAMES) -> str | None:
    """A note in Vietnamese, or ``None`` when it cannot be given in Vietnamese."""
    if not text:
        return None
    rendered = _render(text, names)
    if not rendered or any(is_english(clause) for clause in _split(rendered)):
        return None
    return rendered


def law_title(title: str | None, number: str, names: Mapping[str, str] = LAW_NAMES) -> str | None:
    """A legal document's title in Vietnamese: an English gloss after the
    Vietnamese title is dropped; a title written only in English gives way to
    the Vietnamese name of the law (``Residence Law``) or of the kind of
    document (``Decree on...`` → ``Nghị định``), told by the title or the number."""
    if not title:
        return None
    rendered = _render(title, names, glosses=True)
    if rendered and not is_english(rendered):
        return rendered
    english = title.strip()
    for name in sorted(names, key=len, reverse=True):
        if english == name or english.startswith(f"{name} "):
            return names[name]
    for kind in sorted(DOCUMENT_KINDS, key=len, reverse=True):
        if re.match(rf"{re.escape(kind)}\b", english):
            return DOCUMENT_KINDS[kind]
    for pattern, kind_vi in _KIND_BY_NUMBER:
        if pattern.search(number):
            return kind_vi
    return None


def template(text: str, names: Mapping[str, str] = LAW_NAMES) -> str | None:
    """A form number in Vietnamese (``Form 02 (Decree 101/2024)`` → ``Mẫu 02
    (Nghị định 101/2024)``), or ``None`` when it stays English."""
    rendered = _render(text, names)
    if not rendered or is_english(rendered):
        return None
    return rendered
