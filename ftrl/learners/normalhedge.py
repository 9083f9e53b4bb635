r"""NormalHedge (Chaudhuri, Freund & Hsu, 2009): a parameter-free hedging algorithm."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.learners.squint import expected_loss, largest_value
from ftrl.ops import fast_exp, lane_sum

__all__ = ["NormalHedge"]

_MAX_ITERATIONS = 200
_RELATIVE_TOLERANCE = 1e-14


@kernel
def _log_mean_exp(
    squares: NDArray[np.float64],
    scale: float,
    exponentials: NDArray[np.float64],
    products: NDArray[np.float64],
    log_n: float,
) -> tuple[float, float]:
    r"""Return :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1` and :math:`g'(s) = \sum_i
    q_i e^{s q_i}/\sum_i e^{s q_i}`.

    ``exponentials`` receives :math:`e^{s q_i}`, ``products`` :math:`q_i e^{s q_i}`. The caller keeps
    :math:`s \max_i q_i \le 1 + \ln N`, so no term overflows.
    """
    for i in range(squares.shape[0]):
        value = fast_exp(scale * squares[i])
        exponentials[i] = value
        products[i] = squares[i] * value
    total = lane_sum(exponentials)
    return math.log(total) - log_n - 1.0, lane_sum(products) / total


@kernel
def solve_scale(
    squares: NDArray[np.float64],
    largest: float,
    guess: float,
    exponentials: NDArray[np.float64],
    products: NDArray[np.float64],
    log_n: float,
) -> float:
    r"""The root :math:`s^*` of :math:`\frac1N\sum_i e^{s q_i} = e` (:math:`s = 1/(2c)`), safeguarded Newton.

    :math:`g(s) = \ln\frac1N\sum_i e^{s q_i} - 1` is convex and increasing, and the root lies in
    :math:`[1/q_{\max}, (1 + \ln N)/q_{\max}]`. Newton steps start from ``guess`` (the previous round's root)
    and keep a bracket; a step leaving it is replaced by bisection. It stops when the Newton step is below
    1e-14 relative; ``exponentials`` then holds :math:`e^{s^* q_i}`.
    """
    low = 1.0 / largest
    high = (1.0 + log_n) / largest
    scale = min(max(guess, low), high)
    for _ in range(_MAX_ITERATIONS):
        value, slope = _log_mean_exp(squares, scale, exponentials, products, log_n)
        if value > 0.0:
            high = scale
        else:
            low = scale
        step = value / slope
        if abs(step) <= _RELATIVE_TOLERANCE * scale or high - low <= _RELATIVE_TOLERANCE * high:
            return scale
        proposal = scale - step
        scale = proposal if low < proposal < high else 0.5 * (low + high)
    _log_mean_exp(squares, scale, exponentials, products, log_n)
    return scale


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
    :math:`p_i \propto [R_i]_+ e^{s^*[R_i]_+^2}` (uniform while every :math:`R_i \le 0`)."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = expected_loss(weights, loss)
        expected_loss_out[row] = paid
        for i in range(n):
            value = cum_regret[i] + (paid - loss[i])
            cum_regret[i] = value
            positive = value if value > 0.0 else 0.0
            squares[i] = positive * positive
        largest = largest_value(squares)
        if largest == 0.0:
            weights[:] = 1.0 / n
            continue
        scale[0] = solve_scale(squares, largest, scale[0], exponentials, products, log_n)
        for i in range(n):
            weights[i] = math.sqrt(squares[i]) * exponentials[i]
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
    :math:`R_{t,i} \le 0`. The scale :math:`c_t` is found each round by safeguarded Newton on
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
