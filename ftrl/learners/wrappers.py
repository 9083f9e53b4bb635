r"""Wrappers that change the feedback a full-information learner sees: delayed losses, sleeping experts.

``Delayed(learner, delay)`` and ``Sleeping(learner)`` are themselves full-information learners (``weights``,
``update``, ``predict``, ``reset``, ``get_params``, ``name``, ``feedback``, pickling and the fast path
``advance``), so they plug into :func:`ftrl.simulate` and into each other, the sleeping wrapper outside:
``Sleeping(Delayed(learner, d))`` plays on the awake experts and feeds the delayed learner the completed rows. :func:`simulate_sleeping` runs a
sleeping-experts simulation and reports the sleeping regret. The mathematics, the bounds and their sources are in
``docs/delays_and_sleeping.md``.

Speed
-----
When the wrapped learner follows the base protocol exactly (a :class:`~ftrl.learners.base.FullInformationLearner`
whose ``advance`` is the inherited one, i.e. one call ``block_kernel(losses, expected_loss_out, *state)``), the
wrapper's ``advance`` is one compiled call: its kernel takes the inner learner's kernel and state as arguments and
calls it once per round on the transformed loss row, reading :math:`p_t` from the inner state's weights array.
Any other inner learner (a user's class, a wrapper inside a wrapper) is driven by a Python loop over its public
``weights`` and ``update``: correct, at Python speed (a few microseconds per round).

The wrapper kernels are compiled with the package's flags but without ``cache=True``: a kernel that receives
another kernel as an argument is typed by that dispatcher object, which differs in every process, so an on-disk
cache would only gain a new entry per process. The price is one compilation (under a second) per process and per
inner learner class.
"""

from __future__ import annotations

import copy
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel, uncached_kernel
from ftrl._validation import as_real_array, check_expert_predictions, check_int, check_seeds
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import ordered_dot

__all__ = ["Delayed", "Sleeping", "simulate_sleeping"]

