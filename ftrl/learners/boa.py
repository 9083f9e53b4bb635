r"""Bernstein Online Aggregation (Wintenberger, 2017) with adaptive per-expert learning rates, as in opera."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.learners._deferred import pay, publish, reset
from ftrl.learners.base import PriorLearner
from ftrl.ops import exp_nonpositive, fast_exp, from_order_key, lane_sum, order_key

__all__ = ["BOA"]

_RATE_CONSTANT = 2.2
""":math:`\\eta_{t,i} = 1/\\sqrt{2.2 V_{t,i}}`: then :math:`\\eta |r| \\le 1/\\sqrt{2.2} < 0.684`, the range
where :math:`\\ln(1 + x) \\ge x - x^2` holds, as the second-order (Bernstein) step of the analysis needs."""


_SHIFT_SLACK = 64.0
r"""The weights are :math:`\pi_i\eta_i e^{\eta_i\tilde R_i - s}` with :math:`s` the largest exponent of the
round before; when the new largest exponent is more than this away from :math:`s`, they are recomputed with
it."""


@kernel(reassociate=True)
def _update_weights(
    paid: float,
    loss: NDArray[np.float64],
    reg_regret: NDArray[np.float64],
    scaled_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    shift: float,
    weights: NDArray[np.float64],
) -> tuple[float, float, int]:
    r"""Per expert :math:`S \mathrel{+}= 2.2 r^2`, :math:`\tilde R \mathrel{+}= r - \eta r^2` and the weight
    :math:`\pi\eta e^{\eta\tilde R - s}`; returns the sum of the weights, the largest exponent (by
    :func:`~ftrl.ops.order_key`, an integer max) and the number of experts with :math:`S > 0`. A reassociating
    kernel, so that the sum vectorizes; the body is written out (a helper kernel with exact arithmetic for
    it was not inlined, and the loop ran five times slower). The numbers depend on N, not on how the rounds
    are cut into blocks."""
    total = 0.0
    largest_key = order_key(-np.inf)
    n_active = 0
    for i in range(weights.shape[0]):
        regret = paid - loss[i]
        square = regret * regret
        variance = scaled_variance[i] + _RATE_CONSTANT * square
        scaled_variance[i] = variance
        active = variance > 0.0
        rate = 1.0 / math.sqrt(variance) if active else 0.0
        gain = reg_regret[i] + (regret - rate * square)
        reg_regret[i] = gain
        exponent = rate * gain if active else -np.inf
        # exp_nonpositive is fast_exp's bits up to 665; the exponents here are at most 64 above the shift, or
        # the round's weights are recomputed by _reweight
        weight = prior[i] * rate * exp_nonpositive(exponent - shift)
        weights[i] = weight
        total += weight
        largest_key = max(largest_key, order_key(exponent))
        n_active += active
    return total, from_order_key(largest_key), n_active


@kernel
def _reweight(
    reg_regret: NDArray[np.float64],
    scaled_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    shift: float,
    weights: NDArray[np.float64],
) -> float:
    """The weights recomputed with a new ``shift``, and their sum."""
    for i in range(weights.shape[0]):
        active = scaled_variance[i] > 0.0
        rate = 1.0 / math.sqrt(scaled_variance[i]) if active else 0.0
        exponent = rate * reg_regret[i] if active else -np.inf
        weights[i] = prior[i] * rate * fast_exp(exponent - shift)
    return lane_sum(weights)


@kernel
def _keep_prior_of_inactive(
    scaled_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    total: float,
    weights: NDArray[np.float64],
) -> float:
    """opera's convention: the experts with :math:`S = 0` keep their prior weight, the others share the rest
    in proportion to their weights (summing to ``total``); returns the new sum."""
    share = 0.0
    for i in range(weights.shape[0]):
        share += prior[i] if scaled_variance[i] > 0.0 else 0.0
    share /= total
    for i in range(weights.shape[0]):
        weights[i] = weights[i] * share if scaled_variance[i] > 0.0 else prior[i]
    return lane_sum(weights)


@kernel
def boa_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    reg_regret: NDArray[np.float64],
    scaled_variance: NDArray[np.float64],
    prior: NDArray[np.float64],
    scores: NDArray[np.float64],
    normalizer: NDArray[np.float64],
    shift: NDArray[np.float64],
) -> None:
    r"""BOA over a block, two passes per round: pay (:func:`~ftrl.learners._deferred.pay`, the weights kept
    unnormalized); then per expert :math:`S \mathrel{+}= 2.2 r^2`,
    :math:`\eta = S^{-1/2}` (0 while :math:`S = 0`), :math:`\tilde R \mathrel{+}= r - \eta r^2` and the
    unnormalized weight :math:`\pi_i \eta_i e^{\eta_i \tilde R_i - s}`, with :math:`s` the largest exponent of
    the round before (one exponential per expert; recomputed when the largest moved by more than
    :data:`_SHIFT_SLACK`). The experts with :math:`S = 0` keep :math:`\pi_i` (a separate, rarely taken
    branch); the prior when every :math:`S = 0`."""
    n = weights.shape[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        paid = pay(scores, normalizer, loss)
        expected_loss_out[row] = paid
        total, largest, n_active = _update_weights(
            paid, loss, reg_regret, scaled_variance, prior, shift[0], scores
        )
        if n_active == 0:
            reset(prior, scores, normalizer)
            continue
        if abs(largest - shift[0]) > _SHIFT_SLACK:
            shift[0] = largest
            total = _reweight(reg_regret, scaled_variance, prior, largest, scores)
        if n_active < n:
            total = _keep_prior_of_inactive(scaled_variance, prior, total, scores)
        normalizer[0] = total
    publish(scores, normalizer, weights)
    counter[0] += losses.shape[0]


class BOA(PriorLearner):
    r"""Bernstein Online Aggregation (Wintenberger, 2017), the fully adaptive variant of the R package opera.

    .. math::

        p_{t+1,i} \propto \pi_i\,\eta_{t,i}\, e^{\eta_{t,i}\tilde R_{t,i}}, \qquad
        \eta_{t,i} = \frac{1}{\sqrt{2.2 \sum_{s\le t} r_{s,i}^2}}, \qquad
        \tilde R_{t,i} = \sum_{s\le t}\big(r_{s,i} - \eta_{s,i}\, r_{s,i}^2\big),

    with :math:`r_{s,i} = \langle p_s, \ell_s\rangle - \ell_{s,i}`. The experts whose instantaneous regrets
    have all been zero (:math:`\eta = \infty`) keep their prior weight :math:`\pi_i`; the others share the
    rest of the mass in the proportions above (the convention of opera). This is the "doubling-free" BOA of
    opera's ``BOA()`` as in its GitHub development version (one rate per expert, no cap on the rate and no grid
    of rates; the CRAN release 1.2.0 caps the rate and adds a correction term),
    i.e. Wintenberger's second-order exponential weights with the linearized loss and the variance-adaptive
    rate :math:`\eta_{t,i} \propto V_{t,i}^{-1/2}` with the constant 2.2, which keeps
    :math:`\eta_{t,i}|r_{t,i}| \le 2.2^{-1/2}` inside the range where :math:`\ln(1+x) \ge x - x^2`.
    Computed without logarithms: the exponents :math:`\eta_i\tilde R_i` are shifted by the previous round's
    maximum.

    Losses are assumed in [0, 1]; others up to :attr:`loss_limit` = 1e100 in magnitude (so that the sums of
    squared regrets stay finite) are accepted but void the guarantee. Wintenberger (2017) proves for BOA with multiple adaptive rates a
    second-order bound :math:`R_{T,k} = O\big(\sqrt{V_{T,k}\ln(N\ln T)} + \ln(N \ln T)\big)`; no explicit
    constant is published for this exact variant, and the test suite checks the conservative explicit form
    stated in ``docs/parameter_free.md``.

    Parameters
    ----------
    n_experts : int
        Number of experts N >= 1.
    prior : array_like of shape (N,), optional
        Positive prior weights :math:`\pi` (normalized to sum to one); uniform by default.

    Examples
    --------
    >>> from ftrl import BOA
    >>> learner = BOA(2)
    >>> learner.update([0.0, 1.0])
    >>> [round(w, 6) for w in learner.weights.tolist()]
    [0.793868, 0.206132]

    References
    ----------
    O. Wintenberger, "Optimal learning with Bernstein Online Aggregation", Machine Learning 106(1), 2017.
    P. Gaillard, Y. Goude, "opera: Online Prediction by Expert Aggregation", R package, function ``BOA``.
    """

    name: ClassVar[str] = "boa"
    loss_limit: ClassVar[float] = 1e100
    block_kernel = staticmethod(boa_block)

    def _initial_state(self) -> tuple[Any, ...]:
        n = self.n_experts
        prior = self._prior
        return (
            np.zeros(1, dtype=np.int64),
            prior.copy(),
            np.zeros(n),
            np.zeros(n),
            prior.copy(),
            prior.copy(),
            np.ones(1),
            np.zeros(1),
        )

    @property
    def rates(self) -> NDArray[np.float64]:
        r"""The learning rates :math:`\eta_{t,i}` (inf while expert i has had no nonzero regret)."""
        variance = self._state[3]
        with np.errstate(divide="ignore"):
            return 1.0 / np.sqrt(variance)
