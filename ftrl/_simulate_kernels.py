r"""Compiled bookkeeping of :func:`ftrl.simulate`: cumulative losses, the best expert, and the recorded rows.

These kernels see only arrays and scalars. They run once per block of rounds, after (or fused with) the learner's
own block kernel, and write a row of output only at the rounds listed in ``record_rounds`` (1-based, increasing).

Output layout, shared by every kernel (``pos`` is the index of a recorded round):

``out_float[pos]`` = (loss, cum_loss, best_cum_loss, realized_loss, cum_realized_loss, cum_mean_loss),
``out_int[pos]`` = (t, best_expert, arm).

Running totals live in ``totals`` = (cum_loss, cum_realized_loss, cum_mean_loss), the experts' cumulative losses
:math:`L_{t,i} = \sum_{s \le t} \ell_{s,i}` in ``cum_expert``; both are carried from one block to the next.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel, uncached_kernel
from ftrl.ops import _row_min, accumulate_min, exp_nonpositive, from_order_key, order_key, ordered_dot
from ftrl.schedules import learning_rate

FLOAT_COLUMNS = ("loss", "cum_loss", "best_cum_loss", "realized_loss", "cum_realized_loss", "cum_mean_loss")
INT_COLUMNS = ("t", "best_expert", "arm")

@kernel
def largest_magnitude(values: NDArray[np.float64]) -> float:
    r""":math:`\max_i |x_i|` (NaN if any entry is NaN), as an integer max of :func:`~ftrl.ops.order_key` keys so
    that the loop vectorizes."""
    largest = order_key(0.0)
    for i in range(values.shape[0]):
        key = order_key(abs(values[i]))
        largest = key if key > largest else largest
    return from_order_key(largest)


@kernel
def _first_index_of(values: NDArray[np.float64], target: float) -> int:
    """The lowest i with ``values[i] == target`` (0 if none). With ``target`` the smallest entry, found by the pass
    that wrote ``values`` (an integer minimum over :func:`~ftrl.ops.order_key` keys, which vectorizes), this is
    the argmin with the lowest index on ties: a scan that stops at the first match, with no dependency from one
    entry to the next (0.1-0.3 ns per entry over N = 100 to 1000 cumulative losses, against 0.5-0.8 for an
    argmin loop that carries the smallest value along)."""
    for i in range(values.shape[0]):
        if values[i] == target:
            return i
    return 0


@kernel
def _write_row(
    pos: int,
    t: int,
    loss: float,
    realized_loss: float,
    arm: int,
    cum_loss: float,
    cum_realized: float,
    cum_mean: float,
    cum_expert: NDArray[np.float64],
    lowest: float,
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
) -> None:
    """Write recorded row ``pos``; ``lowest`` is :math:`\\min_i` ``cum_expert[i]``."""
    best = _first_index_of(cum_expert, lowest)
    out_float[pos, 0] = loss
    out_float[pos, 1] = cum_loss
    out_float[pos, 2] = cum_expert[best]
    out_float[pos, 3] = realized_loss
    out_float[pos, 4] = cum_realized
    out_float[pos, 5] = cum_mean
    out_int[pos, 0] = t
    out_int[pos, 1] = best
    out_int[pos, 2] = arm


@kernel
def record_block(
    losses: NDArray[np.float64],
    expected: NDArray[np.float64],
    realized: NDArray[np.float64],
    arms: NDArray[np.int64],
    mean_losses: NDArray[np.float64],
    first_round: int,
    record_rounds: NDArray[np.int64],
    pos: int,
    cum_expert: NDArray[np.float64],
    totals: NDArray[np.float64],
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
) -> int:
    r"""Bookkeeping for one block whose expected losses :math:`\langle p_t, \ell_t\rangle` the learner wrote already.

    ``realized``/``arms`` (bandit feedback) and ``mean_losses`` (:math:`\langle p_t, \mu\rangle`) may be empty,
    meaning absent. Round ``first_round + r + 1`` is row ``r`` of ``losses``. Returns the next record position.
    """
    n_rows, n_experts = losses.shape
    has_realized = realized.shape[0] > 0
    has_means = mean_losses.shape[0] > 0
    n_records = record_rounds.shape[0]
    cum_loss, cum_realized, cum_mean = totals[0], totals[1], totals[2]
    for r in range(n_rows):
        row = losses[r]
        t = first_round + r + 1
        recorded = pos < n_records and record_rounds[pos] == t
        lowest = np.inf
        if recorded:  # the smallest cumulative loss on the way, for the best expert
            lowest = accumulate_min(row, cum_expert)
        else:
            for i in range(n_experts):
                cum_expert[i] += row[i]
        cum_loss += expected[r]
        realized_loss = np.nan
        arm = -1
        if has_realized:
            realized_loss = realized[r]
            arm = arms[r]
            cum_realized += realized_loss
        if has_means:
            cum_mean += mean_losses[r]
        if recorded:
            _write_row(pos, t, expected[r], realized_loss, arm, cum_loss, cum_realized, cum_mean, cum_expert,
                       lowest, out_float, out_int)
            pos += 1
    totals[0], totals[1], totals[2] = cum_loss, cum_realized, cum_mean
    return pos


@kernel
def _store_next_weights(
    counter: NDArray[np.int64],
    rounds_seen: int,
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    lowest: float,
    smallest: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    """End of a fused Hedge block: store the round counter, the smallest cumulative loss ``lowest`` (into
    ``smallest``) and the normalized weights of the next round, as ``hedge_block`` leaves them."""
    counter[0] = rounds_seen
    smallest[0] = lowest
    eta = learning_rate(rate_code, rate_params, rounds_seen + 1, 0.0)
    total = 0.0
    for i in range(cum_losses.shape[0]):
        weights[i] = exp_nonpositive(-eta * (cum_losses[i] - lowest))
        total += weights[i]
    for i in range(cum_losses.shape[0]):
        weights[i] /= total


@kernel(reassociate=True)
def _hedge_round(
    cum_losses: NDArray[np.float64],
    row: NDArray[np.float64],
    means: NDArray[np.float64],
    eta: float,
    lowest: float,
) -> tuple[np.int64, float, float, float]:
    r"""One Hedge round in one pass: L += l; returns (key of min L, sum w, sum w l, sum w mu).

    Reassociating kernel: the three sums are vectorized (taken in a tree order), the exponential keeps its own
    exact arithmetic. ``means`` is empty when the environment has none.
    """
    next_key = np.int64(0x7FF0000000000000)  # the key of +inf
    total = 0.0
    weighted = 0.0
    weighted_mean = 0.0
    if means.shape[0] > 0:
        for i in range(cum_losses.shape[0]):
            weight = exp_nonpositive(-eta * (cum_losses[i] - lowest))
            total += weight
            weighted += weight * row[i]
            weighted_mean += weight * means[i]
            updated = cum_losses[i] + row[i]
            cum_losses[i] = updated
            next_key = min(next_key, order_key(updated))
    else:
        for i in range(cum_losses.shape[0]):
            weight = exp_nonpositive(-eta * (cum_losses[i] - lowest))
            total += weight
            weighted += weight * row[i]
            updated = cum_losses[i] + row[i]
            cum_losses[i] = updated
            next_key = min(next_key, order_key(updated))
    return next_key, total, weighted, weighted_mean


@kernel
def hedge_record_block(
    losses: NDArray[np.float64],
    first_round: int,
    record_rounds: NDArray[np.int64],
    pos: int,
    totals: NDArray[np.float64],
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
    means: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    smallest: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> int:
    r"""Hedge fused with the bookkeeping, over a block; returns the next record position.

    With :math:`m_t = \min_i L_{t-1,i}` (so every exponent is :math:`\le 0` and the leader's term is 1),

    .. math::

        w_i = e^{-\eta_t (L_{t-1,i} - m_t)}, \quad
        \langle p_t, \ell_t\rangle = \frac{\sum_i w_i \ell_{t,i}}{\sum_i w_i}, \quad
        L_{t,i} = L_{t-1,i} + \ell_{t,i}, \quad m_{t+1} = \min_i L_{t,i} .

    One pass over the experts per round (:func:`_hedge_round`, a reassociating kernel so that LLVM vectorizes
    the sums); the new minimum is taken over order-preserving int64 keys of the doubles, because a float min
    reduction does not vectorize without fast-math ``nnan``. The arguments after ``means`` (possibly empty; if not, adds
    :math:`\langle p_t, \mu\rangle` to ``totals[2]``) are a :class:`ftrl.Hedge` learner's state, read and
    written back: its cumulative losses serve as the experts' cumulative losses of the regret, and at the end the
    round counter and the normalized weights of the next round are stored as ``hedge_block`` leaves them.
    Expects finite losses and finite rates (fixed or anytime schedules).
    """
    n_rows = losses.shape[0]
    n_records = record_rounds.shape[0]
    lowest = _row_min(cum_losses)
    rounds_seen = counter[0]
    cum_loss, cum_mean = totals[0], totals[2]
    for r in range(n_rows):
        row = losses[r]
        eta = learning_rate(rate_code, rate_params, rounds_seen + r + 1, 0.0)
        lowest_key, total, weighted, weighted_mean = _hedge_round(cum_losses, row, means, eta, lowest)
        lowest = from_order_key(lowest_key)
        expected = weighted / total
        cum_loss += expected
        cum_mean += weighted_mean / total
        t = first_round + r + 1
        if pos < n_records and record_rounds[pos] == t:
            _write_row(pos, t, expected, np.nan, -1, cum_loss, np.nan, cum_mean, cum_losses, lowest, out_float,
                       out_int)
            pos += 1
    totals[0], totals[2] = cum_loss, cum_mean
    _store_next_weights(counter, rounds_seen + n_rows, weights, cum_losses, lowest, smallest, rate_code,
                        rate_params)
    return pos


@kernel
def _exp_in_place(values: NDArray[np.float64]) -> None:
    """values[j] = exp(values[j]) over a flat array of exponents <= 0: one long loop, so it vectorizes whatever N
    is."""
    for j in range(values.shape[0]):
        values[j] = exp_nonpositive(values[j])


@kernel
def hedge_record_block_by_rows(
    losses: NDArray[np.float64],
    first_round: int,
    record_rounds: NDArray[np.int64],
    pos: int,
    totals: NDArray[np.float64],
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
    means: NDArray[np.float64],
    scratch: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    smallest: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> int:
    r"""The same rounds and numbers as :func:`hedge_record_block`, in three passes over the block, for small N.

    Hedge's weights of round t depend only on :math:`L_{t-1}`, so the exponents of the whole block can be
    written first (pass 1: :math:`x_{t,i} = -\eta_t (L_{t-1,i} - m_t)`, accumulating :math:`L` row by row, with the
    best expert at recorded rounds), exponentiated in one flat loop of length :math:`B N` (pass 2: vectorized even
    when a row is shorter than the vector loop), and reduced row by row (pass 3: :math:`\langle p_t, \ell_t\rangle`,
    :math:`\langle p_t, \mu\rangle`, the running totals). With a handful of experts a one-pass round runs entirely in
    the scalar remainder of the vectorized loop; this order keeps the exponentials in vector registers.
    ``scratch`` holds at least ``losses.size`` doubles.
    """
    n_rows, n_experts = losses.shape
    has_means = means.shape[0] > 0
    n_records = record_rounds.shape[0]
    rounds_seen = counter[0]
    lowest = _row_min(cum_losses)
    record = pos
    for r in range(n_rows):
        eta = learning_rate(rate_code, rate_params, rounds_seen + r + 1, 0.0)
        row = losses[r]
        offset = r * n_experts
        next_key = np.int64(0x7FF0000000000000)  # the key of +inf
        for i in range(n_experts):
            scratch[offset + i] = -eta * (cum_losses[i] - lowest)
            updated = cum_losses[i] + row[i]
            cum_losses[i] = updated
            next_key = min(next_key, order_key(updated))
        lowest = from_order_key(next_key)
        t = first_round + r + 1
        if record < n_records and record_rounds[record] == t:
            best = _first_index_of(cum_losses, lowest)
            out_float[record, 2] = cum_losses[best]
            out_int[record, 0] = t
            out_int[record, 1] = best
            out_int[record, 2] = -1
            record += 1
    _exp_in_place(scratch[: n_rows * n_experts])
    cum_loss, cum_mean = totals[0], totals[2]
    for r in range(n_rows):
        row = losses[r]
        offset = r * n_experts
        total = 0.0
        weighted = 0.0
        weighted_mean = 0.0
        for i in range(n_experts):
            weight = scratch[offset + i]
            total += weight
            weighted += weight * row[i]
        if has_means:
            for i in range(n_experts):
                weighted_mean += scratch[offset + i] * means[i]
        expected = weighted / total
        cum_loss += expected
        cum_mean += weighted_mean / total
        if pos < n_records and record_rounds[pos] == first_round + r + 1:
            out_float[pos, 0] = expected
            out_float[pos, 1] = cum_loss
            out_float[pos, 3] = np.nan
            out_float[pos, 4] = np.nan
            out_float[pos, 5] = cum_mean
            pos += 1
    totals[0], totals[2] = cum_loss, cum_mean
    _store_next_weights(counter, rounds_seen + n_rows, weights, cum_losses, lowest, smallest, rate_code,
                        rate_params)
    return pos


# Drivers that call a learner's own block kernel one round at a time and read its weights in between, so that
# <p_t, mu> (pseudo-regret) is booked without a Python step per round. A kernel passed as an argument cannot be
# cached by numba, so these compile once per process and learner class (about 0.4 s): the simulator uses them
# only for runs long enough to repay that (see ``ftrl.simulate._COMPILED_MEANS_MIN_ROUNDS``).
@uncached_kernel
def means_block_full(
    losses: NDArray[np.float64],
    means: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    mean_loss_out: NDArray[np.float64],
    learner_kernel: Any,
    learner_state: tuple[Any, ...],
) -> None:
    r"""Per round: :math:`\langle p_t, \mu\rangle` from ``learner_state[1]`` (the learner's weights :math:`p_t`),
    then one call of the learner's kernel on the round's row (pay :math:`\langle p_t, \ell_t\rangle`, update)."""
    for r in range(losses.shape[0]):
        mean_loss_out[r] = ordered_dot(learner_state[1], means)
        learner_kernel(losses[r : r + 1], expected_loss_out[r : r + 1], *learner_state)


@uncached_kernel
def means_block_bandit(
    losses: NDArray[np.float64],
    uniforms: NDArray[np.float64],
    means: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    realized_loss_out: NDArray[np.float64],
    arms_out: NDArray[np.int64],
    mean_loss_out: NDArray[np.float64],
    learner_kernel: Any,
    learner_state: tuple[Any, ...],
) -> None:
    r"""The bandit form of :func:`means_block_full`: sample with ``uniforms[r]``, pay, update on the drawn arm."""
    for r in range(losses.shape[0]):
        mean_loss_out[r] = ordered_dot(learner_state[1], means)
        learner_kernel(losses[r : r + 1], uniforms[r : r + 1], expected_loss_out[r : r + 1],
                       realized_loss_out[r : r + 1], arms_out[r : r + 1], *learner_state)

