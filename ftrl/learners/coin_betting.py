r"""Learning with expert advice by Krichevsky-Trofimov coin betting (Orabona & Pal, 2016)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners.base import FullInformationLearner
from ftrl.learners.squint import expected_loss
from ftrl.ops import lane_sum

__all__ = ["KTExperts"]


_EXPONENT_MASK = np.int64(0x7FF)
_MANTISSA_BITS = 52
_BIAS = 1023
_SMALLEST_POWER = -1100  # 2**k is 0 in double precision below k = -1074


@kernel
def _split(value: float) -> tuple[float, np.int64]:
    """``(m, k)`` with ``value = m * 2**k`` and m in [1, 2), by moving the IEEE exponent bits (exact; positive
    normal ``value`` only)."""
    bits = np.float64(value).view(np.int64)
    k = ((bits >> _MANTISSA_BITS) & _EXPONENT_MASK) - _BIAS
    return np.int64(bits - (k << _MANTISSA_BITS)).view(np.float64), k


@kernel
def _power_of_two(k: np.int64) -> float:
    """2**k for k <= 0, exact (0 below -1074), built from the exponent bits in two halves as in fast_exp."""
    k = max(k, _SMALLEST_POWER)
    half = k >> 1
    first = np.int64((half + _BIAS) << _MANTISSA_BITS).view(np.float64)
    second = np.int64((k - half + _BIAS) << _MANTISSA_BITS).view(np.float64)
    return first * second


@kernel
def _betting_weights(
    coin_sums: NDArray[np.float64],
    mantissas: NDArray[np.float64],
    exponents: NDArray[np.int64],
    prior: NDArray[np.float64],
    round_index: int,
    weights: NDArray[np.float64],
) -> None:
    r"""Write :math:`p_i \propto \pi_i [w_i]_+` for the bets :math:`w_i = \beta_i
    W_i`, :math:`\beta_i = G_i/t`.

    The wealth :math:`W_i = m_i 2^{k_i}` is scaled by :math:`2^{-\max k}` over the positive bets (exact); the
    prior when no bet is positive.
    """
    n = weights.shape[0]
    largest = np.int64(-(2**62))
    for i in range(n):
        value = exponents[i] if coin_sums[i] > 0.0 else np.int64(-(2**62))
        largest = value if value > largest else largest
    if largest == -(2**62):
        weights[:] = prior
        return
    inverse_t = 1.0 / round_index
    for i in range(n):
        fraction = coin_sums[i] * inverse_t
        positive = fraction if fraction > 0.0 else 0.0
        weights[i] = prior[i] * positive * mantissas[i] * _power_of_two(exponents[i] - largest)
    scale = 1.0 / lane_sum(weights)
    for i in range(n):
        weights[i] *= scale


@kernel
def kt_experts_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    coin_sums: NDArray[np.float64],
    mantissas: NDArray[np.float64],
    exponents: NDArray[np.int64],
    prior: NDArray[np.float64],
) -> None:
    r"""KT experts over a block. Per round t: pay; coin :math:`\tilde g_i = r_i` if the bet :math:`w_{t,i} >
    0`, else :math:`[r_i]_+` (clipped to [-1, 1]); :math:`W_i \mathrel{*}= 1 + \tilde g_i \beta_{t,i}` with
    :math:`\beta_{t,i} = G_{t-1,i}/t`, kept as :math:`m_i 2^{k_i}`; :math:`G_i \mathrel{+}= \tilde g_i`; then
    the weights of round t + 1."""
    n = weights.shape[0]
    t = counter[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        t += 1
        paid = expected_loss(weights, loss)
        expected_loss_out[row] = paid
        inverse_t = 1.0 / t
        for i in range(n):
            regret = min(max(paid - loss[i], -1.0), 1.0)
            coin = regret if coin_sums[i] > 0.0 else max(regret, 0.0)
            mantissa, shift = _split(mantissas[i] * (1.0 + coin * (coin_sums[i] * inverse_t)))
            mantissas[i] = mantissa
            exponents[i] += shift
            coin_sums[i] += coin
        _betting_weights(coin_sums, mantissas, exponents, prior, t + 1, weights)
    counter[0] = t


class KTExperts(FullInformationLearner):
    r"""Experts from Krichevsky-Trofimov coin betting (Orabona & Pal, 2016): parameter free, no learning rate.

    One KT bettor per expert, starting with wealth 1, bets on the coins :math:`\tilde g_{t,i}`:

    .. math::

        w_{t,i} = \beta_{t,i} W_{t-1,i},\quad \beta_{t,i} = \frac{1}{t}\sum_{s<t}\tilde g_{s,i},\quad
        p_{t,i} = \frac{\pi_i [w_{t,i}]_+}{\sum_j \pi_j [w_{t,j}]_+},\quad
        \tilde g_{t,i} = \begin{cases} r_{t,i} & w_{t,i} > 0\\ [r_{t,i}]_+ & w_{t,i} \le 0\end{cases},\quad
        W_{t,i} = W_{t-1,i} + \tilde g_{t,i} w_{t,i},

    with :math:`r_{t,i} = \langle p_t, \ell_t\rangle - \ell_{t,i}` and :math:`p_t = \pi` when no bet is
    positive. Since :math:`|\beta| < 1` and :math:`|\tilde g| \le 1`, :math:`W_{t,i} = \prod_s(1 + \tilde
    g_{s,i} \beta_{s,i}) > 0`. The kernel keeps :math:`W_{t,i} = m_i 2^{k_i}` with :math:`m_i \in [1, 2)` and
    an int64 exponent, renormalized every round by moving exponent bits: the representation adds no rounding
    to the product of the factors, exponentially growing or shrinking wealth over long runs neither overflows
    nor underflows, and no logarithm is needed. The prior is uniform.

    Losses are assumed in [0, 1]; the coins are clipped to [-1, 1], which changes nothing for such losses and
    keeps the wealth positive otherwise. Since :math:`\sum_i \pi_i \tilde g_{t,i} w_{t,i} \le 0` every round,
    :math:`\sum_i \pi_i W_{T,i} \le 1` (the reduction of the reference), and with the KT wealth bound
    :math:`W_T \ge \frac{1}{e\sqrt{\pi T}} e^{G_T^2/(2T)}` this gives for every expert k
    :math:`R_{T,k} \le \tilde G_{T,k} \le \sqrt{2T\big(\ln N + \frac12\ln T + 1 + \frac12\ln\pi\big)}`.

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.

    Examples
    --------
    >>> from ftrl import KTExperts
    >>> learner = KTExperts(2)
    >>> learner.update([0.0, 1.0])
    >>> learner.weights.tolist()
    [1.0, 0.0]

    References
    ----------
    F. Orabona, D. Pal, "Coin Betting and Parameter-Free Online Learning", NeurIPS 2016: the reduction of
    learning with expert advice to coin betting, and the Krichevsky-Trofimov bettor and its wealth bound.
    """

    name: ClassVar[str] = "kt-experts"
    block_kernel = staticmethod(kt_experts_block)

    def __init__(self, n_experts: int) -> None:
        self._params: dict[str, Any] = {}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        n = self.n_experts
        return counter, weights, np.zeros(n), np.ones(n), np.zeros(n, dtype=np.int64), weights.copy()

    @property
    def log_wealth(self) -> NDArray[np.float64]:
        r"""The log-wealth :math:`\ln W_{t,i}` of each expert's bettor."""
        return np.log(self._state[3]) + self._state[4] * math.log(2.0)

    @property
    def coin_sums(self) -> NDArray[np.float64]:
        r"""The sums of the truncated coins :math:`\tilde G_{t,i} = \sum_{s\le t}\tilde g_{s,i}` (a copy)."""
        return self._state[2].copy()
