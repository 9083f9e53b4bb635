"""The numbers do not depend on where arrays lie in memory (the simulator's reassociating Hedge round, AdaHedge's
round, the lane sum, and the vectorized sum and dot product)."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

from ftrl._simulate_kernels import _hedge_round
from ftrl.learners.adahedge import _pay_and_accumulate
from ftrl.ops import lane_sum, logsumexp, softmax, vector_dot, vector_sum


def _placed(values: np.ndarray, buffer: np.ndarray, offset: int) -> np.ndarray:
    view = buffer[offset:offset + values.size]
    view[:] = values
    return view


def _placements(written: np.ndarray, read: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Copies of (written, read) in one buffer: in either order, 0 to 24 doubles apart (adjacent and sharing cache
    lines included), and misaligned by 0 to 3 doubles."""
    n = written.size
    for gap in range(-24, 25, 3):
        for misalign in range(4):
            buffer = np.zeros(3 * n + 64)
            first, second = (written, read) if gap >= 0 else (read, written)
            a = _placed(first, buffer, misalign)
            b = _placed(second, buffer, misalign + n + abs(gap))
            yield (a, b) if gap >= 0 else (b, a)


@pytest.mark.parametrize("n", [3, 8, 17, 100, 1001])
def test_fused_hedge_round_is_independent_of_placement(n):
    """Adjacent, overlapping-cache-line and misaligned placements give the same bits as separate allocations."""
    rng = np.random.default_rng(n)
    cum_losses = rng.uniform(0, 50, n)
    row = rng.uniform(0, 1, n)
    means = rng.uniform(0, 1, n)
    reference = _hedge_round(cum_losses.copy(), row.copy(), means.copy(), 0.3, cum_losses.min())
    for placed_losses, placed_row in _placements(cum_losses, row):
        assert _hedge_round(placed_losses, placed_row, means.copy(), 0.3, cum_losses.min()) == reference
        np.testing.assert_array_equal(placed_losses, cum_losses + row)


@pytest.mark.parametrize("n", [3, 8, 17, 100, 1001])
@pytest.mark.parametrize("eta", [0.3, math.inf])
def test_adahedge_pass_is_independent_of_placement(n, eta):
    """AdaHedge's reassociating pay-and-accumulate pass (writes L, sums four things) under the placements of the
    fused Hedge round above; the minimizers are tied so that the count of them is tested too."""
    rng = np.random.default_rng(n + 1)
    cum_losses = np.round(rng.uniform(0, 50, n), 1)
    cum_losses[::4] = cum_losses.min()
    row = rng.uniform(0, 1, n)
    lowest = cum_losses.min()
    reference = _pay_and_accumulate(row.copy(), cum_losses.copy(), lowest, eta, row[0])
    for placed_losses, placed_row in _placements(cum_losses, row):
        assert _pay_and_accumulate(placed_row, placed_losses, lowest, eta, row[0]) == reference
        np.testing.assert_array_equal(placed_losses, cum_losses + row)


@pytest.mark.parametrize("n", [5, 64, 1000])
def test_reductions_are_independent_of_placement(n):
    rng = np.random.default_rng(7)
    values = rng.normal(scale=30, size=n)
    expected = (lane_sum(values), logsumexp(values), softmax(values), vector_sum(values))
    for total in (expected[0], expected[3]):
        assert abs(total - math.fsum(values)) <= 1e-13 * float(np.abs(values).sum())
    for offset in range(1, 9):
        moved = _placed(values, np.zeros(n + 16), offset)
        assert lane_sum(moved) == expected[0]
        assert logsumexp(moved) == expected[1]
        np.testing.assert_array_equal(softmax(moved), expected[2])
        assert vector_sum(moved) == expected[3]


@pytest.mark.parametrize("n", [0, 3, 5, 64, 1001])
def test_vector_dot_wherever_the_arrays_lie(n):
    # vector_dot's order is LLVM's, which must depend on n alone: the arrays apart, adjacent in one buffer,
    # overlapping, or the same array twice give the same bits.
    dot = vector_dot
    rng = np.random.default_rng(11)
    x, y = rng.random(n), rng.normal(size=n)
    expected = dot(x, y)
    assert abs(expected - math.fsum(x * y)) <= 1e-13 * max(1.0, float(np.abs(x * y).sum()))
    for offset in range(1, 9):
        assert dot(_placed(x, np.zeros(n + 16), offset), _placed(y, np.zeros(n + 16), 8 - offset)) == expected
        shared = np.zeros(2 * n + 16)
        assert dot(_placed(x, shared, offset), _placed(y, shared, offset + n + offset % 3)) == expected
    for shift in (0, 1, 7):
        shared = rng.normal(size=n + shift)
        assert dot(shared[:n], shared[shift:shift + n]) == dot(shared[:n].copy(), shared[shift:shift + n].copy())
