r"""Squint with the improper prior on the learning rate (Koolen & van Erven, 2015), in closed form.

Also the kernels shared by the parameter-free learners (:mod:`ftrl.learners.normalhedge`,
:mod:`ftrl.learners.boa`, :mod:`ftrl.learners.mlpoly`, :mod:`ftrl.learners.coin_betting`): the expected loss
in a fixed summation order, the normalization of nonnegative scores, and the validation of a prior.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import as_real_array, check_int
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import fast_exp, from_order_key, lane_sum, order_key

__all__ = ["Squint", "log_squint_integral"]

_SQRT_PI = 1.7724538509055159
_SMALL_VARIANCE = 1e-6  # below it the Gaussian factor is expanded to first order (error < V**2 / 32)
_ERFCX_ASYMPTOTIC = 10.0  # from here on erfcx uses its asymptotic series (16 terms: relative error < 1e-16)


@kernel
def expected_loss(weights: NDArray[np.float64], loss: NDArray[np.float64]) -> float:
    r""":math:`\langle p, \ell\rangle` with four interleaved accumulators, combined in
    an order fixed by the code."""
    n = weights.shape[0]
    stop = n - n % 4
    paid0 = paid1 = paid2 = paid3 = 0.0
    for i in range(0, stop, 4):
        paid0 += weights[i] * loss[i]
        paid1 += weights[i + 1] * loss[i + 1]
        paid2 += weights[i + 2] * loss[i + 2]
        paid3 += weights[i + 3] * loss[i + 3]
    for i in range(stop, n):
        paid0 += weights[i] * loss[i]
    return (paid0 + paid1) + (paid2 + paid3)


@kernel
def normalize_or_prior(scores: NDArray[np.float64], prior: NDArray[np.float64]) -> None:
    """Scale nonnegative ``scores`` in place to sum to one; replace them by ``prior`` if they are all zero."""
    total = lane_sum(scores)
    if total > 0.0:
        scale = 1.0 / total
        for i in range(scores.shape[0]):
            scores[i] *= scale
    else:
        for i in range(scores.shape[0]):
            scores[i] = prior[i]


@kernel
def largest_value(values: NDArray[np.float64]) -> float:
    """The largest entry (-inf for an empty array; no NaN expected), as an integer max of
    :func:`ftrl.ops.order_key` so that the loop vectorizes without fast-math flags."""
    largest = order_key(-np.inf)
    for value in values:
        key = order_key(value)
        largest = key if key > largest else largest
    return from_order_key(largest)


@kernel
def softmax_in_place(log_scores: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    """``out = exp(log_scores - max) / sum``: every exponent <= 0, the largest term exactly 1."""
    largest = largest_value(log_scores)
    for i in range(log_scores.shape[0]):
        out[i] = fast_exp(log_scores[i] - largest)
    scale = 1.0 / lane_sum(out)
    for i in range(out.shape[0]):
        out[i] *= scale


@kernel
def _erfcx(x: float) -> float:
    r"""The scaled complementary error function :math:`e^{x^2}\operatorname{erfc}(x)` for :math:`x \ge 0`.

    Directly below 10 (relative error below 5e-14, from the rounding of :math:`x^2`); above, the asymptotic
    series :math:`\frac{1}{x\sqrt\pi}\sum_k (-1)^k (2k-1)!!/(2x^2)^k` truncated
    after 16 terms (error below 1e-16).
    """
    if x < _ERFCX_ASYMPTOTIC:
        return math.exp(x * x) * math.erfc(x)
    inverse = 1.0 / (2.0 * x * x)
    term = 1.0
    total = 1.0
    for k in range(1, 17):
        term *= -(2.0 * k - 1.0) * inverse
        total += term
    return total / (x * _SQRT_PI)


@kernel
def _exponential_moments(gain: float) -> tuple[float, float]:
    r"""Return :math:`\ln J_0` and :math:`J_2/J_0` with :math:`J_m = \int_0^{1/2}\eta^m
    e^{\eta R}\,d\eta`, ``gain`` = R.

    :math:`J_0 = \operatorname{expm1}(R/2)/R`; :math:`J_2/J_0` (the mean of :math:`\eta^2`, in [0, 1/4]) from
    the closed form :math:`J_2 = e^{R/2}(\frac{1}{4R} - \frac{1}{R^2} + \frac{2}{R^3}) - \frac{2}{R^3}` when
    :math:`|R| > 1` and from the power series :math:`J_m = \sum_j \frac{R^j}{j!}\frac{2^{-(m+j+1)}}{m+j+1}`
    otherwise.
    """
    r = gain
    if abs(r) <= 1.0:
        j0 = 0.0
        j2 = 0.0
        coefficient = 1.0
        half_power = 0.5
        for j in range(24):
            j0 += coefficient * half_power / (j + 1.0)
            j2 += coefficient * half_power * 0.25 / (j + 3.0)
            coefficient *= r / (j + 1.0)
            half_power *= 0.5
        return math.log(j0), j2 / j0
    if r > 0.0:
        decay = math.exp(-0.5 * r)
        log_j0 = 0.5 * r + math.log(-math.expm1(-0.5 * r) / r)
        scaled_j2 = (0.25 / r - 1.0 / (r * r) + 2.0 / (r * r * r)) - 2.0 * decay / (r * r * r)
        return log_j0, scaled_j2 / (-math.expm1(-0.5 * r) / r)
    growth = math.exp(0.5 * r)
    j0 = math.expm1(0.5 * r) / r
    j2 = growth * (0.25 / r - 1.0 / (r * r) + 2.0 / (r * r * r)) - 2.0 / (r * r * r)
    return math.log(j0), j2 / j0


@kernel
def log_squint_integral(gain: float, variance: float) -> float:
    r""":math:`\ln \int_0^{1/2} e^{\eta R - \eta^2 V}\,d\eta` for real R and V >= 0,
    without overflow or cancellation.

    With :math:`a = \sqrt V`, :math:`u_0 = -R/(2a)`, :math:`u_1 = (V - R)/(2a)` the integral is
    :math:`\frac{\sqrt\pi}{2a} e^{R^2/(4V)}(\operatorname{erf} u_1 - \operatorname{erf} u_0)`, evaluated as

    - :math:`R \le 0`:
      :math:`\frac{\sqrt\pi}{2a}[\operatorname{erfcx}(u_0) - e^{R/2 - V/4}\operatorname{erfcx}(u_1)]`;
    - :math:`R \ge V`: :math:`e^{R/2 - V/4}\frac{\sqrt\pi}{2a}[\operatorname{erfcx}(-u_1)
      - e^{V/4 - R/2}\operatorname{erfcx}(-u_0)]`;
    - otherwise (the peak :math:`\eta = R/(2V)` inside): :math:`e^{R^2/(4V)}\frac{\sqrt\pi}{2a}
      [\operatorname{erf} u_1 + \operatorname{erf}(-u_0)]`, a sum of two nonnegative terms;

    and for :math:`V < 10^{-6}` (including :math:`V = 0`) as
    :math:`\ln J_0(R) + \operatorname{log1p}(-V J_2(R)/J_0(R))`, the first-order expansion of
    :math:`e^{-\eta^2 V}` (error below :math:`V^2/32` relative), which avoids the cancellation of the first
    two forms when the interval :math:`[u_0, u_1]` of width :math:`a/2` is short.
    See ``docs/parameter_free.md``.
    """
    if variance < _SMALL_VARIANCE:
        log_j0, second_moment = _exponential_moments(gain)
        return log_j0 + math.log1p(-variance * second_moment)
    a = math.sqrt(variance)
    log_front = math.log(_SQRT_PI / (2.0 * a))
    if gain <= 0.0:
        u0 = -gain / (2.0 * a)
        difference = _erfcx(u0) - math.exp(0.5 * gain - 0.25 * variance) * _erfcx(u0 + 0.5 * a)
        return log_front + math.log(difference)
    if gain >= variance:
        difference = _erfcx((gain - variance) / (2.0 * a)) - math.exp(0.25 * variance - 0.5 * gain) * _erfcx(
            gain / (2.0 * a)
        )
        return 0.5 * gain - 0.25 * variance + log_front + math.log(difference)
    inside = math.erf((variance - gain) / (2.0 * a)) + math.erf(gain / (2.0 * a))
    return gain * gain / (4.0 * variance) + log_front + math.log(inside)


@kernel
def squint_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    log_prior: NDArray[np.float64],
    log_scores: NDArray[np.float64],
) -> None:
    r"""Squint over a block: pay, add :math:`r` to :math:`R` and :math:`r^2` to :math:`V`, then
    :math:`p \propto \pi\, I(R, V)` through :func:`log_squint_integral` and a max-shifted softmax."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = expected_loss(weights, loss)
        expected_loss_out[row] = paid
        for i in range(n):
            regret = paid - loss[i]
            cum_regret[i] += regret
            cum_variance[i] += regret * regret
        for i in range(n):
            log_scores[i] = log_prior[i] + log_squint_integral(cum_regret[i], cum_variance[i])
        softmax_in_place(log_scores, weights)
    counter[0] += losses.shape[0]


