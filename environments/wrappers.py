r"""Environment wrappers: ``SleepingEnvironment`` puts experts to sleep at random (NaN losses).

Stands alone like the rest of :mod:`environments` (never imports ``ftrl``).
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from environments._validation import (
    as_numeric_array,
    check_float,
    check_int,
    check_weights,
    is_scalar,
    param_error,
)
from environments.base import BaseEnvironment, Seed, is_oblivious

__all__ = ["SleepingEnvironment"]

_SLEEP_SPAWN_KEY = 0x51EE9
"""Appended to the reset seed's spawn key to derive the awake masks' Generator (distinct from every child that
``SeedSequence.spawn`` makes, such as the simulator's bandit-sampling stream)."""


class SleepingEnvironment(BaseEnvironment):
    r"""Wrap an environment so that each expert is asleep (loss NaN) at random in each round.

    In round t expert i is awake with probability :math:`q_i` (``awake_probability``), independently; if the draw
    leaves every expert asleep, one expert drawn uniformly at random is woken, so at least one is always awake.
    The awake experts' losses are those of the wrapped environment, which sees the same seed: with everybody awake
    the stream is the wrapped environment's own.

    Randomness: ``reset(seed=s)`` resets the wrapped environment with ``seed=s`` and builds the masks' Generator
    from ``SeedSequence(s)`` extended by a fixed spawn key, so the masks never share a stream with the losses or
    with the simulator's sampling. Each round consumes N + 1 uniforms (N for the coin flips, one for the
    fallback), whether used or not, so the stream does not depend on the block sizes.

    The awake set of the coming round is announced by :attr:`next_awake` (the sleeping-experts protocol reveals
    it before the learner commits); ``step`` and ``block`` then use it. The class attribute
    ``sleeping_experts = True`` declares the NaN convention, so :func:`environments.check_env` accepts it.

    Parameters
    ----------
    env : environment
        Any environment (``n_experts``, ``reset(*, seed)``, ``step(weights)``; oblivious ones with ``block``).
    awake_probability : float or array_like of shape (N,)
        :math:`q_i \in [0, 1]`, the same for all experts or one per expert.

    Examples
    --------
    >>> import numpy as np
    >>> from environments import Bernoulli, SleepingEnvironment
    >>> env = SleepingEnvironment(Bernoulli([0.2, 0.5, 0.8]), awake_probability=0.5).reset(seed=0)
    >>> losses = env.block(1000)
    >>> bool((~np.isnan(losses)).any(axis=1).all())  # never all asleep
    True
    """

    name: ClassVar[str] = "sleeping"
    sleeping_experts: ClassVar[bool] = True
    """Declares that a NaN loss marks an asleep expert (at least one expert is awake in every round), so that
    :func:`environments.check_env` accepts NaN from this environment while refusing it from ordinary ones."""

    def __init__(self, env: Any, awake_probability: float | ArrayLike = 0.5) -> None:
        owner = type(self).__name__
        if isinstance(env, type) or not all(hasattr(env, name) for name in ("n_experts", "reset", "step")):
            raise TypeError(
                f"The 'env' parameter of {owner} must be an environment instance with n_experts, reset(*, seed) "
                f"and step(weights). Got {env!r} instead."
            )
        self.env = env
        self.n_experts = check_int(env.n_experts, "n_experts", owner, minimum=1)
        self.oblivious = is_oblivious(env) and hasattr(env, "block")
        self.loss_range = tuple(getattr(env, "loss_range", None) or (-np.inf, np.inf))
        self.awake_probability = self._check_probability(awake_probability)
        self._peeked: NDArray[np.bool_] | None = None
        describe = getattr(env, "get_params", None)
        self._params = {
            "env": {"name": getattr(env, "name", "") or type(env).__name__,
                    "params": describe() if callable(describe) else {}},
            "awake_probability": float(self.awake_probability[0]) if is_scalar(awake_probability)
            else self.awake_probability,
        }

    def _check_probability(self, value: Any) -> NDArray[np.float64]:
        """A float in [0, 1] (then the same for every expert) or an array of N of them; a new float64 array."""
        owner = type(self).__name__
        requirement = f"a float in [0, 1] or an array of shape ({self.n_experts},) in [0, 1]"
        if is_scalar(value):  # a number (also a str or a bool, which check_float refuses)
            probability = check_float(value, "awake_probability", owner, low=0.0, high=1.0)
            return np.full(self.n_experts, probability)
        array = as_numeric_array(value, f"The 'awake_probability' parameter of {owner}")
        if array.shape != (self.n_experts,) or not np.all((array >= 0.0) & (array <= 1.0)):
            raise param_error(owner, "awake_probability", requirement, value)
        return array

    def reset(self, *, seed: Seed = None) -> SleepingEnvironment:
        """Reset the wrapped environment with ``seed`` and rebuild the masks' Generator from it; rewind to round 0."""
        if isinstance(seed, np.random.SeedSequence):
            sequence = seed
        elif seed is None:
            sequence = np.random.SeedSequence()
        elif isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)) and seed >= 0:
            sequence = np.random.SeedSequence(int(seed))
        else:
            raise ValueError(
                f"The 'seed' passed to reset must be a nonnegative int, a numpy.random.SeedSequence or None. "
                f"Got {seed!r} instead."
            )
        self.env.reset(seed=sequence if seed is None else seed)
        child = np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, _SLEEP_SPAWN_KEY),
                                       pool_size=sequence.pool_size)
        self._np_random = np.random.Generator(np.random.PCG64(child))
        self.t = 0
        self._peeked = None
        return self

    def _draw(self, size: int) -> NDArray[np.bool_]:
        """Awake masks of the next ``size`` rounds (N + 1 uniforms per round, row by row)."""
        uniforms = self._require_reset().random((size, self.n_experts + 1))
        awake = uniforms[:, : self.n_experts] < self.awake_probability
        nobody = np.flatnonzero(~awake.any(axis=1))
        woken = np.minimum((uniforms[nobody, self.n_experts] * self.n_experts).astype(np.int64), self.n_experts - 1)
        awake[nobody, woken] = True
        return awake

    def _masks(self, size: int) -> NDArray[np.bool_]:
        """The masks of the next ``size`` rounds, starting with the announced one if any (then forgotten)."""
        if self._peeked is None or size == 0:
            return self._draw(size)
        first = self._peeked[None, :]
        self._peeked = None
        return np.vstack([first, self._draw(size - 1)])

    @property
    def next_awake(self) -> NDArray[np.bool_]:
        """The awake mask of the coming round (a copy; drawn once, then used by the next ``step`` or ``block``)."""
        if self._peeked is None:
            self._peeked = self._draw(1)[0]
        return self._peeked.copy()

    def step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Losses of the next round, shape (N,), NaN for the asleep experts; ``weights`` go to the wrapped env."""
        self._require_reset()
        checked = check_weights(weights, self.n_experts, type(self).__name__)
        mask = self._masks(1)[0]
        losses = np.array(self.env.step(checked), dtype=np.float64)
        losses[~mask] = np.nan
        self.t += 1
        return losses

    def block(self, size: int) -> NDArray[np.float64]:
        """Losses of the next ``size`` rounds, shape (size, N), NaN for the asleep experts (oblivious envs only)."""
        if not self.oblivious:
            raise TypeError(
                f"{type(self).__name__} wraps an adaptive environment ({type(self.env).__name__}): it has no "
                "block(); call step(weights) each round."
            )
        self._require_reset()
        size = check_int(size, "size", f"{type(self).__name__}.block", minimum=0)
        masks = self._masks(size)
        losses = np.array(self.env.block(size), dtype=np.float64)
        losses[~masks] = np.nan
        self.t += size
        return losses
