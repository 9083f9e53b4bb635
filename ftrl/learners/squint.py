r"""Squint with the improper prior on the learning rate (Koolen & van Erven, 2015), in closed form."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import PriorLearner
from ftrl.ops import fast_exp, from_order_key, order_key, vector_dot, vector_sum

__all__ = ["Squint", "log_squint_integral"]

_SQRT_PI = 1.7724538509055159
_SCORE_UNIT = 2.0 / _SQRT_PI  # the scores are (2 / sqrt(pi)) I e^{-M}: the common factor of the closed forms dropped
_SMALL_VARIANCE = 1e-6  # below it the Gaussian factor is expanded to first order (error < V**2 / 32)
_ERFCX_ASYMPTOTIC = 10.0  # from here on erfcx uses its asymptotic series (16 terms: relative error < 1e-16)


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
def _erfcx_series(y: float) -> float:
    r""":math:`(1 + 2x)\operatorname{erfcx}(x)` at :math:`y = (x - 2)/(x + 2)`: the Chebyshev series of
    :data:`_ERFCX_CHEBYSHEV` in the power basis, by Horner's rule written out (a loop over the coefficients would
    keep the callers' loops from vectorizing)."""
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
    return h * y + c[0]


@kernel
def _erfcx_from_reciprocals(x: float, inverse_shifted: float, inverse_doubled: float) -> float:
    r""":math:`\operatorname{erfcx}(x) = h(y)/(1 + 2x)`, :math:`y = (x - 2)/(x + 2)` (:func:`_erfcx_series`), given
    ``inverse_shifted`` :math:`= 1/(x + 2)` and ``inverse_doubled`` :math:`= 1/(1 + 2x)`."""
    return _erfcx_series((x - _CHEBYSHEV_SCALE) * inverse_shifted) * inverse_doubled


@kernel
def erfcx_chebyshev(x: float) -> float:
    r""":math:`\operatorname{erfcx}(x) = e^{x^2}\operatorname{erfc}(x)` for :math:`x \ge 0`, branch free.

    A Chebyshev series in :math:`y = (x - 2)/(x + 2)`, which maps :math:`[0, \infty)` onto :math:`[-1, 1)` and
    makes :math:`(1 + 2x)\operatorname{erfcx}(x)` analytic up to :math:`y = 1` (Shepherd & Laframboise, Math.
    Comp. 36, 1981; :func:`_erfcx_from_reciprocals`); relative error below 2e-14 (1.22e-14 observed against
    ``scipy.special.erfcx``). :func:`_score_pass` evaluates it at two points with the reciprocals of the two
    :math:`x_j + 2` from that of their product, and those of :math:`1 + 2x_j` likewise.
    """
    x = min(x, _LARGEST_ARGUMENT)
    return _erfcx_from_reciprocals(x, 1.0 / (x + _CHEBYSHEV_SCALE), 1.0 / (1.0 + 2.0 * x))


_NEGLIGIBLE_EXPONENT = 42.0
r"""A term :math:`e^{-42} X` next to one at least :math:`X` changes the sum by less than 6e-19 relative: below
half an ulp, so :func:`_one_term_score` gives what the two-term form would."""
_LARGEST_ONE_TERM_VARIANCE = 1e100  # keeps a P Q in _one_term_score finite
_SHIFT_SLACK = 300.0
r"""The scores are :math:`e^{E - M}` times bounded factors with :math:`M` the largest exponent of the previous
round; :math:`E` moves by at most 3/4 per round for losses in [0, 1], and a round whose largest exponent is more
than this away from :math:`M` is recomputed with the new one (other losses), so nothing overflows or underflows."""


