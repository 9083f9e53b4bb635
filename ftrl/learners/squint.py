r"""Squint with the improper prior on the learning rate (Koolen & van Erven, 2015), in closed form.

Also the kernels shared by the parameter-free learners (:mod:`ftrl.learners.normalhedge`,
:mod:`ftrl.learners.boa`, :mod:`ftrl.learners.mlpoly`, :mod:`ftrl.learners.coin_betting`): the expected loss
in a fixed summation order, the normalization of nonnegative scores, a vectorizing maximum, and the
validation of a prior.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import as_real_array, check_int
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import _row_max, fast_exp, lane_sum

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


largest_value = _row_max
"""The largest entry (-inf for an empty array; no NaN expected): :func:`ftrl.ops._row_max`, an integer max of
:func:`ftrl.ops.order_key` so that the loop vectorizes without fast-math flags."""


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


_CHEBYSHEV_SCALE = 2.0
_ERFCX_CHEBYSHEV = np.array(
    [
        1.1760066555883004,
        0.025779673870048255,
        -0.10659315067778515,
        0.03880887957448391,
        -0.005414899930893764,
        -0.00040815257282379925,
        0.0001984376824854394,
        9.842532776122808e-06,
        -7.763265561076022e-06,
        -7.17400145709503e-07,
        3.140694960292377e-07,
        6.188423673503252e-08,
        -9.890618889372784e-09,
        -4.595399489509029e-09,
        -7.180434025144677e-11,
        2.62961969659565e-10,
        4.8679106380765196e-11,
        -8.026674563106034e-12,
        -4.777257954304202e-12,
        -4.345730124961327e-13,
        2.430555756660624e-13,
        8.626432901337466e-14,
        5.02970680977504e-15,
        -5.741439070204381e-15,
    ]
)
r"""Chebyshev coefficients of :math:`(1 + 2x)\operatorname{erfcx}(x)` in
:math:`y = (x - 2)/(x + 2) \in [-1, 1)`, interpolated at the Chebyshev points of degree 27 from
``scipy.special.erfcx`` (``numpy.polynomial.chebyshev.chebinterpolate``) and truncated where they reach the
noise; relative error below 2e-14 on [0, inf)."""
_LARGEST_ARGUMENT = 1e300


_ERFCX_POWER = np.polynomial.chebyshev.cheb2poly(_ERFCX_CHEBYSHEV)
"""The same polynomial in the power basis of :math:`y` (coefficients below 1.3 in magnitude, so Horner's rule
loses nothing against Clenshaw's: relative error 1.24e-14 against 1.22e-14 on a dense grid) at half the
arithmetic: one fused multiply-add per coefficient."""


@kernel
def erfcx_chebyshev(x: float) -> float:
    r""":math:`\operatorname{erfcx}(x) = e^{x^2}\operatorname{erfc}(x)` for :math:`x \ge 0`, branch free.

    A Chebyshev series in :math:`y = (x - 2)/(x + 2)`, which maps :math:`[0, \infty)` onto :math:`[-1, 1)` and
    makes :math:`(1 + 2x)\operatorname{erfcx}(x)` analytic up to :math:`y = 1` (Shepherd & Laframboise, Math.
    Comp. 36, 1981), evaluated in the power basis (:data:`_ERFCX_POWER`) by Horner's rule written out (a loop
    over the coefficients would keep the callers' loops from vectorizing); relative error below 2e-14.
    """
    x = min(x, _LARGEST_ARGUMENT)
    y = (x - _CHEBYSHEV_SCALE) / (x + _CHEBYSHEV_SCALE)
    c = _ERFCX_POWER
    h = c[23]
    h = h * y + c[22]
    h = h * y + c[21]
    h = h * y + c[20]
    h = h * y + c[19]
    h = h * y + c[18]
    h = h * y + c[17]
    h = h * y + c[16]
    h = h * y + c[15]
    h = h * y + c[14]
    h = h * y + c[13]
    h = h * y + c[12]
    h = h * y + c[11]
    h = h * y + c[10]
    h = h * y + c[9]
    h = h * y + c[8]
    h = h * y + c[7]
    h = h * y + c[6]
    h = h * y + c[5]
    h = h * y + c[4]
    h = h * y + c[3]
    h = h * y + c[2]
    h = h * y + c[1]
    h = h * y + c[0]
    return h / (1.0 + 2.0 * x)


@kernel
def squint_terms(
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    exponents: NDArray[np.float64],
    factors: NDArray[np.float64],
) -> None:
    r"""Write :math:`I(R_i, V_i) = f_i e^{E_i}` (:math:`f_i` = ``factors``, :math:`E_i` = ``exponents``).

    The three forms of :func:`log_squint_integral` share :math:`\operatorname{erfcx}(|u_0|)` and
    :math:`\operatorname{erfcx}(|u_1|)`: with :math:`X_j = \operatorname{erfcx}(|u_j|)`,
    :math:`f = \frac{\sqrt\pi}{2a}D` and

    - :math:`R \le 0`: :math:`D = X_0 - e^{R/2 - V/4}X_1`, :math:`E = 0`;
    - :math:`R \ge V`: :math:`D = X_1 - e^{V/4 - R/2}X_0`, :math:`E = R/2 - V/4`;
    - otherwise: :math:`D = 2 - e^{-u_1^2}X_1 - e^{-u_0^2}X_0` (that is :math:`\operatorname{erf}u_1 +
      \operatorname{erf}(-u_0)`), :math:`E = R^2/(4V)`.

    All three are computed and one is selected, so the pass has no branch and vectorizes
    (:func:`erfcx_chebyshev` and :func:`ftrl.ops.fast_exp`). A second pass replaces the entries with
    :math:`V < 10^{-6}` by :math:`f = 1`, :math:`E = \ln I` from :func:`log_squint_integral` (its
    small-variance expansion).
    """
    n = cum_regret.shape[0]
    for i in range(n):
        gain = cum_regret[i]
        variance = max(cum_variance[i], _SMALL_VARIANCE)
        a = math.sqrt(variance)
        half_inverse = 0.5 / a
        u0 = -gain * half_inverse
        u1 = (variance - gain) * half_inverse
        x0 = erfcx_chebyshev(abs(u0))
        x1 = erfcx_chebyshev(abs(u1))
        edge = 0.5 * gain - 0.25 * variance
        is_below = gain <= 0.0
        is_above = gain >= variance
        outside = is_below | is_above
        peak = u0 * u0
        # e^{edge} (R <= 0, edge <= 0), e^{-edge} (R >= V, edge >= 0) and e^{-u1^2} (inside) are never
        # needed together: one exponential serves all three cases.
        first = fast_exp(-abs(edge) if outside else -u1 * u1)
        below = x0 - first * x1
        above = x1 - first * x0
        inside = 2.0 - first * x1 - fast_exp(-peak) * x0
        difference = below if is_below else (above if is_above else inside)
        exponents[i] = 0.0 if is_below else (edge if is_above else peak)
        factors[i] = _SQRT_PI * half_inverse * difference
    for i in range(n):
        if cum_variance[i] < _SMALL_VARIANCE:
            exponents[i] = log_squint_integral(cum_regret[i], cum_variance[i])
            factors[i] = 1.0


@kernel
def squint_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    exponents: NDArray[np.float64],
    factors: NDArray[np.float64],
) -> None:
    r"""Squint over a block: pay, add :math:`r` to :math:`R` and :math:`r^2` to :math:`V`, then
    :math:`p_i \propto \pi_i f_i e^{E_i - \max_j E_j}` with :math:`I(R_i, V_i) = f_i e^{E_i}` from
    :func:`squint_terms` (:math:`f_i \le 2\sqrt\pi \cdot 10^3`, so nothing overflows)."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = expected_loss(weights, loss)
        expected_loss_out[row] = paid
        for i in range(n):
            regret = paid - loss[i]
            cum_regret[i] += regret
            cum_variance[i] += regret * regret
        squint_terms(cum_regret, cum_variance, exponents, factors)
        largest = largest_value(exponents)
        for i in range(n):
            weights[i] = prior[i] * factors[i] * fast_exp(exponents[i] - largest)
        scale = 1.0 / lane_sum(weights)
        for i in range(n):
            weights[i] *= scale
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
            "of positive finite numbers. "
            f"Got {values!r} instead."
        )
    return values / values.sum()


