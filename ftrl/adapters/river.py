r"""A river regressor that aggregates river models with any full-information ftrl learner.

:class:`FTRLRegressor` is a drop-in for ``river.ensemble.EWARegressor``: with ``learner="hedge"`` and the same
``loss`` and ``learning_rate`` it gives the same predictions (EWARegressor multiplies each model's weight by
:math:`e^{-\eta\,\lambda(f_i, y)}` and normalizes, which is Hedge with the fixed rate :math:`\eta`), but the
weights are computed from the cumulative losses relative to the leader, so they never all underflow to zero when
the losses are large (EWARegressor's then stay at zero and it predicts 0 forever). Any other full-information
learner (AdaHedge, FlipFlop, FixedShare, FTRL, ...), the gradient trick, sleeping models (a model whose
``predict_one`` returns None is asleep) and ``loss_range`` come from :class:`ftrl.Aggregator`.

Needs river (``pip install ftrl[river]``).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from river import base, optim

from ftrl.aggregation import Aggregator

__all__ = ["FTRLRegressor"]

_RATE_NAMES = {"hedge": "eta", "fixed-share": "eta", "ftrl": "eta"}


def _has_array_form(loss: Any) -> bool:
    """Whether ``loss`` is one of river's own regression losses, whose array form (``y_true`` and ``y_pred`` both
    arrays, river's documented overload) computes the same numbers as its scalar form (a test checks each)."""
    return type(loss).__module__ == optim.losses.__name__ and isinstance(loss, optim.losses.RegressionLoss)


class _RiverLoss:
    """A river ``RegressionLoss`` seen as ftrl's (loss, gradient) pair of elementwise functions of (y_hat, y).

    The Aggregator calls them with an array of forecasts ``y_hat`` and a float ``y`` (and with two floats for the
    mixture). river's losses take two floats or, for river's own classes, two arrays of the same shape (many,
    e.g. ``Huber`` and ``EpsilonInsensitiveHinge``, branch on ``isinstance(y_true, np.ndarray)``, so an array of
    forecasts with a float outcome breaks them). So: two floats are passed as floats; arrays are broadcast to one
    shape and passed whole to river's own losses, and element by element, as floats, to any other loss (a
    subclass or a user's loss may only work on numbers), exactly as ``EWARegressor`` calls them.
    """

    def __init__(self, loss: optim.losses.RegressionLoss) -> None:
        self.river_loss = loss
        self.vectorized = _has_array_form(loss)

    def _apply(self, function: Any, y_hat: Any, y: Any) -> Any:
        if np.ndim(y_hat) == 0 and np.ndim(y) == 0:
            return float(function(y_true=float(y), y_pred=float(y_hat)))
        forecasts, outcomes = np.broadcast_arrays(np.asarray(y_hat, dtype=np.float64),
                                                  np.asarray(y, dtype=np.float64))
        if self.vectorized:
            values = function(y_true=np.array(outcomes), y_pred=np.array(forecasts))
            return np.broadcast_to(np.asarray(values, dtype=np.float64), forecasts.shape)
        values = [float(function(y_true=float(outcome), y_pred=float(forecast)))
                  for forecast, outcome in zip(forecasts.ravel(), outcomes.ravel())]
        return np.array(values, dtype=np.float64).reshape(forecasts.shape)

    def loss(self, y_hat: Any, y: Any) -> Any:
        return self._apply(self.river_loss, y_hat, y)

    def gradient(self, y_hat: Any, y: Any) -> Any:
        return self._apply(self.river_loss.gradient, y_hat, y)


