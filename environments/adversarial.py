"""Adversarial environments: fixed worst-case sequences (oblivious) and adversaries that read the weights (adaptive)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from environments._validation import check_float, check_int
from environments.base import BaseEnvironment
from environments.stochastic import bernoulli_block


class FTLTrap(BaseEnvironment):
    r"""The two-expert sequence on which Follow the Leader has linear regret.

    .. math:: \ell_1 = (\tfrac12, 0), \quad \ell_t = (0, 1) \text{ for even } t,
              \quad \ell_t = (1, 0) \text{ for odd } t > 1

    After every round the leader is the expert about to lose 1. With ties split uniformly in round 1, FTL pays
    :math:`1/4 + (T - 1)` while the best expert pays :math:`T/2 - 1/2` (T even): regret :math:`T/2 - 1/4`.
    Hedge with a tuned rate keeps :math:`O(\sqrt{T})`. Deterministic: the seed is ignored.

    Parameters
    ----------
    n_rounds : int or None, default None
        Optional horizon; asking for rounds beyond it is a ValueError. None means unbounded.

    References
    ----------
    .. [1] S. de Rooij, T. van Erven, P. D. Grunwald and W. M. Koolen, "Follow the leader if you can, hedge if
       you must", JMLR 15, 2014, Section 2.
    """

    name = "ftl-trap"

    def __init__(self, n_rounds: int | None = None) -> None:
        self.n_rounds = (
            None if n_rounds is None else check_int(n_rounds, "n_rounds", type(self).__name__, minimum=1)
        )
        self.n_experts = 2
        self._params = {"n_rounds": self.n_rounds}

    def _block(self, size: int) -> NDArray[np.float64]:
        if self.n_rounds is not None and self.t + size > self.n_rounds:
            raise ValueError(
                f"FTLTrap has n_rounds={self.n_rounds}; a block of {size} from round {self.t} would go past it."
            )
        rounds = np.arange(self.t, self.t + size)  # 0-based: round index 0 is t = 1
        losses = np.empty((size, 2))
        losses[:, 0] = rounds % 2 == 0
        losses[:, 1] = rounds % 2 == 1
        if self.t == 0 and size > 0:
            losses[0, 0] = 0.5
        return losses


class CoinFlips(BaseEnvironment):
    r"""Independent fair 0/1 losses: the construction behind the minimax lower bound for experts.

    .. math:: \ell_{t,i} \sim \mathrm{Bernoulli}(1/2) \text{ i.i.d.}, \qquad
              \lim_{N \to \infty} \lim_{T \to \infty}
              \frac{\mathbb{E}[\mathrm{Regret}_T]}{\sqrt{(T/2) \ln N}} = 1

    Every learner pays T/2 in expectation, while the best of N random walks pays about
    :math:`T/2 - \sqrt{(T/2) \ln N}`; so no learner can guarantee less than that regret. ``means`` is 1/2 for
    every expert (pseudo-regret is 0 for everyone; use the realized regret).

    Parameters
    ----------
    n_experts : int, default 2
        N >= 1.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006,
       Theorem 3.7.
    """

    name = "coin-flips"

    def __init__(self, n_experts: int = 2) -> None:
        self.n_experts = check_int(n_experts, "n_experts", type(self).__name__, minimum=1)
        self.means = np.full(self.n_experts, 0.5)
        self._params = {"n_experts": self.n_experts}

    def _block(self, size: int) -> NDArray[np.float64]:
        return bernoulli_block(self.np_random, self.means, size)


class RotatingBest(BaseEnvironment):
    r"""The best expert changes every ``period`` rounds, cycling through all experts.

    With :math:`b(t) = \lfloor t / \text{period} \rfloor \bmod N` (rounds counted from 0), :math:`c` = ``level``
    and :math:`\nu` = ``noise``,

    .. math:: \ell_{t,i} = (1 - \nu)\, c\, \mathbb{1}[i \ne b(t)] + \nu\, u_{t,i},
              \quad u_{t,i} \sim \mathrm{U}[0, 1)

    Any single expert is good only a 1/N fraction of the time, so static regret is small for everyone while
    tracking (shifting) regret separates Hedge from Fixed Share. With ``noise = 0`` it is deterministic and draws
    nothing from the Generator.

    Parameters
    ----------
    n_experts : int, default 2
        N >= 1.
    period : int, default 100
        Rounds between changes of the best expert, >= 1.
    level : float, default 1.0
        Loss of the experts that are not currently best, in [0, 1].
    noise : float, default 0.0
        Weight :math:`\nu \in [0, 1]` of the uniform noise mixed into every loss.

    References
    ----------
    .. [1] M. Herbster and M. K. Warmuth, "Tracking the best expert", Machine Learning 32, 1998.
    """

    name = "rotating-best"

    def __init__(self, n_experts: int = 2, period: int = 100, level: float = 1.0, noise: float = 0.0) -> None:
        owner = type(self).__name__
        self.n_experts = check_int(n_experts, "n_experts", owner, minimum=1)
        self.period = check_int(period, "period", owner, minimum=1)
        self.level = check_float(level, "level", owner, low=0.0, high=1.0)
        self.noise = check_float(noise, "noise", owner, low=0.0, high=1.0)
        self._params = {
            "n_experts": self.n_experts,
            "period": self.period,
            "level": self.level,
            "noise": self.noise,
        }

    def best_expert(self, rounds: NDArray[np.int64]) -> NDArray[np.int64]:
        """Index of the best expert in each of the given rounds (counted from 0)."""
        return (rounds // self.period) % self.n_experts

    def _block(self, size: int) -> NDArray[np.float64]:
        best = self.best_expert(np.arange(self.t, self.t + size))
        base = (1.0 - self.noise) * self.level
        if self.noise > 0.0:
            losses = self.np_random.random((size, self.n_experts))
            losses *= self.noise
            losses += base
        else:
            losses = np.full((size, self.n_experts), base)
        losses[np.arange(size), best] -= base
        return losses


class GreedyAdversary(BaseEnvironment):
    r"""Adaptive adversary: loss 1 on the expert(s) the learner trusts most, 0 elsewhere.

    .. math:: \ell_{t,i} = \mathbb{1}\left[p_{t,i} \ge \max_j p_{t,j} - 10^{-12}\right]

    Against a deterministic learner that puts all its weight on one expert (e.g. FTL breaking ties by the lowest
    index) it forces loss 1 every round, while the leaders take turns so each expert ends with about T/N: regret
    about :math:`T (1 - 1/N)`. Against any learner the loss per round is at least :math:`\max_i p_{t,i} \ge 1/N`.
    (FTL that splits ties uniformly escapes: all experts then get the same losses.)
    Not oblivious: ``step(weights)`` reads the weights; there is no ``block``.

    Parameters
    ----------
    n_experts : int, default 2
        N >= 1.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006,
       Section 2.1 (deterministic forecasters cannot have sublinear regret).
    """

    name = "greedy-adversary"
    oblivious = False

    TIE_TOLERANCE = 1e-12

    def __init__(self, n_experts: int = 2) -> None:
        self.n_experts = check_int(n_experts, "n_experts", type(self).__name__, minimum=1)
        self._params = {"n_experts": self.n_experts}

    def _step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        return (weights >= weights.max() - self.TIE_TOLERANCE).astype(np.float64)


class AboveUniformAdversary(BaseEnvironment):
    r"""Adaptive adversary: loss 1 on every expert whose weight is at least the uniform weight 1/N.

    .. math:: \ell_{t,i} = \mathbb{1}\left[p_{t,i} \ge 1/N - 10^{-12}\right]

    The learner pays :math:`\sum_{i: p_{t,i} \ge 1/N} p_{t,i}`, which is at least 1/N and is 1 when the weights
    are uniform, while experts the learner neglects are spared; it punishes any learner that concentrates.
    Not oblivious: there is no ``block``.

    Parameters
    ----------
    n_experts : int, default 2
        N >= 1.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006,
       Section 2.1.
    """

    name = "above-uniform-adversary"
    oblivious = False

    TIE_TOLERANCE = 1e-12

    def __init__(self, n_experts: int = 2) -> None:
        self.n_experts = check_int(n_experts, "n_experts", type(self).__name__, minimum=1)
        self._params = {"n_experts": self.n_experts}

    def _step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        return (weights >= 1.0 / self.n_experts - self.TIE_TOLERANCE).astype(np.float64)
