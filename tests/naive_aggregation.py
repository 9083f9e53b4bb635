"""A slow, obviously correct aggregation loop written without ftrl: Hedge with a fixed rate over expert forecasts.

Losses, derivatives, sleeping experts and the loss range are written out from their definitions in
:mod:`ftrl.aggregation`'s docstring, one round and one expert at a time.
"""

from __future__ import annotations

import math

import numpy as np


def naive_loss(name: str, y_hat: float, y: float, quantile: float | None = None) -> float:
    """lambda(y_hat, y) for one forecast."""
    if name == "square":
        return (y_hat - y) ** 2
    if name == "absolute":
        return abs(y_hat - y)
    if name == "pinball":
        residual = y - y_hat
        return quantile * residual if residual >= 0 else (quantile - 1.0) * residual
    if name == "percentage":
        return abs(y_hat - y) / abs(y)
    if name == "log":
        return -math.log(y_hat) if y == 1.0 else -math.log(1.0 - y_hat)
    raise KeyError(name)


def naive_derivative(name: str, y_hat: float, y: float, quantile: float | None = None) -> float:
    """d lambda / d y_hat, derived by hand (at a kink: the subgradient documented by ftrl.aggregation)."""
    if name == "square":
        return 2.0 * (y_hat - y)
    if name == "absolute":
        return 1.0 if y_hat > y else (-1.0 if y_hat < y else 0.0)
    if name == "pinball":
        return (1.0 - quantile) if y < y_hat else -quantile
    if name == "percentage":
        sign = 1.0 if y_hat > y else (-1.0 if y_hat < y else 0.0)
        return sign / abs(y)
    if name == "log":
        return -1.0 / y_hat if y == 1.0 else 1.0 / (1.0 - y_hat)
    raise KeyError(name)


def naive_round_losses(name: str, predictions: np.ndarray, y: float, y_hat: float, *, gradient_trick: bool,
                       loss_range: tuple[float, float] | None = None,
                       quantile: float | None = None) -> np.ndarray:
    """The loss vector of one round: own loss (asleep: the mixture's) or g (f_i - y_hat) (asleep: 0), rescaled."""
    losses = []
    for forecast in predictions:
        asleep = math.isnan(forecast)
        if gradient_trick:
            value = 0.0 if asleep else naive_derivative(name, y_hat, y, quantile) * (forecast - y_hat)
        else:
            value = naive_loss(name, y_hat if asleep else forecast, y, quantile)
        if loss_range is not None:
            value = (value - loss_range[0]) / (loss_range[1] - loss_range[0])
        losses.append(value)
    return np.array(losses)


def naive_hedge_aggregation(y: np.ndarray, predictions: np.ndarray, name: str, eta: float, *,
                            gradient_trick: bool = False, loss_range: tuple[float, float] | None = None,
                            quantile: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(forecasts (T,), weights used (T, N)) of Hedge with rate eta: p_t proportional to exp(-eta L_{t-1})."""
    n_rounds, n_experts = predictions.shape
    cumulative = np.zeros(n_experts)
    forecasts = np.zeros(n_rounds)
    used = np.zeros((n_rounds, n_experts))
    for t in range(n_rounds):
        exponents = -eta * (cumulative - cumulative.min())
        weights = np.exp(exponents) / np.exp(exponents).sum()
        awake = ~np.isnan(predictions[t])
        weights = np.where(awake, weights, 0.0)
        weights = weights / weights.sum()
        used[t] = weights
        forecasts[t] = sum(weights[i] * predictions[t, i] for i in range(n_experts) if awake[i])
        cumulative += naive_round_losses(name, predictions[t], y[t], forecasts[t], gradient_trick=gradient_trick,
                                         loss_range=loss_range, quantile=quantile)
    return forecasts, used
