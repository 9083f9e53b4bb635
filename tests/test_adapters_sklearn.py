"""ftrl.adapters.sklearn.OnlineAggregatorRegressor: the online loop of ftrl.Aggregator behind scikit-learn's API."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeRegressor

from ftrl import Aggregator, Hedge
from ftrl.adapters.sklearn import OnlineAggregatorRegressor


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, list]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 * np.sin(3 * X[:, 0]) + 0.2 * rng.standard_normal(240)
    train = slice(0, 120)
    experts = [DummyRegressor().fit(X[train], y[train]), LinearRegression().fit(X[train], y[train]),
               Ridge(alpha=50.0).fit(X[train], y[train]),
               DecisionTreeRegressor(max_depth=3, random_state=0).fit(X[train], y[train])]
    return X[120:], y[120:], experts


def test_fit_equals_the_aggregator_loop(data) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor(experts, learner="hedge", loss="absolute", learner_params={"eta": 0.5})
    model.fit(X, y)
    forecasts = np.column_stack([expert.predict(X) for expert in experts])
    reference = Aggregator(Hedge(4, eta=0.5), "absolute")
    online = []
    for row, target in zip(forecasts, y):
        online.append(reference.predict(row))
        reference.update(target)
    np.testing.assert_array_equal(model.forecasts_, online)
    np.testing.assert_array_equal(model.weights_, reference.weights)
    np.testing.assert_allclose(model.predict(X), forecasts @ reference.weights, rtol=1e-14)
    assert model.score(X, y) == pytest.approx(r2_score(y, forecasts @ reference.weights))


def test_partial_fit_in_chunks_equals_one_fit_and_fit_resets(data) -> None:
    X, y, experts = data
    whole = OnlineAggregatorRegressor(experts, learner="adahedge", gradient_trick=True).fit(X, y)
    chunked = OnlineAggregatorRegressor(experts, learner="adahedge", gradient_trick=True)
    for start in range(0, len(y), 25):
        chunked.partial_fit(X[start : start + 25], y[start : start + 25])
    np.testing.assert_array_equal(chunked.weights_, whole.weights_)
    np.testing.assert_array_equal(whole.fit(X, y).weights_, chunked.weights_)
    assert whole.weights_[1] > 0.5  # the linear model is the right one


def test_clone_is_fresh_and_learner_instances_are_refused(data) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor(experts, learner="fixed-share", learner_params={"eta": 1.0, "alpha": 0.01})
    model.fit(X, y)
    assert model.aggregator_.t == len(y)
    fresh = clone(model)
    assert fresh.get_params()["learner_params"] == {"eta": 1.0, "alpha": 0.01} and not hasattr(fresh, "weights_")
    with pytest.raises(NotFittedError):
        fresh.predict(X)
    with pytest.raises(TypeError, match="'learner'"):
        OnlineAggregatorRegressor(experts, learner=Hedge(4, eta=1.0)).fit(X, y)


def test_bad_y_is_refused_and_the_fitted_state_kept(data) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor(experts).fit(X[:50], y[:50])
    before = model.weights_.copy(), model.aggregator_.t
    bad = y[50:60].copy()
    bad[5] = np.nan
    with pytest.raises(ValueError, match="'y'"):
        model.partial_fit(X[50:60], bad)
    with pytest.raises(ValueError, match="'y'"):
        model.partial_fit(X[50:60], y[50:55])
    np.testing.assert_array_equal(model.weights_, before[0])
    assert model.aggregator_.t == before[1]


def test_bad_loss_is_refused_at_fit(data) -> None:
    X, y, experts = data
    with pytest.raises(ValueError, match="'loss'"):
        OnlineAggregatorRegressor(experts, loss="huber").fit(X, y)
