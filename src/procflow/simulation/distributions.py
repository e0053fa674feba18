"""How long things take: the distributions a scenario can name.

All durations are in working hours: officers only work in office hours, and
the simulator runs on a working-time axis (see :mod:`procflow.simulation.runner`),
so "2 hours of work" means two hours of office time whatever the calendar.

A draw is rounded to the whole second (:func:`whole_seconds`): every instant
the simulator hands the engine is then a whole second, which the calendar
counts with integers, and a second is finer than any deadline it judges.

A scenario writes one of::

    work: {fixed: 0.5}                        # always half an hour
    work: {exponential: 2}                    # mean 2 hours
    work: {triangular: [0.5, 1, 4]}           # min, mode, max
    work: {lognormal: {median: 1, p90: 3}}    # as officers usually know it
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RandomSource(Protocol):
    """What a draw reads: a ``random.Random``, or a simulated dossier's
    :class:`~procflow.simulation.draws.Draws`."""

    def random(self) -> float: ...
    def expovariate(self, lambd: float) -> float: ...
    def triangular(self, low: float, high: float, mode: float) -> float: ...
    def lognormvariate(self, mu: float, sigma: float) -> float: ...


# z such that P(Z <= z) = 0.9 for a standard normal.
_Z90 = 1.2815515655446004


class Distribution(BaseModel):
    """A non-negative duration in working hours, drawn at random."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fixed: float | None = Field(default=None, ge=0, description="always this many hours")
    exponential: float | None = Field(default=None, gt=0, description="mean, in hours")
    triangular: tuple[float, float, float] | None = Field(
        default=None, description="[min, mode, max] in hours"
    )
    lognormal: dict[str, float] | None = Field(
        default=None, description="{median: h, p90: h}, p90 > median > 0"
    )

    @model_validator(mode="before")
    @classmethod
    def _number_is_fixed(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"fixed": value}
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Distribution:
        given = [
            k
            for k in ("fixed", "exponential", "triangular", "lognormal")
            if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of fixed, exponential, triangular, lognormal "
                f"(got {', '.join(given) or 'none'})"
            )
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            if not 0 <= lo <= mode <= hi or lo == hi:
                raise ValueError("triangular needs 0 <= min <= mode <= max and min < max")
        if self.lognormal is not None:
            keys = set(self.lognormal)
            if keys != {"median", "p90"}:
                raise ValueError("lognormal needs exactly {median: hours, p90: hours}")
            if not 0 < self.lognormal["median"] < self.lognormal["p90"]:
                raise ValueError("lognormal needs 0 < median < p90")
        return self

    @property
    def mean(self) -> float:
        """The mean in hours (for capacity planning and tests)."""
        if self.fixed is not None:
            return self.fixed
        if self.exponential is not None:
            return self.exponential
        if self.triangular is not None:
            return sum(self.triangular) / 3
        assert self.lognormal is not None
        mu, sigma = self._lognormal_params()
        return math.exp(mu + sigma * sigma / 2)

    def _lognormal_params(self) -> tuple[float, float]:
        assert self.lognormal is not None
        mu = math.log(self.lognormal["median"])
        sigma = (math.log(self.lognormal["p90"]) - mu) / _Z90
        return mu, sigma

    def sample_seconds(self, rng: RandomSource) -> float:
        """One draw, in working seconds, by the standard library's
        transforms (``expovariate``, ``triangular``, ``lognormvariate``) of
        ``rng``'s uniforms: a simulated dossier's own
        (:mod:`procflow.simulation.draws`).
        """
        if self.fixed is not None:
            hours = self.fixed
        elif self.exponential is not None:
            hours = rng.expovariate(1.0 / self.exponential)
        elif self.triangular is not None:
            lo, mode, hi = self.triangular
            hours = rng.triangular(lo, hi, mode)
        else:
            mu, sigma = self._lognormal_params()
            hours = rng.lognormvariate(mu, sigma)
        return whole_seconds(float(hours) * 3600.0)

    def sampler(self) -> Callable[[RandomSource], float]:
        """:meth:`sample_seconds` as a function with the parameters worked out
        once: the same draws, for the simulator's inner loop."""
        if self.fixed is not None:
            seconds = whole_seconds(float(self.fixed) * 3600.0)
            return lambda rng: seconds
        if self.exponential is not None:
            # rng.expovariate(lambd) and whole_seconds, inline: the standard
            # library's formula, -log(1 - u) / lambd, the same operations in
            # the same order, so the same draws to the bit (a test checks it
            # against expovariate); two Python calls fewer a draw, and work
            # is drawn at every officer step of every simulated dossier
            lambd, log = 1.0 / self.exponential, math.log
            return lambda rng: float(round(-log(1.0 - rng.random()) / lambd * 3600.0))
        if self.triangular is not None:
            lo, mode, hi = self.triangular
            return lambda rng: whole_seconds(rng.triangular(lo, hi, mode) * 3600.0)
        mu, sigma = self._lognormal_params()
        return lambda rng: whole_seconds(rng.lognormvariate(mu, sigma) * 3600.0)


def whole_seconds(seconds: float) -> float:
    """``seconds`` to the nearest whole second (halves to even), as a float:
    the simulator's times stay floats, with whole values."""
    return float(round(seconds))