class PriorLearner(FullInformationLearner):
    """A full-information learner with a ``prior`` over the experts (:func:`check_prior`) and the state
    (counter, weights = prior, two running sums, prior, two scratch rows), as Squint and BOA keep it."""

    def __init__(self, n_experts: int, *, prior: ArrayLike | None = None) -> None:
        self._prior = check_prior(prior, n_experts, type(self).__name__)
        self._params: dict[str, Any] = {"prior": None if prior is None else self._prior.tolist()}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter = np.zeros(1, dtype=np.int64)
        n = self.n_experts
        prior = self._prior
        return counter, prior.copy(), np.zeros(n), np.zeros(n), prior.copy(), np.zeros(n), np.zeros(n)


class Squint(PriorLearner):
    r"""Squint (Koolen & van Erven, 2015) with the improper prior
    :math:`\gamma(\eta) \propto 1/\eta` on (0, 1/2].

    .. math::

        p_{t+1,i} \propto \pi_i\, \mathbb{E}_{\gamma}\big[\eta\, e^{\eta R_{t,i} - \eta^2 V_{t,i}}\big]
        = \pi_i \int_0^{1/2} e^{\eta R_{t,i} - \eta^2 V_{t,i}}\, d\eta
        = \pi_i \frac{\sqrt{\pi}\, e^{R^2/(4V)}}{2\sqrt{V}}
          \Big(\operatorname{erf}\frac{R}{2\sqrt V} - \operatorname{erf}\frac{R - V}{2\sqrt V}\Big),

    with :math:`r_{t,i} = \langle p_t, \ell_t\rangle - \ell_{t,i}`, :math:`R_{t,i} = \sum_{s\le t} r_{s,i}`,
    :math:`V_{t,i} = \sum_{s\le t} r_{s,i}^2` (the value at :math:`V = 0` is the limit,
    :math:`\operatorname{expm1}(R/2)/R`). The integral is evaluated as :math:`I = f e^{E}` with a bounded
    factor :math:`f` and an exponent :math:`E` (:func:`squint_terms`: the stable forms of
    :func:`log_squint_integral`, computed branch free with a Chebyshev erfcx so that the pass vectorizes), and
    the weights are :math:`\pi_i f_i e^{E_i - \max_j E_j}` normalized, so nothing overflows over long runs.

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

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def cum_variance(self) -> NDArray[np.float64]:
        r"""The cumulative squared instantaneous regrets :math:`V_t` (a copy)."""
        return self._state[3].copy()
