"""The processing control slip (Form 05; Form 06 under Circular 03/2025): one
row per stay in a step, and each agency's working time used and late.
"""

from __future__ import annotations

from procflow.engine.core import EngineCore
from procflow.model.slips import ControlRow, ControlSlip


class ControlSlips(EngineCore):
    """Build the control slip of a dossier."""

    def control_slip(self, code: str) -> ControlSlip:
        dossier = self.get(code)
        rows: list[ControlRow] = []
        per_agency: dict[str, dict[str, float]] = {}
        visits = dossier.visits
        for i, v in enumerate(visits):
            receiver = visits[i + 1].sender if i + 1 < len(visits) else None
            rows.append(
                ControlRow(
                    step=v.step,
                    from_agency=v.agency,
                    to_step=v.to_step,
                    to_agency=v.to_agency,
                    sender=v.sender,
                    receiver=receiver,
                    entered_at=v.entered_at,
                    left_at=v.left_at,
                    due_at=v.due_at,
                    timeliness=v.timeliness,
                    used_working_hours=round(v.used_seconds / 3600, 4),
                    late_working_hours=round(v.late_seconds / 3600, 4),
                )
            )
            if v.agency is not None and v.left_at is not None:
                acc = per_agency.setdefault(v.agency, {"used_hours": 0.0, "late_hours": 0.0})
                acc["used_hours"] = round(acc["used_hours"] + v.used_seconds / 3600, 4)
                acc["late_hours"] = round(acc["late_hours"] + v.late_seconds / 3600, 4)
        return ControlSlip(
            code=code,
            procedure_id=dossier.procedure_id,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            rows=rows,
            per_agency=per_agency,
        )
