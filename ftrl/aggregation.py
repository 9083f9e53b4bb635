r"""Online aggregation of expert forecasts: a full-information learner mixes the forecasts of N experts.

In round :math:`t` each expert :math:`i` forecasts :math:`f_{t,i}`, the aggregator forecasts the weighted mean

.. math:: \hat y_t = \sum_i p_{t,i} f_{t,i},

the outcome :math:`y_t` is revealed, and the learner is fed one loss per expert, either the expert's own loss
:math:`\ell_{t,i} = \lambda(f_{t,i}, y_t)` or, with the *gradient trick*, its linearized loss

.. math:: \tilde\ell_{t,i} = \lambda'(\hat y_t, y_t)\,(f_{t,i} - \hat y_t),

where :math:`\lambda' = \partial\lambda/\partial\hat y`. The linearized loss is
:math:`\langle\nabla\lambda(\hat y_t, y_t), f_{t,i}\rangle` minus the mixture's own linearized loss
:math:`\lambda'(\hat y_t, y_t)\,\hat y_t`, a constant of the round that no built-in learner's weights depend on
(they are all invariant under adding the same number to every expert's loss). For a convex loss,
:math:`\lambda(\hat y_t, y_t) - \lambda(\langle q, f_t\rangle, y_t) \le \langle p_t - q, \tilde\ell_t\rangle`, so a
regret bound of the learner on :math:`\tilde\ell` bounds the regret against *every fixed convex combination*
:math:`q` of the experts, not only against the best expert (Cesa-Bianchi & Lugosi 2006, sec. 2.5; Gaillard &
Goude, opera).

Losses :math:`\lambda(\hat y, y)` and their derivatives :math:`\lambda'(\hat y, y)` (``loss=``):

============== ======================================================= ===============================================
``square``     :math:`(\hat y - y)^2`                                  :math:`2(\hat y - y)`
``absolute``   :math:`|\hat y - y|`                                    :math:`\operatorname{sign}(\hat y - y)`
``pinball``    :math:`\max(q(y - \hat y), (q - 1)(y - \hat y))`        :math:`\mathbb 1\{y < \hat y\} - q`
``percentage`` :math:`|\hat y - y| / |y|` (:math:`y \ne 0`)            :math:`\operatorname{sign}(\hat y - y) / |y|`
``log``        :math:`-\ln \hat y` if :math:`y = 1`, else              :math:`-1/\hat y` if :math:`y = 1`, else
               :math:`-\ln(1 - \hat y)` (:math:`y \in \{0, 1\}`,       :math:`1/(1 - \hat y)`
               :math:`\hat y \in [0, 1]`)
============== ======================================================= ===============================================

(``pinball`` with quantile :math:`q` is the quantile loss of Koenker & Bassett; at a kink the derivative above is
the subgradient opera uses.) The definitions of ``square``, ``absolute``, ``pinball`` and ``log`` are those of
:class:`environments.ExpertForecasts`.

A user loss is a callable ``loss(y_hat, y) -> ndarray`` or a pair ``(loss, gradient)`` of such callables
(``gradient`` is :math:`\partial\lambda/\partial\hat y`, needed for the gradient trick). Both are applied
elementwise with numpy broadcasting: ``y_hat`` is an array of forecasts (shape (N,) or (T, N)) and ``y`` a float
or an array broadcastable against it; the result has the shape of ``y_hat``. A river
``optim.losses.RegressionLoss`` is best used through :class:`ftrl.adapters.river.FTRLRegressor`, which wraps it
(several river losses, e.g. ``Huber``, need ``y`` as an array of ``y_hat``'s shape).

Sleeping experts
    A NaN forecast means that the expert is asleep this round (Freund, Schapire, Singer & Warmuth 1997; Gaillard,
    Stoltz & van Erven 2014). The forecast uses the weights renormalized over the awake experts,
    :math:`\hat y_t = \sum_{i\ \mathrm{awake}} p_{t,i} f_{t,i} / \sum_{i\ \mathrm{awake}} p_{t,i}` (uniform over
    the awake experts if they all have weight 0), and every asleep expert is charged the mixture's own loss,
    :math:`\lambda(\hat y_t, y_t)` (with the gradient trick: 0, the mixture's centred linearized loss). All asleep
    experts are charged the same, so the differences between their cumulative losses do not move while they
    sleep. Whether their weights keep their ratio depends on how the learner maps losses to weights:

    - exponential weights with a fixed rate (Hedge or FTRL with the entropy and a given ``eta``):
      :math:`p_i/p_j = e^{-\eta(L_i - L_j)}`, so the ratio is kept exactly;
    - a changing rate (anytime Hedge or FTRL, AdaHedge, FlipFlop): :math:`p_i/p_j = e^{-\eta_t(L_i - L_j)}` moves
      with :math:`\eta_t` although :math:`L_i - L_j` does not; Fixed Share's mixing with the uniform distribution
      pulls it towards 1; FTRL with another regularizer does not keep it either;
    - regret-based learners (Squint, BOA, ML-Poly, NormalHedge, KT experts) compare each expert with the learner's
      own loss :math:`\langle p_t, \ell_t\rangle` over *all* experts (they know nothing of sleeping), not with
      :math:`\lambda(\hat y_t, y_t)`: an asleep expert's instantaneous regret is
      :math:`m_t(\sum_{i\ \mathrm{awake}} \tilde p_{t,i}\ell_{t,i} - \lambda(\hat y_t, y_t))` (:math:`m_t` the
      awake experts' mass, :math:`\tilde p_t` the renormalized weights), the same for all sleepers but not zero
      (it is :math:`\ge 0` for a convex loss), and their weights are nonlinear in the cumulative regrets, so the
      ratio moves. With the gradient trick :math:`\langle p_t, \tilde\ell_t\rangle = 0`, so a sleeper's regret is
      exactly zero and Squint, BOA, ML-Poly and KT experts (whose weight of an expert depends only on its own
      statistics) keep the ratio; NormalHedge's common scale still moves it.

    At least one expert must be awake in every round.

Loss range
    ``loss_range=(a, b)`` feeds the learner :math:`(\ell - a)/(b - a)` instead of :math:`\ell`, for learners whose
    tuned or anytime rates assume losses in [0, 1] (Hedge without ``eta``); a loss outside [a, b] is a
    ValueError. With the gradient trick the range is that of the centred linearized losses, e.g. ``(-B, B)``.
    AdaHedge and FlipFlop are invariant under this rescaling.

References
----------
P. Gaillard, Y. Goude, "opera: Online Prediction by Expert Aggregation", R package, https://CRAN.R-project.org/package=opera.
N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006, sec. 2.5
(the gradient trick).
Y. Freund, R. E. Schapire, Y. Singer, M. K. Warmuth, "Using and combining predictors that specialize", STOC 1997.
P. Gaillard, G. Stoltz, T. van Erven, "A second-order bound with excess losses", COLT 2014, sec. 4 (sleeping
experts).
R. Koenker, G. Bassett, "Regression quantiles", Econometrica 46, 1978.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ftrl._validation import as_real_array, check_choice, check_int, check_real
from ftrl.learners import _REGISTRY, FullInformationProtocol, make_learner

__all__ = ["LOSS_NAMES", "Aggregator", "aggregate", "best_convex_combination"]

LossFunction = Callable[[Any, Any], Any]
LossSpec = str | LossFunction | tuple[LossFunction, LossFunction]

LOSS_NAMES: tuple[str, ...] = ("square", "absolute", "pinball", "percentage", "log")


@dataclass(frozen=True)
class _Loss:
    """A loss :math:`\\lambda(\\hat y, y)`, its derivative in :math:`\\hat y` (None if unknown) and its name."""

    name: str
    value: LossFunction
    gradient: LossFunction | None
    quantile: float | None = None
    piecewise_linear: bool = False


def _square(y_hat: Any, y: Any) -> Any:
    return (y_hat - y) ** 2


def _square_gradient(y_hat: Any, y: Any) -> Any:
    return 2.0 * (y_hat - y)


def _absolute(y_hat: Any, y: Any) -> Any:
    return np.abs(y_hat - y)


def _absolute_gradient(y_hat: Any, y: Any) -> Any:
    return np.sign(y_hat - y)


def _percentage(y_hat: Any, y: Any) -> Any:
    return np.abs(y_hat - y) / np.abs(y)


def _percentage_gradient(y_hat: Any, y: Any) -> Any:
    return np.sign(y_hat - y) / np.abs(y)


def _log(y_hat: Any, y: Any) -> Any:
    with np.errstate(divide="ignore"):
        return -np.log(np.where(y == 1.0, y_hat, 1.0 - y_hat))


def _log_gradient(y_hat: Any, y: Any) -> Any:
    with np.errstate(divide="ignore"):
        return np.where(y == 1.0, -1.0 / y_hat, 1.0 / (1.0 - y_hat))


class _Pinball:
    """The pinball loss of one quantile level and its subgradient (a class, so that aggregators pickle)."""

    def __init__(self, quantile: float) -> None:
        self.quantile = quantile

    def value(self, y_hat: Any, y: Any) -> Any:
        residual = y - y_hat
        return np.maximum(self.quantile * residual, (self.quantile - 1.0) * residual)

    def gradient(self, y_hat: Any, y: Any) -> Any:
        return (y < y_hat) - self.quantile


_BUILT_IN: dict[str, tuple[LossFunction, LossFunction]] = {
    "square": (_square, _square_gradient),
    "absolute": (_absolute, _absolute_gradient),
    "percentage": (_percentage, _percentage_gradient),
    "log": (_log, _log_gradient),
}


def _function_name(function: Any) -> str:
    return getattr(function, "__name__", type(function).__name__)


def resolve_loss(loss: LossSpec, quantile: float | None, owner: str) -> _Loss:
    """The loss named or given by ``loss`` (see the module docstring), with ``quantile`` checked against it."""
    if isinstance(loss, str):
        check_choice(loss, "loss", LOSS_NAMES, owner)
        if loss == "pinball":
            if quantile is None:
                raise ValueError(
                    f"The 'quantile' parameter of {owner} must be a float in the range (0, 1) when "
                    f"loss='pinball'. Got None instead."
                )
            level = check_real(quantile, "quantile", owner, low=0.0, high=1.0, low_open=True, high_open=True)
            pinball = _Pinball(level)
            return _Loss("pinball", pinball.value, pinball.gradient, quantile=level, piecewise_linear=True)
        if quantile is not None:
            raise ValueError(
                f"The 'quantile' parameter of {owner} must be None unless loss='pinball'. Got {quantile!r} instead."
            )
        return _Loss(loss, *_BUILT_IN[loss], piecewise_linear=loss in ("absolute", "percentage"))
    if quantile is not None:
        raise ValueError(
            f"The 'quantile' parameter of {owner} must be None unless loss='pinball'. Got {quantile!r} instead."
        )
    if callable(loss):
        return _Loss(_function_name(loss), loss, None)
    if isinstance(loss, tuple) and len(loss) == 2 and all(callable(part) for part in loss):
        return _Loss(_function_name(loss[0]), loss[0], loss[1])
    options = ", ".join(repr(name) for name in LOSS_NAMES)
    raise ValueError(
        f"The 'loss' parameter of {owner} must be one of {options}, a callable loss(y_hat, y) or a pair "
        f"(loss, gradient) of callables. Got {loss!r} instead."
    )


def _check_loss_range(loss_range: Any, owner: str) -> tuple[float, float] | None:
    if loss_range is None:
        return None
    if not isinstance(loss_range, (tuple, list)) or len(loss_range) != 2:
        raise ValueError(
            f"The 'loss_range' parameter of {owner} must be None or a pair (low, high) with low < high. "
            f"Got {loss_range!r} instead."
        )
    low = check_real(loss_range[0], "loss_range", owner, low=-math.inf, high=math.inf, low_open=True,
                     high_open=True)
    high = check_real(loss_range[1], "loss_range", owner, low=-math.inf, high=math.inf, low_open=True,
                      high_open=True)
    if not low < high:
        raise ValueError(
            f"The 'loss_range' parameter of {owner} must be None or a pair (low, high) with low < high. "
            f"Got {loss_range!r} instead."
        )
    return low, high


def _check_targets(y: NDArray[np.float64], spec: _Loss, owner: str) -> None:
    """The outcomes must be finite, and fit the loss's domain (percentage: nonzero; log: 0 or 1)."""
    if not np.all(np.isfinite(y)):
        raise ValueError(f"The 'y' parameter of {owner} must be finite. Got {_describe(y)} instead.")
    if spec.value is _percentage and np.any(y == 0.0):
        raise ValueError(f"The 'y' parameter of {owner} must be nonzero when loss='percentage'. Got {_describe(y)}.")
    if spec.value is _log and not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError(f"The 'y' parameter of {owner} must be 0 or 1 when loss='log'. Got {_describe(y)} instead.")


