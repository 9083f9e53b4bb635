r"""Fixed Share: exponential weights mixed with the uniform distribution, for a switching best expert."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_real
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import _row_min, exp_nonpositive, from_order_key, order_key, vector_dot, vector_sum

__all__ = ["FixedShare"]


@kernel
def _share_round(
    loss: NDArray[np.float64], weights: NDArray[np.float64], eta: float, lowest_loss: float, keep: float,
    share: float,
) -> None:
    r"""One round for :math:`\alpha > 0`, in probabilities: :math:`v_i = p_i e^{-\eta(\ell_i - \min_j \ell_j)}`
    (every exponent <= 0, the best expert's factor 1, so :math:`\sum_i v_i \ge \alpha/N > 0`), then
    :math:`p_i = (1 - \alpha) v_i / \sum_j v_j + \alpha/N`. A :math:`v_i` that underflows only loses what the
    share :math:`\alpha/N` outweighs by more than 300 orders of magnitude. The sum is a read-only vectorized
    loop (:func:`~ftrl.ops.vector_sum`), so its order depends on N alone."""
    n = weights.shape[0]
    for i in range(n):
        weights[i] = weights[i] * exp_nonpositive(-eta * (loss[i] - lowest_loss))
    scale = keep / vector_sum(weights)
    for i in range(n):
        weights[i] = weights[i] * scale + share


@kernel
def _log_weight_round(loss: NDArray[np.float64], log_weights: NDArray[np.float64], eta: float,
                      lowest_loss: float) -> float:
    r"""One round for :math:`\alpha = 0` (Hedge), on the log-weights: :math:`\ln w_i \mathrel{-}=
    \eta(\ell_i - \min_j \ell_j)`, shifted by the round's smallest loss so that no term is :math:`+\infty`
    (:math:`\eta\ell_i` alone overflowed for losses near 1e308, and the weights turned NaN); returns the largest
    (an integer reduction over :func:`~ftrl.ops.order_key` keys)."""
    largest = order_key(-np.inf)
    for i in range(log_weights.shape[0]):
        value = log_weights[i] - eta * (loss[i] - lowest_loss)
        log_weights[i] = value
        largest = max(largest, order_key(value))
    return from_order_key(largest)


@kernel
def fixed_share_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    log_weights: NDArray[np.float64],
    eta: float,
    keep: float,
    share: float,
) -> None:
    r"""Fixed Share over a block: pay :math:`\langle p, \ell\rangle`, then update. With :math:`\alpha > 0`
    (``share`` :math:`= \alpha/N > 0`) in probabilities (:func:`_share_round`), every weight staying at least
    :math:`\alpha/N`. With :math:`\alpha = 0` (``share`` = 0) in log-weights, normalized every round: there a
    weight may fall below the smallest double and must be able to come back, as Hedge's do; ``log_weights`` is
    used for that case only."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        expected_loss_out[row] = vector_dot(weights, loss)
        if share > 0.0:
            _share_round(loss, weights, eta, _row_min(loss), keep, share)
            continue
        largest = _log_weight_round(loss, log_weights, eta, _row_min(loss))
        for i in range(n):
            weights[i] = exp_nonpositive(log_weights[i] - largest)
        total = vector_sum(weights)
        log_normalizer = largest + math.log(total)
        scale = 1.0 / total
        for i in range(n):
            log_weights[i] -= log_normalizer
            weights[i] *= scale
    counter[0] += losses.shape[0]


class FixedShare(FullInformationLearner):
    r"""Fixed Share (Herbster & Warmuth 1998): Hedge followed by mixing a fraction alpha with the uniform.

    .. math::

        v_{t+1,i} = \frac{p_{t,i} e^{-\eta \ell_{t,i}}}{\sum_j p_{t,j} e^{-\eta \ell_{t,j}}}, \qquad
        p_{t+1,i} = (1-\alpha) v_{t+1,i} + \frac{\alpha}{N} .

    With :math:`\alpha > 0` the weights are updated as probabilities, the exponents shifted by the round's
    smallest loss so that none is positive; every weight stays at least :math:`\alpha/N`. With
    :math:`\alpha = 0` (Hedge) they are kept as log-weights, normalized every round, so that a weight below the
    smallest double can come back. Tracking regret against the best
    sequence of experts with :math:`k` switches over :math:`T` rounds (losses in [0, 1]):
    :math:`\frac{(k+1)\ln N + (T-k-1)\ln\frac{1}{1-\alpha} + k\ln\frac1\alpha}{\eta} + \frac{\eta T}{8}`
    (Cesa-Bianchi & Lugosi 2006, sec. 5.2); :math:`\alpha = 0` is Hedge.

    Parameters
    ----------
    n_experts : int
        Number of experts.
    eta : float
        Learning rate in (0, inf).
    alpha : float
        Share fraction in [0, 1].

    References
    ----------
    M. Herbster, M. K. Warmuth, "Tracking the best expert", Machine Learning 32(2), 1998.
    N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006, sec. 5.2.
    """

    name: ClassVar[str] = "fixed-share"
    block_kernel = staticmethod(fixed_share_block)

    def __init__(self, n_experts: int, *, eta: float, alpha: float) -> None:
        owner = type(self).__name__
        self.eta = check_real(eta, "eta", owner, low=0.0, high=math.inf, low_open=True, high_open=True)
        self.alpha = check_real(alpha, "alpha", owner, low=0.0, high=1.0)
        self._params: dict[str, Any] = {"eta": self.eta, "alpha": self.alpha}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.full(self.n_experts, -math.log(self.n_experts)), self.eta, 1.0 - self.alpha,
                self.alpha / self.n_experts)
