r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): a parameter-free hedging algorithm."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._compress import pack_positive
from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import LANES, exp_nonpositive, from_order_key, order_key, vector_dot, vector_sum

__all__ = ["NormalHedge"]

_MAX_ITERATIONS = 200
_ACCEPT_REACH = 0.01
r"""A root :math:`s(1 + \tau)` predicted from the moments at :math:`s` is taken without a further evaluation when
:math:`\rho = |\tau| \max_i s q_i \le 0.01`: the degree-6 Taylor model of :math:`e^{\tau x}` then errs by at most
:math:`\rho^7 e^\rho/7! < 2.1 \cdot 10^{-18}` relative (in the sum and in each weight)."""
_UNSCALED_LOW, _UNSCALED_HIGH = 2.0**-400, 2.0**400
"""While the largest regret lies in this range the regrets are used as they are; outside it they are divided by a
power of two (:func:`_divide_by_power_of_two`), so that their squares neither underflow nor overflow."""
_HALLEY_SETTLED = 1e-6
"""Halley's iteration on the Taylor model stops after a step below this: the error left is of order its cube."""


@kernel
def _padded(count: int) -> int:
    """``count`` rounded up to a multiple of :data:`~ftrl.ops.LANES`: the packed experts are padded with zero
    regrets to whole vectors, so that no entry falls to a loop's scalar remainder (about 7 ns per entry there,
    against under 1 in the vector body)."""
    return (count + LANES - 1) // LANES * LANES


@kernel
def _exp_degree6(y: float) -> float:
    r""":math:`\sum_{k \le 6} y^k / k!`, :math:`e^y` to :math:`|y|^7 e^{|y|}/7!` (positive for every real y)."""
    return 1.0 + y * (1.0 + y * (0.5 + y * (1.0 / 6.0 + y * (1.0 / 24.0 + y * (1.0 / 120.0 + y * (1.0 / 720.0))))))


@kernel
def _score(positive: float, exponential: float, shift: float) -> float:
    r"""The unnormalized weight :math:`[R]_+ e^{s^* [R]_+^2} = [R]_+ e^{s [R]_+^2} e^{(s^* - s)[R]_+^2}` from
    ``positive`` :math:`= [R]_+`, ``exponential`` :math:`= e^{s [R]_+^2}` and ``shift`` :math:`= s^* - s`
    (:func:`_exp_degree6`)."""
    return positive * exponential * _exp_degree6(shift * (positive * positive))


@kernel
def _weighted_loss(
    loss: NDArray[np.float64],
    active: NDArray[np.int64],
    positives: NDArray[np.float64],
    exponentials: NDArray[np.float64],
    shift: float,
    scores: NDArray[np.float64],
    gathered: NDArray[np.float64],
) -> tuple[float, float]:
    r"""Return :math:`(\sum_j w_j \ell_{i_j}, \sum_j w_j)` over the experts :math:`i_j` = ``active[j]`` with
    positive regret, :math:`w_j` = :func:`_score`: the expected loss of the previous round's weights without a
    normalization pass. The scores and the gathered losses go to scratch rows and are summed apart
    (:func:`ftrl.ops.vector_dot`, :func:`ftrl.ops.vector_sum`: read-only loops, whose order depends on the length
    alone), so that the bits do not depend on how LLVM compiles the loop where it is inlined."""
    count = active.shape[0]
    for j in range(count):
        scores[j] = _score(positives[j], exponentials[j], shift)
    for j in range(count):  # apart, so that the loop above vectorizes
        gathered[j] = loss[active[j]]
    return vector_dot(scores[:count], gathered[:count]), vector_sum(scores[:count])


@kernel
def _update_regrets(loss: NDArray[np.float64], paid: float, cum_regret: NDArray[np.float64]) -> float:
    r""":math:`R_i \mathrel{+}= \langle p, \ell\rangle - \ell_i`; returns :math:`\max(0, \max_i R_i)` (an integer max
    of :func:`~ftrl.ops.order_key` keys, so that the loop vectorizes)."""
    largest = order_key(0.0)
    for i in range(cum_regret.shape[0]):
        value = cum_regret[i] + (paid - loss[i])
        cum_regret[i] = value
        largest = max(largest, order_key(value))
    return from_order_key(largest)


