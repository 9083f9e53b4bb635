r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): a parameter-free hedging algorithm."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.learners.squint import expected_loss
from ftrl.ops import fast_exp, from_order_key, lane_sum, order_key

__all__ = ["NormalHedge"]

_MAX_ITERATIONS = 200
_RELATIVE_TOLERANCE = 1e-14
_ACCEPT_STEP = 1e-6
r"""A Halley step below this (relative) is taken without a further evaluation: the error left after it is of order
:math:`(1 + \ln N)^2 (\delta/s)^3 < 10^{-16}` relative, and the exponentials are moved to the new point by a
cubic Taylor factor (:math:`|\delta q_i| \le 10^{-6}(1 + \ln N)`, truncation error below 1e-21)."""


@kernel
def _log_mean_exp(
    squares: NDArray[np.float64],
    scale: float,
    exponentials: NDArray[np.float64],
    products: NDArray[np.float64],
    second_products: NDArray[np.float64],
    log_n: float,
) -> tuple[float, float, float]:
    r"""Return :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1`, :math:`g'(s) = \sum_i q_i e^{s q_i}/\sum_i
    e^{s q_i}` and :math:`g''(s)`, the variance of :math:`q` under the weights :math:`e^{s q_i}`.

    ``exponentials`` receives :math:`e^{s q_i}`, ``products`` :math:`q_i e^{s q_i}` and ``second_products``
    :math:`q_i^2 e^{s q_i}`; one pass without reductions (it vectorizes), then three :func:`ftrl.ops.lane_sum`.
    The caller keeps :math:`s \max_i q_i \le 1 + \ln N`, so no term overflows.
    """
    for i in range(squares.shape[0]):
        square = squares[i]
        value = fast_exp(scale * square)
        exponentials[i] = value
        product = square * value
        products[i] = product
        second_products[i] = square * product
    total = lane_sum(exponentials)
    slope = lane_sum(products) / total
    curvature = max(lane_sum(second_products) / total - slope * slope, 0.0)
    return math.log(total) - log_n - 1.0, slope, curvature


@kernel
def solve_scale(
    squares: NDArray[np.float64],
    largest: float,
    guess: float,
    exponentials: NDArray[np.float64],
    products: NDArray[np.float64],
    second_products: NDArray[np.float64],
    log_n: float,
) -> tuple[float, float]:
    r"""The root :math:`s^*` of :math:`\frac1N\sum_i e^{s q_i} = e` (:math:`s = 1/(2c)`), safeguarded Halley.

    :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1` is convex and increasing, and the root lies in
    :math:`[1/q_{\max}, (1 + \ln N)/q_{\max}]`. Halley steps (cubic convergence; :math:`g'` and :math:`g''`
    come from the same pass as :math:`g`) start from ``guess`` (the previous round's root) and keep a bracket;
    a step leaving it is replaced by bisection. Returns ``(s, step)``: either the step at ``s`` is below 1e-14
    relative (or the bracket is that narrow) and ``step = 0``, ``exponentials`` holding :math:`e^{s q_i}`; or
    a step ``step`` below :data:`_ACCEPT_STEP` relative was taken from the last evaluated point ``s + step``
    (error left below 1e-16 relative), and ``exponentials`` holds :math:`e^{(s + step) q_i}`, which the caller
    multiplies by :math:`e^{-step\, q_i}` (a Taylor factor).
    """
    low = 1.0 / largest
    high = (1.0 + log_n) / largest
    scale = min(max(guess, low), high)
    for _ in range(_MAX_ITERATIONS):
        value, slope, curvature = _log_mean_exp(squares, scale, exponentials, products, second_products, log_n)
        if value > 0.0:
            high = scale
        else:
            low = scale
        denominator = slope - 0.5 * value * curvature / slope
        step = value / denominator if denominator > 0.5 * slope else value / slope
        if abs(step) <= _RELATIVE_TOLERANCE * scale or high - low <= _RELATIVE_TOLERANCE * high:
            return scale, 0.0
        proposal = scale - step
        inside = low < proposal < high
        if inside and abs(step) <= _ACCEPT_STEP * scale:
            return proposal, step
        scale = proposal if inside else 0.5 * (low + high)
    _log_mean_exp(squares, scale, exponentials, products, second_products, log_n)
    return scale, 0.0


@kernel
def normalhedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    scale: NDArray[np.float64],
    squares: NDArray[np.float64],
    exponentials: NDArray[np.float64],
    products: NDArray[np.float64],
    log_n: float,
) -> None:
    r"""NormalHedge over a block: pay, :math:`R \mathrel{+}= r`, solve for :math:`s^* = 1/(2c_t)`, then
    :math:`p_i \propto [R_i]_+ e^{s^*[R_i]_+^2}` (uniform while every :math:`R_i \le 0`). ``weights`` serves
    as scratch while solving (the expected loss has been paid)."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = expected_loss(weights, loss)
        expected_loss_out[row] = paid
        largest_key = order_key(0.0)
        for i in range(n):
            value = cum_regret[i] + (paid - loss[i])
            cum_regret[i] = value
            positive = value if value > 0.0 else 0.0
            square = positive * positive
            squares[i] = square
            key = order_key(square)
            largest_key = key if key > largest_key else largest_key
        largest = from_order_key(largest_key)
        if largest == 0.0:
            weights[:] = 1.0 / n
            continue
        root, step = solve_scale(squares, largest, scale[0], exponentials, products, weights, log_n)
        scale[0] = root
        for i in range(n):
            value = cum_regret[i]
            shift = -step * squares[i]
            correction = 1.0 + shift * (1.0 + shift * (0.5 + shift * (1.0 / 6.0)))
            weights[i] = (value if value > 0.0 else 0.0) * (exponentials[i] * correction)
        total = 1.0 / lane_sum(weights)
        for i in range(n):
            weights[i] *= total
    counter[0] += losses.shape[0]


class NormalHedge(FullInformationLearner):
    r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): no learning rate, quantile regret bounds.

    .. math::

        p_{t+1,i} \propto \frac{[R_{t,i}]_+}{c_t}\exp\Big(\frac{[R_{t,i}]_+^2}{2c_t}\Big),
        \qquad \frac1N \sum_{i=1}^N \exp\Big(\frac{[R_{t,i}]_+^2}{2c_t}\Big) = e,

    with :math:`R_{t,i} = \sum_{s\le t}(\langle p_s, \ell_s\rangle - \ell_{s,i})`; uniform while every
    :math:`R_{t,i} \le 0`. The scale :math:`c_t` is found each round by safeguarded Halley steps on
    :math:`s = 1/(2c)` (:func:`solve_scale`, warm-started at the previous root). At the root every exponent
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
            np.zeros(1),
            np.zeros(n),
            np.zeros(n),
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
