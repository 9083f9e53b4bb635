"""Slow, obviously correct reference implementations of the learners, written from the papers with plain loops.

Nothing here imports ftrl. Each function takes a (T, N) loss matrix (and for bandits a vector of T uniforms) and
returns the per-round expected losses (and arms) and the weights after the last round.
"""

from __future__ import annotations

import math

import numpy as np


def exponential_weights(cum_losses, eta):
    """softmax(-eta L) shifted by the minimum; eta = inf gives the uniform distribution over the minimizers."""
    cum_losses = np.asarray(cum_losses, dtype=float)
    lowest = cum_losses.min()
    if eta == math.inf:
        weights = (cum_losses == lowest).astype(float)
    else:
        weights = np.array([math.exp(-eta * (value - lowest)) for value in cum_losses])
    return weights / weights.sum()


def hedge(losses, eta_of_round):
    """Hedge with the rate eta_of_round(t) for round t = 1, 2, ...; returns (expected losses, next weights)."""
    n_rounds, n_experts = losses.shape
    cum_losses = np.zeros(n_experts)
    paid = np.zeros(n_rounds)
    for t in range(1, n_rounds + 1):
        weights = exponential_weights(cum_losses, eta_of_round(t))
        paid[t - 1] = sum(weights[i] * losses[t - 1, i] for i in range(n_experts))
        cum_losses = cum_losses + losses[t - 1]
    return paid, exponential_weights(cum_losses, eta_of_round(n_rounds + 1))


def _mix(eta, cum_losses):
    """The pair (weights, mix loss) of the Matlab listing in de Rooij et al. (2014), Fig. 1."""
    lowest = cum_losses.min()
    if eta == math.inf:
        weights = (cum_losses == lowest).astype(float)
    else:
        weights = np.exp(-eta * (cum_losses - lowest))
    total = weights.sum()
    mix_loss = lowest - math.log(total / len(cum_losses)) / eta if eta != math.inf else lowest
    return weights / total, mix_loss


def _rate(n_experts, gap):
    return math.log(n_experts) / gap if gap > 0 else math.inf


def adahedge(losses):
    """AdaHedge, line by line from Fig. 1 of de Rooij, van Erven, Grunwald & Koolen (JMLR 2014)."""
    n_rounds, n_experts = losses.shape
    cum_losses = np.zeros(n_experts)
    gap = 0.0
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        eta = _rate(n_experts, gap)
        weights, mix_before = _mix(eta, cum_losses)
        paid[t] = weights @ losses[t]
        cum_losses = cum_losses + losses[t]
        _, mix_after = _mix(eta, cum_losses)
        gap += max(0.0, paid[t] - (mix_after - mix_before))
    return paid, _mix(_rate(n_experts, gap), cum_losses)[0]


def flipflop(losses, phi=2.37, alpha=1.243):
    """FlipFlop, line by line from Fig. 2 of de Rooij et al. (2014); regime 0 is FTL, 1 is AdaHedge."""
    n_rounds, n_experts = losses.shape
    cum_losses = np.zeros(n_experts)
    gaps = [0.0, 0.0]
    scale = [phi / alpha, alpha]
    regime = 0
    paid = np.zeros(n_rounds)

    def rate():
        return math.inf if regime == 0 else _rate(n_experts, gaps[1])

    for t in range(n_rounds):
        eta = rate()
        weights, mix_before = _mix(eta, cum_losses)
        paid[t] = weights @ losses[t]
        cum_losses = cum_losses + losses[t]
        _, mix_after = _mix(eta, cum_losses)
        gaps[regime] += max(0.0, paid[t] - (mix_after - mix_before))
        if gaps[regime] > scale[regime] * gaps[1 - regime]:
            regime = 1 - regime
    return paid, _mix(rate(), cum_losses)[0]


def fixed_share(losses, eta, alpha):
    """Fixed Share in the probability domain: multiply by exp(-eta l), normalize, mix alpha with the uniform."""
    n_rounds, n_experts = losses.shape
    weights = np.full(n_experts, 1.0 / n_experts)
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        paid[t] = weights @ losses[t]
        updated = weights * np.exp(-eta * losses[t])
        updated = updated / updated.sum()
        weights = (1 - alpha) * updated + alpha / n_experts
    return paid, weights


