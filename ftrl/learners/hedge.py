r"""Hedge (exponential weights) and Follow the Leader."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import fast_exp
from ftrl.schedules import learning_rate, resolve_rate

__all__ = ["Hedge", "FTL"]

# The unnormalized weights are exp(-eta (L_i - reference)); the reference is moved to the current minimum when the
# leader's term would leave [e^-30, e^30], so the sum neither overflows nor loses relative precision.
_MAX_REFERENCE_GAP = 30.0


@kernel
def _refresh_weights(cum_losses: NDArray[np.float64], eta: float, reference: float,
                     weights: NDArray[np.float64]) -> float:
    """Write exp(-eta (L - reference)) (eta finite) or the leaders' indicator (eta infinite); return the sum."""
    total = 0.0
    if eta == np.inf:
        for i in range(cum_losses.shape[0]):
            term = 1.0 if cum_losses[i] == reference else 0.0
            weights[i] = term
            total += term
    else:
        for i in range(cum_losses.shape[0]):
            term = fast_exp(-eta * (cum_losses[i] - reference))
            weights[i] = term
            total += term
    return total


@kernel
def hedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    reference: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    """Hedge over a block: per round one fused pass (pay, accumulate, exponentiate) and one normalizing pass.

    The exponentials are taken relative to ``reference[0]``, the minimum of the cumulative losses at the last
    re-reference; only when the new minimum has moved so far that the leader's term leaves [e^-30, e^30] is a
    second exponentiating pass made relative to the new minimum. Each round ends with normalized weights, so a
    block of B rounds gives bit for bit the same numbers as B calls with one round each.
    """
    n = cum_losses.shape[0]
    shift = reference[0]
    t = counter[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        t += 1
        eta = learning_rate(rate_code, rate_params, t + 1, 0.0)
        paid = 0.0
        lowest = np.inf
        new_total = 0.0
        if eta == np.inf:
            for i in range(n):
                paid += weights[i] * loss[i]
                value = cum_losses[i] + loss[i]
                cum_losses[i] = value
                lowest = min(lowest, value)
            shift = lowest
            new_total = _refresh_weights(cum_losses, eta, shift, weights)
        else:
            for i in range(n):
                paid += weights[i] * loss[i]
                value = cum_losses[i] + loss[i]
                cum_losses[i] = value
                lowest = min(lowest, value)
                term = fast_exp(-eta * (value - shift))
                weights[i] = term
                new_total += term
            if not abs(eta * (lowest - shift)) <= _MAX_REFERENCE_GAP:
                shift = lowest
                new_total = _refresh_weights(cum_losses, eta, shift, weights)
        expected_loss_out[row] = paid
        scale = 1.0 / new_total
        for i in range(n):
            weights[i] *= scale
    counter[0] = t
    reference[0] = shift


class Hedge(FullInformationLearner):
    r"""Hedge (exponentially weighted average forecaster), FTRL with the negative entropy.

    .. math::

        p_{t,i} = \frac{\exp(-\eta_t L_{t-1,i})}{\sum_j \exp(-\eta_t L_{t-1,j})},
        \qquad L_{t-1} = \sum_{s<t} \ell_s .

    Rates: ``eta`` given: fixed :math:`\eta` in (0, inf] (``inf`` is Follow the Leader), any finite real losses;
    ``horizon`` given: :math:`\eta = \sqrt{8\ln N / T}`; neither: anytime :math:`\eta_t = \sqrt{8 \ln N / t}`.
    The tuned and anytime rates assume losses in [0, 1]; their regret is then at most :math:`\sqrt{(T/2)\ln N}`
    and :math:`2\sqrt{(T/2)\ln N} + \sqrt{\ln N/8}`; a fixed :math:`\eta` gives
    :math:`\ln N/\eta + \eta T/8`. The weights are computed relative to the current smallest cumulative loss, so
    cumulative losses of 1e12 and rates of 1e8 give neither overflow nor NaN.

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.
    eta : float, optional
        Fixed learning rate in (0, inf].
    horizon : int, optional
        Number of rounds T >= 1 to tune the rate for (exclusive with ``eta``).

    Examples
    --------
    >>> import numpy as np
    >>> from ftrl import Hedge
    >>> hedge = Hedge(3, eta=np.log(2.0))
    >>> hedge.update([1.0, 0.0, 0.0])
    >>> hedge.weights.tolist()
    [0.2, 0.4, 0.4]
    >>> hedge.predict(np.array([1.0, 2.0, 3.0]))
    2.2
    >>> hedge.t
    1

    References
    ----------
    N. Littlestone, M. K. Warmuth, "The weighted majority algorithm", Inf. Comput. 108(2), 1994.
    Y. Freund, R. E. Schapire, "A decision-theoretic generalization of on-line learning and an application to
    boosting", JCSS 55(1), 1997.
    N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006, Thm. 2.2 and 2.3.
    """

    name: ClassVar[str] = "hedge"
    block_kernel = staticmethod(hedge_block)

    def __init__(self, n_experts: int, *, eta: float | None = None, horizon: int | None = None) -> None:
        owner = type(self).__name__
        self._schedule = resolve_rate(eta, horizon, owner, tuned_constant=8.0 * _log_or_zero(n_experts),
                                      anytime_constant=8.0 * _log_or_zero(n_experts))
        self._params: dict[str, Any] = {"eta": None if eta is None else float(eta),
                                        "horizon": None if horizon is None else int(horizon)}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.zeros(self.n_experts), np.zeros(1), self._schedule.code,
                self._schedule.params)

    @property
    def cum_losses(self) -> NDArray[np.float64]:
        """The cumulative losses :math:`L_t` (a copy)."""
        return self._state[2].copy()

    @property
    def eta(self) -> float:
        r"""The rate :math:`\eta_{t+1}` used for the next round's weights."""
        return self._schedule.rate(self.t + 1)


class FTL(Hedge):
    r"""Follow the Leader: uniform over the experts with the smallest cumulative loss.

    .. math::

        p_{t,i} = \frac{\mathbb{1}\{L_{t-1,i} = \min_j L_{t-1,j}\}}{|\arg\min_j L_{t-1,j}|} .

    Hedge with :math:`\eta = \infty`. Its regret is linear in the worst case (on
    :math:`(\tfrac12, 0), (0, 1), (1, 0), (0, 1), \dots` it pays 1 per round from round 2 on), but it is small on
    stochastic losses with a gap.

    References
    ----------
    N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006, sec. 3.2.
    """

    name: ClassVar[str] = "ftl"

    def __init__(self, n_experts: int) -> None:
        super().__init__(n_experts, eta=math.inf)
        self._params = {}


def _log_or_zero(n_experts: Any) -> float:
    """ln N for a valid N, 0 otherwise (the constructor's validation of N then reports the error)."""
    try:
        return math.log(n_experts) if n_experts >= 1 else 0.0
    except TypeError:
        return 0.0