class FTRLRegressor(base.Ensemble, base.Regressor):
    r"""Online aggregation of river regressors by an ftrl learner (Hedge, AdaHedge, FTRL, ...).

    ``learn_one(x, y)`` asks every model for its forecast :math:`f_i`, feeds the learner the losses
    :math:`\lambda(f_i, y)` (or their linearization with ``gradient_trick``), then lets every model learn
    ``(x, y)``; ``predict_one(x)`` is :math:`\sum_i p_i f_i` with the current weights.

    Parameters
    ----------
    models : list of river regressors
        At least two.
    loss : river ``optim.losses.RegressionLoss`` or str, optional
        The loss :math:`\lambda` (default ``optim.losses.Squared()``, :math:`(f - y)^2`, as EWARegressor), or one
        of ftrl's names ("square", "absolute", "pinball", "percentage", "log"). Any ``RegressionLoss`` works, called
        ``loss(y_true=y, y_pred=f)`` as EWARegressor calls it: river's own losses (Huber, EpsilonInsensitiveHinge,
        ...) on all the models' forecasts at once in their array form, any other (a subclass, a loss of your own
        that only works on numbers) once per model on floats. The same holds for ``loss.gradient`` with
        ``gradient_trick``.
    learning_rate : float, optional
        The fixed rate :math:`\eta` of a learner that has one ("hedge", "fixed-share", "ftrl"); None: the
        learner's own tuning (Hedge: anytime rate, which assumes losses in [0, 1]: give ``loss_range``).
    learner : str or ftrl full-information learner
        A registry name or an instance (deep-copied and reset, so the regressor owns its state).
    learner_params : dict, optional
        Further keyword arguments of a learner given by name (e.g. ``{"alpha": 0.01}`` for "fixed-share").
    quantile, gradient_trick, loss_range
        As in :class:`ftrl.Aggregator`.

    Examples
    --------
    >>> from river import datasets, evaluate, linear_model, metrics, optim, preprocessing
    >>> from ftrl.adapters.river import FTRLRegressor
    >>> models = [linear_model.LinearRegression(optimizer=o, intercept_lr=0.1)
    ...           for o in (optim.SGD(0.01), optim.RMSProp(), optim.AdaGrad())]
    >>> model = preprocessing.StandardScaler() | FTRLRegressor(models, learning_rate=0.005)
    >>> evaluate.progressive_val_score(datasets.TrumpApproval(), model, metrics.MAE())
    MAE: 0.498435

    ``river.ensemble.EWARegressor`` over fresh copies of the same models with the same rate scores the same.

    References
    ----------
    P. Gaillard, Y. Goude, "opera: Online Prediction by Expert Aggregation", R package.
    N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006, ch. 2.
    """

    def __init__(
        self,
        models: list[base.Regressor],
        loss: optim.losses.RegressionLoss | str | None = None,
        learning_rate: float | None = None,
        learner: Any = "hedge",
        learner_params: dict[str, Any] | None = None,
        quantile: float | None = None,
        gradient_trick: bool = False,
        loss_range: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(models)  # type: ignore[arg-type]
        self.loss = optim.losses.Squared() if loss is None else loss
        self.learning_rate = learning_rate
        self.learner = learner
        self.learner_params = learner_params
        self.quantile = quantile
        self.gradient_trick = gradient_trick
        self.loss_range = loss_range
        params = dict(learner_params or {})
        if learning_rate is not None:
            rate_name = _RATE_NAMES.get(learner) if isinstance(learner, str) else None
            if rate_name is None:
                raise ValueError(
                    f"The 'learning_rate' parameter of FTRLRegressor must be None for the learner {learner!r}, "
                    f"which has no fixed rate (give it as an instance or use one of {sorted(_RATE_NAMES)}). "
                    f"Got {learning_rate!r} instead."
                )
            params[rate_name] = learning_rate
        river_loss = _RiverLoss(self.loss)
        aggregator_loss = self.loss if isinstance(self.loss, str) else (river_loss.loss, river_loss.gradient)
        self._aggregator = Aggregator(
            learner if isinstance(learner, str) else copy.deepcopy(learner), aggregator_loss,
            quantile=quantile, gradient_trick=gradient_trick, loss_range=loss_range, n_experts=len(self),
            learner_params=params if isinstance(learner, str) else None)
        self._aggregator.reset()

    @property
    def weights(self) -> list[float]:
        """The learner's current weights, one per model."""
        return self._aggregator.weights.tolist()

    @property
    def aggregator(self) -> Aggregator:
        """The :class:`ftrl.Aggregator` doing the work."""
        return self._aggregator

    def _forecasts(self, x: dict) -> list[float]:
        return [float("nan") if forecast is None else forecast for forecast in (m.predict_one(x) for m in self)]

    def learn_one(self, x: dict, y: base.typing.RegTarget) -> None:
        self._aggregator.predict(self._forecasts(x))
        self._aggregator.update(y)
        for model in self:
            model.learn_one(x, y)

    def predict_one(self, x: dict) -> base.typing.RegTarget:
        return self._aggregator.predict(self._forecasts(x))

    @classmethod
    def _unit_test_params(cls) -> Any:
        from river import linear_model, preprocessing

        yield {
            "models": [
                preprocessing.StandardScaler() | linear_model.LinearRegression(intercept_lr=0.1),
                preprocessing.StandardScaler() | linear_model.PARegressor(),
            ]
        }
