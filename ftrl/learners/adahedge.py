r"""AdaHedge and FlipFlop: Hedge with the learning rate tuned by the cumulative mixability gap."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_real
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import (
    _row_min,
    entropic_weights,
    exp_nonpositive,
    from_order_key,
    log_split_sum,
    order_key,
    sum_exp_below,
)

__all__ = ["AdaHedge", "FlipFlop"]

_FTL_REGIME = 0
_ADAHEDGE_REGIME = 1


@kernel(reassociate=True)
def _pay_and_accumulate(
    loss: NDArray[np.float64], cum_losses: NDArray[np.float64], lowest: float, eta: float, reference: float
) -> tuple[float, float, float, float, np.int64]:
    r"""One pass of a round at rate :math:`\eta` over :math:`L` with :math:`m = \min_i L_i` (``lowest``):
    the weights :math:`w_i = e^{-\eta(L_i - m)}` (1 at the minimizers, also at :math:`\eta = \infty`; all 1 at
    :math:`\eta = 0`), then :math:`L \mathrel{+}= \ell`. Returns :math:`\sum_i w_i\ell_i` (for the loss paid,
    accurate relative to it), :math:`\sum_i w_i(\ell_i - r)` with r = ``reference`` (a loss of the round, so
    that this sum does not carry the losses' common offset: for the gap), the number of minimizers, the sum of
    the other weights, and the :func:`~ftrl.ops.order_key` of the new :math:`\min_i L_i` (an integer reduction). A reassociating kernel, like the simulator's fused Hedge round: the sums are
    vectorized in an order fixed by N (placement tested in ``tests/test_determinism.py``)."""
    weighted = 0.0
    relative = 0.0
    n_lowest = 0
    rest = 0.0
    next_key = order_key(np.inf)
    if eta == np.inf:  # Follow the Leader: the weights are 1 at the minimizers and 0 elsewhere, no exponential
        for i in range(cum_losses.shape[0]):
            at_min = cum_losses[i] == lowest
            weighted += loss[i] if at_min else 0.0
            relative += loss[i] - reference if at_min else 0.0
            n_lowest += at_min
            updated = cum_losses[i] + loss[i]
            cum_losses[i] = updated
            next_key = min(next_key, order_key(updated))
        return weighted, relative, float(n_lowest), rest, next_key
    for i in range(cum_losses.shape[0]):
        excess = cum_losses[i] - lowest
        at_min = excess == 0.0 or eta == 0.0
        weight = exp_nonpositive(0.0 if at_min else -eta * excess)
        weighted += weight * loss[i]
        relative += weight * (loss[i] - reference)
        n_lowest += at_min
        rest += 0.0 if at_min else weight
        updated = cum_losses[i] + loss[i]
        cum_losses[i] = updated
        next_key = min(next_key, order_key(updated))
    return weighted, relative, float(n_lowest), rest, next_key


@kernel
def _mixability_round(loss: NDArray[np.float64], cum_losses: NDArray[np.float64], lowest: float,
                      eta: float) -> tuple[float, float, float]:
    r"""Pay :math:`h = \langle p, \ell\rangle`, add :math:`\ell` to :math:`L`; return :math:`h`, the gap and
    the new :math:`\min_i L_i` (``lowest`` is the old one).

    The mixability gap of Fig. 1 of de Rooij et al. (2014) is :math:`\delta = h - (M(L + \ell) - M(L))` with
    the mix loss :math:`M(L) = m - \ln(n_m + s)/\eta` (:func:`ftrl.ops.entropic_value`), clipped at 0 against rounding.
    It is evaluated as :math:`(h - r) - ((m' - m) - r) + (\ln(n'_m + s') - \ln(n_m + s))/\eta` with r the
    first loss of the round, :math:`h - r = \sum_i w_i(\ell_i - r)/\sum_i w_i` summed apart from h, and m, m'
    the old and new minima: no term carries the losses' common offset or the
    size of L, so the gap, and the weights, are invariant under translation of the losses whenever the
    cumulative losses are exact (two mix losses of the size of L subtracted, as before, lost ulp(L) each round,
    which the clip turned into an upward drift: an offset of 2^40 on 0/1 losses doubled the gap after 1000
    rounds). Two passes: :func:`_pay_and_accumulate` gives :math:`h` with :math:`p = w / \sum_i w_i` on the fly,
    the split sum at L and the new minimum; :func:`ftrl.ops.sum_exp_below` the split sum at :math:`L + \ell`,
    which needs no pass at :math:`\eta = \infty` (no log terms) nor at :math:`\eta = 0` (where the gap is 0).
    """
    reference = loss[0]
    weighted, relative, n_lowest, rest, next_key = _pay_and_accumulate(loss, cum_losses, lowest, eta, reference)
    after = from_order_key(next_key)
    total = n_lowest + rest
    paid = weighted / total
    above_reference = relative / total
    if eta == 0.0:
        return paid, 0.0, after
    drift = 0.0
    if eta != np.inf:
        log_before = log_split_sum(n_lowest, rest)
        rest, n_lowest = sum_exp_below(cum_losses, after, -eta)
        drift = (log_split_sum(n_lowest, rest) - log_before) / eta
    return paid, max(0.0, above_reference - ((after - lowest) - reference) + drift), after


@kernel
def _gap_rate(log_n: float, gap: float) -> float:
    return log_n / gap if gap > 0.0 else np.inf


@kernel
def adahedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    gap: NDArray[np.float64],
    log_n: float,
) -> None:
    r"""AdaHedge over a block; ``gap[0]`` is the cumulative mixability gap :math:`\Delta_t`. Two exponential
    passes per round (:func:`_mixability_round`); the weights are written once, at the end."""
    lowest = _row_min(cum_losses)
    for row in range(losses.shape[0]):
        paid, delta, lowest = _mixability_round(losses[row], cum_losses, lowest, _gap_rate(log_n, gap[0]))
        expected_loss_out[row] = paid
        gap[0] += delta
    entropic_weights(cum_losses, _gap_rate(log_n, gap[0]), weights)
    counter[0] += losses.shape[0]


@kernel
def flipflop_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    gaps: NDArray[np.float64],
    regime: NDArray[np.int64],
    log_n: float,
    thresholds: NDArray[np.float64],
) -> None:
    """FlipFlop over a block: ``gaps`` = [FTL's, AdaHedge's] gap, ``regime`` 0 (FTL) or 1 (AdaHedge)."""
    lowest = _row_min(cum_losses)
    for row in range(losses.shape[0]):
        current = regime[0]
        eta = np.inf if current == _FTL_REGIME else _gap_rate(log_n, gaps[_ADAHEDGE_REGIME])
        paid, delta, lowest = _mixability_round(losses[row], cum_losses, lowest, eta)
        expected_loss_out[row] = paid
        gaps[current] += delta
        if gaps[current] > thresholds[current] * gaps[1 - current]:
            regime[0] = 1 - current
    eta = np.inf if regime[0] == _FTL_REGIME else _gap_rate(log_n, gaps[_ADAHEDGE_REGIME])
    entropic_weights(cum_losses, eta, weights)
    counter[0] += losses.shape[0]


class AdaHedge(FullInformationLearner):
    r"""AdaHedge: Hedge with :math:`\eta_t = \ln N / \Delta_{t-1}`, the cumulative mixability gap.

    .. math::

        p_t = \mathrm{softmax}(-\eta_t L_{t-1}), \quad
        \delta_t = \langle p_t, \ell_t\rangle + \tfrac{1}{\eta_t}\ln\langle p_t, e^{-\eta_t \ell_t}\rangle,
        \quad \Delta_t = \sum_{s\le t}\delta_s, \quad \eta_{t+1} = \frac{\ln N}{\Delta_t}.

    While :math:`\Delta = 0` the rate is infinite (Follow the Leader). No tuning parameter; the weights are
    invariant under rescaling and translation of the losses (in floating point: as long as the cumulative losses
    are exact, see ``docs/learners.md``). For losses in [0, 1] its regret is at most
    :math:`2\sqrt{\frac{L^*(T-L^*)}{T}\ln N} + \frac{16}{3}\ln N + 2` (the AdaHedge bound of the reference, sec. 2), with
    :math:`L^*` the best expert's loss.

    References
    ----------
    S. de Rooij, T. van Erven, P. D. Grunwald, W. M. Koolen, "Follow the Leader If You Can, Hedge If You Must",
    JMLR 15, 2014, sec. 2 and Fig. 1.
    """

    name: ClassVar[str] = "adahedge"
    block_kernel = staticmethod(adahedge_block)

    def __init__(self, n_experts: int) -> None:
        self._params: dict[str, Any] = {}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return counter, weights, np.zeros(self.n_experts), np.zeros(1), math.log(self.n_experts)

    @property
    def gap(self) -> float:
        r"""The cumulative mixability gap :math:`\Delta_t`."""
        return float(self._state[3][0])

    @property
    def eta(self) -> float:
        r"""The rate :math:`\eta_{t+1} = \ln N/\Delta_t` of the next round."""
        return float(_gap_rate(self._state[4], self._state[3][0]))


class FlipFlop(FullInformationLearner):
    r"""FlipFlop: alternate between Follow the Leader and AdaHedge, keeping each one's mixability gap in check.

    .. math::

        \text{switch from FTL when } \Delta^{\mathrm{ftl}} > \tfrac{\varphi}{\alpha}\Delta^{\mathrm{ah}},
        \qquad \text{switch from AdaHedge when } \Delta^{\mathrm{ah}} > \alpha\,\Delta^{\mathrm{ftl}} .

    It starts with FTL; in the AdaHedge regime the rate is :math:`\ln N/\Delta^{\mathrm{ah}}`. Its regret is
    within a constant factor of both FTL's and AdaHedge's worst-case bound (sec. 3 of the reference, where
    :math:`\varphi = 2.37`, :math:`\alpha = 1.243` are the constants chosen to minimize those factors).

    Parameters
    ----------
    n_experts : int
        Number of experts.
    phi : float
        :math:`\varphi > 1`.
    alpha : float
        :math:`\alpha > 0`.

    References
    ----------
    S. de Rooij, T. van Erven, P. D. Grunwald, W. M. Koolen, "Follow the Leader If You Can, Hedge If You Must",
    JMLR 15, 2014, sec. 3 and Fig. 2.
    """

    name: ClassVar[str] = "flipflop"
    block_kernel = staticmethod(flipflop_block)

    def __init__(self, n_experts: int, *, phi: float = 2.37, alpha: float = 1.243) -> None:
        owner = type(self).__name__
        self.phi = check_real(phi, "phi", owner, low=1.0, high=math.inf, low_open=True, high_open=True)
        self.alpha = check_real(alpha, "alpha", owner, low=0.0, high=math.inf, low_open=True, high_open=True)
        self._params: dict[str, Any] = {"phi": self.phi, "alpha": self.alpha}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        thresholds = np.array([self.phi / self.alpha, self.alpha])
        return (counter, weights, np.zeros(self.n_experts), np.zeros(2), np.zeros(1, dtype=np.int64),
                math.log(self.n_experts), thresholds)

    @property
    def regime(self) -> str:
        """``"ftl"`` or ``"adahedge"``: the regime of the next round."""
        return "ftl" if self._state[4][0] == _FTL_REGIME else "adahedge"