@kernel
def _misses_one_term(gain: float, variance: float) -> np.int64:
    """1 if the one-term form of :func:`_score_pass` is not exact for this expert, else 0."""
    edge = 0.5 * gain - 0.25 * variance
    exact = (variance >= _SMALL_VARIANCE) & (variance < _LARGEST_ONE_TERM_VARIANCE) & (
        (edge <= -_NEGLIGIBLE_EXPONENT) | ((gain >= variance) & (edge >= _NEGLIGIBLE_EXPONENT)))
    return np.int64(0 if exact else 1)


@kernel
def _score_pass(
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    shift: float,
    scores: NDArray[np.float64],
    one_term: bool,
) -> tuple[np.int64, np.int64]:
    r"""``scores`` :math:`= \pi_i \frac{2}{\sqrt\pi} I_i e^{-M}` (:math:`M` = ``shift``); returns (the
    order key of the largest exponent :math:`E_i` of :math:`I_i = f_i e^{E_i}`, the number of experts where the
    one-term form is not exact).

    Two-term form, for :math:`V \ge 10^{-6}` (smaller V are raised to it): with
    :math:`X_j = \operatorname{erfcx}(|u_j|)` (:func:`erfcx_chebyshev`), ``edge`` :math:`= R/2 - V/4`, ``peak``
    :math:`= u_0^2 = R^2/(4V)` and :math:`a = \sqrt V`, the forms of :func:`log_squint_integral` times
    :math:`\frac{2a}{\sqrt\pi}e^{-M}` are

    - :math:`R \le 0`: :math:`(X_0 - e^{\mathrm{edge}}X_1)e^{-M}`, E = 0;
    - :math:`R \ge V`: :math:`(X_1 - e^{-\mathrm{edge}}X_0)e^{\mathrm{edge} - M}`, E = edge;
    - otherwise: :math:`2e^{\mathrm{peak} - M} - X_1e^{\mathrm{edge} - M} - X_0e^{-M}` (that is
      :math:`e^{\mathrm{peak} - M}(\operatorname{erf}u_1 + \operatorname{erf}(-u_0))`), E = peak;

    all computed and one selected, with two exponentials (:math:`e^{\pm\mathrm{edge}}` or
    :math:`e^{\mathrm{edge} - M}`, and :math:`e^{E - M}`).

    One-term form (``one_term``): the second term of each form is below :math:`e^{-42}` times the first, so it
    changes nothing, when ``edge`` :math:`\le -42` (:math:`R \le 0`, or inside with
    :math:`u_1^2 = u_0^2 - \mathrm{edge} \ge 42`), or :math:`R \ge V` and ``edge`` :math:`\ge 42` (and
    :math:`10^{-6} \le V < 10^{100}`; such an expert is *exact*). Then with :math:`m = |R|` (:math:`R - V` if
    :math:`R \ge V`), :math:`x = m/(2a)`, :math:`P = m + 4a`, :math:`Q = m + a`: :math:`y = (m - 4a)/P`,
    :math:`\operatorname{erfcx}(x) = h(y)\,a/Q` (:func:`_erfcx_series`), and the score is :math:`h(y)e^{E - M}/Q`
    outside, :math:`2e^{E - M}/a - h(y)e^{-M}/Q` inside: one erfcx, one exponential, and :math:`1/P`,
    :math:`1/Q`, :math:`1/a` from one division. Its scores are meaningless unless every expert is exact.

    Both loops are branch free (the bodies written out: as called functions they were not inlined, and the
    loops did not vectorize) and have only integer reductions, which vectorize without fast-math flags; the sum
    of the scores is taken by the caller (:func:`~ftrl.ops.vector_sum`, a read-only loop whose order depends on
    the length alone).
    """
    unit = fast_exp(-shift)
    largest = order_key(0.0)
    misses = np.int64(0)
    if one_term:
        for i in range(scores.shape[0]):
            gain = cum_regret[i]
            variance = cum_variance[i]
            edge = 0.5 * gain - 0.25 * variance
            is_below = gain <= 0.0
            is_above = gain >= variance
            a = math.sqrt(variance)
            magnitude = gain - variance if is_above else abs(gain)
            spread = magnitude + 4.0 * a
            closeness = magnitude + a
            reciprocal = 1.0 / (a * spread * closeness)
            inverse_a = spread * closeness * reciprocal
            series = _erfcx_series((magnitude - 4.0 * a) * (a * closeness * reciprocal)) * (a * spread * reciprocal)
            half_ratio = 0.5 * gain * inverse_a
            exponent = 0.0 if is_below else (edge if is_above else half_ratio * half_ratio)
            far = fast_exp(exponent - shift)
            score = prior[i] * (series * far if is_below | is_above else 2.0 * far * inverse_a - series * unit)
            scores[i] = score
            largest = max(largest, order_key(exponent))
            misses += _misses_one_term(gain, variance)
        return largest, misses
    for i in range(scores.shape[0]):
        gain = cum_regret[i]
        variance = max(cum_variance[i], _SMALL_VARIANCE)
        a = math.sqrt(variance)
        half_inverse = 0.5 / a
        u0 = -gain * half_inverse
        x0 = min(abs(u0), _LARGEST_ARGUMENT)
        x1 = min(abs((variance - gain) * half_inverse), _LARGEST_ARGUMENT)
        shifted0 = x0 + _CHEBYSHEV_SCALE
        shifted1 = x1 + _CHEBYSHEV_SCALE
        doubled0 = 1.0 + 2.0 * x0
        doubled1 = 1.0 + 2.0 * x1
        inverse_shifted = 1.0 / (shifted0 * shifted1)
        inverse_doubled = 1.0 / (doubled0 * doubled1)
        erfcx0 = _erfcx_from_reciprocals(x0, shifted1 * inverse_shifted, doubled1 * inverse_doubled)
        erfcx1 = _erfcx_from_reciprocals(x1, shifted0 * inverse_shifted, doubled0 * inverse_doubled)
        edge = 0.5 * gain - 0.25 * variance
        is_below = gain <= 0.0
        is_above = gain >= variance
        exponent = 0.0 if is_below else (edge if is_above else u0 * u0)
        near = fast_exp(-abs(edge) if is_below | is_above else edge - shift)
        far = fast_exp(exponent - shift)
        difference = (erfcx0 - near * erfcx1) * far if is_below else (
            (erfcx1 - near * erfcx0) * far if is_above else 2.0 * far - near * erfcx1 - unit * erfcx0)
        score = prior[i] * difference * (2.0 * half_inverse)
        scores[i] = score
        largest = max(largest, order_key(exponent))
        misses += _misses_one_term(gain, cum_variance[i])
    return largest, misses