@kernel
def _tilted_moments(
    positives: NDArray[np.float64], scale: float, tilted: NDArray[np.float64], n_inactive: int
) -> tuple[float, float, float, float, float, float, float]:
    r"""The moments :math:`m_k = \sum_i E_i x_i^k`, k = 0..6, :math:`E_i = e^{x_i}`, :math:`x_i = s\,[R_i]_+^2`,
    over the experts passed (the others add 1 to :math:`m_0`: ``n_inactive``; a zero entry adds 1 too, so the
    padding of the packed experts counts as inactive experts do, and ``n_inactive`` may be negative). One pass writes
    :math:`E_j` and :math:`x_j` to the rows 0 and 1 of ``tilted`` (no reduction there, so it vectorizes); the
    sums are taken apart by :func:`_moment_sums`, a loop that only reads. The caller keeps
    :math:`x_j \le 1 + \ln N`."""
    count = positives.shape[0]
    for j in range(count):
        x = scale * (positives[j] * positives[j])
        tilted[0, j] = exp_nonpositive(x)  # the same bits as fast_exp for x <= 665; here x <= 1 + ln N
        tilted[1, j] = x
    m0, m1, m2, m3, m4, m5, m6 = _moment_sums(tilted[0][:count], tilted[1][:count])
    return m0 + n_inactive, m1, m2, m3, m4, m5, m6


