"""Slow, obviously correct references for the parameter-free learners, written from the papers with plain
loops.

Nothing here imports ftrl. Each function takes a (T, N) loss matrix and returns the per-round expected losses
and the weights after the last round. The instantaneous regret is r_t = <p_t, l_t> - l_t throughout.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad


def _normalized(scores, fallback):
    total = sum(scores)
    return np.array(scores) / total if total > 0 else np.array(fallback, dtype=float)


def squint_integral(gain, variance):
    """E_gamma[eta exp(eta R - eta^2 V)] for the improper prior gamma(eta) = 1/eta on (0, 1/2], by
    quadrature."""
    peak = min(0.5, max(0.0, gain / (2 * variance))) if variance > 0 else None
    value, _ = quad(
        lambda eta: (1 / eta) * eta * math.exp(eta * gain - eta * eta * variance),
        0.0,
        0.5,
        epsabs=0.0,
        epsrel=1e-13,
        limit=500,
        points=None if peak is None else [peak],
    )
    return value


def squint(losses, prior=None):
    """Squint (Koolen & van Erven 2015) with the improper prior, weights by numerical integration over eta."""
    n_rounds, n = losses.shape
    prior = np.full(n, 1.0 / n) if prior is None else np.asarray(prior, dtype=float) / np.sum(prior)
    gains, variances = np.zeros(n), np.zeros(n)
    weights = prior.copy()
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        paid[t] = sum(weights[i] * losses[t, i] for i in range(n))
        for i in range(n):
            gains[i] += paid[t] - losses[t, i]
            variances[i] += (paid[t] - losses[t, i]) ** 2
        scores = [prior[i] * squint_integral(gains[i], variances[i]) for i in range(n)]
        weights = _normalized(scores, prior)
    return paid, weights


def normalhedge_scale(gains):
    """c with mean_i exp([R_i]_+^2 / (2c)) = e, by 400 bisections on log c (None when every R_i <= 0)."""
    positive = [max(g, 0.0) for g in gains]
    largest = max(positive)
    if largest == 0.0:
        return None
    n = len(gains)
    low, high = math.log(largest**2 / (4 * (1 + math.log(n)))), math.log(largest**2)  # a bracket of the root
    for _ in range(400):
        middle = 0.5 * (low + high)
        c = math.exp(middle)
        mean = sum(math.exp(x * x / (2 * c)) for x in positive) / n
        if mean > math.e:
            low = middle
        else:
            high = middle
    return math.exp(0.5 * (low + high))


def normalhedge(losses):
    """NormalHedge (Chaudhuri, Freund & Hsu 2009, Fig. 1)."""
    n_rounds, n = losses.shape
    gains = np.zeros(n)
    weights = np.full(n, 1.0 / n)
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        paid[t] = sum(weights[i] * losses[t, i] for i in range(n))
        for i in range(n):
            gains[i] += paid[t] - losses[t, i]
        c = normalhedge_scale(gains)
        if c is None:
            weights = np.full(n, 1.0 / n)
        else:
            positive = [max(g, 0.0) for g in gains]
            weights = _normalized([x / c * math.exp(x * x / (2 * c)) for x in positive], None)
    return paid, weights


def boa(losses, prior=None):
    """BOA as in the R package opera's BOA(): eta_inv2 += 2.2 r^2, R.reg += r - r^2 / sqrt(eta_inv2)."""
    n_rounds, n = losses.shape
    prior = np.full(n, 1.0 / n) if prior is None else np.asarray(prior, dtype=float) / np.sum(prior)
    eta_inv2, reg_regret = np.zeros(n), np.zeros(n)
    weights = prior.copy()
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        paid[t] = sum(weights[i] * losses[t, i] for i in range(n))
        for i in range(n):
            r = paid[t] - losses[t, i]
            eta_inv2[i] += 2.2 * r * r
            if eta_inv2[i] > 0:
                reg_regret[i] += r - r * r / math.sqrt(eta_inv2[i])
        active = [i for i in range(n) if eta_inv2[i] > 0]
        w = prior.copy()
        if active:
            logs = [
                -math.log(eta_inv2[i]) / 2 + math.log(prior[i]) + reg_regret[i] / math.sqrt(eta_inv2[i])
                for i in active
            ]
            top = max(logs)
            mass = sum(prior[i] for i in active)
            total = sum(math.exp(v - top) for v in logs)
            for i, v in zip(active, logs):
                w[i] = mass * math.exp(v - top) / total
        weights = w / w.sum()
    return paid, weights


def mlpoly(losses):
    """ML-Poly (Gaillard, Stoltz & van Erven 2014): p_i proportional to [R_i]_+ / (1 + sum r_i^2)."""
    n_rounds, n = losses.shape
    gains, variances = np.zeros(n), np.zeros(n)
    weights = np.full(n, 1.0 / n)
    paid = np.zeros(n_rounds)
    for t in range(n_rounds):
        paid[t] = sum(weights[i] * losses[t, i] for i in range(n))
        for i in range(n):
            gains[i] += paid[t] - losses[t, i]
            variances[i] += (paid[t] - losses[t, i]) ** 2
        weights = _normalized(
            [max(gains[i], 0.0) / (1 + variances[i]) for i in range(n)], np.full(n, 1.0 / n)
        )
    return paid, weights


def kt_experts(losses):
    """Learning with expert advice from KT coin betting (Orabona & Pal 2016), uniform prior, wealth in linear
    scale; returns (expected losses, weights, wealth)."""
    n_rounds, n = losses.shape
    prior = np.full(n, 1.0 / n)
    wealth, coin_sums = np.ones(n), np.zeros(n)
    paid = np.zeros(n_rounds)
    weights = prior.copy()
    for t in range(1, n_rounds + 1):
        bets = [coin_sums[i] / t * wealth[i] for i in range(n)]
        weights = _normalized([prior[i] * max(bets[i], 0.0) for i in range(n)], prior)
        paid[t - 1] = sum(weights[i] * losses[t - 1, i] for i in range(n))
        for i in range(n):
            r = min(max(paid[t - 1] - losses[t - 1, i], -1.0), 1.0)
            coin = r if bets[i] > 0 else max(r, 0.0)
            wealth[i] += coin * bets[i]
            coin_sums[i] += coin
    bets = [coin_sums[i] / (n_rounds + 1) * wealth[i] for i in range(n)]
    return paid, _normalized([prior[i] * max(bets[i], 0.0) for i in range(n)], prior), wealth
