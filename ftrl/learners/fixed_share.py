r"""Fixed Share: exponential weights mixed with the uniform distribution, for a switching best expert."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_real
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import fast_exp

__all__ = ["FixedShare"]


@kernel
def _logaddexp(a: float, b: float) -> float:
    if a == -np.inf:
        return b
    if b == -np.inf:
        return a
    larger = max(a, b)
    return larger + math.log1p(fast_exp(-abs(a - b)))


@kernel
def fixed_share_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    log_weights: NDArray[np.float64],
    eta: float,
    log_keep: float,
    log_share: float,
) -> None:
    """Fixed Share over a block, in the log domain: loss update, log-normalize, then mix with the uniform."""
    n = log_weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = 0.0
        largest = -np.inf
        for i in range(n):
            paid += weights[i] * loss[i]
            value = log_weights[i] - eta * loss[i]
            log_weights[i] = value
            largest = max(largest, value)
        total = 0.0
        for i in range(n):
            total += fast_exp(log_weights[i] - largest)
        log_normalizer = largest + math.log(total)
        for i in range(n):
            value = _logaddexp(log_keep + (log_weights[i] - log_normalizer), log_share)
            log_weights[i] = value
            weights[i] = fast_exp(value)
        expected_loss_out[row] = paid
    counter[0] += losses.shape[0]


class FixedShare(FullInformationLearner):
    r"""Fixed Share (Herbster & Warmuth 1998): Hedge followed by mixing a fraction alpha with the uniform.

    .. math::

        v_{t+1,i} = \frac{p_{t,i} e^{-\eta \ell_{t,i}}}{\sum_j p_{t,j} e^{-\eta \ell_{t,j}}}, \qquad
        p_{t+1,i} = (1-\alpha) v_{t+1,i} + \frac{\alpha}{N} .

    Kept in the log domain (log-normalize, then ``logaddexp`` with :math:`\ln(\alpha/N)`), so no weight ever
    overflows and every log-weight stays at least :math:`\ln(\alpha/N)`. Tracking regret against the best
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
        log_keep = math.log1p(-self.alpha) if self.alpha < 1.0 else -math.inf
        log_share = math.log(self.alpha / self.n_experts) if self.alpha > 0.0 else -math.inf
        return (counter, weights, np.full(self.n_experts, -math.log(self.n_experts)), self.eta, log_keep,
                log_share)