@kernel
def squint_scores(
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    shift: float,
    scores: NDArray[np.float64],
    one_term: bool,
) -> tuple[float, float, bool]:
    r"""Write ``scores`` :math:`= \pi_i\,\frac{2}{\sqrt\pi}\,I(R_i, V_i)\,e^{-M}` (:math:`M` = ``shift``), the
    Squint weights up to a common factor. Returns (their sum, the largest exponent :math:`E_i` of
    :math:`I_i = f_i e^{E_i}`, whether the one-term form is exact for every expert).

    With ``one_term`` (the previous round found it exact everywhere) one pass of :func:`_score_pass` in its
    one-term form, else, or if it is not exact somewhere, one in its two-term form; after the latter the experts
    with :math:`V < 10^{-6}` are replaced by :math:`\pi_i \frac{2}{\sqrt\pi} e^{\ln I_i - M}`
    (:func:`log_squint_integral`, its small-variance expansion).
    """
    largest_key, misses = _score_pass(cum_regret, cum_variance, prior, shift, scores, one_term)
    if one_term and misses > 0:
        largest_key, misses = _score_pass(cum_regret, cum_variance, prior, shift, scores, False)
    largest = from_order_key(largest_key)
    if not one_term or misses > 0:
        for i in range(scores.shape[0]):
            if cum_variance[i] < _SMALL_VARIANCE:
                log_integral = log_squint_integral(cum_regret[i], cum_variance[i])
                scores[i] = prior[i] * _SCORE_UNIT * fast_exp(log_integral - shift)
                largest = max(largest, log_integral)
    return vector_sum(scores), largest, misses == 0


