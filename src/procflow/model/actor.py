"""Who acts on a dossier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Actor:
    """An officer acting for an agency, or the applicant.

    ``agency`` is what authority is checked against: only the agency holding a
    dossier's current step may move it out of that step. ``role`` is checked
    too when the step names one.
    """

    id: str
    agency: str
    role: str | None = None
    name: str | None = None
    row: tuple[str, str, str | None, str | None] = field(init=False, repr=False, compare=False)
    """``(id, agency, role, name)``: the actor as every event body writes it
    (:mod:`procflow.model.encoding`), made once, not on each of its moves."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "row", (self.id, self.agency, self.role, self.name))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "agency": self.agency, "role": self.role, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Actor | None:
        if data is None:
            return None
        return cls(data["id"], data["agency"], data.get("role"), data.get("name"))

    def __str__(self) -> str:
        role = f"/{self.role}" if self.role else ""
        return f"{self.id}@{self.agency}{role}"


#: The engine itself, for events nobody fired (sweeps, warnings).
SYSTEM = Actor(id="procflow", agency="system", role="system")
