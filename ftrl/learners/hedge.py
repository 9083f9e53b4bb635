r"""Hedge (exponential weights) and Follow the Leader."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import check_int
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import accumulate_min, exp_nonpositive, from_order_key, order_key, vector_dot, vector_sum
from ftrl.schedules import learning_rate, resolve_rate

__all__ = ["FTL", "Hedge"]

_GAP = 64
"""Unused doubles between the weights and the cumulative losses in :meth:`Hedge._pack`'s buffer. LLVM's vectorized
loops check at run time that the arrays they write lie far enough apart (about one unrolled vector step, 256
bytes here) and run a scalar copy of the loop otherwise; without the gap, the two arrays of a learner with fewer
than ~32 experts would always take the scalar loop (about 25 ns more per round at N = 10)."""


_SHIFT_SLACK = 4.0
r"""The exponents are shifted by a lower bound :math:`s` of the new smallest cumulative loss :math:`m`; when
:math:`\eta(m - s)` exceeds this (the leader's term below :math:`e^{-4}`), the exponentials are taken again with
:math:`m` itself. Below it, the shift adds at most 4 to an exponent, which changes its rounding by a few units in
the last place at most."""


@kernel
def _check_losses(loss: NDArray[np.float64]) -> tuple[float, bool]:
    r"""Return :math:`\min_i \ell_i` and whether every :math:`\ell_i` is finite, in one read-only pass over the loss
    vector alone.

    Both are integer reductions over :func:`~ftrl.ops.order_key`, which LLVM vectorizes without reordering
    anything: the minimum, and the largest key of :math:`|\ell_i|`, which reaches the key of inf exactly when an
    entry is inf or NaN.
    """
    largest_magnitude = order_key(0.0)
    lowest = order_key(np.inf)
    for i in range(loss.shape[0]):
        magnitude = order_key(abs(loss[i]))
        largest_magnitude = magnitude if magnitude > largest_magnitude else largest_magnitude
        key = order_key(loss[i])
        lowest = key if key < lowest else lowest
    return from_order_key(lowest), largest_magnitude < order_key(np.inf)


@kernel
def _accumulate_and_exponentiate(
    loss: NDArray[np.float64], cum_losses: NDArray[np.float64], weights: NDArray[np.float64], eta: float,
    shift: float,
) -> float:
    r""":math:`L \mathrel{+}= \ell`, :math:`w_i = e^{-\eta (L_i - s)}` (:math:`s` = ``shift``); returns
    :math:`\min_i L_i` (an integer reduction over :func:`~ftrl.ops.order_key`)."""
    lowest = order_key(np.inf)
    for i in range(cum_losses.shape[0]):
        value = cum_losses[i] + loss[i]
        cum_losses[i] = value
        weights[i] = exp_nonpositive(-eta * (value - shift))
        key = order_key(value)
        lowest = key if key < lowest else lowest
    return from_order_key(lowest)


@kernel
def _hedge_round(
    loss: NDArray[np.float64],
    t: int,
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    lowest: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
    validate: bool,
) -> tuple[bool, float]:
    r"""Round ``t`` of Hedge: returns (done, :math:`\langle p_t, \ell_t\rangle`) and leaves :math:`L_t`,
    :math:`m_t = \min_i L_{t,i}` (``lowest[0]``) and :math:`p_{t+1}` in place.

    1. check that :math:`\ell_t` is finite and find :math:`\min_i \ell_{t,i}` (:func:`_check_losses`, reads
       the loss vector only); with ``validate`` (the plug-in path, whose ``update`` returns nothing) a non-finite
       loss returns (False, nan) before anything is written and the pay is skipped (nan); otherwise pay
       :math:`\langle p_t, \ell_t\rangle` (:func:`~ftrl.ops.vector_dot`: no state depends on it);
    2. accumulate :math:`L \mathrel{+}= \ell` and write :math:`e^{-\eta_{t+1}(L_i - s)}` with
       :math:`s = m_{t-1} + \min_i \ell_{t,i} \le m_t` (exactly, since rounding is monotone), finding
       :math:`m_t` on the way (:func:`_accumulate_and_exponentiate`): every exponent is <= 0 and the leader's
       term is :math:`e^{-\eta(m_t - s)}`; if that is below :math:`e^{-4}` (:data:`_SHIFT_SLACK`), the
       exponentials are taken again with :math:`s = m_t`. The sum then lies in :math:`[e^{-4}, N]`: no overflow,
       no underflow;
    3. sum (:func:`ftrl.ops.vector_sum`, a read-only loop whose order depends on N alone); 4. normalize.
    """
    n = cum_losses.shape[0]
    eta = learning_rate(rate_code, rate_params, t + 1, 0.0)
    lowest_loss, finite = _check_losses(loss)
    if validate:
        if not finite:
            return False, np.nan
        paid = np.nan
    else:
        paid = vector_dot(weights, loss)
    if eta == np.inf:  # Follow the Leader: accumulate L and find its minimum, no exponential
        next_lowest = accumulate_min(loss, cum_losses)
        for i in range(n):
            weights[i] = 1.0 if cum_losses[i] == next_lowest else 0.0
    else:
        shift = lowest[0] + lowest_loss
        next_lowest = _accumulate_and_exponentiate(loss, cum_losses, weights, eta, shift)
        if eta * (next_lowest - shift) > _SHIFT_SLACK:
            for i in range(n):
                weights[i] = exp_nonpositive(-eta * (cum_losses[i] - next_lowest))
    lowest[0] = next_lowest
    scale = 1.0 / vector_sum(weights)
    for i in range(n):
        weights[i] *= scale
    return True, paid


@kernel
def hedge_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    lowest: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    r"""Hedge over a block: :func:`_hedge_round` per row (five passes per round with the pay, six when the
    exponentials are taken again; no branch on the data inside them)."""
    t = counter[0]
    for row in range(losses.shape[0]):
        t += 1
        expected_loss_out[row] = _hedge_round(losses[row], t, weights, cum_losses, lowest, rate_code, rate_params,
                                              False)[1]
    counter[0] = t


@kernel(signature="boolean(float64[::1], float64[::1])")
def hedge_update(losses: NDArray[np.float64], packed: NDArray[np.float64]) -> bool:
    """One round of :class:`Hedge` from its packed state (see :meth:`Hedge._pack`): the same :func:`_hedge_round`
    as :func:`hedge_block`, checking the length and finiteness of ``losses`` first; False, state untouched, if
    either fails.

    Two arguments instead of eight (the cost of a call from Python grows by ~50 ns per argument), and one compiled
    signature, so that any input other than a writable C-contiguous float64 vector raises ``TypeError`` in the
    dispatcher: :meth:`Hedge.update` then takes the general path, which converts and validates it.
    """
    n = (packed.shape[0] - 4 - _GAP) // 2
    if losses.shape[0] != n:
        return False
    end = 2 * n + _GAP
    counter = packed[end:end + 1].view(np.int64)
    t = counter[0] + 1
    done = _hedge_round(losses, t, packed[:n], packed[n + _GAP:end], packed[end + 1:end + 2], int(packed[end + 2]),
                        packed[end + 3:], True)[0]
    if done:
        counter[0] = t
    return done


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
    cumulative losses of 1e12 and rates of 1e8 give neither overflow nor NaN. A round of :meth:`update` costs four
    passes over the N-vector, one of :meth:`advance` five with the pay (see :func:`_hedge_round`).

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
        log_n = math.log(check_int(n_experts, "n_experts", owner, low=1))
        self._schedule = resolve_rate(eta, horizon, owner, tuned_constant=8.0 * log_n, anytime_constant=8.0 * log_n)
        self._params: dict[str, Any] = {"eta": None if eta is None else float(eta),
                                        "horizon": None if horizon is None else int(horizon)}
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.zeros(self.n_experts), np.zeros(1), self._schedule.code,
                self._schedule.params)

    def reset(self) -> None:
        super().reset()
        self._pack()

    def _pack(self) -> None:
        """Move the state arrays into one buffer, ``packed`` = (weights, ``_GAP`` unused, cum_losses, counter bits,
        smallest cumulative loss, rate code, rate parameter), of length 2N + 64 + 4, and make ``_state`` views of
        it, so that :meth:`update` passes two arguments to :func:`hedge_update`. Only for Hedge's own kernel and
        state (a subclass changing either keeps the generic path)."""
        cls = type(self)
        if (cls.block_kernel is not hedge_block or cls._initial_state is not Hedge._initial_state
                or self._state[5].shape != (1,)):
            self._packed = None
            return
        counter, weights, cum_losses, lowest, rate_code, rate_params = self._state
        n = self.n_experts
        end = 2 * n + _GAP
        packed = np.zeros(end + 3 + rate_params.shape[0])
        packed[:n] = weights
        packed[n + _GAP:end] = cum_losses
        packed[end:end + 1].view(np.int64)[0] = counter[0]
        packed[end + 1] = lowest[0]
        packed[end + 2] = rate_code
        packed[end + 3:] = rate_params
        self._packed = packed
        self._state = (packed[end:end + 1].view(np.int64), packed[:n], packed[n + _GAP:end], packed[end + 1:end + 2],
                       rate_code, packed[end + 3:])
        self._counter = self._state[0]
        self._weights = self._state[1]
        self._expose_weights()

    def _move_weights(self) -> None:
        """Move the whole packed state to a new buffer (the held weights keep the old one)."""
        super()._move_weights()
        self._pack()

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickling copies the views of ``packed`` apart: tie them together again.
        super().__setstate__(state)
        self._pack()

    def update(self, losses: ArrayLike) -> None:
        """Observe the loss vector of one round (shape (N,), finite) and update the weights."""
        self._unshare_weights()
        try:
            done = hedge_update(losses, self._packed)
        except (TypeError, ValueError):  # not a C-contiguous float64 vector ([] cannot even be typed), or unpacked
            super().update(losses)  # converts, validates, and runs hedge_block on the same state
            return
        if not done:
            self._raise_invalid_losses(losses)

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