@kernel
def _accumulate_regrets(
    loss: NDArray[np.float64], paid: float, cum_regret: NDArray[np.float64], cum_variance: NDArray[np.float64]
) -> None:
    """Add :math:`r = \\langle p, \\ell\\rangle - \\ell` to :math:`R` and :math:`r^2` to :math:`V`."""
    for i in range(loss.shape[0]):
        regret = paid - loss[i]
        cum_regret[i] += regret
        cum_variance[i] += regret * regret


@kernel
def squint_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    scores: NDArray[np.float64],
    solver: NDArray[np.float64],
) -> None:
    r"""Squint over a block: pay :math:`\sum_i s_i\ell_i / \sum_i s_i`, add :math:`r` to :math:`R` and
    :math:`r^2` to :math:`V`, then the scores :math:`s_i \propto p_{t+1,i}` of :func:`squint_scores`.

    ``solver`` = (the shift :math:`M` for the next round, the largest exponent of this one; the sum of
    ``scores``; 1 if the one-term form was exact everywhere, else 0). The scores of a round are relative to the
    previous round's largest exponent (recomputed if that is :data:`_SHIFT_SLACK` away), so that no pass looks for
    the maximum first, and normalized only at the end of the block.
    """
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = vector_dot(scores, loss) / solver[1]
        expected_loss_out[row] = paid
        _accumulate_regrets(loss, paid, cum_regret, cum_variance)
        shift = solver[0]
        one_term = solver[2] == 1.0
        total, largest, exact = squint_scores(cum_regret, cum_variance, prior, shift, scores, one_term)
        if abs(largest - shift) > _SHIFT_SLACK:
            shift = largest
            total, largest, exact = squint_scores(cum_regret, cum_variance, prior, shift, scores, one_term)
        solver[0] = largest
        solver[1] = total
        solver[2] = 1.0 if exact else 0.0
    normalizer = 1.0 / solver[1]
    for i in range(weights.shape[0]):
        weights[i] = scores[i] * normalizer
    counter[0] += losses.shape[0]


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
    factor :math:`f` and an exponent :math:`E`, and the weights are kept as scores
    :math:`\pi_i f_i e^{E_i - M}` with :math:`M` the largest exponent of the previous round, normalized in the
    next round's pay (:func:`squint_scores`: the stable forms of :func:`log_squint_integral`, branch free with a
    Chebyshev erfcx so that the pass vectorizes, and with one erfcx and one exponential per expert once the
    second term of every form is negligible), so nothing overflows over long runs.

    Losses are assumed in [0, 1] (so :math:`|r| \le 1` and :math:`\eta |r| \le 1/2`); other losses up to
    :attr:`loss_limit` = 1e100 in magnitude (so that :math:`V` stays finite) are accepted but void the guarantee. The potential :math:`\sum_i \pi_i \Phi(R_{t,i}, V_{t,i})` with
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
    loss_limit: ClassVar[float] = 1e100
    block_kernel = staticmethod(squint_block)

    def _initial_state(self) -> tuple[Any, ...]:
        counter = np.zeros(1, dtype=np.int64)
        n = self.n_experts
        prior = self._prior
        solver = np.array([0.0, 1.0, 0.0])  # shift, sum of the scores (= prior), two-term form
        return counter, prior.copy(), np.zeros(n), np.zeros(n), prior.copy(), prior.copy(), solver

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def cum_variance(self) -> NDArray[np.float64]:
        r"""The cumulative squared instantaneous regrets :math:`V_t` (a copy)."""
        return self._state[3].copy()
