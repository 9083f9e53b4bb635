r"""The environment protocol: what a loss environment must offer, and a base class that supplies most of it.

An environment plays the adversary's side of prediction with expert advice. In round t the learner commits
weights :math:`p_t` in the simplex and the environment reveals the loss vector :math:`\ell_t \in \mathbb{R}^N`.

Attributes the simulator relies on
----------------------------------
n_experts : int
    Number of experts N.
oblivious : bool
    True if the loss sequence does not depend on the learner's weights. The simulator then asks for whole blocks
    of losses with ``block(size)`` and runs its compiled fast path. False for adaptive environments, which read
    the weights passed to ``step``; the simulator calls ``step(weights)`` once per round. A user class without
    the attribute is treated as adaptive (see :func:`is_oblivious`).
means : ndarray of shape (N,) or None
    Expected losses of a stochastic, stationary environment, so that pseudo-regret
    :math:`\sum_t \langle p_t, \mu\rangle - T \min_i \mu_i` can be computed. None otherwise.
loss_range : tuple (low, high)
    Every loss the environment produces lies in ``[low, high]``.
sleeping_experts : bool
    True if a NaN loss marks an expert that is asleep in that round (at least one expert is awake in every
    round), as in :class:`environments.SleepingEnvironment`. False or absent: every loss is finite.

Methods
-------
reset(*, seed=None)
    Build the environment's ``numpy.random.Generator`` (``self.np_random``) from ``np.random.SeedSequence(seed)``,
    as Gymnasium does, and rewind to round 0. ``seed`` may be an int, a SeedSequence or None (fresh entropy).
step(weights) -> ndarray (N,)
    Losses of the next round, float64.
block(size) -> ndarray (size, N)
    Oblivious environments only: the losses of the next ``size`` rounds. The stream is identical whatever the
    block sizes, and identical to the stream of successive ``step`` calls.

A user's own class with this shape works everywhere without inheriting from anything; run
:func:`environments.check_env` on it.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from environments._validation import check_int, check_weights

Seed = int | np.random.SeedSequence | None
"""What ``reset`` accepts as a seed."""


@runtime_checkable
class Environment(Protocol):
    """Anything with ``n_experts``, ``reset(*, seed=None)`` and ``step(weights) -> losses`` is an environment.

    Oblivious environments also offer ``block(size)``; see the module docstring for the optional attributes
    ``oblivious``, ``means`` and ``loss_range``.
    """

    n_experts: int

    def reset(self, *, seed: Seed = None) -> object: ...

    def step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]: ...


def is_oblivious(env: object) -> bool:
    """True if ``env`` declares ``oblivious = True`` (and so offers ``block``); False when the attribute is absent."""
    return bool(getattr(env, "oblivious", False))


def make_generator(seed: Seed) -> np.random.Generator:
    """A PCG64 Generator from ``np.random.SeedSequence(seed)``; a SeedSequence is used as it is."""
    if isinstance(seed, np.random.SeedSequence):
        sequence = seed
    elif seed is None:
        sequence = np.random.SeedSequence()
    elif isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        sequence = np.random.SeedSequence(int(seed))
    else:
        raise ValueError(
            f"The 'seed' passed to reset must be a nonnegative int, a numpy.random.SeedSequence or None. "
            f"Got {seed!r} instead."
        )
    return np.random.Generator(np.random.PCG64(sequence))


def _jsonable(value: Any) -> Any:
    """Arrays to (nested) lists, numpy scalars to Python numbers, tuples to lists; other values unchanged."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


class BaseEnvironment:
    """Base class of the built-in environments: seeding, weight validation, round counting, parameters, repr.

    A subclass sets ``n_experts`` and ``_params`` (its constructor parameters) in ``__init__`` and implements
    ``_block(size)`` if it is oblivious (``self.t`` is then the first round of the block, counted from 0) or
    ``_step(weights)`` if it is adaptive (``oblivious = False``). It may override ``_on_reset`` to rewind its own
    state after the Generator has been rebuilt.

    Attributes
    ----------
    np_random : numpy.random.Generator
        The Generator built by the last ``reset``; all randomness must come from it.
    t : int
        Number of rounds played since the last ``reset``.
    """

    name: ClassVar[str] = ""
    """The registry name (``make(name)`` builds this class)."""
    oblivious: ClassVar[bool] = True
    sleeping_experts: ClassVar[bool] = False
    means: NDArray[np.float64] | None = None
    loss_range: tuple[float, float] = (0.0, 1.0)

    n_experts: int
    _params: dict[str, Any]
    _np_random: np.random.Generator | None = None
    t: int = 0

    # -- seeding ---------------------------------------------------------------------------------------------
    def reset(self, *, seed: Seed = None) -> BaseEnvironment:
        """Rebuild the Generator from ``np.random.SeedSequence(seed)`` and rewind to round 0.

        Parameters
        ----------
        seed : int, numpy.random.SeedSequence or None
            The same seed gives the same loss stream; None draws fresh entropy from the operating system.

        Returns
        -------
        self
        """
        self._np_random = make_generator(seed)
        self.t = 0
        self._on_reset()
        return self

    def _on_reset(self) -> None:
        """Hook for subclasses: rewind state beyond the Generator and the round counter."""

    @property
    def np_random(self) -> np.random.Generator:
        """The Generator of the current run; a RuntimeError before the first ``reset``."""
        return self._require_reset()

    def _require_reset(self) -> np.random.Generator:
        if self._np_random is None:
            raise RuntimeError(
                f"{type(self).__name__} has no random generator yet: call reset(seed=...) first, "
                "before step() or block()."
            )
        return self._np_random

    # -- playing ---------------------------------------------------------------------------------------------
    def step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """Losses of the next round, shape (N,), float64.

        Parameters
        ----------
        weights : array_like of shape (N,)
            The learner's weights p_t: finite, nonnegative and summing to 1 (within 1e-9). Never modified.
            Oblivious environments check them and otherwise ignore them.
        """
        self._require_reset()
        checked = check_weights(weights, self.n_experts, type(self).__name__)
        if self.oblivious:
            return self.block(1)[0]
        losses = self._step(checked)
        self.t += 1
        return losses

    def block(self, size: int) -> NDArray[np.float64]:
        """Losses of the next ``size`` rounds, shape (size, N), float64 (oblivious environments only).

        The stream does not depend on how it is cut into blocks: ``block(a)`` then ``block(b)`` equals
        ``block(a + b)``, and both equal ``a + b`` calls of ``step``.
        """
        if not self.oblivious:
            raise TypeError(
                f"{type(self).__name__} is adaptive (oblivious = False): its losses depend on the weights, "
                "so it has no block(); call step(weights) each round."
            )
        self._require_reset()
        size = check_int(size, "size", f"{type(self).__name__}.block", minimum=0)
        losses = self._block(size)
        self.t += size
        return losses

    def _block(self, size: int) -> NDArray[np.float64]:
        raise NotImplementedError(f"{type(self).__name__} must implement _block(size)")

    def _step(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        raise NotImplementedError(f"{type(self).__name__} must implement _step(weights)")

    # -- description -----------------------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """The constructor parameters as a JSON-friendly dict (lists and floats), to describe a run."""
        return _jsonable(dict(self._params))

    def __repr__(self) -> str:
        shown = []
        for key, value in self.get_params().items():
            if isinstance(value, list) and len(value) > 6:
                value = f"[{', '.join(map(repr, value[:3]))}, ... ({len(value)} items)]"
            else:
                value = repr(value)
            shown.append(f"{key}={value}")
        return f"{type(self).__name__}({', '.join(shown)})"
