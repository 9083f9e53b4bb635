r"""Compiled regret ledger: dynamic, shifting and adaptive regret, streamed one round at a time.

With :math:`h_t = \langle p_t, \ell_t\rangle`, :math:`C_t = \sum_{s \le t} h_s` and
:math:`L_{t,i} = \sum_{s \le t} \ell_{s,i}`, the kernel keeps, for every round :math:`t`,

.. math::

    \text{dynamic}_t = C_t - \sum_{s \le t} \min_i \ell_{s,i}, \qquad
    \text{shifting}_t = C_t - \min_i V_t[m, i], \qquad
    \text{adaptive}_t = \max_{1 \le r \le s \le t} \Big( \sum_{u=r}^{s} h_u - \min_i \sum_{u=r}^{s} \ell_{u,i} \Big).

Shifting regret: :math:`V_t[k, i]` is the least cumulative loss of a sequence of experts with at most :math:`k`
switches that ends on expert :math:`i` (the dynamic program of opera's oracle),

.. math:: V_0 = 0, \qquad V_t[k, i] = \ell_{t,i} + \min\big(V_{t-1}[k, i],\ \min_j V_{t-1}[k-1, j]\big),

with :math:`V_t[0, i] = L_{t,i}`; :math:`O(N m)` per round. With :math:`m = 0` it is the external regret.

Adaptive regret, exactly, in :math:`O(N)` per round. With :math:`R_{t,i} = C_t - L_{t,i}` (the regret against
expert :math:`i`, :math:`R_{0,i} = 0`), the regret on :math:`[r, s]` is
:math:`\max_i (R_{s,i} - R_{r-1,i})`: the maxima over the interval start and over the expert commute, so

.. math:: \max_{r \le s} \Big(\sum_{u=r}^{s} h_u - \min_i \sum_{u=r}^{s} \ell_{u,i}\Big)
          = \max_i \Big( R_{s,i} - \min_{0 \le q < s} R_{q,i} \Big),

and a running minimum of :math:`R_{\cdot,i}` per expert replaces the :math:`O(t N)` scan over interval starts.
The inner quantity, the worst interval ending exactly at :math:`t`, is recorded too ("suffix regret",
:math:`\max_{r \le t} \sum_{u=r}^{t} h_u - \min_i \sum_{u=r}^{t} \ell_{u,i}`); the adaptive regret is its
running maximum.

State, carried from block to block (all float64): ``scalars`` = (C, sum of per-round minima, adaptive so far),
``cum_expert`` (N,), ``lowest`` (N,) = :math:`\min_{q < t} R_{q,i}`, ``paths`` (m + 1, N) = :math:`V_t`,
``path_mins`` (m + 1,) = :math:`\min_i V_t[k, i]` (zeros at the start, as ``paths``). Output ``out[pos]`` =
(dynamic, shifting, adaptive, suffix) at the recorded rounds.

Every minimum and maximum over the experts is an integer reduction over :func:`ftrl.ops.order_key` keys, taken in
the loop that writes the values: a float min or max reduction does not vectorize without fast-math ``nnan``, and
those scalar loops, one per level and two more per round, made the ledger cost about 4.3 ns per round and expert
(about four times Hedge's round); the values are the same.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.ops import from_order_key, order_key

LEDGER_COLUMNS = ("dynamic_regret", "shifting_regret", "adaptive_regret", "suffix_regret")


@kernel
def _regret_step(
    row: NDArray[np.float64], cum_loss: float, cum_expert: NDArray[np.float64], lowest: NDArray[np.float64]
) -> tuple[float, float]:
    r""":math:`L \mathrel{+}= \ell`, :math:`R_i = C - L_i`, and the running minima of :math:`R_{\cdot, i}`; returns
    :math:`\min_i \ell_i` and the suffix regret :math:`\max_i (R_i - \min_{q < t} R_{q,i})`."""
    row_min_key = order_key(np.inf)
    suffix_key = order_key(-np.inf)
    for i in range(row.shape[0]):
        row_min_key = min(row_min_key, order_key(row[i]))
        total = cum_expert[i] + row[i]
        cum_expert[i] = total
        regret = cum_loss - total
        suffix_key = max(suffix_key, order_key(regret - lowest[i]))
        lowest[i] = min(lowest[i], regret)
    return from_order_key(row_min_key), from_order_key(suffix_key)


@kernel
def _path_step(row: NDArray[np.float64], level: NDArray[np.float64], switch_in: float) -> float:
    r"""One level of the dynamic program, :math:`V[k, i] = \ell_i + \min(V[k, i], s)` with :math:`s` the
    previous minimum of level k - 1 (``switch_in``; inf for level 0, which never switches); returns the new
    :math:`\min_i V[k, i]`."""
    lowest_key = order_key(np.inf)
    for i in range(row.shape[0]):
        stay = level[i]
        value = row[i] + (stay if stay < switch_in else switch_in)
        level[i] = value
        lowest_key = min(lowest_key, order_key(value))
    return from_order_key(lowest_key)


@kernel
def ledger_block(
    losses: NDArray[np.float64],
    expected: NDArray[np.float64],
    first_round: int,
    record_rounds: NDArray[np.int64],
    pos: int,
    scalars: NDArray[np.float64],
    cum_expert: NDArray[np.float64],
    lowest: NDArray[np.float64],
    paths: NDArray[np.float64],
    path_mins: NDArray[np.float64],
    out: NDArray[np.float64],
) -> int:
    """Advance the ledger over one block (round ``first_round + r + 1`` is row ``r``); returns the next record
    position. ``expected[r]`` is :math:`\\langle p_t, \\ell_t\\rangle`. Sequential sums only (no reassociation);
    ``m + 2`` vectorized passes over the experts per round (:func:`_regret_step`, :func:`_path_step`)."""
    n_levels = paths.shape[0]
    n_records = record_rounds.shape[0]
    cum_loss, cum_min, adaptive = scalars[0], scalars[1], scalars[2]
    for r in range(losses.shape[0]):
        row = losses[r]
        cum_loss += expected[r]
        row_min, suffix = _regret_step(row, cum_loss, cum_expert, lowest)
        cum_min += row_min
        adaptive = max(adaptive, suffix)
        for k in range(n_levels - 1, 0, -1):  # from the top, so that path_mins[k - 1] is still the old minimum
            path_mins[k] = _path_step(row, paths[k], path_mins[k - 1])
        path_mins[0] = _path_step(row, paths[0], np.inf)
        t = first_round + r + 1
        if pos < n_records and record_rounds[pos] == t:
            out[pos, 0] = cum_loss - cum_min
            out[pos, 1] = cum_loss - path_mins[n_levels - 1]
            out[pos, 2] = adaptive
            out[pos, 3] = suffix
            pos += 1
    scalars[0], scalars[1], scalars[2] = cum_loss, cum_min, adaptive
    return pos
