"""Slow, obviously correct references for the delayed and sleeping wrappers (Hedge with a fixed rate inside)."""

from __future__ import annotations

import numpy as np


def naive_hedge_weights(cum_losses: np.ndarray, eta: float) -> np.ndarray:
    """exp(-eta L_i) / sum_j exp(-eta L_j), shifted by min L (no overflow)."""
    terms = np.exp(-eta * (cum_losses - cum_losses.min()))
    return terms / terms.sum()


def naive_delayed_hedge(losses: np.ndarray, eta: float, delay: int) -> tuple[np.ndarray, np.ndarray]:
    """Played weights p_t = Hedge(l_1, ..., l_{t-d-1}) and paid losses <p_t, l_t>, straight from the definition."""
    n_rounds, n_experts = losses.shape
    played = np.empty((n_rounds, n_experts))
    paid = np.empty(n_rounds)
    for t in range(n_rounds):
        seen = losses[: max(t - delay, 0)]
        played[t] = naive_hedge_weights(seen.sum(axis=0), eta)
        paid[t] = played[t] @ losses[t]
    return played, paid


def naive_sleeping_hedge(losses: np.ndarray, eta: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sleeping Hedge (NaN = asleep): played weights, paid losses and the charged losses fed to Hedge.

    p_t is Hedge's weights on the charged losses so far, restricted to the awake experts and renormalized; each
    asleep expert is charged <p_t, l_t>.
    """
    n_rounds, n_experts = losses.shape
    cum = np.zeros(n_experts)
    played = np.zeros((n_rounds, n_experts))
    paid = np.empty(n_rounds)
    charged = np.empty((n_rounds, n_experts))
    for t in range(n_rounds):
        awake = ~np.isnan(losses[t])
        w = naive_hedge_weights(cum, eta)
        played[t, awake] = w[awake] / w[awake].sum()
        paid[t] = played[t, awake] @ losses[t, awake]
        charged[t] = np.where(awake, losses[t], paid[t])
        cum += charged[t]
    return played, paid, charged


def naive_sleeping_regret(losses: np.ndarray, paid: np.ndarray) -> np.ndarray:
    """R_{T,i} = sum over the rounds where i is awake of (<p_t, l_t> - l_{t,i}), for each expert i."""
    awake = ~np.isnan(losses)
    return np.where(awake, paid[:, None] - np.nan_to_num(losses), 0.0).sum(axis=0)
