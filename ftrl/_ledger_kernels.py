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
``path_mins`` (m + 1,) scratch. Output ``out[pos]`` = (dynamic, shifting, adaptive, suffix) at the recorded
rounds.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel

LEDGER_COLUMNS = ("dynamic_regret", "shifting_regret", "adaptive_regret", "suffix_regret")


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
    position. ``expected[r]`` is :math:`\\langle p_t, \\ell_t\\rangle`. Sequential sums only (no reassociation)."""
    n_rows, n_experts = losses.shape
    n_levels = paths.shape[0]
    n_records = record_rounds.shape[0]
    cum_loss, cum_min, adaptive = scalars[0], scalars[1], scalars[2]
    for r in range(n_rows):
        row = losses[r]
        cum_loss += expected[r]
        row_min = row[0]
        for i in range(1, n_experts):
            row_min = min(row_min, row[i])
        cum_min += row_min
        suffix = -np.inf
        for i in range(n_experts):
            cum_expert[i] += row[i]
            regret_i = cum_loss - cum_expert[i]
            suffix = max(suffix, regret_i - lowest[i])
            lowest[i] = min(lowest[i], regret_i)
        adaptive = max(adaptive, suffix)
        for k in range(n_levels - 1):
            level_min = paths[k, 0]
            for j in range(1, n_experts):
                level_min = min(level_min, paths[k, j])
            path_mins[k] = level_min
        for k in range(n_levels - 1, 0, -1):
            switch_in = path_mins[k - 1]
            for i in range(n_experts):
                stay = paths[k, i]
                paths[k, i] = row[i] + min(switch_in, stay)
        for i in range(n_experts):
            paths[0, i] += row[i]
        t = first_round + r + 1
        if pos < n_records and record_rounds[pos] == t:
            best_path = paths[n_levels - 1, 0]
            for i in range(1, n_experts):
                best_path = min(best_path, paths[n_levels - 1, i])
            out[pos, 0] = cum_loss - cum_min
            out[pos, 1] = cum_loss - best_path
            out[pos, 2] = adaptive
            out[pos, 3] = suffix
            pos += 1
    scalars[0], scalars[1], scalars[2] = cum_loss, cum_min, adaptive
    return pos

