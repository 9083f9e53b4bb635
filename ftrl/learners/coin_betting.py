r"""Learning with expert advice by Krichevsky-Trofimov coin betting (Orabona & Pal, 2016)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners._deferred import pay, publish, reset
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import lane_sum

__all__ = ["KTExperts"]


_MANTISSA_BITS = 52
_BIAS = 1023
_SMALLEST_NORMAL_POWER = -1022
_LARGEST_POWER = 1000  # 2**k times a number below 2 stays finite
_SHIFT_SLACK = 64
"""The weights are scaled by :math:`2^{-s}` with :math:`s` the largest exponent over the positive bets of the
round before; when the new largest exponent is more than this away from :math:`s`, they are recomputed with
it."""
_NO_POSITIVE_BET = np.int64(-(2**62))


@kernel
def _split(value: float) -> tuple[float, np.int64]:
    """``(m, k)`` with ``value = m * 2**k`` and m in [1, 2), by moving the IEEE exponent bits (exact; positive
    normal ``value`` only: the sign bit is 0, so the shifted bits are the exponent field)."""
    bits = np.float64(value).view(np.int64)
    k = (bits >> _MANTISSA_BITS) - _BIAS
    return np.int64(bits - (k << _MANTISSA_BITS)).view(np.float64), k


@kernel
def _scaled(mantissa: float, k: np.int64) -> float:
    """``mantissa * 2**k`` for ``mantissa`` in [1, 2), by adding k to the exponent bits (exact); 0 when the
    result would be subnormal (k < -1022), and k capped at 1000 so that it stays finite."""
    k = min(k, _LARGEST_POWER)
    scaled = np.int64(np.float64(mantissa).view(np.int64) + (k << _MANTISSA_BITS)).view(np.float64)
    return scaled if k >= _SMALLEST_NORMAL_POWER else 0.0


@kernel
def _bet(
    paid: float, loss: float, coin_sum: float, mantissa: float, exponent: np.int64, inverse_t: float
) -> tuple[float, float, np.int64]:
    r"""One bettor's round: coin :math:`\tilde g = r` if :math:`G > 0` else :math:`[r]_+` (:math:`r` clipped
    to [-1, 1]), :math:`W \mathrel{*}= 1 + \tilde g G/t` as :math:`m 2^k`, :math:`G \mathrel{+}= \tilde g`;
    returns the new (G, m, k). Exact arithmetic: called from a reassociating loop."""
    regret = min(max(paid - loss, -1.0), 1.0)
    coin = regret if coin_sum > 0.0 else max(regret, 0.0)
    mantissa, shift = _split(mantissa * (1.0 + coin * (coin_sum * inverse_t)))
    return coin_sum + coin, mantissa, exponent + shift


@kernel
def _stake(coin_sum: float, mantissa: float, exponent: np.int64) -> float:
    r""":math:`[G]_+ m 2^{k}`: the bet :math:`[\beta W]_+` up to the factor :math:`1/t` common to all
    experts."""
    return max(coin_sum, 0.0) * _scaled(mantissa, exponent)


@kernel(reassociate=True)
def _update_bets(
    paid: float,
    loss: NDArray[np.float64],
    coin_sums: NDArray[np.float64],
    mantissas: NDArray[np.float64],
    exponents: NDArray[np.int64],
    t: int,
    shift: np.int64,
    stakes: NDArray[np.float64],
) -> tuple[float, np.int64]:
    r"""Round t of every bettor, then the stakes of round t + 1 scaled by :math:`2^{-\text{shift}}`; returns
    their sum (vectorized) and the largest exponent over the positive bets."""
    inverse_t = 1.0 / t
    total = 0.0
    largest = _NO_POSITIVE_BET
    for i in range(stakes.shape[0]):
        coin_sum, mantissa, exponent = _bet(
            paid, loss[i], coin_sums[i], mantissas[i], exponents[i], inverse_t
        )
        coin_sums[i] = coin_sum
        mantissas[i] = mantissa
        exponents[i] = exponent
        stake = _stake(coin_sum, mantissa, exponent - shift)
        stakes[i] = stake
        total += stake
        largest = max(largest, exponent if coin_sum > 0.0 else _NO_POSITIVE_BET)
    return total, largest


@kernel
def _restake(
    coin_sums: NDArray[np.float64],
    mantissas: NDArray[np.float64],
    exponents: NDArray[np.int64],
    shift: np.int64,
    stakes: NDArray[np.float64],
) -> float:
    """The stakes of round t + 1 recomputed with a new ``shift``, and their sum."""
    for i in range(stakes.shape[0]):
        stakes[i] = _stake(coin_sums[i], mantissas[i], exponents[i] - shift)
    return lane_sum(stakes)


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
    scores: NDArray[np.float64],
    normalizer: NDArray[np.float64],
    shift: NDArray[np.int64],
) -> None:
    r"""KT experts over a block, two passes per round t: pay (:func:`~ftrl.learners._deferred.pay`, the
    weights kept unnormalized); then, per bettor, coin :math:`\tilde g_i = r_i` if
    the bet :math:`w_{t,i} > 0`, else :math:`[r_i]_+` (clipped to [-1, 1]); :math:`W_i \mathrel{*}= 1 +
    \tilde g_i \beta_{t,i}` with :math:`\beta_{t,i} = G_{t-1,i}/t`, kept as :math:`m_i 2^{k_i}`;
    :math:`G_i \mathrel{+}= \tilde g_i`; and the unnormalized weights of round t + 1,
    :math:`[G_{t,i}]_+ m_i 2^{k_i - s}` (the prior and the factor :math:`1/(t + 1)` of the fractions are
    common to all experts and cancel) with their sum, or the prior when no bet is positive. The scale
    :math:`2^{-s}` is exact, so the normalized weights do not depend on :math:`s` (but for weights below
    :math:`2^{-1022 + s}`, set to 0)."""
    t = counter[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        t += 1
        paid = pay(scores, normalizer, loss)
        expected_loss_out[row] = paid
        total, largest = _update_bets(paid, loss, coin_sums, mantissas, exponents, t, shift[0], scores)
        if largest == _NO_POSITIVE_BET:
            reset(prior, scores, normalizer)
            continue
        if abs(largest - shift[0]) > _SHIFT_SLACK:
            shift[0] = largest
            total = _restake(coin_sums, mantissas, exponents, largest, scores)
        normalizer[0] = total
    publish(scores, normalizer, weights)
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
        return (
            counter,
            weights,
            np.zeros(n),
            np.ones(n),
            np.zeros(n, dtype=np.int64),
            weights.copy(),
            weights.copy(),
            np.ones(1),
            np.zeros(1, dtype=np.int64),
        )

    @property
    def log_wealth(self) -> NDArray[np.float64]:
        r"""The log-wealth :math:`\ln W_{t,i}` of each expert's bettor."""
        return np.log(self._state[3]) + self._state[4] * math.log(2.0)

    @property
    def coin_sums(self) -> NDArray[np.float64]:
        r"""The sums of the truncated coins :math:`\tilde G_{t,i} = \sum_{s\le t}\tilde g_{s,i}` (a copy)."""
        return self._state[2].copy()