def _check_predictions(predictions: NDArray[np.float64], spec: _Loss, owner: str) -> None:
    """No infinite forecast (NaN means asleep); log loss: probabilities in [0, 1]."""
    if np.any(np.isinf(predictions)):
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must be finite or NaN (asleep). "
            f"Got {_describe(predictions)} instead."
        )
    if spec.value is _log and np.any((predictions < 0.0) | (predictions > 1.0)):
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must be probabilities in [0, 1] when loss='log'. "
            f"Got {_describe(predictions)} instead."
        )


def _describe(values: NDArray[np.float64]) -> str:
    with np.printoptions(threshold=8, edgeitems=3, precision=6):
        return repr(values)


def _mixture(weights: NDArray[np.float64], predictions: NDArray[np.float64],
             awake: NDArray[np.bool_]) -> tuple[NDArray[np.float64], float]:
    """(weights used, forecast): ``weights`` renormalized over the awake experts (uniform if they all weigh 0)."""
    if awake.all():
        return weights, float(weights @ predictions)
    used = np.where(awake, weights, 0.0)
    mass = used.sum()
    used = used / mass if mass > 0.0 else awake / np.count_nonzero(awake)
    return used, float(used[awake] @ predictions[awake])


def _round_losses(
    spec: _Loss,
    gradient_trick: bool,
    loss_range: tuple[float, float] | None,
    expert_losses: NDArray[np.float64] | None,
    predictions: NDArray[np.float64],
    awake: NDArray[np.bool_],
    y_hat: float,
    y: float,
    owner: str,
    round_index: int,
) -> NDArray[np.float64]:
    """The loss vector fed to the learner in one round (validated: finite and inside ``loss_range``).

    ``expert_losses`` are the experts' own losses :math:`\\lambda(f_i, y)` if already computed (any value where
    asleep), else None.
    """
    if gradient_trick:
        slope = float(spec.gradient(y_hat, y))
        losses = np.where(awake, slope * (predictions - y_hat), 0.0)
    else:
        if expert_losses is None:
            expert_losses = np.asarray(spec.value(np.where(awake, predictions, y_hat), y), dtype=np.float64)
            if expert_losses.shape != predictions.shape:
                raise ValueError(
                    f"The 'loss' parameter of {owner} must return one value per expert (shape "
                    f"{predictions.shape}). Got shape {expert_losses.shape} instead."
                )
        losses = np.where(awake, expert_losses, float(spec.value(y_hat, y)))
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        expert = int(bad[0])
        raise ValueError(
            f"The {'linearized ' if gradient_trick else ''}{spec.name} loss of expert {expert} in round "
            f"{round_index} is {float(losses[expert])!r} (forecast {float(predictions[expert])!r}, outcome {y!r}, "
            f"mixture {y_hat!r}): {owner} needs finite losses."
        )
    if loss_range is None:
        return losses
    low, high = loss_range
    outside = np.flatnonzero((losses < low) | (losses > high))
    if outside.size:
        expert = int(outside[0])
        raise ValueError(
            f"The {'linearized ' if gradient_trick else ''}loss of expert {expert} in round {round_index} is "
            f"{float(losses[expert])!r}, outside the 'loss_range' ({low!r}, {high!r}) of {owner}; widen loss_range."
        )
    return (losses - low) / (high - low)


