"""The dossier score used in the one-stop evaluation, as a configurable rule.

**[recalled]** Evaluations of one-stop work score each resolved dossier by its
timeliness for the whole procedure — early (trước hạn) 2 points, on time
(đúng hạn) 1, late (quá hạn) 0 — and score each agency the same way on its own
part. This is widely stated but not confirmed against the official text
(shared/domain.md, "Scoring"), so the points are a :class:`ScoringRule`, not
constants: pass your own to :func:`procflow.reports.build_report`.

Definitions (docs/reports.md, "Scoring"):

* a **dossier** is scored when it is resolved (returned or refused) in the
  period, by its own classification against the statutory due date;
* an **agency's part** of a scored dossier is classified by its working time
  across all its steps against its share of the statutory time
  (:func:`procflow.model.shares.agency_use`, the figure of the control slip):
  an agency that over-runs one step and saves time on its next is judged on
  the net. Where that cannot be counted (the report was not given the
  dossier's procedure version, or the share is in calendar days), by its
  timed steps as before: late if any was late, else on time if any was on
  time, else early; an agency with neither is not scored for it;
* **points** add up; **average** = points / scored; **percent** = points /
  (scored x the early points), i.e. 100 % when everything was early.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from procflow.model.shares import AgencyUse

__all__ = ["DEFAULT_RULE", "Score", "ScoresBuilder", "ScoresReport", "ScoringRule"]

_WORST = {"late": 3, "on_time": 2, "early": 1, "": 0}
"""Severity of a step classification; "" is an agency with no timed step."""


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """Points per classification. Defaults: early 2, on time 1, late 0 [recalled]."""

    early: float = 2.0
    on_time: float = 1.0
    late: float = 0.0
    standing: str = "recalled"

    def points(self, timeliness: str | None) -> float | None:
        if timeliness == "early":
            return self.early
        if timeliness == "on_time":
            return self.on_time
        if timeliness == "late":
            return self.late
        return None

    @property
    def best(self) -> float:
        return max(self.early, self.on_time, self.late)

    def score_dossier(self, d: dict[str, Any]) -> float | None:
        """A resolved dossier's points (``Dossier.to_dict()`` form); None if not resolved."""
        if d["outcome"] not in ("returned", "refused"):
            return None
        return self.points(d["timeliness"])

    @staticmethod
    def agency_parts(d: dict[str, Any]) -> dict[str, str]:
        """Each agency's classification in the dossier: the worst of its timed steps."""
        parts: dict[str, str] = {}
        for v in d["visits"]:
            t, agency = v["timeliness"], v["agency"]
            if t is None or agency is None:
                continue
            seen = parts.get(agency)
            if seen is None or _WORST[t] > _WORST[seen]:
                parts[agency] = t
        return parts

    @staticmethod
    def share_parts(steps: Mapping[str, str], uses: Mapping[str, AgencyUse]) -> dict[str, str]:
        """Each agency's classification in the dossier against its share
        (``uses``), where it has one; else its steps' (``steps``, from
        :meth:`agency_parts` or the report's walk). Keeps the agencies of
        ``steps``, so the rates group the dossier the same."""
        parts = dict(steps)
        for agency, use in uses.items():
            if use.timeliness is not None and agency in parts:
                parts[agency] = use.timeliness.value
        return parts

    # Agencies with no timed step in a dossier appear in the report's walk as "".

    def score_agencies(self, d: dict[str, Any]) -> dict[str, float]:
        out: dict[str, float] = {}
        for agency, t in self.agency_parts(d).items():
            p = self.points(t)
            if p is not None:
                out[agency] = p
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
            "standing": self.standing,
        }


DEFAULT_RULE = ScoringRule()


@dataclass(slots=True)
class Score:
    scored: int = 0
    points: float = 0.0
    early: int = 0
    on_time: int = 0
    late: int = 0

    def add(self, timeliness: str, points: float) -> None:
        self.scored += 1
        self.points += points
        if timeliness == "early":
            self.early += 1
        elif timeliness == "on_time":
            self.on_time += 1
        else:
            self.late += 1

    def to_dict(self, best: float) -> dict[str, Any]:
        return {
            "scored": self.scored,
            "points": self.points,
            "average": self.points / self.scored if self.scored else None,
            "percent": 100.0 * self.points / (self.scored * best) if self.scored and best else None,
            "early": self.early,
            "on_time": self.on_time,
            "late": self.late,
        }


@dataclass(slots=True)
class ScoresReport:
    rule: ScoringRule = DEFAULT_RULE
    total: Score = field(default_factory=Score)
    by_agency: dict[str, Score] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        best = self.rule.best
        return {
            "rule": self.rule.to_dict(),
            "total": self.total.to_dict(best),
            "by_agency": {k: self.by_agency[k].to_dict(best) for k in sorted(self.by_agency)},
        }


class ScoresBuilder:
    def __init__(self, rule: ScoringRule = DEFAULT_RULE) -> None:
        self.rule = rule
        self.report = ScoresReport(rule=rule)

    def add_resolved(self, d: dict[str, Any], parts: dict[str, str] | None = None) -> None:
        """Score a resolved dossier; ``parts`` (agency -> worst step class, "" for
        none) saves walking its visits again."""
        rule = self.rule
        points = rule.score_dossier(d)
        if points is None:
            return
        self.report.total.add(d["timeliness"], points)
        if parts is None:
            parts = rule.agency_parts(d)
        for agency, t in parts.items():
            p = rule.points(t)
            if p is None:
                continue
            score = self.report.by_agency.get(agency)
            if score is None:
                score = self.report.by_agency[agency] = Score()
            score.add(t, p)
