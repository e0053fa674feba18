"""Each simulated dossier's random numbers depend on the seed and its own
number alone (common random numbers), however many any other dossier used and
in whatever order dossiers arrive; drawn in blocks, they are still uniform."""

from __future__ import annotations

import math
import random
import statistics

from hypothesis import given, settings
from hypothesis import strategies as st

from procflow.simulation.distributions import Distribution
from procflow.simulation.draws import BLOCK, WIDTH, DossierDraws

numbers = st.integers(0, 5 * BLOCK)


def _take(seed: int, number: int, k: int) -> list[float]:
    draws = DossierDraws(seed).of(number)
    return [draws.random() for _ in range(k)]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**70),
    order=st.lists(st.tuples(numbers, st.integers(0, 3 * WIDTH)), min_size=1, max_size=12),
)
def test_a_dossiers_draws_depend_on_its_number_alone(
    seed: int, order: list[tuple[int, int]]
) -> None:
    source = DossierDraws(seed)
    for number, used in order:  # any order, each using any number of draws
        draws = source.of(number)
        got = [draws.random() for _ in range(used)]
        assert got == _take(seed, number, used)


def test_a_dossier_goes_on_past_its_row_with_a_stream_of_its_own() -> None:
    a = _take(7, 3, 3 * WIDTH)
    assert a == _take(7, 3, 3 * WIDTH)  # the same, every time
    assert a[WIDTH:] != _take(7, 4, 3 * WIDTH)[WIDTH:]  # not the neighbour's
    assert all(0.0 <= u < 1.0 for u in a)


def test_seeds_and_dossiers_differ() -> None:
    assert _take(1, 0, WIDTH) != _take(2, 0, WIDTH)
    assert _take(1, 0, WIDTH) != _take(1, 1, WIDTH)
    assert _take(1, 0, WIDTH) != _take(1, BLOCK, WIDTH)  # the same row of the next block
    assert _take(-1, 5, 4) == _take(-1, 5, 4)  # any int is a seed


def test_draws_are_uniform_and_the_transforms_keep_their_means() -> None:
    source = DossierDraws(11)
    firsts = [source.of(n).random() for n in range(3 * BLOCK)]
    assert abs(statistics.fmean(firsts) - 0.5) < 0.02
    # by tenths: each holds about a tenth (a chi-square test, 9 degrees of freedom)
    counts = [0] * 10
    for u in firsts:
        counts[int(u * 10)] += 1
    expected = len(firsts) / 10
    assert sum((c - expected) ** 2 / expected for c in counts) < 27.9  # p = 0.001
    for dist, mean in (
        (Distribution(exponential=2.0), 2.0),
        (Distribution(triangular=(0.5, 1.0, 4.0)), 5.5 / 3),
        (Distribution(lognormal={"median": 1.0, "p90": 3.0}), None),
    ):
        draw = dist.sampler()
        hours = [draw(source.of(n)) / 3600 for n in range(4000)]
        want = mean if mean is not None else dist.mean
        assert math.isclose(statistics.fmean(hours), want, rel_tol=0.06)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32), mean=st.floats(0.01, 500.0))
def test_a_sampler_draws_what_sample_seconds_draws(seed: int, mean: float) -> None:
    """The simulator's samplers, with their parameters worked out once (the
    exponential one with ``expovariate`` written inline), draw to the bit
    what :meth:`Distribution.sample_seconds` draws through the standard
    library's own transforms, from the same uniforms: the same whole seconds."""
    for dist in (
        Distribution(exponential=mean),
        Distribution(triangular=(mean / 4, mean / 2, mean)),
        Distribution(lognormal={"median": mean, "p90": mean * 3}),
        Distribution(fixed=mean),
    ):
        draw = dist.sampler()
        ours, theirs = random.Random(seed), random.Random(seed)
        for _ in range(50):
            assert draw(ours) == dist.sample_seconds(theirs)
