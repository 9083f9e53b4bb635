"""Non-stationary stochastic environments: Bernoulli losses whose means change over time.

Both are oblivious (the means do not react to the learner). Their ``means`` attribute is None because the means
are time-varying; ``mean_sequence(start, size)`` gives them where they are known in advance.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from environments._validation import (
    check_choice,
    check_float,
    check_int,
    check_unit_interval_array,
    param_error,
)
from environments.base import BaseEnvironment
from environments.stochastic import uniforms_below


class Switching(BaseEnvironment):
    r"""Piecewise-stationary Bernoulli losses: the means jump at given change points.

    With segments :math:`k = 0, \dots, K-1`, change points :math:`c_1 < \dots < c_{K-1}` (the round, counted from
    0, at which segment k starts) and :math:`k(t) = \#\{j : c_j \le t\}`,

    .. math:: \ell_{t,i} \sim \mathrm{Bernoulli}(M_{k(t), i})

    The best expert may change at every change point: the classical test bed for tracking (shifting) regret and
    for Fixed Share, which Hedge with a decreasing rate follows badly.

    Parameters
    ----------
    means_per_segment : array_like of shape (K, N)
        Row k holds the means of segment k, in [0, 1].
    change_points : array_like of int, shape (K - 1,)
        Strictly increasing rounds >= 1 at which segments 1..K-1 start.

    References
    ----------
    .. [1] M. Herbster and M. K. Warmuth, "Tracking the best expert", Machine Learning 32, 1998.
    .. [2] A. Garivier and E. Moulines, "On upper-confidence bound policies for switching bandit problems",
       ALT 2011.
    """

    name = "switching"

    def __init__(self, means_per_segment: ArrayLike, change_points: ArrayLike) -> None:
        owner = type(self).__name__
        self.means_per_segment = check_unit_interval_array(
            means_per_segment, "means_per_segment", owner, ndim=2
        )
        n_segments, self.n_experts = self.means_per_segment.shape
        requirement = f"a 1-d array of {n_segments - 1} ints (one per segment after the first)"
        if isinstance(change_points, (str, bytes)):
            raise param_error(owner, "change_points", requirement, change_points)
        try:
            points = np.atleast_1d(np.asarray(change_points))
        except (TypeError, ValueError):  # a ragged nesting of lists
            raise param_error(owner, "change_points", requirement, change_points) from None
        if points.size == 0:
            points = points.astype(np.int64)
        int64_max = np.iinfo(np.int64).max
        if points.dtype.kind == "O" and all(
            isinstance(point, numbers.Integral) and not isinstance(point, (bool, np.bool_)) for point in points.flat
        ):  # Python ints beyond the int64 range
            raise param_error(
                owner, "change_points", f"ints in [1, {int64_max}] (they must fit in int64)", change_points
            )
        # dtype kind "b" (bools), "f" (floats), "O" (other objects) and strings are all refused here
        if points.ndim != 1 or points.dtype.kind not in "iu" or points.shape[0] != n_segments - 1:
            raise param_error(owner, "change_points", requirement, change_points)
        if points.dtype.kind == "u" and points.size and int(points.max()) > int64_max:
            # checked before the cast, which would wrap 2**63 to a negative round
            raise param_error(owner, "change_points", f"ints in [1, {int64_max}] (they must fit in int64)", points)
        points = points.astype(np.int64)  # before np.diff: differences of unsigned ints wrap instead of going < 0
        if points.size and (points[0] < 1 or np.any(np.diff(points) <= 0)):
            raise param_error(owner, "change_points", "strictly increasing ints >= 1", change_points)
        self.change_points = points
        self._params = {"means_per_segment": self.means_per_segment, "change_points": self.change_points}

    def segment(self, rounds: NDArray[np.int64]) -> NDArray[np.int64]:
        """The segment index of each round (rounds counted from 0)."""
        return np.searchsorted(self.change_points, rounds, side="right")

    def mean_sequence(self, start: int, size: int) -> NDArray[np.float64]:
        """The means of rounds ``start .. start + size - 1``, shape (size, N)."""
        return self.means_per_segment[self.segment(np.arange(start, start + size))]

    def _block(self, size: int) -> NDArray[np.float64]:
        losses = self.np_random.random((size, self.n_experts))
        row = 0
        while row < size:
            segment = int(self.segment(np.array([self.t + row]))[0])
            end = (
                size
                if segment == len(self.change_points)
                else min(size, int(self.change_points[segment]) - self.t)
            )
            uniforms_below(losses[row:end], self.means_per_segment[segment])
            row = end
        return losses


@njit(cache=True)
def _reflected_walk_bernoulli(
    uniforms: NDArray[np.float64], means: NDArray[np.float64], step_size: float, losses: NDArray[np.float64]
) -> None:
    """Row t: losses[t] = 1[uniforms[t, N:] < means], then means += step_size (2 uniforms[t, :N] - 1), reflected
    into [0, 1]. ``means`` is advanced in place."""
    size, n_experts = losses.shape
    for t in range(size):
        for i in range(n_experts):
            losses[t, i] = 1.0 if uniforms[t, n_experts + i] < means[i] else 0.0
            moved = means[i] + step_size * (2.0 * uniforms[t, i] - 1.0)
            if moved < 0.0:
                moved = -moved
            elif moved > 1.0:
                moved = 2.0 - moved
            means[i] = moved


@njit(cache=True)
def _sinusoid_bernoulli(
    uniforms: NDArray[np.float64],
    sin_time: NDArray[np.float64],
    cos_time: NDArray[np.float64],
    cos_phase: NDArray[np.float64],
    sin_phase: NDArray[np.float64],
    amplitude: float,
) -> None:
    """In place: uniforms[t, i] = 1[uniforms[t, i] < 1/2 + a (sin_time[t] cos_phase[i] + cos_time[t] sin_phase[i])]."""
    size, n_experts = uniforms.shape
    for t in range(size):
        for i in range(n_experts):
            mean = 0.5 + amplitude * (sin_time[t] * cos_phase[i] + cos_time[t] * sin_phase[i])
            uniforms[t, i] = 1.0 if uniforms[t, i] < mean else 0.0


class Drifting(BaseEnvironment):
    r"""Bernoulli losses whose means drift slowly: a reflecting random walk, or sinusoids with shifted phases.

    ``kind="random-walk"``: :math:`\mu_{0}` is ``initial_means`` (or drawn uniformly on [0, 1] from the
    Generator at ``reset``), and with :math:`u_{t,i}, v_{t,i} \sim \mathrm{U}[0, 1)`,

    .. math:: \ell_{t,i} = \mathbb{1}[v_{t,i} < \mu_{t,i}], \quad
              \mu_{t+1,i} = R\big(\mu_{t,i} + s\,(2u_{t,i} - 1)\big), \quad R(x) = |x| \text{ reflected at } 1

    (round t draws 2N uniforms: the N increments, then the N loss uniforms). ``kind="sinusoid"``:

    .. math:: \mu_{t,i} = \tfrac12 + a \sin(2\pi t / P + 2\pi i / N), \quad
              \ell_{t,i} = \mathbb{1}[u_{t,i} < \mu_{t,i}]

    The identity of the best expert changes gradually, between the stationary and the switching cases.

    Parameters
    ----------
    n_experts : int, default 2
    kind : {"random-walk", "sinusoid"}, default "random-walk"
    step_size : float in (0, 1], default 0.01
        s, the largest move of a mean in one round (random walk only).
    initial_means : array_like of shape (N,), optional
        :math:`\mu_0` in [0, 1] (random walk only); drawn at ``reset`` when omitted.
    period : int, default 1000
        P, rounds per cycle (sinusoid only).
    amplitude : float in [0, 0.5], default 0.4
        a (sinusoid only).

    References
    ----------
    .. [1] A. Slivkins and E. Upfal, "Adapting to a changing environment: the Brownian restless bandits",
       COLT 2008.
    .. [2] O. Besbes, Y. Gur and A. Zeevi, "Stochastic multi-armed-bandit problem with non-stationary rewards",
       NeurIPS 2014.
    """

    name = "drifting"

    def __init__(
        self,
        n_experts: int = 2,
        kind: Literal["random-walk", "sinusoid"] = "random-walk",
        step_size: float = 0.01,
        initial_means: ArrayLike | None = None,
        period: int = 1000,
        amplitude: float = 0.4,
    ) -> None:
        owner = type(self).__name__
        self.n_experts = check_int(n_experts, "n_experts", owner, minimum=1)
        self.kind = check_choice(kind, "kind", owner, ("random-walk", "sinusoid"))
        self.step_size = check_float(step_size, "step_size", owner, low=0.0, high=1.0, low_open=True)
        self.initial_means = None
        if initial_means is not None:
            self.initial_means = check_unit_interval_array(initial_means, "initial_means", owner)
            if self.initial_means.shape != (self.n_experts,):
                raise param_error(
                    owner, "initial_means", f"an array of length n_experts={self.n_experts}", initial_means
                )
        self.period = check_int(period, "period", owner, minimum=1)
        self.amplitude = check_float(amplitude, "amplitude", owner, low=0.0, high=0.5)
        self.phases = 2.0 * math.pi * np.arange(self.n_experts) / self.n_experts
        self._walk_means = np.empty(self.n_experts)
        self._params = {
            "n_experts": self.n_experts,
            "kind": kind,
            "step_size": self.step_size,
            "initial_means": self.initial_means,
            "period": self.period,
            "amplitude": self.amplitude,
        }

    def _on_reset(self) -> None:
        if self.kind == "random-walk":
            if self.initial_means is None:
                self._walk_means = self.np_random.random(self.n_experts)
            else:
                self._walk_means = self.initial_means.copy()

    @property
    def current_means(self) -> NDArray[np.float64]:
        """The means of the next round (a copy), shape (N,)."""
        if self.kind == "sinusoid":
            return self.mean_sequence(self.t, 1)[0]
        self._require_reset()
        return self._walk_means.copy()

    def mean_sequence(self, start: int, size: int) -> NDArray[np.float64]:
        """The means of rounds ``start .. start + size - 1``, shape (size, N) (sinusoid only: the random walk's
        path is random)."""
        if self.kind != "sinusoid":
            raise ValueError(
                "mean_sequence is defined for kind='sinusoid' only: a random walk's means are random."
            )
        angles = 2.0 * math.pi * np.arange(start, start + size)[:, None] / self.period
        # sin(x + phase) expanded, computed exactly as in the block kernel
        return 0.5 + self.amplitude * (
            np.sin(angles) * np.cos(self.phases) + np.cos(angles) * np.sin(self.phases)
        )

    def _block(self, size: int) -> NDArray[np.float64]:
        if self.kind == "sinusoid":
            losses = self.np_random.random((size, self.n_experts))
            angles = 2.0 * math.pi * np.arange(self.t, self.t + size) / self.period
            _sinusoid_bernoulli(
                losses,
                np.sin(angles),
                np.cos(angles),
                np.cos(self.phases),
                np.sin(self.phases),
                self.amplitude,
            )
            return losses
        uniforms = self.np_random.random((size, 2 * self.n_experts))
        losses = np.empty((size, self.n_experts))
        _reflected_walk_bernoulli(uniforms, self._walk_means, self.step_size, losses)
        return losses