@kernel(reassociate=True)
def _moment_sums(
    exponentials: NDArray[np.float64], exponents: NDArray[np.float64]
) -> tuple[float, float, float, float, float, float, float]:
    r""":math:`(\sum_j E_j x_j^k)_{k = 0..6}` in one vectorized pass. A reassociating loop that only reads, like
    :func:`ftrl.ops.vector_sum`: no run-time overlap check, so its order depends on the length alone, wherever
    it is inlined (seven rows of products written and summed apart cost twice as much)."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = 0.0
    for j in range(exponentials.shape[0]):
        x = exponents[j]
        term = exponentials[j]
        m0 += term
        term *= x
        m1 += term
        term *= x
        m2 += term
        term *= x
        m3 += term
        term *= x
        m4 += term
        term *= x
        m5 += term
        m6 += term * x
    return m0, m1, m2, m3, m4, m5, m6


@kernel
def _halley_step(value: float, slope: float, curvature: float) -> float:
    """Halley's step for a root of a function with this value, slope and curvature (Newton's where Halley's
    denominator is not safely positive)."""
    denominator = 2.0 * slope * slope - value * curvature
    return 2.0 * value * slope / denominator if denominator > slope * slope else value / slope


@kernel
def solve_scale(
    positives: NDArray[np.float64],
    largest: float,
    guess: float,
    tilted: NDArray[np.float64],
    n_experts: int,
    log_n: float,
) -> tuple[float, float]:
    r"""The root :math:`s^*` of :math:`\frac1N\sum_i e^{s q_i} = e` (:math:`s = 1/(2c)`, :math:`q_i = [R_i]_+^2`),
    from one exponential pass in a typical round; ``positives`` holds the positive :math:`R_i`, possibly followed
    by zeros (the other :math:`q_i` are 0), ``largest`` :math:`= \max_i q_i`.

    :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1` is convex and increasing, and the root lies in
    :math:`[1/q_{\max}, (1 + \ln N)/q_{\max}]`. At the evaluated point s (first ``guess``, the previous round's
    root) the pass :func:`_tilted_moments` gives :math:`m_k = \sum_i e^{x_i}x_i^k` (:math:`x_i = s q_i`), so
    :math:`\sum_i e^{s(1 + \tau)q_i} = \sum_i e^{x_i}e^{\tau x_i} \approx P(\tau) = \sum_{k\le 6} m_k\tau^k/k!`;
    Halley's method solves :math:`P(\tau) = Ne` from :math:`\tau = 0`. When :math:`\rho = |\tau|\max_i x_i \le`
    :data:`_ACCEPT_REACH` the model is exact to 2.1e-18 and :math:`s^* = s(1 + \tau)` is returned with
    :math:`E_j = e^{x_j}` in ``tilted[0]`` (the caller moves them to :math:`s^*` by :func:`_exp_degree6`).
    Otherwise :math:`s(1 + \tau)` is evaluated next, or the midpoint of the bracket kept from the signs of g if it
    falls outside. Returns ``(root, evaluated)``: ``tilted[0]`` holds :math:`e^{\text{evaluated}\cdot q_j}`.
    """
    n_inactive = n_experts - positives.shape[0]
    low = 1.0 / largest
    high = (1.0 + log_n) / largest
    target = n_experts * math.e
    scale = min(max(guess, low), high)
    for _ in range(_MAX_ITERATIONS):
        m0, m1, m2, m3, m4, m5, m6 = _tilted_moments(positives, scale, tilted, n_inactive)
        if m0 > target:
            high = scale
        else:
            low = scale
        c2, c3, c4, c5, c6 = m2 * 0.5, m3 * (1.0 / 6.0), m4 * (1.0 / 24.0), m5 * (1.0 / 120.0), m6 * (1.0 / 720.0)
        step = _halley_step(m0 - target, m1, 2.0 * c2)  # at tau = 0 the polynomials are their constant terms
        tau = -step
        for _ in range(7):
            if not abs(step) > _HALLEY_SETTLED:
                break
            value = m0 + tau * (m1 + tau * (c2 + tau * (c3 + tau * (c4 + tau * (c5 + tau * c6))))) - target
            slope = m1 + tau * (2.0 * c2 + tau * (3.0 * c3 + tau * (4.0 * c4 + tau * (5.0 * c5 + tau * (6.0 * c6)))))
            curvature = 2.0 * c2 + tau * (6.0 * c3 + tau * (12.0 * c4 + tau * (20.0 * c5 + tau * (30.0 * c6))))
            step = _halley_step(value, slope, curvature)
            tau -= step
        proposal = scale + scale * tau
        if abs(tau) * scale * largest <= _ACCEPT_REACH and low <= proposal <= high:
            return proposal, scale
        if high - low <= 1e-16 * high:
            return scale, scale
        scale = proposal if low < proposal < high else 0.5 * (low + high)
    _tilted_moments(positives, scale, tilted, n_inactive)
    return scale, scale


@kernel
def _divide_by_power_of_two(values: NDArray[np.float64], exponent: int) -> None:
    r"""``values`` :math:`\mathrel{/}= 2^k`, k = ``exponent``: exact, as two multiplications by powers of two (one
    factor alone may overflow or underflow), except for results below the smallest normal double.

    NormalHedge's weights :math:`[R]_+e^{s[R]_+^2}` are invariant under :math:`R \to \lambda R`,
    :math:`s \to s/\lambda^2`, so when the largest positive regret lies outside :math:`[2^{-400}, 2^{400}]` the
    learner works with the positive regrets divided by :math:`2^k`, k the binary exponent of the largest (which then
    lies in [1/2, 1)): no regret is so small that its square underflows, nor so large that it overflows. Entries
    more than :math:`2^{1022}` below the largest may lose bits; they weigh nothing.
    """
    half = -exponent // 2
    up, down = math.ldexp(1.0, half), math.ldexp(1.0, -exponent - half)
    for j in range(values.shape[0]):
        values[j] = values[j] * up * down


@kernel
def normalhedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    scale: NDArray[np.float64],
    active: NDArray[np.int64],
    positives: NDArray[np.float64],
    tilted: NDArray[np.float64],
    log_n: float,
) -> None:
    r"""NormalHedge over a block: pay, :math:`R \mathrel{+}= r`, solve for :math:`s^* = 1/(2c_t)`, so that
    :math:`p_i \propto [R_i]_+ e^{s^*[R_i]_+^2}` (uniform while every :math:`R_i \le 0`).

    ``scale`` = (:math:`s^*`, the point s where :math:`E_j = e^{s[R_{i_j}]_+^2}` were evaluated, the number of
    experts with positive regret, 0 meaning uniform weights, the binary exponent k of the largest regret), with
    the regrets in units of :math:`2^k` (:func:`_divide_by_power_of_two`); ``active``, ``positives`` and
    ``tilted[0]`` (the :math:`E_j`) hold those experts packed (:func:`ftrl._compress.pack_positive`, eight experts at a time). A
    round is the expected loss with the weights computed on the fly (:func:`_weighted_loss`, divided by their sum:
    no normalization pass), the update (:func:`_update_regrets`), the packing, then the exponential pass(es) of
    :func:`solve_scale` over the packed experts only (on random losses most regrets are negative: 5% to 25%
    positive at N = 1000). The packed experts are padded with zero regrets (index 0) up to :func:`_padded`: their
    :math:`E_j = 1` count as the inactive experts' and their weights are 0, and every loop over the packed experts
    runs whole vectors. Rows 1 and 2 of ``tilted`` are scratch; the normalized weights are written once, at the end
    of the block.
    """
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        count = int(scale[2])
        if count == 0:
            paid = vector_sum(loss) / n
        else:
            padded = _padded(count)
            weighted, total = _weighted_loss(loss, active[:padded], positives[:padded], tilted[0][:padded],
                                             scale[0] - scale[1], tilted[2], tilted[1])
            paid = weighted / total
        expected_loss_out[row] = paid
        largest = _update_regrets(loss, paid, cum_regret)
        count = pack_positive(cum_regret, positives, active)
        scale[2] = count
        if count > 0:
            padded = _padded(count)
            if _UNSCALED_LOW <= largest <= _UNSCALED_HIGH:
                exponent, largest_square = 0, largest * largest
            else:
                mantissa, exponent = math.frexp(largest)  # largest = mantissa 2^exponent, mantissa in [1/2, 1)
                _divide_by_power_of_two(positives[:count], exponent)
                largest_square = mantissa * mantissa
            for j in range(count, padded):
                positives[j] = 0.0
                active[j] = 0
            guess = scale[0]
            if exponent != scale[3]:
                guess = math.ldexp(guess, 2 * (int(scale[3]) - exponent))  # the previous root in the new units
                scale[3] = exponent
            scale[0], scale[1] = solve_scale(positives[:padded], largest_square, guess, tilted, n, log_n)
    counter[0] += losses.shape[0]
    count = int(scale[2])
    if count == 0:
        weights[:] = 1.0 / n
        return
    shift = scale[0] - scale[1]
    weights[:] = 0.0
    total = 0.0
    for j in range(count):
        score = _score(positives[j], tilted[0, j], shift)
        weights[active[j]] = score
        total += score
    normalizer = 1.0 / total
    for j in range(count):
        weights[active[j]] *= normalizer


class NormalHedge(FullInformationLearner):
    r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): no learning rate, quantile regret bounds.

    .. math::

        p_{t+1,i} \propto \frac{[R_{t,i}]_+}{c_t}\exp\Big(\frac{[R_{t,i}]_+^2}{2c_t}\Big),
        \qquad \frac1N \sum_{i=1}^N \exp\Big(\frac{[R_{t,i}]_+^2}{2c_t}\Big) = e,

    with :math:`R_{t,i} = \sum_{s\le t}(\langle p_s, \ell_s\rangle - \ell_{s,i})`; uniform while every
    :math:`R_{t,i} \le 0`. The scale :math:`c_t` is found each round from :math:`s = 1/(2c)` at the previous root,
    usually in one exponential pass (:func:`solve_scale`: Halley's method on a Taylor model built from the
    moments of that pass, within a kept bracket). At the root every exponent
    :math:`[R_i]_+^2/(2c_t)` lies in :math:`[0, 1 + \ln N]`, so the weights never
    overflow however long the run.

    Losses are assumed in [0, 1]. Theorem 1 of the reference: for all t, all :math:`0 < \varepsilon \le 1` and
    :math:`0 < \delta \le 1/2`, the regret to the top :math:`\varepsilon`-quantile of the experts is at most
    :math:`\sqrt{(1 + \ln\frac1\varepsilon)\big(3(1 + 50\delta)t + \frac{16\ln^2 N}{\delta}
    (\frac{10.2}{\delta^2} + \ln N)\big)}`; :math:`\varepsilon = 1/N` bounds the regret to the best expert.

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.

    Examples
    --------
    >>> from ftrl import NormalHedge
    >>> learner = NormalHedge(3)
    >>> learner.update([1.0, 0.0, 1.0])
    >>> learner.weights.tolist()
    [0.0, 1.0, 0.0]

    References
    ----------
    K. Chaudhuri, Y. Freund, D. Hsu, "A parameter-free hedging algorithm", NIPS 2009, Fig. 1 and Theorem 1.
    """

    name: ClassVar[str] = "normalhedge"
    block_kernel = staticmethod(normalhedge_block)

    def __init__(self, n_experts: int) -> None:
        self._params: dict[str, Any] = {}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        n = self.n_experts
        room = _padded(n)
        active, positives, tilted = np.zeros(room, dtype=np.int64), np.zeros(room), np.ones((3, room))
        return counter, weights, np.zeros(n), np.zeros(4), active, positives, tilted, math.log(n)

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def scale(self) -> float:
        r"""The last :math:`c_t` (inf before any expert has positive regret; 0 or inf where it under- or overflows)."""
        s, exponent = float(self._state[3][0]), int(self._state[3][3])  # s in units of 2^exponent regret
        if s == 0.0:
            return math.inf
        try:
            return math.ldexp(0.5 / s, 2 * exponent)
        except OverflowError:  # c beyond the largest double
            return math.inf
