"""Slow, obviously-correct references for the simulator: whole matrices, numpy one-liners, no kernels.

The environment's loss stream is drawn whole (``env.block(T)`` on a fresh copy reset with the seed), the learner
is driven through its validated public API one round at a time, and the bookkeeping is a handful of cumsums.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import softmax


def hedge_weights(losses: NDArray[np.float64], eta: float) -> NDArray[np.float64]:
    """p_t = softmax(-eta L_{t-1}) for every round t (row t-1), with L_0 = 0."""
    previous = np.vstack([np.zeros(losses.shape[1]), np.cumsum(losses, axis=0)[:-1]])
    return softmax(-eta * previous, axis=1)


def loss_matrix(env: Any, horizon: int, seed: int) -> NDArray[np.float64]:
    """The whole loss stream of an oblivious environment for ``seed``: T successive ``step`` calls."""
    fresh = copy.deepcopy(env)
    fresh.reset(seed=seed)
    uniform = np.full(fresh.n_experts, 1.0 / fresh.n_experts)
    return np.array([fresh.step(uniform) for _ in range(horizon)], dtype=np.float64)


def play(
    learner: Any, losses: NDArray[np.float64], feedback: str, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.int64] | None]:
    """Drive ``learner`` through ``update`` (or ``sample``/``update_arm``); return the weights of every round.

    The bandit uniforms come from ``PCG64(SeedSequence(seed).spawn(1)[0])``, the documented derivation.
    """
    horizon = losses.shape[0]
    weights = np.empty_like(losses)
    arms = np.empty(horizon, dtype=np.int64) if feedback == "bandit" else None
    sampler = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed).spawn(1)[0]))
    for t in range(horizon):
        weights[t] = learner.weights
        if feedback == "full":
            learner.update(losses[t])
        else:
            arms[t] = learner.sample(sampler)
            learner.update_arm(int(arms[t]), float(losses[t, arms[t]]))
    return weights, arms


def bookkeeping(
    weights: NDArray[np.float64],
    losses: NDArray[np.float64],
    arms: NDArray[np.int64] | None = None,
    means: NDArray[np.float64] | None = None,
) -> pd.DataFrame:
    """Every round's row, from the definitions: regret_t = sum_s <p_s, l_s> - min_i L_{t,i}."""
    loss = np.einsum("tn,tn->t", weights, losses)
    cum_expert = np.cumsum(losses, axis=0)
    horizon = losses.shape[0]
    columns: dict[str, Any] = {
        "t": np.arange(1, horizon + 1),
        "loss": loss,
        "cum_loss": np.cumsum(loss),
        "best_cum_loss": cum_expert.min(axis=1),
        "best_expert": cum_expert.argmin(axis=1),
    }
    columns["regret"] = columns["cum_loss"] - columns["best_cum_loss"]
    if arms is not None:
        realized = losses[np.arange(horizon), arms]
        columns["arm"] = arms
        columns["realized_loss"] = realized
        columns["realized_regret"] = np.cumsum(realized) - columns["best_cum_loss"]
    if means is not None:
        columns["pseudo_regret"] = np.cumsum(weights @ means) - np.arange(1, horizon + 1) * means.min()
    return pd.DataFrame(columns)


def naive_simulate(
    make_learner: Callable[[], Any], env: Any, horizon: int, seed: int, feedback: str = "full"
) -> pd.DataFrame:
    """The reference run of one seed, every round recorded."""
    losses = loss_matrix(env, horizon, seed)
    weights, arms = play(make_learner(), losses, feedback, seed)
    means = getattr(env, "means", None)
    return bookkeeping(weights, losses, arms, None if means is None else np.asarray(means, dtype=np.float64))