def simplex_projection(v):
    """Euclidean projection of v onto the simplex: p = max(v - theta, 0) with theta found by bisection."""
    v = np.asarray(v, dtype=float)
    low, high = v.max() - 1.0, v.max()
    for _ in range(200):
        theta = 0.5 * (low + high)
        if np.maximum(v - theta, 0.0).sum() > 1.0:
            low = theta
        else:
            high = theta
    p = np.maximum(v - 0.5 * (low + high), 0.0)
    return p / p.sum()


def power_argmin(cum_losses, eta, alpha):
    """p_i = ((1 - alpha) eta (L_i - x))^(-1/(1 - alpha)) with sum 1, x found by bisection (alpha = 0: log barrier)."""
    cum_losses = np.asarray(cum_losses, dtype=float)
    lowest = cum_losses.min()

    def weights(y):
        with np.errstate(over="ignore"):
            return ((1 - alpha) * eta * (cum_losses - lowest + y)) ** (-1.0 / (1 - alpha))

    low, high = 1e-300, 1.0
    while weights(high).sum() > 1.0:
        high *= 2.0
    for _ in range(2000):
        middle = math.sqrt(low * high) if high / low > 4 else 0.5 * (low + high)
        if middle in (low, high):
            break
        if weights(middle).sum() > 1.0:
            low = middle
        else:
            high = middle
    p = weights(0.5 * (low + high))
    return p / p.sum()


def ftrl_argmin(regularizer, cum_losses, eta, alpha=0.5):
    """argmin_p <p, L> + R(p)/eta on the simplex for 'entropy', 'euclidean', 'tsallis', 'log-barrier'."""
    if regularizer == "entropy":
        return exponential_weights(cum_losses, eta)
    if regularizer == "euclidean":
        cum_losses = np.asarray(cum_losses, dtype=float)
        return simplex_projection(-eta * (cum_losses - cum_losses.min()))
    if regularizer == "tsallis":
        return power_argmin(cum_losses, eta, alpha)
    return power_argmin(cum_losses, eta, 0.0)


def ftrl(losses, regularizer, eta_of_round, alpha=0.5):
    """FTRL on the simplex with a per-round rate; returns (expected losses, next weights)."""
    n_rounds, n_experts = losses.shape
    cum_losses = np.zeros(n_experts)
    paid = np.zeros(n_rounds)
    for t in range(1, n_rounds + 1):
        weights = ftrl_argmin(regularizer, cum_losses, eta_of_round(t), alpha)
        paid[t - 1] = weights @ losses[t - 1]
        cum_losses = cum_losses + losses[t - 1]
    return paid, ftrl_argmin(regularizer, cum_losses, eta_of_round(n_rounds + 1), alpha)


def inverse_cdf(p, u):
    """First i with cumsum(p)[i] > u; the last positive entry if rounding leaves none."""
    cumulative = np.cumsum(p)
    above = np.nonzero(cumulative > u)[0]
    return int(above[0]) if len(above) else int(np.nonzero(p > 0)[0][-1])


def bandit_ftrl(losses, uniforms, regularizer, eta_of_round):
    """Exp3 ('entropy') or Tsallis-INF ('tsallis', alpha 1/2) on importance-weighted estimates l 1{I=i} / p_i."""
    n_rounds, n_experts = losses.shape
    estimates = np.zeros(n_experts)
    paid = np.zeros(n_rounds)
    arms = np.zeros(n_rounds, dtype=int)
    weights = np.full(n_experts, 1.0 / n_experts)
    for t in range(1, n_rounds + 1):
        weights = ftrl_argmin(regularizer, estimates, eta_of_round(t))
        arm = inverse_cdf(weights, uniforms[t - 1])
        arms[t - 1] = arm
        paid[t - 1] = weights @ losses[t - 1]
        estimates[arm] += losses[t - 1, arm] / weights[arm]
    return paid, arms, ftrl_argmin(regularizer, estimates, eta_of_round(n_rounds + 1))


def regret(paid, losses):
    """Cumulative expected loss minus the best expert's cumulative loss, after each round."""
    return np.cumsum(paid) - np.cumsum(losses, axis=0).min(axis=1)
