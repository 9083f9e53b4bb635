r"""A scikit-learn estimator that aggregates already fitted forecasters online with an ftrl learner.

Needs scikit-learn (``pip install ftrl[sklearn]``).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ftrl._validation import as_real_array
from ftrl.aggregation import Aggregator, _mixture

__all__ = ["OnlineAggregatorRegressor"]


class OnlineAggregatorRegressor(RegressorMixin, BaseEstimator):
    r"""Online aggregation of fitted regressors: the forecast is :math:`\sum_i p_i\,\hat f_i(x)`.

    The ``estimators`` are used as they are (already fitted; they are never refitted). ``partial_fit(X, y)``
    streams the rows in order: for each row it forecasts with the current weights, then reveals :math:`y` and
    updates the learner (exactly :class:`ftrl.Aggregator`'s ``predict`` then ``update``), so the weights after
    ``partial_fit`` on a series are those of an online forecaster that never saw a row before predicting it.
    ``fit`` forgets everything (a fresh learner) and then streams the rows the same way. A ``fit`` or
    ``partial_fit`` that raises leaves the fitted attributes as they were. ``predict(X)`` uses the current
    weights for every row and does not learn. An estimator's NaN forecast means it is asleep for that row.

    Cloning and model selection: the estimators are part of the model's definition, not fitted by it, so
    ``sklearn.base.clone`` (and with it ``cross_val_score``, ``GridSearchCV``, ...) keeps them: the clone is an
    unfitted aggregator over the same fitted estimator objects (as if each were wrapped in
    ``sklearn.frozen.FrozenEstimator``, which works here too). Cross-validation therefore re-runs only the online
    aggregation on each training fold, over estimators fitted beforehand; fit them on data that precedes the
    folds, or the scores are optimistic. An estimator that is not fitted is a ``NotFittedError`` naming it.

    Parameters
    ----------
    estimators : list of fitted regressors
        Anything with ``predict(X)`` returning one number per row (shape (n_samples,) or (n_samples, 1)), finite
        or NaN (asleep). Every clone uses the same objects; they are never refitted.
    learner : str
        A full-information learner's registry name (:func:`ftrl.learner_names`), built at ``fit`` with
        ``learner_params``. (An instance is a TypeError: ``sklearn.base.clone`` would call its ``get_params(deep=...)``.)
    loss, quantile, gradient_trick, loss_range, learner_params
        As in :class:`ftrl.Aggregator`.

    Attributes
    ----------
    weights_ : ndarray (n_estimators,)
        The weights the next forecast uses.
    aggregator_ : ftrl.Aggregator
        The state of the online aggregation.
    forecasts_ : ndarray (n_samples,)
        The online forecasts of the rows of the last ``fit``/``partial_fit`` call, each made before its y was seen.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from sklearn.linear_model import LinearRegression
    >>> from ftrl.adapters.sklearn import OnlineAggregatorRegressor
    >>> X = np.arange(20.0).reshape(-1, 1)
    >>> y = 2.0 * X[:, 0] + 1.0
    >>> experts = [DummyRegressor().fit(X, y), LinearRegression().fit(X, y)]
    >>> model = OnlineAggregatorRegressor(experts, learner="adahedge").fit(X, y)
    >>> model.weights_.round(3).tolist()
    [0.0, 1.0]
    >>> round(model.score(X, y), 6)
    1.0
    """

    def __init__(
        self,
        estimators: list[Any],
        learner: Any = "hedge",
        loss: Any = "square",
        quantile: float | None = None,
        gradient_trick: bool = False,
        loss_range: tuple[float, float] | None = None,
        learner_params: dict[str, Any] | None = None,
    ) -> None:
        self.estimators = estimators
        self.learner = learner
        self.loss = loss
        self.quantile = quantile
        self.gradient_trick = gradient_trick
        self.loss_range = loss_range
        self.learner_params = learner_params

    def __sklearn_clone__(self) -> OnlineAggregatorRegressor:
        """A fresh, unfitted copy that keeps the same (fitted) ``estimators``; ``sklearn.base.clone`` calls this.

        scikit-learn's default clone would clone every entry of the ``estimators`` list, i.e. replace each fitted
        forecaster by an unfitted copy, and the clone could not ``fit``. This estimator never fits its estimators,
        so, like ``sklearn.frozen.FrozenEstimator``, it keeps them through a clone: the clone holds a new list of
        the same estimator objects; every other parameter is cloned as usual.
        """
        params = self.get_params(deep=False)
        estimators = params.pop("estimators")
        params = {name: clone(value, safe=False) for name, value in params.items()}
        return type(self)(estimators=list(estimators) if isinstance(estimators, (list, tuple)) else estimators,
                          **params)

    def _checked_estimators(self) -> list[Any]:
        owner = type(self).__name__
        if not isinstance(self.estimators, (list, tuple)) or len(self.estimators) == 0:
            raise ValueError(
                f"The 'estimators' parameter of {owner} must be a non-empty list of fitted regressors. "
                f"Got {self.estimators!r} instead."
            )
        missing = [index for index, estimator in enumerate(self.estimators)
                   if not callable(getattr(estimator, "predict", None))]
        if missing:
            index = missing[0]
            raise TypeError(
                f"The 'estimators' parameter of {owner} must hold objects with a predict(X) method. "
                f"Got estimators[{index}] = {self.estimators[index]!r} instead."
            )
        return list(self.estimators)

    def _expert_forecasts(self, X: Any) -> NDArray[np.float64]:
        """The (n_samples, n_estimators) forecasts, each estimator's checked and named if it misbehaves."""
        owner = type(self).__name__
        columns: list[NDArray[np.float64]] = []
        for index, estimator in enumerate(self._checked_estimators()):
            name = f"estimators[{index}] ({type(estimator).__name__})"
            try:
                forecast = estimator.predict(X)
            except NotFittedError as error:
                raise NotFittedError(
                    f"The 'estimators' parameter of {owner} must hold fitted regressors, but {name} is not fitted: "
                    f"{owner} never fits its estimators. Fit each one before building {owner} (sklearn.base.clone "
                    f"keeps them, so cross_val_score and GridSearchCV use them as they are). ({error})"
                ) from error
            values = as_real_array(forecast, "estimators", owner)
            if values.ndim == 2 and values.shape[1] == 1:
                values = values[:, 0]
            expected = columns[0].shape[0] if columns else None
            if values.ndim != 1 or (expected is not None and values.shape[0] != expected):
                wanted = "(n_samples,)" if expected is None else f"({expected},), as estimators[0]'s"
                raise ValueError(
                    f"The 'estimators' parameter of {owner} must hold regressors whose predict(X) returns one number "
                    f"per row, shape {wanted}. Got shape {values.shape} from {name} instead."
                )
            if np.any(np.isinf(values)):
                raise ValueError(
                    f"The 'estimators' parameter of {owner} must hold regressors whose forecasts are finite (or NaN "
                    f"for asleep). Got an infinite forecast from {name} at row {int(np.flatnonzero(np.isinf(values))[0])} "
                    f"of X instead."
                )
            columns.append(values)
        return np.column_stack(columns)

    def _new_aggregator(self) -> Aggregator:
        if not isinstance(self.learner, str):
            raise TypeError(
                f"The 'learner' parameter of {type(self).__name__} must be a registry name (see "
                f"ftrl.learner_names()), with its parameters in learner_params. Got {self.learner!r} instead."
            )
        aggregator = Aggregator(self.learner, self.loss, quantile=self.quantile, gradient_trick=self.gradient_trick,
                                loss_range=self.loss_range, n_experts=len(self._checked_estimators()),
                                learner_params=self.learner_params)
        aggregator.reset()
        return aggregator

    def fit(self, X: Any, y: ArrayLike) -> OnlineAggregatorRegressor:
        """Start from a fresh learner and stream the rows of (X, y) in order (see :meth:`partial_fit`).

        If it raises, the fitted attributes are those of before the call.
        """
        return self._stream(self._new_aggregator(), X, y)

    def partial_fit(self, X: Any, y: ArrayLike) -> OnlineAggregatorRegressor:
        """For each row in order: forecast with the current weights, then update them with its outcome.

        If it raises, the fitted attributes are those of before the call.
        """
        if not hasattr(self, "aggregator_"):
            return self.fit(X, y)
        self._check_n_estimators(len(self._checked_estimators()), self.aggregator_.n_experts)
        # Work on a copy, so that a call that raises half-way leaves the fitted state as it was.
        return self._stream(copy.deepcopy(self.aggregator_), X, y)

    def _check_n_estimators(self, n_estimators: int, fitted: int) -> None:
        if n_estimators != fitted:
            raise ValueError(
                f"The 'estimators' parameter of {type(self).__name__} must keep the length it was fitted with "
                f"({fitted}); call fit to start afresh. Got {n_estimators} estimators instead."
            )

    def _stream(self, trial: Aggregator, X: Any, y: ArrayLike) -> OnlineAggregatorRegressor:
        """Play the rows on ``trial`` (a fresh learner or a copy of the fitted one); assign only if all went well."""
        owner = type(self).__name__
        targets = as_real_array(y, "y", owner)
        forecasts = self._expert_forecasts(X)
        if targets.ndim != 1 or targets.shape[0] != forecasts.shape[0]:
            raise ValueError(
                f"The 'y' parameter of {owner} must be a 1-d array with one value per row of X "
                f"({forecasts.shape[0]}). Got shape {targets.shape} instead."
            )
        if not np.all(np.isfinite(targets)):
            raise ValueError(f"The 'y' parameter of {owner} must be finite. Got {targets!r} instead.")
        asleep = np.flatnonzero(np.isnan(forecasts).all(axis=1))
        if asleep.size:
            raise ValueError(
                f"The 'estimators' parameter of {owner} must have at least one estimator awake (a forecast that is "
                f"not NaN) in every row. Got none at row {int(asleep[0])} of X ({asleep.size} such rows)."
            )
        online = np.empty(targets.shape[0])
        for row, (forecast_row, target) in enumerate(zip(forecasts, targets)):
            try:
                online[row] = trial.predict(forecast_row)
                trial.update(float(target))
            except ValueError as error:  # the aggregator names its own parameters: say which row and values
                raise ValueError(
                    f"The 'estimators' forecasts and 'y' of {owner} must suit loss={self.loss!r}; at row {row} of X "
                    f"(forecasts {forecast_row!r}, y = {float(target)!r}): {error}"
                ) from error
        self.aggregator_ = trial
        self.weights_ = trial.weights.copy()
        self.forecasts_ = online
        self.n_estimators_ = forecasts.shape[1]
        return self

    def predict(self, X: Any) -> NDArray[np.float64]:
        """The forecasts with the current weights (renormalized over the awake estimators of each row)."""
        check_is_fitted(self, "weights_")
        forecasts = self._expert_forecasts(X)
        self._check_n_estimators(forecasts.shape[1], self.weights_.shape[0])
        awake = ~np.isnan(forecasts)
        if awake.all():
            return forecasts @ self.weights_
        return np.array([_mixture(self.weights_, row, mask)[1] if mask.any() else np.nan
                         for row, mask in zip(forecasts, awake)])

