"""Templates per notice and language, rendered with Jinja2 (``StrictUndefined``).

The built-in templates are package data (``procflow/notify/templates/vi/``
and ``en/``), one file per notice: ``receipt.txt``, ``supplement.txt``... The
first line is the subject (an e-mail's, a webhook's ``subject``), the rest
the text. A folder named by the configuration's ``templates`` is looked in
first, so a province changes one wording by copying one file. A name a
template uses and the notice lacks is an error, never a blank.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    pass_context,
)
from jinja2.runtime import Context

from procflow.notify.dates import human, human_day


@pass_context
def _when(context: Context, value: Any) -> str:
    return human(value, str(context.get("language", "vi")))


@pass_context
def _day(context: Context, value: Any) -> str:
    return human_day(value, str(context.get("language", "vi")))


class Templates:
    """The notices' templates: the given folder's first, then the built-in ones."""

    def __init__(self, folder: Path | None = None) -> None:
        loaders: list[BaseLoader] = [FileSystemLoader(str(folder))] if folder else []
        loaders.append(PackageLoader("procflow.notify", "templates"))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=False,  # plain text: mail bodies, SMS, JSON fields
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["when"] = _when
        self.env.filters["day"] = _day

    def render(self, kind: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
        """(subject, text) of notice ``kind`` in ``language``; jinja2's errors
        (a missing template, an unknown name) pass through."""
        template = self.env.get_template(f"{language}/{kind}.txt")
        rendered = template.render({**context, "language": language}).lstrip("\n")
        subject, _, text = rendered.partition("\n")
        return subject.strip(), text.strip("\n") + "\n"
