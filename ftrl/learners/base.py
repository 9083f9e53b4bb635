r"""The learner protocol shared by every built-in learner, and the base classes that implement its Python side.

Protocol
--------
Every learner holds its state as a few numpy arrays and advances it with one compiled kernel; no Python runs per
round on the fast path.

Common to all learners
    ``n_experts`` (int), ``t`` (rounds seen), ``weights`` (:math:`p_{t+1}`, the distribution for the *next*
    round: a read-only float64 array of shape (N,) summing to 1 that the learner never writes again, see
    :attr:`Learner.weights`), ``reset()`` (back to round 0), ``get_params()``
    (the constructor parameters as a JSON-friendly dict), ``name`` (the registry name), ``feedback`` (class
    attribute, ``"full"`` or ``"bandit"``), ``block_kernel`` (class attribute: the compiled function behind the
    fast path), ``repr``, pickling and ``copy.deepcopy`` (a copy continues identically). Public methods validate
    their input and leave the state unchanged when they raise.

Full information (``feedback == "full"``)
    ``update(losses)``, ``predict(expert_predictions)`` and the fast path
    ``advance(losses[B, N], expected_loss_out[B])``: for each row :math:`\ell` in order, compute :math:`p_t` from
    the state, write :math:`\langle p_t, \ell\rangle` to ``expected_loss_out[row]``, then update the state with
    :math:`\ell`. ``advance`` does not validate (its caller did) and makes exactly one call to ``block_kernel``
    as ``block_kernel(losses, expected_loss_out, *state)``. ``update`` validates, copies the losses into a
    preallocated (1, N) row and calls the same kernel, so the two paths cannot disagree. (:class:`ftrl.Hedge`
    overrides ``update`` with one two-argument compiled call that runs the same round function as its
    ``block_kernel``; see :func:`ftrl.learners.hedge.hedge_update`.)

Bandit feedback (``feedback == "bandit"``)
    ``sample(rng)`` draws one uniform ``u = rng.random()`` and returns :func:`sample_index` ``(p_t, u)``;
    ``update_arm(arm, loss)`` applies the importance-weighted update; the fast path
    ``advance_bandit(losses[B, N], uniforms[B], expected_loss_out[B], realized_loss_out[B], arms_out[B])`` does,
    per round: :math:`p_t` from the state, ``arm = sample_index(p_t, uniforms[row])``, expected loss
    :math:`\langle p_t, \ell\rangle`, realized loss :math:`\ell_{arm}`, then the update with ``(arm, l[arm])``
    only. It calls ``block_kernel(losses, uniforms, expected_loss_out, realized_loss_out, arms_out, *state)``
    once; ``update_arm`` calls ``update_kernel(arm, loss, *state)``, which runs the same compiled round update.

Code that passes the state to a kernel itself (the simulator's drivers, the wrappers) takes it from
:meth:`Learner._writable_state`, which first moves the weights to a new array if a caller still holds the one
``weights`` returned.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import as_real_array, check_expert_predictions, check_int, check_prior, check_real

__all__ = [
    "BanditLearner",
    "BanditProtocol",
    "FullInformationLearner",
    "FullInformationProtocol",
    "Learner",
    "PriorLearner",
    "sample_index",
]


_NDARRAY = np.ndarray
_FLOAT64 = np.dtype(np.float64)
"""For the fast test of ``update``'s input: a float64 ndarray is used as is (identity tests are the cheapest; an
equal dtype that is another object, or a subclass of ndarray, takes the ``as_real_array`` path, same result)."""


@kernel
def sample_index(p: NDArray[np.float64], u: float) -> int:
    """Inverse-CDF draw: the first ``i`` with ``cumsum(p)[i] > u`` for ``u`` in [0, 1).

    When rounding leaves ``cumsum(p)[-1] <= u`` the last index with positive weight is returned, so an index with
    zero weight is never drawn.
    """
    cumulative = 0.0
    last_positive = p.shape[0] - 1
    for i in range(p.shape[0]):
        if p[i] > 0.0:
            cumulative += p[i]
            last_positive = i
            if cumulative > u:
                return i
    return last_positive


@kernel
def _copy_if_within(source: NDArray[np.float64], row: NDArray[np.float64], limit: float) -> bool:
    """Copy ``source`` into ``row[0]`` if every entry is finite and at most ``limit`` in magnitude; return whether it
    did (``row`` untouched if not)."""
    for value in source:
        if not (math.isfinite(value) and abs(value) <= limit):
            return False
    destination = row[0]
    for i in range(source.shape[0]):
        destination[i] = source[i]
    return True


class _LearnerProtocol(Protocol):
    """What the simulator needs from every learner, whatever its feedback."""

    n_experts: int
    feedback: ClassVar[str]
    block_kernel: ClassVar[Callable[..., None]]

    @property
    def t(self) -> int: ...

    @property
    def weights(self) -> NDArray[np.float64]: ...

    def reset(self) -> None: ...


@runtime_checkable
class FullInformationProtocol(_LearnerProtocol, Protocol):
    """What the simulator needs from a full-information learner."""

    def update(self, losses: ArrayLike) -> None: ...

    def advance(self, losses: NDArray[np.float64], expected_loss_out: NDArray[np.float64]) -> None: ...


@runtime_checkable
class BanditProtocol(_LearnerProtocol, Protocol):
    """What the simulator needs from a bandit learner."""

    def sample(self, rng: np.random.Generator) -> int: ...

    def update_arm(self, arm: int, loss: float) -> None: ...

    def advance_bandit(
        self,
        losses: NDArray[np.float64],
        uniforms: NDArray[np.float64],
        expected_loss_out: NDArray[np.float64],
        realized_loss_out: NDArray[np.float64],
        arms_out: NDArray[np.int64],
    ) -> None: ...


class Learner:
    """Common Python side of every learner: parameters, round counter, weights, reset, repr, pickling.

    A subclass sets ``name``, ``feedback`` and ``block_kernel`` (wrapped in ``staticmethod``), validates its
    parameters in ``__init__`` into ``self._params`` before calling ``super().__init__``, and implements
    :meth:`_initial_state`, which returns the tuple of arrays and constants passed to the kernel after the data
    arguments. The first two entries of that tuple are always the round counter (int64, shape (1,)) and the
    array holding the normalized weights of the next round.
    """

    name: ClassVar[str] = ""
    feedback: ClassVar[str] = "full"
    block_kernel: ClassVar[Callable[..., None]]
    _params: dict[str, Any]

    def __init__(self, n_experts: int) -> None:
        self.n_experts = check_int(n_experts, "n_experts", type(self).__name__, low=1)
        self._shape = (self.n_experts,)
        self.reset()

    def _initial_state(self) -> tuple[Any, ...]:
        raise NotImplementedError(f"{type(self).__name__} must implement _initial_state()")

    def reset(self) -> None:
        """Return to round 0: forget every loss seen."""
        self._state = self._initial_state()
        self._counter: NDArray[np.int64] = self._state[0]
        self._weights: NDArray[np.float64] = self._state[1]
        self._expose_weights()

    @property
    def t(self) -> int:
        """Number of rounds seen so far."""
        return int(self._counter[0])

    @property
    def weights(self) -> NDArray[np.float64]:
        """The distribution :math:`p_{t+1}` played in the next round: a read-only array that keeps its values.

        No copy is made: it shares memory with the learner's state, and the learner never writes into it while
        anything holds it (the array or a view of it). An update that finds it held (its reference count above the
        learner's own) first moves the state's weights to a new array, so what was returned stays
        :math:`p_{t+1}` of the round it was read in; one that finds it dropped writes in place. Copy it
        (``np.array(learner.weights)``) to modify it.
        """
        return self._exposed_weights

    def _expose_weights(self) -> None:
        """Make the read-only array :attr:`weights` returns, over the memory of ``self._weights``.

        Built on a memoryview, so that its views (slices, ``.T``, ...) keep it, not the state's array, as their
        base: holding any of them raises its reference count, which :meth:`_unshare_weights` reads.
        """
        exposed = np.frombuffer(memoryview(self._weights), dtype=np.float64)
        exposed.flags.writeable = False
        self._exposed_weights = exposed
        self._unshared_probe = object()

    def _move_weights(self) -> None:
        """Give the state a new weights array with the same values, leaving the held one to its holder."""
        arrays = list(self._state)
        arrays[1] = arrays[1].copy()
        self._state = tuple(arrays)
        self._weights = self._state[1]
        self._expose_weights()

    def _unshare_weights(self) -> None:
        """Call before writing the state: if something besides the learner references the array :attr:`weights`
        returned, move the weights to a new array. Held means a reference count above that of
        ``_unshared_probe``, an object only this learner holds, read the same way (so the test does not depend on
        how the interpreter counts the argument of ``getrefcount``, which CPython 3.14 may borrow)."""
        if sys.getrefcount(self._exposed_weights) > sys.getrefcount(self._unshared_probe):
            self._move_weights()

    def _writable_state(self) -> tuple[Any, ...]:
        """The state tuple, for a kernel that writes it (after :meth:`_unshare_weights`)."""
        self._unshare_weights()
        return self._state

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_exposed_weights"], state["_unshared_probe"]  # remade on unpickling
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._expose_weights()

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, JSON friendly."""
        return {"n_experts": self.n_experts, **self._params}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"

    def _uniform_state(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        return np.zeros(1, dtype=np.int64), np.full(self.n_experts, 1.0 / self.n_experts)


class FullInformationLearner(Learner):
    """Base of the learners that see the whole loss vector each round."""

    feedback: ClassVar[str] = "full"
    loss_limit: ClassVar[float] = math.inf
    """The largest loss magnitude ``update`` accepts: a learner whose arithmetic squares the losses (Squint, BOA)
    sets a finite one, so that its sums stay finite over any horizon."""

    def reset(self) -> None:
        super().reset()
        self._row = np.zeros((1, self.n_experts))
        self._expected = np.zeros(1)

    def advance(self, losses: NDArray[np.float64], expected_loss_out: NDArray[np.float64]) -> None:
        """Play and update over a block of rounds (no validation: ``losses`` float64 C-contiguous (B, N))."""
        self.block_kernel(losses, expected_loss_out, *self._writable_state())

    def update(self, losses: ArrayLike) -> None:
        """Observe the loss vector of one round (shape (N,), finite) and update the weights."""
        values = losses if type(losses) is _NDARRAY and losses.dtype is _FLOAT64 else (
            as_real_array(losses, "losses", type(self).__name__))
        if values.shape != self._shape or not _copy_if_within(values, self._row, self.loss_limit):
            self._raise_invalid_losses(values)
        self.block_kernel(self._row, self._expected, *self._writable_state())

    def _raise_invalid_losses(self, values: NDArray[np.float64]) -> None:
        owner = type(self).__name__
        if values.shape != self._shape:
            raise ValueError(
                f"The 'losses' parameter of {owner} must be an array of shape {self._shape}. "
                f"Got shape {values.shape} instead."
            )
        if np.isfinite(values).all():
            raise ValueError(
                f"The 'losses' parameter of {owner} must lie in [-{self.loss_limit:g}, {self.loss_limit:g}] (the "
                f"learner squares them; it assumes losses in [0, 1]). Got {values!r} instead."
            )
        raise ValueError(f"The 'losses' parameter of {owner} must be finite. Got {values!r} instead.")

    def predict(self, expert_predictions: ArrayLike) -> Any:
        r"""The :math:`p_{t+1}`-weighted forecast :math:`\sum_i p_i x_i`: shape (N,) -> float, (N, d) -> (d,)."""
        predictions = check_expert_predictions(expert_predictions, self.n_experts, type(self).__name__)
        forecast = self._weights @ predictions
        return float(forecast) if predictions.ndim == 1 else forecast


class PriorLearner(FullInformationLearner):
    """A full-information learner with a ``prior`` over the experts (:func:`check_prior`), kept as ``_prior`` and
    reported by ``get_params``; each subclass lays out its own state (``_initial_state``)."""

    def __init__(self, n_experts: int, *, prior: ArrayLike | None = None) -> None:
        self._prior = check_prior(prior, n_experts, type(self).__name__)
        self._params: dict[str, Any] = {"prior": None if prior is None else self._prior.tolist()}
        super().__init__(n_experts)


class BanditLearner(Learner):
    """Base of the learners that see only the loss of the arm they drew."""

    feedback: ClassVar[str] = "bandit"
    update_kernel: ClassVar[Callable[..., None]]

    def sample(self, rng: np.random.Generator) -> int:
        """Draw the arm of the next round from :math:`p_{t+1}` with one ``rng.random()`` uniform."""
        return int(sample_index(self._weights, rng.random()))

    def update_arm(self, arm: int, loss: float) -> None:
        """Observe the loss of the drawn ``arm`` and apply the importance-weighted update."""
        owner = type(self).__name__
        index = check_int(arm, "arm", owner, low=0, high=self.n_experts - 1)
        value = check_real(loss, "loss", owner, low=-math.inf, high=math.inf, low_open=True, high_open=True)
        self.update_kernel(index, value, *self._writable_state())

    def advance_bandit(
        self,
        losses: NDArray[np.float64],
        uniforms: NDArray[np.float64],
        expected_loss_out: NDArray[np.float64],
        realized_loss_out: NDArray[np.float64],
        arms_out: NDArray[np.int64],
    ) -> None:
        """Sample, pay and update over a block of rounds (no validation; see the module docstring)."""
        self.block_kernel(losses, uniforms, expected_loss_out, realized_loss_out, arms_out, *self._writable_state())
