"""Each simulated dossier's random numbers: a row of a block, fixed by its number.

A simulation gives every dossier a stream of its own, so that two versions
of a procedure run on the same scenario and seed see the same dossiers with
the same work (common random numbers, what makes
:func:`procflow.simulation.compare.compare` sharp). A ``random.Random`` per
dossier did that, but seeding one costs about 5.6 us here (the Mersenne
Twister fills 624 words), as much as the rest of a dossier's draws and
queueing together in the bare event loop.

So the uniforms are drawn in blocks: numpy draws :data:`WIDTH` uniforms for
each of :data:`BLOCK` dossiers at once, from a generator seeded by the
scenario's seed and the block's number (``numpy.random.SeedSequence``,
which makes streams of different seeds and blocks independent). Dossier ``n``
takes row ``n % BLOCK`` of block ``n // BLOCK``, whatever any other dossier
used: its draws depend on the seed and its own number alone. A dossier that
needs more than its row (long supplement loops, lognormal rejections) goes
on with a ``random.Random`` of its own, made only then.

:class:`Draws` answers the calls the simulator and the distributions make
(``random``, ``expovariate``, ``triangular``, ``normalvariate``,
``lognormvariate``, ``randrange``) with the standard library's own
algorithms (``random.Random``'s methods, which only call ``self.random()``),
reading its uniforms in order.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

import numpy as np

BLOCK = 1024
"""Dossiers whose uniforms numpy draws at once."""
WIDTH = 32
"""Uniforms a dossier takes from its block (a dossier of the 8-step bench
procedure uses about 20); the rest come from a stream of its own."""

_R = random.Random
# Beside the seed and the block in the seed sequence: the arrivals' generator
# is seeded with [seed, 0xA221], so no block's stream is ever theirs.
_TAG = 0xD7A5


class Draws:
    """One dossier's random numbers (see the module): the ``random.Random``
    methods a simulation calls, on the dossier's own uniforms."""

    __slots__ = ("random",)

    random: Callable[[], float]
    """The next uniform in [0, 1): the row's, then its own stream's."""

    # The standard library's algorithms, which read only ``self.random()``
    # (and ``self.normalvariate``): the same transforms as random.Random's.
    expovariate: Any = _R.expovariate
    triangular: Any = _R.triangular
    normalvariate: Any = _R.normalvariate
    lognormvariate: Any = _R.lognormvariate

    def randrange(self, n: int) -> int:
        """An integer in ``range(n)``, uniform (for a small ``n``: the step at
        which a dossier withdraws)."""
        return int(self.random() * n)


def _more(seed: int, number: int) -> Iterator[float]:
    """Uniforms after a dossier's row: a stream of its own, seeded on first use."""
    rng = random.Random(f"procflow-draws:{seed}:{number}")
    while True:
        yield rng.random()


class DossierDraws:
    """The :class:`Draws` of each dossier of one simulation, by number.

    Numbers may be asked in any order; asking them in order (as arrivals
    come) makes one numpy call per :data:`BLOCK` dossiers.
    """

    def __init__(self, seed: int) -> None:
        # SeedSequence takes non-negative entropy: any int seed maps to one.
        self.seed = seed % (1 << 64)
        self._block = -1
        self._rows: list[list[float]] = []

    def of(self, number: int) -> Draws:
        """Dossier ``number``'s draws (see the module)."""
        block, row = divmod(number, BLOCK)
        if block != self._block:
            gen = np.random.default_rng([self.seed, _TAG, block])
            self._rows = gen.random((BLOCK, WIDTH)).tolist()
            self._block = block
        draws = _new(Draws)
        draws.random = chain(self._rows[row], _more(self.seed, number)).__next__
        return draws


_new = Draws.__new__
