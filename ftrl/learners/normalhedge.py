r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): a parameter-free hedging algorithm."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import fast_exp, from_order_key, lane_sum, order_key

__all__ = ["NormalHedge"]

_MAX_ITERATIONS = 200
_ACCEPT_REACH = 0.01
r"""A root :math:`s(1 + \tau)` predicted from the moments at :math:`s` is taken without a further evaluation when
:math:`\rho = |\tau| \max_i s q_i \le 0.01`: the degree-6 Taylor model of :math:`e^{\tau x}` then errs by at most
:math:`\rho^7 e^\rho/7! < 2.1 \cdot 10^{-18}` relative (in the sum and in each weight)."""
_HALLEY_SETTLED = 1e-6
"""Halley's iteration on the Taylor model stops after a step below this: the error left is of order its cube."""


@kernel
def _exp_taylor(y: float) -> float:
    r""":math:`\sum_{k \le 6} y^k / k!`, :math:`e^y` to :math:`|y|^7 e^{|y|}/7!` (positive for every real y)."""
    return 1.0 + y * (1.0 + y * (0.5 + y * (1.0 / 6.0 + y * (1.0 / 24.0 + y * (1.0 / 120.0 + y * (1.0 / 720.0))))))


@kernel
def _score(regret: float, exponential: float, shift: float) -> float:
    r"""The unnormalized weight :math:`[R]_+ e^{s^* [R]_+^2} = [R]_+ e^{s [R]_+^2} e^{(s^* - s)[R]_+^2}` from
    ``exponential`` :math:`= e^{s [R]_+^2}` and ``shift`` :math:`= s^* - s` (:func:`_exp_taylor`)."""
    positive = max(0.0, regret)
    return positive * exponential * _exp_taylor(shift * (positive * positive))


@kernel(reassociate=True)
def _weighted_loss(
    loss: NDArray[np.float64], cum_regret: NDArray[np.float64], exponentials: NDArray[np.float64], shift: float
) -> tuple[float, float]:
    r"""Return :math:`(\sum_i w_i \ell_i, \sum_i w_i)` with :math:`w_i` = :func:`_score`: the expected loss of the
    weights of the previous round without a normalization pass (a reassociating kernel: the sums vectorize)."""
    weighted = 0.0
    total = 0.0
    for i in range(loss.shape[0]):
        score = _score(cum_regret[i], exponentials[i], shift)
        total += score
        weighted += score * loss[i]
    return weighted, total


