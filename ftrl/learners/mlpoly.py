r"""ML-Poly (Gaillard, Stoltz & van Erven, 2014): the polynomial potential with
one learning rate per expert."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners._deferred import pay, publish, reset
from ftrl.learners.base import FullInformationLearner

__all__ = ["MLPoly"]


@kernel
def _score(paid: float, loss: float, gain: float, variance: float) -> tuple[float, float, float]:
    r"""One expert's :math:`R + r`, :math:`V + r^2` and score :math:`[R + r]_+/(1 + V + r^2)`, :math:`r` =
    ``paid - loss`` (exact arithmetic: called from a reassociating loop)."""
    regret = paid - loss
    gain += regret
    variance += regret * regret
    return gain, variance, max(gain, 0.0) / (1.0 + variance)


@kernel(reassociate=True)
def _update_scores(
    paid: float,
    loss: NDArray[np.float64],
    scores: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
) -> float:
    """Add the round to the statistics, write the unnormalized weights, return their sum (vectorized)."""
    total = 0.0
    for i in range(scores.shape[0]):
        gain, variance, score = _score(paid, loss[i], cum_regret[i], cum_variance[i])
        cum_regret[i] = gain
        cum_variance[i] = variance
        scores[i] = score
        total += score
    return total


@kernel
def mlpoly_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_regret: NDArray[np.float64],
    cum_variance: NDArray[np.float64],
    uniform: NDArray[np.float64],
    scores: NDArray[np.float64],
    normalizer: NDArray[np.float64],
) -> None:
    r"""ML-Poly over a block, two passes per round: pay (:func:`~ftrl.learners._deferred.pay`, the weights
    kept unnormalized); :math:`R \mathrel{+}= r`, :math:`V \mathrel{+}= r^2` and the unnormalized
    :math:`[R_i]_+/(1 + V_i)` with their sum (uniform when every :math:`R_i \le 0`)."""
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = pay(scores, normalizer, loss)
        expected_loss_out[row] = paid
        total = _update_scores(paid, loss, scores, cum_regret, cum_variance)
        if total > 0.0:
            normalizer[0] = total
        else:
            reset(uniform, scores, normalizer)
    publish(scores, normalizer, weights)
    counter[0] += losses.shape[0]


class MLPoly(FullInformationLearner):
    r"""ML-Poly (Gaillard, Stoltz & van Erven, 2014): polynomial potential, per-expert rates, no tuning.

    .. math::

        p_{t+1,i} = \frac{\eta_{t,i}[R_{t,i}]_+}{\sum_j \eta_{t,j}[R_{t,j}]_+}, \qquad
        \eta_{t,i} = \frac{1}{1 + \sum_{s\le t} r_{s,i}^2}, \qquad r_{s,i} = \langle
        p_s, \ell_s\rangle - \ell_{s,i},

    and uniform when every :math:`[R_{t,i}]_+` is zero. No exponential appears; the weights are ratios of
    nonnegative numbers, safe over any horizon.

    Losses are assumed in [0, 1]. The second-order bound of the reference for ML-Poly is
    :math:`R_{T,k} = O\big(\sqrt{N \ln(1 + T)\,(1 + V_{T,k})}\big)`; the explicit form proved in
    ``docs/parameter_free.md`` along the lines of the reference's proof and tested in the test suite is

    .. math:: R_{T,k} \le \sqrt{2\,(1 + V_{T,k}) \textstyle\sum_{i=1}^N \ln(1 + V_{T,i})} .

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.

    Examples
    --------
    >>> from ftrl import MLPoly
    >>> learner = MLPoly(3)
    >>> learner.update([1.0, 0.0, 0.5])
    >>> [round(w, 6) for w in learner.weights.tolist()]
    [0.0, 1.0, 0.0]

    References
    ----------
    P. Gaillard, G. Stoltz, T. van Erven, "A second-order bound with excess losses", COLT 2014, sec. 3 and
    the ML-Poly bound.
    """

    name: ClassVar[str] = "ml-poly"
    block_kernel = staticmethod(mlpoly_block)

    def __init__(self, n_experts: int) -> None:
        self._params: dict[str, Any] = {}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        n = self.n_experts
        return counter, weights, np.zeros(n), np.zeros(n), weights.copy(), weights.copy(), np.ones(1)

    @property
    def cum_regret(self) -> NDArray[np.float64]:
        r"""The cumulative instantaneous regrets :math:`R_t` (a copy)."""
        return self._state[2].copy()

    @property
    def cum_variance(self) -> NDArray[np.float64]:
        r"""The cumulative squared instantaneous regrets :math:`V_t` (a copy)."""
        return self._state[3].copy()