class Aggregator:
    r"""Online aggregation of expert forecasts by a full-information learner (see the module docstring).

    Each round: ``predict(expert_predictions)`` returns :math:`\hat y_t = \sum_i p_{t,i} f_{t,i}` (renormalized
    over the awake experts, NaN meaning asleep), then ``update(y)`` computes each expert's loss, or with
    ``gradient_trick=True`` its linearized loss :math:`\lambda'(\hat y_t, y_t)(f_{t,i} - \hat y_t)`, rescales it
    with ``loss_range`` and feeds it to the learner.

    Parameters
    ----------
    learner : full-information learner or str
        An instance (used and updated in place) or a registry name (:func:`ftrl.learner_names`, full-information
        ones); a named learner is built with ``n_experts`` and ``learner_params``, at the first ``predict`` if
        ``n_experts`` is not given.
    loss : {"square", "absolute", "pinball", "percentage", "log"}, callable or (callable, callable)
        :math:`\lambda(\hat y, y)`; see the module docstring for the formulas and the callable signature.
    quantile : float in (0, 1), optional
        The quantile of the pinball loss (required for it, refused for the others).
    gradient_trick : bool
        Feed the linearized losses (needs the loss's gradient): regret against the best convex combination.
    loss_range : (float, float), optional
        Feed :math:`(\ell - a)/(b - a)`; a loss outside [a, b] is a ValueError.
    n_experts : int, optional
        Number of experts N (checked against an instance's).
    learner_params : dict, optional
        Keyword arguments of a learner given by name.

    Attributes
    ----------
    learner : learner or None
        The learner (None until built at the first ``predict``).
    n_experts : int or None
        N (None until known).
    t : int
        Rounds updated so far.
    weights : ndarray (N,)
        :math:`p_{t+1}` over all experts (before renormalizing over the awake ones).
    last_forecast : float or None
        The forecast of the pending round (predicted, not yet updated).

    Examples
    --------
    >>> from ftrl import Aggregator
    >>> aggregator = Aggregator("hedge", "square", learner_params={"eta": 1.0})
    >>> aggregator.predict([1.0, 3.0])
    2.0
    >>> aggregator.update(1.0)
    >>> aggregator.weights.round(4).tolist()
    [0.982, 0.018]
    >>> round(aggregator.predict([1.0, float("nan")]), 6)  # the second expert is asleep
    1.0

    References
    ----------
    P. Gaillard, Y. Goude, "opera: Online Prediction by Expert Aggregation", R package.
    N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006, sec. 2.5.
    """

    def __init__(
        self,
        learner: Any = "hedge",
        loss: LossSpec = "square",
        *,
        quantile: float | None = None,
        gradient_trick: bool = False,
        loss_range: tuple[float, float] | None = None,
        n_experts: int | None = None,
        learner_params: dict[str, Any] | None = None,
    ) -> None:
        owner = type(self).__name__
        self._spec = resolve_loss(loss, quantile, owner)
        if not isinstance(gradient_trick, (bool, np.bool_)):
            raise TypeError(f"The 'gradient_trick' parameter of {owner} must be a bool. Got {gradient_trick!r}.")
        if gradient_trick and self._spec.gradient is None:
            raise ValueError(
                f"The 'loss' parameter of {owner} must come with its gradient, as a pair (loss, gradient), when "
                f"gradient_trick=True. Got the callable {self._spec.name!r} alone instead."
            )
        self.gradient_trick = bool(gradient_trick)
        self.loss_range = _check_loss_range(loss_range, owner)
        self.loss = loss
        self.quantile = self._spec.quantile
        self.learner_params = dict(learner_params or {})
        self.n_experts = None if n_experts is None else check_int(n_experts, "n_experts", owner, low=1)
        self.learner: Any = None
        if isinstance(learner, str):
            names = tuple(name for name, cls in _REGISTRY.items() if cls.feedback == "full")
            check_choice(learner, "learner", names, owner)
            self._learner_name: str | None = learner
            if self.n_experts is not None:
                self.learner = make_learner(learner, self.n_experts, **self.learner_params)
        else:
            if not isinstance(learner, FullInformationProtocol) or learner.feedback != "full":
                raise ValueError(
                    f"The 'learner' parameter of {owner} must be a full-information learner (with weights, update "
                    f"and advance) or the name of one. Got {learner!r} instead."
                )
            if learner_params:
                raise ValueError(
                    f"The 'learner_params' parameter of {owner} must be empty when 'learner' is an instance. "
                    f"Got {learner_params!r} instead."
                )
            if self.n_experts is not None and self.n_experts != learner.n_experts:
                raise ValueError(
                    f"The 'n_experts' parameter of {owner} must match the learner's {learner.n_experts}. "
                    f"Got {self.n_experts} instead."
                )
            self._learner_name = None
            self.learner = learner
            self.n_experts = learner.n_experts
        self._pending: tuple[NDArray[np.float64], NDArray[np.bool_], float] | None = None

    @property
    def t(self) -> int:
        """Number of rounds updated so far."""
        return 0 if self.learner is None else int(self.learner.t)

    @property
    def weights(self) -> NDArray[np.float64]:
        """The learner's distribution :math:`p_{t+1}` over all experts (before renormalizing over awake ones)."""
        if self.learner is None:
            raise RuntimeError("The Aggregator has no learner yet: call predict first or give n_experts.")
        return self.learner.weights

    @property
    def last_forecast(self) -> float | None:
        """The forecast returned by the last ``predict`` not yet followed by ``update`` (None if there is none)."""
        return None if self._pending is None else self._pending[2]

    def reset(self) -> None:
        """Reset the learner to round 0 and forget any pending forecast."""
        if self.learner is not None:
            self.learner.reset()
        self._pending = None

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (the learner by name, or by its own ``get_params``)."""
        learner = self._learner_name if self._learner_name is not None else repr(self.learner)
        return {"learner": learner, "loss": self._spec.name, "quantile": self.quantile,
                "gradient_trick": self.gradient_trick,
                "loss_range": None if self.loss_range is None else list(self.loss_range),
                "n_experts": self.n_experts, "learner_params": dict(self.learner_params)}

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_params().items())
        return f"Aggregator({arguments})"

    def _validated_predictions(self, expert_predictions: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        owner = type(self).__name__
        predictions = as_real_array(expert_predictions, "expert_predictions", owner)
        expected = "(N,) with N >= 1" if self.n_experts is None else f"({self.n_experts},)"
        if predictions.ndim != 1 or predictions.size == 0 or (
                self.n_experts is not None and predictions.shape != (self.n_experts,)):
            raise ValueError(
                f"The 'expert_predictions' parameter of {owner} must have shape {expected}. "
                f"Got shape {predictions.shape} instead."
            )
        _check_predictions(predictions, self._spec, owner)
        awake = ~np.isnan(predictions)
        if not awake.any():
            raise ValueError(
                f"The 'expert_predictions' parameter of {owner} must have at least one expert awake (not NaN). "
                f"Got {_describe(predictions)} instead."
            )
        return predictions.copy(), awake

    def predict(self, expert_predictions: ArrayLike) -> float:
        r"""The forecast :math:`\hat y_t` of this round for the experts' forecasts (shape (N,), NaN = asleep).

        A second ``predict`` before ``update`` replaces the pending round.
        """
        predictions, awake = self._validated_predictions(expert_predictions)
        if self.learner is None:
            self.learner = make_learner(self._learner_name, predictions.shape[0], **self.learner_params)
            self.n_experts = predictions.shape[0]
        _, y_hat = _mixture(self.learner.weights, predictions, awake)
        self._pending = (predictions, awake, y_hat)
        return y_hat

    def round_losses(self, y: float) -> NDArray[np.float64]:
        """The loss vector ``update(y)`` would feed the learner (after ``predict``; no state changes)."""
        owner = type(self).__name__
        if self._pending is None:
            raise RuntimeError(f"{owner}.update (or round_losses) needs a forecast first: call predict.")
        outcome = check_real(y, "y", owner, low=-math.inf, high=math.inf, low_open=True, high_open=True)
        _check_targets(np.array([outcome]), self._spec, owner)
        predictions, awake, y_hat = self._pending
        return _round_losses(self._spec, self.gradient_trick, self.loss_range, None, predictions, awake, y_hat,
                             outcome, owner, self.t)

    def update(self, y: float) -> None:
        """Reveal the outcome :math:`y_t` of the round last predicted and update the learner.

        Raises before any change of state if ``y`` is not finite, outside the loss's domain, or if a loss is not
        finite or outside ``loss_range``.
        """
        losses = self.round_losses(y)
        self.learner.update(losses)
        self._pending = None

    def loss_value(self, y_hat: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
        r"""The loss :math:`\lambda(\hat y, y)` (elementwise, broadcasting), e.g. to score forecasts."""
        return np.asarray(self._spec.value(np.asarray(y_hat, dtype=np.float64), np.asarray(y, dtype=np.float64)),
                          dtype=np.float64)


def _expert_names(expert_predictions: Any, n_experts: int) -> list[str]:
    if isinstance(expert_predictions, pd.DataFrame):
        return [str(column) for column in expert_predictions.columns]
    return [f"expert_{i}" for i in range(n_experts)]


def best_convex_combination(
    y: ArrayLike,
    expert_predictions: ArrayLike,
    loss: LossSpec = "square",
    *,
    quantile: float | None = None,
) -> tuple[NDArray[np.float64], float]:
    r"""The fixed convex combination of the experts with the smallest cumulative loss in hindsight.

    .. math:: q^\star \in \arg\min_{q \in \Delta_N} \sum_{t=1}^T \lambda(\langle q, f_t\rangle, y_t)

    The piecewise-linear losses (absolute, pinball, percentage) are solved exactly as a linear program (HiGHS):
    with :math:`y_t - \langle q, f_t\rangle = u_t - v_t`, :math:`u, v \ge 0`, minimize
    :math:`\sum_t c_t (\tau u_t + (1 - \tau) v_t)` (pinball: :math:`c_t = 1`, :math:`\tau = q`; absolute:
    :math:`c_t = 2`, :math:`\tau = 1/2`; percentage: :math:`c_t = 2/|y_t|`, :math:`\tau = 1/2`). The others
    (and callables) use SLSQP (simplex as bounds plus one equality constraint, analytic gradient
    :math:`\sum_t \lambda'(\langle q, f_t\rangle, y_t) f_t` when the loss has one) started from the best expert
    and from the uniform mixture; for the square loss on :math:`q^\top G q`, :math:`G = E^\top E / T` the Gram
    matrix of the experts' errors :math:`e_{t,i} = f_{t,i} - y_t` (O(N^2) per evaluation). The answer is the best of those solutions, the N vertices and the uniform
    mixture, so it is never worse than any single expert.

    Parameters
    ----------
    y : array_like (T,)
    expert_predictions : array_like (T, N), finite
    loss, quantile : as in :class:`Aggregator`.

    Returns
    -------
    (q, cumulative loss) : (ndarray (N,), float)
    """
    from scipy.optimize import minimize

    owner = "best_convex_combination"
    spec = resolve_loss(loss, quantile, owner)
    target = as_real_array(y, "y", owner)
    forecasts = as_real_array(expert_predictions, "expert_predictions", owner)
    if forecasts.ndim != 2 or target.shape != (forecasts.shape[0],) or forecasts.size == 0:
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must have shape (T, N) with T = len(y) and T, N >= 1. "
            f"Got shapes {forecasts.shape} and {target.shape} instead."
        )
    if not np.all(np.isfinite(forecasts)):
        raise ValueError(f"The 'expert_predictions' parameter of {owner} must be finite. Got {_describe(forecasts)}.")
    _check_targets(target, spec, owner)
    _check_predictions(forecasts, spec, owner)
    n_rounds, n_experts = forecasts.shape

    def total(q: NDArray[np.float64]) -> float:
        return float(np.sum(spec.value(forecasts @ q, target)))

    if spec.value is _square:
        # On the simplex f_t q - y_t = e_t q with e_t = f_t - y_t, so the mean square loss is q^T G q with the
        # Gram matrix G = E^T E / T of the experts' errors: each evaluation costs O(N^2) instead of O(T N), and
        # the errors, not the forecasts, are squared, so no large terms cancel.
        errors = forecasts - target[:, None]
        gram = errors.T @ errors / n_rounds

        def objective(q: NDArray[np.float64]) -> float:
            clipped = np.clip(q, 0.0, 1.0)
            return float(clipped @ gram @ clipped)

        def gradient(q: NDArray[np.float64]) -> NDArray[np.float64]:
            return 2.0 * gram @ np.clip(q, 0.0, 1.0)
    else:

        def objective(q: NDArray[np.float64]) -> float:
            value = total(np.clip(q, 0.0, 1.0)) / n_rounds
            return value if math.isfinite(value) else 1e300

        def gradient(q: NDArray[np.float64]) -> NDArray[np.float64]:
            slopes = spec.gradient(forecasts @ np.clip(q, 0.0, 1.0), target)
            return np.nan_to_num(forecasts.T @ slopes / n_rounds, nan=0.0, posinf=1e300, neginf=-1e300)

    vertices = np.eye(n_experts)
    vertex_losses = np.array([total(vertex) for vertex in vertices])
    uniform = np.full(n_experts, 1.0 / n_experts)
    candidates = [(float(vertex_losses.min()), vertices[int(np.argmin(vertex_losses))]), (total(uniform), uniform)]
    if n_experts > 1 and spec.piecewise_linear:
        exact = _piecewise_linear_minimizer(target, forecasts, spec)
        if exact is not None:
            candidates.append((total(exact), exact))
    elif n_experts > 1:
        for start in (vertices[int(np.argmin(vertex_losses))], uniform):
            result = minimize(
                objective, start, jac=None if spec.gradient is None else gradient, method="SLSQP",
                bounds=[(0.0, 1.0)] * n_experts,
                constraints=[{"type": "eq", "fun": lambda q: q.sum() - 1.0, "jac": lambda q: np.ones_like(q)}],
                options={"maxiter": 500, "ftol": 1e-12},
            )
            q = np.clip(result.x, 0.0, None)
            q /= q.sum()
            candidates.append((total(q), q))
    value, weights = min(candidates, key=lambda pair: pair[0] if math.isfinite(pair[0]) else math.inf)
    return weights.copy(), float(value)


def _piecewise_linear_minimizer(target: NDArray[np.float64], forecasts: NDArray[np.float64],
                                spec: _Loss) -> NDArray[np.float64] | None:
    """The exact best convex combination for the absolute, pinball and percentage losses (None if HiGHS fails)."""
    from scipy import sparse
    from scipy.optimize import linprog

    n_rounds, n_experts = forecasts.shape
    if spec.name == "pinball":
        scale, level = np.ones(n_rounds), spec.quantile
    else:
        scale, level = (2.0 / np.abs(target) if spec.name == "percentage" else np.full(n_rounds, 2.0)), 0.5
    cost = np.concatenate([np.zeros(n_experts), level * scale, (1.0 - level) * scale])
    identity = sparse.identity(n_rounds, format="csr")
    rounds = sparse.hstack([sparse.csr_matrix(forecasts), identity, -identity])
    simplex = sparse.hstack([sparse.csr_matrix(np.ones((1, n_experts))), sparse.csr_matrix((1, 2 * n_rounds))])
    result = linprog(cost, A_eq=sparse.vstack([rounds, simplex]).tocsr(), b_eq=np.append(target, 1.0),
                     bounds=[(0.0, 1.0)] * n_experts + [(0.0, None)] * (2 * n_rounds), method="highs")
    if not result.success:
        return None
    weights = np.clip(result.x[:n_experts], 0.0, None)
    return weights / weights.sum()


def aggregate(
    y: ArrayLike,
    expert_predictions: ArrayLike,
    learner: Any = "hedge",
    loss: LossSpec = "square",
    *,
    quantile: float | None = None,
    gradient_trick: bool = False,
    loss_range: tuple[float, float] | None = None,
    learner_params: dict[str, Any] | None = None,
) -> pd.DataFrame:
    r"""Aggregate the experts' forecasts of a whole series online, and compare with the best in hindsight.

    The rounds are played in order exactly as :class:`Aggregator` would (same numbers): the experts' own losses
    are computed for the whole (T, N) matrix at once in numpy, then each round makes one call to the learner's
    compiled ``advance`` on a one-row view (its weights must be read between rounds), so 10^5 rounds of ten experts
    take about half a second. With the gradient trick or asleep experts the round's loss vector depends on the forecast
    and is completed in that same loop.

    Parameters
    ----------
    y : array_like (T,) or pandas.Series
        The outcomes (finite). A Series' index becomes the result's index.
    expert_predictions : array_like (T, N) or pandas.DataFrame
        The forecasts, NaN where an expert is asleep. A DataFrame's column names name the experts.
    learner, loss, quantile, gradient_trick, loss_range, learner_params
        As in :class:`Aggregator`. A learner instance is deep-copied and reset; the caller's is left untouched.

    Returns
    -------
    pandas.DataFrame
        One row per round: ``y``, ``forecast``, ``loss`` (:math:`\lambda(\hat y_t, y_t)`), ``cum_loss``;
        ``weight_<name>`` (the weights used for the forecast, renormalized over awake experts, 0 when asleep) and
        ``cum_loss_<name>`` (each expert's cumulative loss, charged the mixture's loss while asleep) per expert;
        ``regret_best_expert`` (:math:`\hat L_t - \min_i L_{t,i}`) and ``regret_best_convex``
        (:math:`\hat L_t - \sum_{s\le t}\lambda(\langle q^\star, f_s\rangle, y_s)` with :math:`q^\star` the best
        convex combination over the whole series, see :func:`best_convex_combination`; its last value is the
        regret against the best convex combination in hindsight; NaN when some expert sleeps).
        ``df.attrs`` holds the summary: learner, loss, parameters, ``n_rounds``, ``expert_names``, ``cum_loss``,
        ``expert_cum_loss`` (dict), ``best_expert``, ``best_expert_loss``, ``regret_best_expert``,
        ``uniform_cum_loss``, ``best_convex_weights`` (dict), ``best_convex_loss``, ``regret_best_convex``.

    Examples
    --------
    >>> import numpy as np
    >>> from ftrl import aggregate
    >>> y = np.array([1.0, 2.0, 3.0, 4.0])
    >>> forecasts = np.column_stack([y + 0.5, y - 1.0])
    >>> df = aggregate(y, forecasts, "hedge", "square", learner_params={"eta": 2.0})
    >>> df["weight_expert_0"].round(3).tolist()
    [0.5, 0.818, 0.953, 0.989]
    >>> df.attrs["best_expert"], df.attrs["best_convex_weights"]["expert_0"] > 0.6
    ('expert_0', True)
    """
    owner = "aggregate"
    forecasts = as_real_array(expert_predictions, "expert_predictions", owner)
    target = as_real_array(y, "y", owner)
    if forecasts.ndim != 2 or forecasts.size == 0 or target.shape != (forecasts.shape[0],):
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must have shape (T, N) with T = len(y) and T, N >= 1. "
            f"Got shape {forecasts.shape} for {target.shape[0] if target.ndim == 1 else target.shape} outcomes "
            f"instead."
        )
    instance = learner if isinstance(learner, str) else copy.deepcopy(learner)
    aggregator = Aggregator(instance, loss, quantile=quantile, gradient_trick=gradient_trick,
                            loss_range=loss_range, n_experts=forecasts.shape[1], learner_params=learner_params)
    aggregator.reset()
    spec = aggregator._spec
    _check_targets(target, spec, owner)
    _check_predictions(forecasts, spec, owner)
    awake = ~np.isnan(forecasts)
    bad_rounds = np.flatnonzero(~awake.any(axis=1))
    if bad_rounds.size:
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must have at least one expert awake (not NaN) in every "
            f"round. Got none in round {int(bad_rounds[0])} ({bad_rounds.size} such rounds)."
        )
    n_rounds, n_experts = forecasts.shape
    all_awake = awake.all(axis=1)
    with np.errstate(invalid="ignore"):
        expert_losses = np.ascontiguousarray(spec.value(forecasts, target[:, None]), dtype=np.float64)
    if expert_losses.shape != forecasts.shape:
        raise ValueError(
            f"The 'loss' parameter of {owner} must return one value per forecast (shape {forecasts.shape}). "
            f"Got shape {expert_losses.shape} instead."
        )
    direct = None if gradient_trick else _direct_losses(expert_losses, all_awake, aggregator.loss_range, spec,
                                                         owner)

    learner_instance = aggregator.learner
    used_weights = np.empty((n_rounds, n_experts))
    forecast = np.empty(n_rounds)
    expected = np.empty(1)
    for t in range(n_rounds):
        used_weights[t], y_hat = _mixture(learner_instance.weights, forecasts[t], awake[t])
        forecast[t] = y_hat
        if direct is not None and all_awake[t]:
            row = direct[t : t + 1]
        else:
            row = _round_losses(spec, gradient_trick, aggregator.loss_range, expert_losses[t], forecasts[t],
                                awake[t], y_hat, float(target[t]), owner, t)[None, :]
        learner_instance.advance(row, expected)

    mixture_loss = np.asarray(spec.value(forecast, target), dtype=np.float64)
    charged = np.where(awake, expert_losses, mixture_loss[:, None])
    return _result_frame(y, expert_predictions, target, forecasts, forecast, mixture_loss, charged, used_weights,
                         awake, aggregator, spec)


def _direct_losses(expert_losses: NDArray[np.float64], all_awake: NDArray[np.bool_],
                   loss_range: tuple[float, float] | None, spec: _Loss, owner: str) -> NDArray[np.float64]:
    """The learner's loss matrix for the rounds where every expert is awake, checked and rescaled at once."""
    full = expert_losses[all_awake]
    bad = np.argwhere(~np.isfinite(full))
    if bad.size:
        row, expert = (int(i) for i in bad[0])
        round_index = int(np.flatnonzero(all_awake)[row])
        raise ValueError(
            f"The {spec.name} loss of expert {expert} in round {round_index} is {float(full[row, expert])!r}: "
            f"{owner} needs finite losses."
        )
    if loss_range is None:
        return expert_losses
    low, high = loss_range
    outside = np.argwhere((full < low) | (full > high))
    if outside.size:
        row, expert = (int(i) for i in outside[0])
        round_index = int(np.flatnonzero(all_awake)[row])
        raise ValueError(
            f"The loss of expert {expert} in round {round_index} is {float(full[row, expert])!r}, outside the "
            f"'loss_range' ({low!r}, {high!r}) of {owner}; widen loss_range."
        )
    return np.ascontiguousarray((expert_losses - low) / (high - low))