def check_prior(prior: ArrayLike | None, n_experts: Any, owner: str) -> NDArray[np.float64]:
    """The prior as a float64 array summing to one (uniform for None); ValueError naming 'prior' otherwise."""
    size = check_int(n_experts, "n_experts", owner, low=1)
    if prior is None:
        return np.full(size, 1.0 / size)
    values = as_real_array(prior, "prior", owner)
    if values.shape != (size,) or not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(
            f"The 'prior' parameter of {owner} must be an array of shape ({size},) "
            "of positive finite numbers. " f"Got {values!r} instead."
        )
    return values / values.sum()


class Squint(FullInformationLearner):
    r"""Squint (Koolen & van Erven, 2015) with the improper prior
    :math:`\gamma(\eta) \propto 1/\eta` on (0, 1/2].

    .. math::

        p_{t+1,i} \propto \pi_i\, \mathbb{E}_{\gamma}\big[\eta\, e^{\eta R_{t,i} - \eta^2 V_{t,i}}\big]
        = \pi_i \int_0^{1/2} e^{\eta R_{t,i} - \eta^2 V_{t,i}}\, d\eta
        = \pi_i \frac{\sqrt{\pi}\, e^{R^2/(4V)}}{2\sqrt{V}}
          \Big(\operatorname{erf}\frac{R}{2\sqrt V} - \operatorname{erf}\frac{R - V}{2\sqrt V}\Big),

    with :math:`r_{t,i} = \langle p_t, \ell_t\rangle - \ell_{t,i}`, :math:`R_{t,i} = \sum_{s\le t} r_{s,i}`,
    :math:`V_{t,i} = \sum_{s\le t} r_{s,i}^2` (the value at :math:`V = 0` is the limit,
    :math:`\operatorname{expm1}(R/2)/R`). The integral is evaluated in the log domain by
    :func:`log_squint_integral`; the weights are a max-shifted softmax of
    :math:`\ln\pi_i + \ln I(R_i, V_i)`, so nothing overflows over long runs.

    Losses are assumed in [0, 1] (so :math:`|r| \le 1` and :math:`\eta |r| \le 1/2`); other finite losses are
    accepted but void the guarantee. The potential :math:`\sum_i \pi_i \Phi(R_{t,i}, V_{t,i})` with
    :math:`\Phi(R, V) = \int_0^{1/2}(e^{\eta R - \eta^2 V} - 1)\,\eta^{-1}d\eta` never increases (Lemma 1 of
    the reference), which gives for every expert k (Theorem 4 of the reference)
    :math:`R_{T,k} = O\big(\sqrt{V_{T,k}\ln(\ln(V_{T,k})/\pi_k)} + \ln(1/\pi_k)\big)`, simultaneously for all
    k and T, with no tuning.

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.
    prior : array_like of shape (N,), optional
        Positive prior weights :math:`\pi` (normalized to sum to one); uniform by default.

    Examples
    --------
    >>> from ftrl import Squint
    >>> squint = Squint(2)
    >>> squint.update([0.0, 1.0])
    >>> [round(w, 6) for w in squint.weights.tolist()]
    [0.561539, 0.438461]

    References
    ----------
    W. M. Koolen, T. van Erven, "Second-order quantile methods for experts and combinatorial games", COLT
    2015, sec. 3 (Squint), Lemma 1 and Theorem 4 (the improper prior).
    """

    name: ClassVar[str] = "squint"
    block_kernel = staticmethod(squint_block)

    def __init__(self, n_experts: int, *, prior: ArrayLike | None = None) -> None:
        self._prior = check_prior(prior, n_experts, type(self).__name__)
        self._params: dict[str, Any] = {"prior": None if prior is None else self._prior.tolist()}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter = np.zeros(1, dtype=np.int64)
        n = self.n_experts
        return (counter, self._prior.copy(), np.zeros(n), np.zeros(n), np.log(self._prior), np.zeros(n))

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def cum_variance(self) -> NDArray[np.float64]:
        r"""The cumulative squared instantaneous regrets :math:`V_t` (a copy)."""
        return self._state[3].copy()
