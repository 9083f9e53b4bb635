r"""A scikit-learn estimator that aggregates already fitted forecasters online with an ftrl learner.

Needs scikit-learn (``pip install ftrl[sklearn]``).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import BaseEstimator, RegressorMixin
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
    ``fit`` forgets everything (a fresh learner) and calls ``partial_fit``. ``predict(X)`` uses the current
    weights for every row and does not learn. An estimator's NaN forecast means it is asleep for that row.

    Parameters
    ----------
    estimators : list of fitted regressors
        Anything with ``predict(X) -> (n_samples,)``.
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

    def _expert_forecasts(self, X: Any) -> NDArray[np.float64]:
        forecasts = np.column_stack([as_real_array(estimator.predict(X), "estimators", type(self).__name__)
                                     for estimator in self.estimators])
        return forecasts.astype(np.float64)

    def _new_aggregator(self) -> Aggregator:
        if not isinstance(self.learner, str):
            raise TypeError(
                f"The 'learner' parameter of {type(self).__name__} must be a registry name (see "
                f"ftrl.learner_names()), with its parameters in learner_params. Got {self.learner!r} instead."
            )
        aggregator = Aggregator(self.learner, self.loss, quantile=self.quantile, gradient_trick=self.gradient_trick,
                                loss_range=self.loss_range, n_experts=len(self.estimators),
                                learner_params=self.learner_params)
        aggregator.reset()
        return aggregator

    def fit(self, X: Any, y: ArrayLike) -> OnlineAggregatorRegressor:
        """Start from a fresh learner and stream the rows of (X, y) in order (see :meth:`partial_fit`)."""
        self.aggregator_ = self._new_aggregator()
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: ArrayLike) -> OnlineAggregatorRegressor:
        """For each row in order: forecast with the current weights, then update them with its outcome."""
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
        # Work on a copy, so that a call that raises half-way leaves the fitted state as it was.
        trial = copy.deepcopy(self.aggregator_) if hasattr(self, "aggregator_") else self._new_aggregator()
        online = np.empty(targets.shape[0])
        for row, (forecast_row, target) in enumerate(zip(forecasts, targets)):
            online[row] = trial.predict(forecast_row)
            trial.update(float(target))
        self.aggregator_ = trial
        self.weights_ = trial.weights
        self.forecasts_ = online
        self.n_estimators_ = len(self.estimators)
        return self

    def predict(self, X: Any) -> NDArray[np.float64]:
        """The forecasts with the current weights (renormalized over the awake estimators of each row)."""
        check_is_fitted(self, "weights_")
        forecasts = self._expert_forecasts(X)
        awake = ~np.isnan(forecasts)
        if awake.all():
            return forecasts @ self.weights_
        return np.array([_mixture(self.weights_, row, mask)[1] if mask.any() else np.nan
                         for row, mask in zip(forecasts, awake)])

