r"""Bandit learners: FTRL on importance-weighted loss estimates (Exp3 and Tsallis-INF)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_int
from ftrl.learners.base import BanditLearner, sample_index
from ftrl.ops import _row_min, ordered_dot
from ftrl.regularizers import ENTROPY, TSALLIS, regularizer_argmin
from ftrl.schedules import anytime, learning_rate, resolve_rate

__all__ = ["Exp3", "TsallisINF"]

# An importance-weighted estimate is clipped to this magnitude, so that adding it never gives inf - inf later.
_ESTIMATE_LIMIT = 1e300


@kernel
def bandit_ftrl_update(
    arm: int,
    loss: float,
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    estimates: NDArray[np.float64],
    regularizer_code: int,
    regularizer_params: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    r"""One round's update: :math:`\hat L_{arm} \mathrel{+}= \ell/p_{arm}`, shift :math:`\hat L` to min 0, argmin.

    The FTRL argmin is invariant to adding a constant to every :math:`\hat L_i`, so the estimates are kept with
    their minimum at 0: they stay bounded for the arms that matter, however small :math:`p_{arm}` gets.
    """
    probability = weights[arm]
    if loss == 0.0:
        estimate = 0.0
    elif probability > 0.0:
        estimate = min(max(loss / probability, -_ESTIMATE_LIMIT), _ESTIMATE_LIMIT)
    else:
        estimate = _ESTIMATE_LIMIT if loss > 0.0 else -_ESTIMATE_LIMIT
    estimates[arm] += estimate
    lowest = _row_min(estimates)
    if lowest != 0.0:
        for i in range(estimates.shape[0]):
            estimates[i] -= lowest
    t = counter[0] + 1
    counter[0] = t
    eta = learning_rate(rate_code, rate_params, t + 1, 0.0)
    regularizer_argmin(regularizer_code, regularizer_params, estimates, eta, weights)


@kernel
def bandit_ftrl_block(
    losses: NDArray[np.float64],
    uniforms: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    realized_loss_out: NDArray[np.float64],
    arms_out: NDArray[np.int64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    estimates: NDArray[np.float64],
    regularizer_code: int,
    regularizer_params: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    """Bandit FTRL over a block: sample by inverse CDF, pay, update with the drawn arm's loss only."""
    for row in range(losses.shape[0]):
        loss = losses[row]
        arm = sample_index(weights, uniforms[row])
        expected_loss_out[row] = ordered_dot(weights, loss)
        realized_loss_out[row] = loss[arm]
        arms_out[row] = arm
        bandit_ftrl_update(arm, loss[arm], counter, weights, estimates, regularizer_code, regularizer_params,
                           rate_code, rate_params)


class Exp3(BanditLearner):
    r"""Exp3: exponential weights on importance-weighted loss estimates.

    .. math::

        p_t = \mathrm{softmax}(-\eta_t \hat L_{t-1}), \qquad
        \hat\ell_{t,i} = \frac{\ell_{t,i}\,\mathbb{1}\{I_t = i\}}{p_{t,i}} .

    Rates: ``eta`` fixed; ``horizon`` gives :math:`\eta = \sqrt{2\ln K/(KT)}`, for which the expected regret with
    losses in [0, 1] is at most :math:`\sqrt{2TK\ln K}` (Lattimore & Szepesvari 2020, Thm. 11.2, stated there
    for rewards with the equivalent estimator); neither gives the anytime :math:`\eta_t = \sqrt{\ln K/(Kt)}`
    (regret :math:`O(\sqrt{TK\ln K})`). The estimates are stored shifted so their minimum is 0 and each is
    clipped at 1e300 in magnitude, so millions of rounds with tiny probabilities stay finite.

    References
    ----------
    P. Auer, N. Cesa-Bianchi, Y. Freund, R. E. Schapire, "The nonstochastic multiarmed bandit problem",
    SIAM J. Comput. 32(1), 2002.
    T. Lattimore, C. Szepesvari, *Bandit Algorithms*, Cambridge University Press, 2020, ch. 11.
    """

    name: ClassVar[str] = "exp3"
    block_kernel = staticmethod(bandit_ftrl_block)
    update_kernel = staticmethod(bandit_ftrl_update)

    def __init__(self, n_experts: int, *, eta: float | None = None, horizon: int | None = None) -> None:
        owner = type(self).__name__
        size = check_int(n_experts, "n_experts", owner, low=1)
        self._schedule = resolve_rate(eta, horizon, owner, tuned_constant=2.0 * math.log(size) / size,
                                      anytime_constant=math.log(size) / size, allow_inf=False)
        self._params: dict[str, Any] = {"eta": None if eta is None else float(eta),
                                        "horizon": None if horizon is None else int(horizon)}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.zeros(self.n_experts), ENTROPY, np.zeros(1), self._schedule.code,
                self._schedule.params)


class TsallisINF(BanditLearner):
    r"""Tsallis-INF with :math:`\alpha = 1/2`: FTRL with :math:`-4\sum_i\sqrt{p_i}` on importance-weighted losses.

    .. math::

        p_{t,i} = \frac{4}{(\eta_t(\hat L_{t-1,i} - x_t))^2}, \qquad \eta_t = \frac{2}{\sqrt t},

    with the normalizer :math:`x_t < \min_i \hat L_{t-1,i}` found by safeguarded Newton
    (:func:`ftrl.regularizers.power_argmin`). Best of both worlds: expected regret at most
    :math:`4\sqrt{KT} + 1` against any oblivious adversary and logarithmic in stochastic environments
    (Zimmert & Seldin 2021). Losses in [0, 1].

    References
    ----------
    J. Zimmert, Y. Seldin, "Tsallis-INF: An optimal algorithm for stochastic and adversarial bandits",
    JMLR 22(28), 2021.
    """

    name: ClassVar[str] = "tsallis-inf"
    block_kernel = staticmethod(bandit_ftrl_block)
    update_kernel = staticmethod(bandit_ftrl_update)

    def __init__(self, n_experts: int) -> None:
        self._schedule = anytime(4.0)
        self._params: dict[str, Any] = {}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.zeros(self.n_experts), TSALLIS, np.array([0.5]), self._schedule.code,
                self._schedule.params)