@kernel
def _awake_weights(weights: NDArray[np.float64], loss: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    r"""Write into ``out`` the weights renormalized over the awake experts (``loss[i]`` not NaN), 0 on asleep ones.

    :math:`p_i = w_i / \sum_{j\ \mathrm{awake}} w_j`; uniform over the awake experts if their mass is 0. At least
    one entry of ``loss`` must be non-NaN (the caller checked).
    """
    mass = 0.0
    n_awake = 0
    for i in range(weights.shape[0]):
        if loss[i] == loss[i]:
            mass += weights[i]
            n_awake += 1
    scale = 1.0 / mass if mass > 0.0 else 1.0 / n_awake
    for i in range(weights.shape[0]):
        if loss[i] != loss[i]:
            out[i] = 0.0
        elif mass > 0.0:
            out[i] = weights[i] * scale
        else:
            out[i] = scale


@kernel
def _awake_dot(awake_weights: NDArray[np.float64], loss: NDArray[np.float64]) -> float:
    r""":math:`\sum_{i\ \mathrm{awake}} p_i \ell_i` in index order (the asleep entries, NaN in ``loss``, skipped)."""
    total = 0.0
    for i in range(loss.shape[0]):
        if loss[i] == loss[i]:
            total += awake_weights[i] * loss[i]
    return total


@uncached_kernel
def delayed_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    pending: NDArray[np.float64],
    scratch: NDArray[np.float64],
    inner_kernel: Callable[..., None],
    inner_state: tuple[Any, ...],
) -> None:
    r"""Delayed feedback over a block: pay :math:`\langle p_t, \ell_t\rangle`, then feed :math:`\ell_{t-d}` inward.

    ``pending`` (shape (d, N), d >= 1) is a ring buffer: with ``t = counter[0]`` rounds seen, slot ``t % d`` holds
    the loss of round t - d + 1 (1-based), the one that arrives now. ``inner_state[1]`` is the inner learner's
    weights array, :math:`p_t`; each inner update is one call ``inner_kernel(row, scratch, *inner_state)``.
    """
    delay = pending.shape[0]
    t = counter[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        expected_loss_out[row] = ordered_dot(inner_state[1], loss)
        slot = t % delay
        if t >= delay:
            inner_kernel(pending[slot : slot + 1], scratch, *inner_state)
        for i in range(loss.shape[0]):  # element by element: a row copy would go through a temporary
            pending[slot, i] = loss[i]
        t += 1
    counter[0] = t


@uncached_kernel
def sleeping_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    charged: NDArray[np.float64],
    played: NDArray[np.float64],
    scratch: NDArray[np.float64],
    inner_kernel: Callable[..., None],
    inner_state: tuple[Any, ...],
) -> None:
    r"""Sleeping experts over a block (NaN = asleep): pay the awake mixture's loss, charge it to the asleep experts.

    Per round: :math:`p_t` = the inner weights ``inner_state[1]`` renormalized over the awake experts (into
    ``played``), pay :math:`m_t = \sum_{i\ \mathrm{awake}} p_{t,i}\ell_{t,i}`, then one inner update
    ``inner_kernel(charged, scratch, *inner_state)`` with :math:`\tilde\ell_{t,i} = \ell_{t,i}` (awake) or
    :math:`m_t` (asleep). Every row must have at least one awake expert (the caller checked).
    """
    row_out = charged[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        _awake_weights(inner_state[1], loss, played)
        paid = _awake_dot(played, loss)
        expected_loss_out[row] = paid
        for i in range(loss.shape[0]):
            row_out[i] = loss[i] if loss[i] == loss[i] else paid
        inner_kernel(charged, scratch, *inner_state)
    counter[0] += losses.shape[0]


def _check_inner(learner: Any, owner: str) -> Any:
    """The wrapped learner must be a full-information learner instance (weights, update, reset, n_experts)."""
    feedback = getattr(learner, "feedback", "full")
    if not isinstance(learner, type) and feedback != "full":
        raise ValueError(
            f"The 'learner' parameter of {owner} must be a full-information learner (feedback 'full'). "
            f"Got {type(learner).__name__} with feedback {feedback!r} instead."
        )
    needed = ("n_experts", "weights", "update", "reset")
    if isinstance(learner, type) or not all(hasattr(learner, name) for name in needed):
        raise TypeError(
            f"The 'learner' parameter of {owner} must be a full-information learner instance (with n_experts, "
            f"weights, update and reset), e.g. Hedge(3, eta=0.5). Got {learner!r} instead."
        )
    return learner


def _beyond(values: NDArray[np.float64], limit: float) -> NDArray[np.bool_]:
    """Per row (of a 2-D block) or for a vector: whether a non-NaN entry exceeds ``limit`` in magnitude (NaN marks
    an asleep expert)."""
    if limit == math.inf:
        return np.zeros(values.shape[:-1], dtype=bool)
    return np.nanmax(np.abs(values), axis=-1) > limit


def _build_inner(spec: Mapping[str, Any], n_experts: int | None, owner: str) -> Any:
    """The learner described by ``spec`` = {"name": ..., "params": {...}} (what ``get_params()["learner"]``
    holds), with ``n_experts`` experts: a registered learner or, nested, a wrapper."""
    name, params = spec.get("name"), spec.get("params", {})
    if not isinstance(name, str) or not isinstance(params, Mapping) or set(spec) - {"name", "params"}:
        raise TypeError(
            f"The 'learner' parameter of {owner} must be a learner or a mapping {{'name': str, 'params': dict}} "
            f"(as get_params() reports it). Got {spec!r} instead."
        )
    if n_experts is None:
        raise TypeError(f"The 'n_experts' parameter of {owner} must be given to build the learner {name!r}.")
    params = {key: value for key, value in params.items() if key != "n_experts"}
    wrapper = {cls.name: cls for cls in (Delayed, Sleeping)}.get(name)
    if wrapper is not None:
        return wrapper(n_experts=n_experts, **params)
    from ftrl.learners import make_learner

    return make_learner(name, n_experts, **params)


def _compiled_inner(learner: Any) -> bool:
    """True if ``learner.advance`` is the base protocol's single call ``block_kernel(losses, out, *learner._state)``."""
    return isinstance(learner, FullInformationLearner) and type(learner).advance is FullInformationLearner.advance


class _Wrapper:
    """Shared Python side of the wrappers: the inner learner, the round counter, parameters, repr, predict."""

    name: ClassVar[str] = ""
    feedback: ClassVar[str] = "full"
    block_kernel: ClassVar[Callable[..., None]]

    def __init__(self, learner: Any, n_experts: int | None = None) -> None:
        owner = type(self).__name__
        if isinstance(learner, Mapping):
            learner = _build_inner(learner, n_experts, owner)
        self.learner = _check_inner(learner, owner)
        self.n_experts = int(learner.n_experts)
        if n_experts is not None and check_int(n_experts, "n_experts", owner, low=1) != self.n_experts:
            raise ValueError(
                f"The 'n_experts' parameter of {owner} must match the wrapped learner's {self.n_experts}. "
                f"Got {n_experts} instead."
            )
        self._shape = (self.n_experts,)
        self._compiled = _compiled_inner(learner)
        self._scratch = np.zeros(1)
        self._expected = np.zeros(1)
        self._counter = np.zeros(1, dtype=np.int64)

    def reset(self) -> None:
        """Return to round 0: reset the wrapped learner and the round counter."""
        self.learner.reset()
        self._counter = np.zeros(1, dtype=np.int64)

    @property
    def loss_limit(self) -> float:
        """The wrapped learner's largest accepted loss magnitude (see ``FullInformationLearner.loss_limit``)."""
        return float(getattr(self.learner, "loss_limit", math.inf))

    def _check_limit(self, values: NDArray[np.float64]) -> None:
        """ValueError naming 'losses' if a (non-NaN) entry exceeds :attr:`loss_limit` in magnitude."""
        limit = self.loss_limit
        if _beyond(values, limit).any():
            raise ValueError(
                f"The 'losses' parameter of {type(self).__name__} must lie in [-{limit:g}, {limit:g}] for the wrapped "
                f"{type(self.learner).__name__}. Got {values!r} instead."
            )

    @property
    def t(self) -> int:
        """Number of rounds seen so far (calls of ``update`` plus rows passed to ``advance``)."""
        return int(self._counter[0])

    @property
    def weights(self) -> NDArray[np.float64]:
        """The inner learner's distribution for the next round (a read-only copy, like every learner's)."""
        weights = np.array(self.learner.weights, dtype=np.float64)
        weights.flags.writeable = False
        return weights

    def _inner_params(self) -> dict[str, Any]:
        get_params = getattr(self.learner, "get_params", None)
        return {"name": getattr(self.learner, "name", "") or type(self.learner).__name__,
                "params": get_params() if callable(get_params) else {}}

    def __repr__(self) -> str:
        extra = "".join(f", {key}={value!r}" for key, value in self.get_params().items()
                        if key not in ("n_experts", "learner"))
        return f"{type(self).__name__}({self.learner!r}{extra})"

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, JSON friendly (the inner learner as its name and parameters)."""
        return {"n_experts": self.n_experts, "learner": self._inner_params()}

    def _shape_error(self, values: NDArray[np.float64]) -> ValueError:
        return ValueError(
            f"The 'losses' parameter of {type(self).__name__} must be an array of shape {self._shape}. "
            f"Got shape {values.shape} instead."
        )


class Delayed(_Wrapper):
    r"""Delayed feedback: the loss of round t reaches the learner only at the end of round t + d.

    .. math::

        p_t = A(\ell_1, \dots, \ell_{t-d-1}), \qquad \text{paid: } \langle p_t, \ell_t\rangle,

    where :math:`A(\cdot)` is the wrapped learner's distribution after the given losses. With ``delay = 0`` this
    is the wrapped learner itself (the same numbers, bit for bit). ``update(l_t)`` queues :math:`\ell_t` and
    feeds the wrapped learner :math:`\ell_{t-d}` once it is due; the last d losses stay queued.

    For Hedge with a fixed rate :math:`\eta` and losses in [0, 1] the regret against every expert is at most

    .. math::

        \frac{\ln N}{\eta} + \frac{\eta T}{8} + d\,T \tanh\frac{\eta}{4}
        \;\le\; \frac{\ln N}{\eta} + \frac{(2d + 1)\,\eta T}{8},

    (the undelayed bound plus d steps of drift per round, each of total variation at most
    :math:`\tanh(\eta/4)`; see ``docs/delays_and_sleeping.md``).

    Parameters
    ----------
    learner : full-information learner
        The learner to delay (not copied, nor reset: the wrapper owns and advances it from its current state), or
        the mapping ``{"name": ..., "params": {...}}`` that ``get_params()["learner"]`` holds, built with
        ``n_experts``: ``type(w)(**w.get_params())`` rebuilds a wrapper ``w``.
    delay : int
        d >= 0.

    Examples
    --------
    >>> from ftrl import Delayed, Hedge
    >>> delayed = Delayed(Hedge(2, eta=1.0), 1)
    >>> delayed.update([1.0, 0.0])
    >>> delayed.weights.tolist()  # the first loss is still on its way
    [0.5, 0.5]
    >>> delayed.update([0.0, 0.0])
    >>> delayed.weights.round(4).tolist()
    [0.2689, 0.7311]

    References
    ----------
    M. J. Weinberger, E. Ordentlich, "On delayed prediction of individual sequences", IEEE Trans. Inf. Theory
    48(7), 2002.
    P. Joulani, A. György, Cs. Szepesvári, "Online learning under delayed feedback", ICML 2013.
    """

    name: ClassVar[str] = "delayed"
    block_kernel = staticmethod(delayed_block)

    def __init__(self, learner: Any, delay: int, *, n_experts: int | None = None) -> None:
        self.delay = check_int(delay, "delay", "Delayed", low=0)
        super().__init__(learner, n_experts)  # a mapping is built first, so that the check below sees the learner
        if hasattr(self.learner, "weights_for"):
            raise ValueError(
                "The 'learner' parameter of Delayed must not be a sleeping-experts learner: the awake set is known "
                "when a round is played, its losses only d rounds later, so wrap the other way round, "
                f"Sleeping(Delayed(learner, {self.delay})). Got {self.learner!r} instead."
            )
        self._row = np.zeros((1, self.n_experts))
        self._pending = np.zeros((self.delay, self.n_experts))

    def reset(self) -> None:
        """Return to round 0: reset the wrapped learner and drop the queued losses."""
        super().reset()
        self._pending = np.zeros((self.delay, self.n_experts))

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, JSON friendly (the inner learner as its name and parameters)."""
        return {**super().get_params(), "delay": self.delay}

    @property
    def pending(self) -> NDArray[np.float64]:
        """The queued losses, oldest first: shape (min(t, d), N) (a copy)."""
        count = min(self.t, self.delay)
        if count == 0:
            return np.zeros((0, self.n_experts))
        order = (self.t - count + np.arange(count)) % self.delay
        return self._pending[order].copy()

    def update(self, losses: ArrayLike) -> None:
        """Observe the loss vector of one round (shape (N,), finite); the wrapped learner gets the one of t - d."""
        values = as_real_array(losses, "losses", "Delayed")
        if values.shape != self._shape:
            raise self._shape_error(values)
        if not np.all(np.isfinite(values)):
            raise ValueError(f"The 'losses' parameter of Delayed must be finite. Got {values!r} instead.")
        self._check_limit(values)
        self._row[0] = values
        self.advance(self._row, self._expected)

    def advance(self, losses: NDArray[np.float64], expected_loss_out: NDArray[np.float64]) -> None:
        """Play and update over a block of rounds (no validation: ``losses`` float64 C-contiguous (B, N))."""
        if self.delay == 0 and hasattr(self.learner, "advance"):
            self.learner.advance(losses, expected_loss_out)
            self._counter[0] += losses.shape[0]
        elif self.delay > 0 and self._compiled:
            delayed_block(losses, expected_loss_out, self._counter, self._pending, self._scratch,
                          type(self.learner).block_kernel, self.learner._writable_state())
        else:
            self._advance_python(losses, expected_loss_out)

    def _advance_python(self, losses: NDArray[np.float64], expected_loss_out: NDArray[np.float64]) -> None:
        """The rounds of :func:`delayed_block` through the inner learner's public ``weights`` and ``update``."""
        for row in range(losses.shape[0]):
            loss = losses[row]
            expected_loss_out[row] = float(ordered_dot(np.asarray(self.learner.weights, dtype=np.float64), loss))
            if self.delay == 0:
                self.learner.update(loss.copy())
            else:
                slot = self.t % self.delay
                if self.t >= self.delay:
                    self.learner.update(self._pending[slot].copy())
                self._pending[slot] = loss
            self._counter[0] += 1

    def predict(self, expert_predictions: ArrayLike) -> Any:
        r"""The forecast :math:`\sum_i p_i x_i` with the next round's weights: shape (N,) -> float, (N, d) -> (d,)."""
        predictions = check_expert_predictions(expert_predictions, self.n_experts, type(self).__name__)
        forecast = self.weights @ predictions
        return float(forecast) if predictions.ndim == 1 else forecast


class Sleeping(_Wrapper):
    r"""Sleeping experts: a NaN loss marks an asleep expert; the learner plays and is judged on the awake ones.

    Given the awake set :math:`A_t` and the wrapped learner's weights :math:`w_t`, the played distribution and the
    losses fed to the wrapped learner are

    .. math::

        p_{t,i} = \frac{w_{t,i}\,\mathbb{1}\{i \in A_t\}}{\sum_{j \in A_t} w_{t,j}}, \qquad
        \tilde\ell_{t,i} = \begin{cases} \ell_{t,i} & i \in A_t \\ \langle p_t, \ell_t\rangle & i \notin A_t
        \end{cases}

    (uniform over :math:`A_t` if the awake experts all have weight 0). Since
    :math:`\langle w_t, \tilde\ell_t\rangle = \langle p_t, \ell_t\rangle`, the wrapped learner's regret against
    expert i on :math:`\tilde\ell` is the sleeping regret

    .. math::

        R_{T,i} = \sum_{t \le T:\ i \in A_t} \big(\langle p_t, \ell_t\rangle - \ell_{t,i}\big),

    so the wrapper inherits the wrapped learner's bound: :math:`R_{T,i} \le \ln N/\eta + \eta T/8` for Hedge with
    a fixed :math:`\eta` and losses in [0, 1]. An asleep expert's instantaneous regret is 0, so for a learner
    whose weight of an expert depends on that expert's own statistics alone (Hedge with a fixed rate, BOA, Squint,
    ML-Poly) the weights of two experts that sleep keep their ratio (a shared rate or scale that changes, as in
    anytime Hedge, AdaHedge or NormalHedge, moves it), and a sleeping expert's weight moves exactly as the
    mixture's would (the convention of :class:`ftrl.Aggregator`).

    ``update`` takes the NaN-marked losses. ``weights_for(awake)`` is :math:`p_t` for an awake mask; ``weights``
    is the wrapped learner's :math:`w_{t}` (everybody awake).

    Parameters
    ----------
    learner : full-information learner
        The learner to wrap (not copied, nor reset: the wrapper owns and advances it from its current state), or
        the mapping ``{"name": ..., "params": {...}}`` that ``get_params()["learner"]`` holds, built with
        ``n_experts``: ``type(w)(**w.get_params())`` rebuilds a wrapper ``w``.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrl import Hedge, Sleeping
    >>> sleeping = Sleeping(Hedge(3, eta=1.0))
    >>> sleeping.weights_for([True, True, False]).tolist()
    [0.5, 0.5, 0.0]
    >>> sleeping.update([1.0, 0.0, np.nan])  # expert 2 asleep, charged the mixture's loss 0.5
    >>> sleeping.weights.round(4).tolist()
    [0.1863, 0.5065, 0.3072]

    References
    ----------
    Y. Freund, R. E. Schapire, Y. Singer, M. K. Warmuth, "Using and combining predictors that specialize",
    STOC 1997.
    P. Gaillard, G. Stoltz, T. van Erven, "A second-order bound with excess losses", COLT 2014, sec. 4.
    """

    name: ClassVar[str] = "sleeping"
    block_kernel = staticmethod(sleeping_block)

    def __init__(self, learner: Any, *, n_experts: int | None = None) -> None:
        super().__init__(learner, n_experts)
        self._charged = np.zeros((1, self.n_experts))
        self._played = np.zeros(self.n_experts)
        self._row = np.zeros((1, self.n_experts))

    def _checked_awake(self, awake: ArrayLike) -> NDArray[np.bool_]:
        mask = np.asarray(awake)
        if mask.dtype != np.bool_ or mask.shape != self._shape:
            raise ValueError(
                f"The 'awake' parameter of Sleeping must be a boolean array of shape {self._shape}. "
                f"Got {mask!r} (dtype {mask.dtype}, shape {mask.shape}) instead."
            )
        if not mask.any():
            raise ValueError(
                f"The 'awake' parameter of Sleeping must have at least one expert awake (True). Got {mask!r} instead."
            )
        return mask

    def weights_for(self, awake: ArrayLike) -> NDArray[np.float64]:
        r"""The distribution :math:`p_t` played when the experts in ``awake`` (boolean, shape (N,)) are awake.

        The wrapped learner's weights renormalized over the awake experts, 0 on the asleep ones (uniform over the
        awake experts if they all have weight 0).
        """
        mask = self._checked_awake(awake)
        marker = np.where(mask, 0.0, np.nan)
        out = np.empty(self.n_experts)
        _awake_weights(np.asarray(self.learner.weights, dtype=np.float64), marker, out)
        return out

    def update(self, losses: ArrayLike) -> None:
        """Observe one round's losses (shape (N,); NaN = asleep, at least one awake, no infinities)."""
        values = as_real_array(losses, "losses", "Sleeping")
        if values.shape != self._shape:
            raise self._shape_error(values)
        awake = ~np.isnan(values)
        if not awake.any():
            raise ValueError(
                f"The 'losses' parameter of Sleeping must have at least one expert awake (not NaN). "
                f"Got {values!r} instead."
            )
        if np.isinf(values).any():
            raise ValueError(
                f"The 'losses' parameter of Sleeping must be finite or NaN (asleep). Got {values!r} instead."
            )
        self._check_limit(values)
        self._row[0] = values
        self.advance(self._row, self._expected)

    def advance(self, losses: NDArray[np.float64], expected_loss_out: NDArray[np.float64]) -> None:
        """Play and update over a block of rounds (no validation: float64 C-contiguous (B, N), one awake per row)."""
        if self._compiled:
            sleeping_block(losses, expected_loss_out, self._counter, self._charged, self._played, self._scratch,
                           type(self.learner).block_kernel, self.learner._writable_state())
            return
        for row in range(losses.shape[0]):
            loss = losses[row]
            _awake_weights(np.asarray(self.learner.weights, dtype=np.float64), loss, self._played)
            paid = float(_awake_dot(self._played, loss))
            expected_loss_out[row] = paid
            self.learner.update(np.where(np.isnan(loss), paid, loss))
            self._counter[0] += 1

    def predict(self, expert_predictions: ArrayLike) -> Any:
        r"""The forecast :math:`\sum_i p_i x_i` over the awake experts (a NaN prediction marks an asleep expert).

        Shape (N,) -> float; shape (N, d) -> (d,), an expert being asleep when its row holds a NaN.
        """
        predictions = check_expert_predictions(expert_predictions, self.n_experts, type(self).__name__)
        asleep = np.isnan(predictions) if predictions.ndim == 1 else np.isnan(predictions).any(axis=1)
        if asleep.all():
            raise ValueError(
                f"The 'expert_predictions' parameter of Sleeping must have at least one expert awake (not NaN). "
                f"Got {predictions!r} instead."
            )
        weights = self.weights_for(~asleep)
        forecast = weights[~asleep] @ predictions[~asleep]
        return float(forecast) if predictions.ndim == 1 else forecast


_SIMULATE_OWNER = "simulate_sleeping"


def simulate_sleeping(
    learner: Any,
    env: Any,
    horizon: int,
    *,
    seeds: int | Sequence[int] = 1,
    record: str | int = "all",
    _path: str = "auto",
) -> pd.DataFrame:
    r"""Run a sleeping-experts learner against an environment whose losses mark asleep experts with NaN.

    Each round the learner plays :math:`p_t` over the awake experts :math:`A_t` and pays
    :math:`\langle p_t, \ell_t\rangle = \sum_{i\in A_t} p_{t,i}\ell_{t,i}`. Every asleep expert is charged the
    same loss (:math:`\tilde\ell_{t,i} = \langle p_t, \ell_t\rangle`), so
    :math:`\sum_{s\le t}\langle p_s,\ell_s\rangle - \tilde L_{t,i} = R_{t,i}`, the regret against expert i over the
    rounds it was awake, and

    .. math::

        \text{sleeping\_regret}_t = \max_i R_{t,i}
        = \sum_{s \le t}\langle p_s, \ell_s\rangle - \min_i \tilde L_{t,i} .

    Parameters
    ----------
    learner : sleeping-aware learner or callable
        An object with ``weights_for(awake)``, ``update(losses)`` and ``reset()`` (e.g. ``Sleeping(Hedge(N))``),
        deep-copied and reset for each seed, or a factory returning a fresh one.
    env : environment
        Deep-copied and reset with ``reset(seed=s)`` for each seed; NaN losses mark asleep experts (e.g.
        :class:`environments.SleepingEnvironment`). When it has ``next_awake`` (the coming round's awake mask)
        the learner's ``weights_for(next_awake)`` is passed to ``step``; otherwise its weights for all experts
        awake.
    horizon : int
        T >= 1.
    seeds : int or sequence of int
        A count n (seeds 0..n-1) or a list of distinct ints >= 0.
    record : "all", int or "log"
        Recorded rounds, as in :func:`ftrl.simulate`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`ftrl.simulate` (``seed``, ``t``, ``loss``, ``cum_loss``, ``best_cum_loss``,
        ``best_expert``, ``regret``) where an expert's cumulative loss is :math:`\tilde L_{t,i}` (charged the
        mixture's loss while asleep), so ``regret`` is the sleeping regret; plus ``sleeping_regret`` (the same
        numbers under their explicit name) and ``n_awake`` (:math:`|A_t|`). ``df.attrs`` as in
        :func:`ftrl.simulate`, with ``path`` "fast" (an oblivious environment with ``block`` and a learner with
        ``advance``: blocks of losses, compiled when the learner is) or "general" (one ``step`` per round).
        Both paths give the same numbers.

    Examples
    --------
    >>> import environments
    >>> from ftrl import Hedge, Sleeping, simulate_sleeping
    >>> env = environments.SleepingEnvironment(environments.Bernoulli([0.2, 0.5, 0.8]), awake_probability=0.5)
    >>> df = simulate_sleeping(Sleeping(Hedge(3, eta=0.2)), env, 500, seeds=2, record=250)
    >>> df[["seed", "t"]].values.tolist()
    [[0, 250], [0, 500], [1, 250], [1, 500]]
    >>> bool((df.sleeping_regret == df.cum_loss - df.best_cum_loss).all())
    True
    """
    from ftrl.simulate import _check_record, _jsonable, default_block_rows, record_rounds

    start = time.perf_counter()
    horizon = check_int(horizon, "horizon", _SIMULATE_OWNER, low=1)
    record = _check_record(record, _SIMULATE_OWNER)
    seed_list = check_seeds(seeds, _SIMULATE_OWNER)
    if _path not in ("auto", "fast", "general"):
        raise ValueError(f"The '_path' parameter of {_SIMULATE_OWNER} must be 'auto', 'fast' or 'general'. "
                         f"Got {_path!r} instead.")
    make = _learner_factory(learner)
    probe = make()
    n_experts = getattr(env, "n_experts", None)
    if not (hasattr(env, "reset") and hasattr(env, "step")) or n_experts is None:
        raise TypeError(
            f"The 'env' parameter of {_SIMULATE_OWNER} must be an environment with n_experts, reset(*, seed) and "
            f"step(weights). Got {env!r} instead."
        )
    if int(probe.n_experts) != int(n_experts):
        raise ValueError(
            f"The learner and the environment passed to {_SIMULATE_OWNER} must have the same number of experts. "
            f"Got {probe.n_experts} for the learner and {n_experts} for the environment."
        )
    fast_ok = bool(getattr(env, "oblivious", False)) and hasattr(env, "block") and hasattr(probe, "advance")
    if _path == "fast" and not fast_ok:
        raise ValueError(f"The fast path of {_SIMULATE_OWNER} needs an oblivious environment with block() and a "
                         f"learner with advance(); got {type(env).__name__} and {type(probe).__name__}.")
    path = "fast" if fast_ok and _path != "general" else "general"
    rounds = record_rounds(horizon, record)
    block_rows = default_block_rows(int(n_experts))
    frames = [_run_sleeping_seed(make(), env, horizon, rounds, seed, path, block_rows) for seed in seed_list]
    df = pd.concat(frames, ignore_index=True)

    import numba

    import ftrl

    learner_params = _jsonable(probe.get_params()) if hasattr(probe, "get_params") else {}
    env_params = _jsonable(env.get_params()) if hasattr(env, "get_params") else {}
    df.attrs = {
        "learner": str(getattr(probe, "name", "") or type(probe).__name__),
        "learner_params": learner_params,
        "environment": str(getattr(env, "name", "") or type(env).__name__),
        "environment_params": env_params,
        "n_experts": int(n_experts),
        "horizon": horizon,
        "feedback": "full",
        "record": record,
        "seeds": seed_list,
        "path": path,
        "n_jobs": 1,
        "versions": {"ftrl": ftrl.__version__, "numpy": np.__version__, "numba": numba.__version__},
        "wall_time": time.perf_counter() - start,
    }
    json.dumps(df.attrs)  # every value must be JSON-ready; a TypeError here is a bug, not a user error
    return df


def _learner_factory(learner: Any) -> Callable[[], Any]:
    def is_sleeping_learner(obj: Any) -> bool:
        return not isinstance(obj, type) and all(
            hasattr(obj, name) for name in ("n_experts", "weights_for", "update", "reset"))

    if is_sleeping_learner(learner):
        def make() -> Any:
            fresh = copy.deepcopy(learner)
            fresh.reset()
            return fresh
    elif callable(learner) and not hasattr(learner, "n_experts"):
        make = learner
    else:
        raise TypeError(
            f"The 'learner' parameter of {_SIMULATE_OWNER} must be a sleeping-aware learner (with n_experts, "
            f"weights_for, update and reset), e.g. Sleeping(Hedge(3, eta=0.5)), or a callable returning one. "
            f"Got {learner!r} instead."
        )
    probe = make()
    if not is_sleeping_learner(probe):
        raise TypeError(
            f"The 'learner' factory passed to {_SIMULATE_OWNER} must return a sleeping-aware learner (with "
            f"n_experts, weights_for, update and reset). Got {probe!r} instead."
        )
    return make


def _run_sleeping_seed(learner: Any, template_env: Any, horizon: int, rounds: NDArray[np.int64], seed: int,
                       path: str, block_rows: int) -> pd.DataFrame:
    env = copy.deepcopy(template_env)
    env.reset(seed=seed)
    n_experts = int(learner.n_experts)
    n_records = rounds.shape[0]
    out_float = np.full((n_records, 4), np.nan)  # loss, cum_loss, best_cum_loss, n_awake
    out_best = np.zeros(n_records, dtype=np.int64)
    cum_expert = np.zeros(n_experts)
    cum_loss = np.zeros(1)
    pos = 0
    done = 0
    while done < horizon:
        rows = min(block_rows, horizon - done) if path == "fast" else 1
        if path == "fast":
            losses = np.ascontiguousarray(env.block(rows), dtype=np.float64)
            _check_awake_rows(losses, done)
            _check_magnitude(losses, learner, done)
            expected = np.empty(rows)
            learner.advance(losses, expected)
        else:
            losses, expected = _general_round(learner, env, done)
        charged = np.where(np.isnan(losses), expected[:, None], losses)
        cum_block = np.cumsum(np.vstack([cum_expert[None, :], charged]), axis=0)[1:]
        loss_block = np.cumsum(np.concatenate([cum_loss, expected]))[1:]
        while pos < n_records and rounds[pos] <= done + rows:
            row = int(rounds[pos]) - done - 1
            best = int(np.argmin(cum_block[row]))
            out_float[pos] = (expected[row], loss_block[row], cum_block[row, best],
                              np.count_nonzero(~np.isnan(losses[row])))
            out_best[pos] = best
            pos += 1
        cum_expert = cum_block[-1]
        cum_loss = loss_block[-1:]
        done += rows
    regret = out_float[:, 1] - out_float[:, 2]
    return pd.DataFrame({
        "seed": np.full(n_records, seed, dtype=np.int64),
        "t": rounds.copy(),
        "loss": out_float[:, 0],
        "cum_loss": out_float[:, 1],
        "best_cum_loss": out_float[:, 2],
        "best_expert": out_best,
        "regret": regret,
        "sleeping_regret": regret.copy(),
        "n_awake": out_float[:, 3].astype(np.int64),
    })


def _check_awake_rows(losses: NDArray[np.float64], done: int) -> None:
    """Every round needs an awake expert and no infinite loss (a ValueError naming the first bad round)."""
    all_asleep = np.isnan(losses).all(axis=1)
    infinite = np.isinf(losses).any(axis=1)
    bad = np.flatnonzero(all_asleep | infinite)
    if bad.size:
        row = int(bad[0])
        raise ValueError(
            f"The losses of the environment passed to {_SIMULATE_OWNER} must be finite or NaN (asleep) with at "
            f"least one expert awake in every round. Got {losses[row]!r} in round {done + row + 1} instead."
        )


def _check_magnitude(losses: NDArray[np.float64], learner: Any, done: int) -> None:
    """ValueError if an awake loss of the block exceeds the learner's ``loss_limit`` (what its ``update`` checks)."""
    limit = float(getattr(learner, "loss_limit", math.inf))
    bad = np.flatnonzero(_beyond(losses, limit))
    if bad.size:
        row = int(bad[0])
        raise ValueError(
            f"The losses of the environment passed to {_SIMULATE_OWNER} must lie in [-{limit:g}, {limit:g}] for "
            f"{type(learner).__name__}. Got {losses[row]!r} in round {done + row + 1} instead."
        )


def _general_round(learner: Any, env: Any, done: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One round through ``step``: commit the weights for the announced awake set (all experts when none is
    announced), observe, pay, update."""
    announced = getattr(env, "next_awake", None)
    awake = np.ones(int(learner.n_experts), dtype=bool) if announced is None else announced
    committed = learner.weights_for(awake)
    losses = np.asarray(env.step(np.asarray(committed, dtype=np.float64)), dtype=np.float64).reshape(1, -1)
    _check_awake_rows(losses, done)
    played = learner.weights_for(~np.isnan(losses[0]))
    expected = np.array([_awake_dot(played, losses[0])])
    learner.update(losses[0])
    return losses, expected