@kernel(reassociate=True)
def _tilted_moments(
    squares: NDArray[np.float64], scale: float, exponentials: NDArray[np.float64]
) -> tuple[float, float, float, float, float, float, float]:
    r"""Write :math:`E_i = e^{x_i}`, :math:`x_i = s q_i`, to ``exponentials`` and return the moments
    :math:`m_k = \sum_i E_i x_i^k`, k = 0..6, in one pass (a reassociating kernel: the sums vectorize, the
    exponential keeps its exact arithmetic). The caller keeps :math:`x_i \le 1 + \ln N`."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = 0.0
    for i in range(squares.shape[0]):
        x = scale * squares[i]
        term = fast_exp(x)
        exponentials[i] = term
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
        term *= x
        m6 += term
    return m0, m1, m2, m3, m4, m5, m6


@kernel
def solve_scale(
    squares: NDArray[np.float64], largest: float, guess: float, exponentials: NDArray[np.float64], log_n: float
) -> tuple[float, float]:
    r"""The root :math:`s^*` of :math:`\frac1N\sum_i e^{s q_i} = e` (:math:`s = 1/(2c)`), from one exponential
    pass in a typical round.

    :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1` is convex and increasing, and the root lies in
    :math:`[1/q_{\max}, (1 + \ln N)/q_{\max}]`. At the evaluated point s (first ``guess``, the previous round's
    root) the pass :func:`_tilted_moments` gives :math:`m_k = \sum_i e^{x_i}x_i^k` (:math:`x_i = s q_i`), so
    :math:`\sum_i e^{s(1 + \tau)q_i} = \sum_i e^{x_i}e^{\tau x_i} \approx P(\tau) = \sum_{k\le 6} m_k\tau^k/k!`;
    Halley's method solves :math:`P(\tau) = Ne` from :math:`\tau = 0`. When :math:`\rho = |\tau|\max_i x_i \le`
    :data:`_ACCEPT_REACH` the model is exact to 2.1e-18 and :math:`s^* = s(1 + \tau)` is returned with
    :math:`E_i = e^{x_i}` in ``exponentials`` (the caller moves them to :math:`s^*` by :func:`_exp_taylor`).
    Otherwise :math:`s(1 + \tau)` is evaluated next, or the midpoint of the bracket kept from the signs of g if it
    falls outside. Returns ``(root, evaluated)``: ``exponentials`` holds :math:`e^{\text{evaluated}\cdot q_i}`.
    """
    low = 1.0 / largest
    high = (1.0 + log_n) / largest
    target = math.exp(log_n + 1.0)
    reach = largest
    scale = min(max(guess, low), high)
    for _ in range(_MAX_ITERATIONS):
        m0, m1, m2, m3, m4, m5, m6 = _tilted_moments(squares, scale, exponentials)
        if m0 > target:
            high = scale
        else:
            low = scale
        tau = 0.0
        for _ in range(8):
            value = m0 + tau * (m1 + tau * (m2 / 2.0 + tau * (m3 / 6.0 + tau * (
                m4 / 24.0 + tau * (m5 / 120.0 + tau * (m6 / 720.0)))))) - target
            slope = m1 + tau * (m2 + tau * (m3 / 2.0 + tau * (m4 / 6.0 + tau * (m5 / 24.0 + tau * (m6 / 120.0)))))
            curvature = m2 + tau * (m3 + tau * (m4 / 2.0 + tau * (m5 / 6.0 + tau * (m6 / 24.0))))
            denominator = 2.0 * slope * slope - value * curvature
            step = 2.0 * value * slope / denominator if denominator > slope * slope else value / slope
            tau -= step
            if not abs(step) > _HALLEY_SETTLED:
                break
        proposal = scale + scale * tau
        if abs(tau) * scale * reach <= _ACCEPT_REACH and low <= proposal <= high:
            return proposal, scale
        if high - low <= 1e-16 * high:
            return scale, scale
        scale = proposal if low < proposal < high else 0.5 * (low + high)
    _tilted_moments(squares, scale, exponentials)
    return scale, scale


@kernel
def normalhedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    scale: NDArray[np.float64],
    exponentials: NDArray[np.float64],
    squares: NDArray[np.float64],
    log_n: float,
) -> None:
    r"""NormalHedge over a block: pay, :math:`R \mathrel{+}= r`, solve for :math:`s^* = 1/(2c_t)`, so that
    :math:`p_i \propto [R_i]_+ e^{s^*[R_i]_+^2}` (uniform while every :math:`R_i \le 0`).

    ``scale`` = (:math:`s^*`, the point s where ``exponentials`` :math:`= e^{s[R_i]_+^2}` were evaluated,
    :math:`\max_i [R_i]_+^2`, 0 meaning uniform weights). A round is two passes over the experts: the expected
    loss with the weights computed on the fly (:func:`_weighted_loss`, divided by their sum: no normalization
    pass) and the update fused with the squares, then the exponential pass(es) of :func:`solve_scale`; the
    normalized weights are written once, at the end of the block.
    """
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        if scale[2] == 0.0:
            paid = lane_sum(loss) / n
        else:
            weighted, total = _weighted_loss(loss, cum_regret, exponentials, scale[0] - scale[1])
            paid = weighted / total
        expected_loss_out[row] = paid
        largest_key = order_key(0.0)
        for i in range(n):
            value = cum_regret[i] + (paid - loss[i])
            cum_regret[i] = value
            positive = max(0.0, value)
            square = positive * positive
            squares[i] = square
            key = order_key(square)
            largest_key = max(largest_key, key)
        largest = from_order_key(largest_key)
        scale[2] = largest
        if largest > 0.0:
            scale[0], scale[1] = solve_scale(squares, largest, scale[0], exponentials, log_n)
    counter[0] += losses.shape[0]
    if scale[2] == 0.0:
        weights[:] = 1.0 / n
        return
    shift = scale[0] - scale[1]
    for i in range(n):
        weights[i] = _score(cum_regret[i], exponentials[i], shift)
    normalizer = 1.0 / lane_sum(weights)
    for i in range(n):
        weights[i] *= normalizer


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
        return (
            counter,
            weights,
            np.zeros(n),
            np.zeros(3),
            np.ones(n),
            np.zeros(n),
            math.log(n),
        )

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def scale(self) -> float:
        r"""The last :math:`c_t` (inf before any expert has positive regret)."""
        s = float(self._state[3][0])
        return 0.5 / s if s > 0.0 else math.inf