def _result_frame(y: Any, expert_predictions: Any, target: NDArray[np.float64], forecasts: NDArray[np.float64],
                  forecast: NDArray[np.float64], mixture_loss: NDArray[np.float64], charged: NDArray[np.float64],
                  used_weights: NDArray[np.float64], awake: NDArray[np.bool_], aggregator: Aggregator,
                  spec: _Loss) -> pd.DataFrame:
    n_rounds, n_experts = forecasts.shape
    names = _expert_names(expert_predictions, n_experts)
    index = y.index if isinstance(y, pd.Series) else (
        expert_predictions.index if isinstance(expert_predictions, pd.DataFrame) else pd.RangeIndex(n_rounds))
    cum_mixture = np.cumsum(mixture_loss)
    cum_experts = np.cumsum(charged, axis=0)
    columns: dict[str, Any] = {"y": target, "forecast": forecast, "loss": mixture_loss, "cum_loss": cum_mixture}
    columns.update({f"weight_{name}": used_weights[:, i] for i, name in enumerate(names)})
    columns.update({f"cum_loss_{name}": cum_experts[:, i] for i, name in enumerate(names)})
    columns["regret_best_expert"] = cum_mixture - cum_experts.min(axis=1)
    uniform_loss = float(np.sum(spec.value(np.nanmean(forecasts, axis=1), target)))
    if awake.all():
        best_weights, best_loss = best_convex_combination(target, forecasts, aggregator.loss,
                                                          quantile=aggregator.quantile)
        columns["regret_best_convex"] = cum_mixture - np.cumsum(spec.value(forecasts @ best_weights, target))
        best_convex: dict[str, float] | None = {name: float(q) for name, q in zip(names, best_weights)}
    else:
        best_loss = math.nan
        columns["regret_best_convex"] = np.full(n_rounds, np.nan)
        best_convex = None
    frame = pd.DataFrame(columns, index=index)
    best = int(np.argmin(cum_experts[-1]))
    frame.attrs.update({
        **aggregator.get_params(),
        "n_rounds": n_rounds,
        "expert_names": names,
        "cum_loss": float(cum_mixture[-1]),
        "expert_cum_loss": {name: float(value) for name, value in zip(names, cum_experts[-1])},
        "best_expert": names[best],
        "best_expert_loss": float(cum_experts[-1, best]),
        "regret_best_expert": float(cum_mixture[-1] - cum_experts[-1, best]),
        "uniform_cum_loss": uniform_loss,
        "best_convex_weights": best_convex,
        "best_convex_loss": best_loss,
        "regret_best_convex": float(cum_mixture[-1] - best_loss),
    })
    return frame
