"""The wording of the printed forms, one YAML file per language.

The templates lay a form out; the words they print come from
``templates/words/<lang>.yaml``, one entry per label or sentence, so the
HTML page and the plain text of a form say the same words, and a province
rewords a line (or translates every form) in one file, without touching the
layout [design]. A folder of overrides may hold its own
``words/<lang>.yaml``: its entries replace the built-in ones key by key, so
it holds only what it changes; a language procflow does not ship is a
complete file of its own.

A wording that changed with the circular is written per circular::

    desk:
      by_circular:
        01/2018/TT-VPCP: Bộ phận Tiếp nhận và Trả kết quả
        default: Bộ phận Một cửa

and :func:`for_circular` picks the entry of the slip's circular (its
``legal_basis``), else ``default``. Sentences with values are
:meth:`str.format` templates with named fields (``{code}``, ``{date}``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from procflow.contrib.printing.errors import PrintingError

__all__ = ["BY_CIRCULAR", "for_circular", "load_words", "shipped_languages"]

BY_CIRCULAR = "by_circular"
"""The key of a wording given per circular (see the module docs)."""


def shipped_languages() -> tuple[str, ...]:
    """The languages procflow ships wording for (``vi``, ``en``)."""
    folder = resources.files("procflow.contrib.printing") / "templates" / "words"
    return tuple(
        sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    )


def load_words(lang: str, overrides: Path | None = None) -> dict[str, Any]:
    """The wording of ``lang``: the shipped file, with ``overrides/words/<lang>.yaml``
    laid over it key by key when that file exists."""
    base = _shipped(lang)
    extra = overrides / "words" / f"{lang}.yaml" if overrides is not None else None
    if extra is not None and extra.is_file():
        return _merge(base or {}, _read(extra.read_text(encoding="utf-8"), str(extra)))
    if base is None:
        known = ", ".join(shipped_languages())
        where = f" or {extra}" if extra is not None else ""
        raise PrintingError(
            f"no wording for language {lang!r}: procflow ships {known}; write the "
            f"words of {lang!r} in a folder of templates as words/{lang}.yaml{where}"
        )
    return base


@functools.cache
def _shipped_text(lang: str) -> str | None:
    path = resources.files("procflow.contrib.printing") / "templates" / "words" / f"{lang}.yaml"
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def _shipped(lang: str) -> dict[str, Any] | None:
    text = _shipped_text(lang)
    if text is None:
        return None
    return _read(text, f"procflow/contrib/printing/templates/words/{lang}.yaml")


def _read(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise PrintingError(
            f"{where}{line}: not valid YAML ({exc.problem}); fix the wording file"
        ) from None
    except yaml.YAMLError as exc:
        raise PrintingError(f"{where}: not valid YAML ({exc}); fix the wording file") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PrintingError(
            f"{where}: the wording must be a mapping of sections (receipt:, common:, ...), "
            f"not a {type(data).__name__}"
        )
    return data


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` laid over it; mappings merge, anything else replaces."""
    out = dict(base)
    for key, value in extra.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping) and BY_CIRCULAR not in value:
            out[key] = _merge(old, value)
        else:
            out[key] = value
    return out


def for_circular(words: Mapping[str, Any], basis: str | None) -> dict[str, Any]:
    """``words`` with every per-circular entry resolved for circular ``basis``
    (its own entry, else ``default``; an entry with neither is left out, so a
    template that prints it fails and names it)."""
    out: dict[str, Any] = {}
    for key, value in words.items():
        if isinstance(value, Mapping):
            choices = value.get(BY_CIRCULAR)
            if isinstance(choices, Mapping) and len(value) == 1:
                chosen = choices.get(basis) if basis is not None else None
                if chosen is None:
                    chosen = choices.get("default")
                if chosen is not None:
                    out[key] = chosen
                continue
            out[key] = for_circular(value, basis)
        else:
            out[key] = value
    return out
