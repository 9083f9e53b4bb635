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


def online_reference(experts: list, X: np.ndarray, y: np.ndarray, learner: str, **params) -> Aggregator:
    """ftrl.Aggregator played by hand over the experts' forecasts of (X, y)."""
    reference = Aggregator(learner, "square", learner_params=params)
    for row, target in zip(np.column_stack([expert.predict(X) for expert in experts]), y):
        reference.predict(row)
        reference.update(float(target))
    return reference


def test_clone_keeps_the_fitted_estimators_and_fits(data) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor(experts, learner="hedge", learner_params={"eta": 0.1})
    fresh = clone(model)
    assert fresh.estimators is not model.estimators
    assert all(ours is theirs for ours, theirs in zip(fresh.estimators, experts))
    assert fresh.learner_params == {"eta": 0.1} and fresh.learner_params is not model.learner_params
    fresh.fit(X, y)
    np.testing.assert_array_equal(fresh.weights_, online_reference(experts, X, y, "hedge", eta=0.1).weights)
    assert not hasattr(model, "weights_")
    # experts wrapped in sklearn.frozen.FrozenEstimator (scikit-learn >= 1.6) work the same
    frozen = pytest.importorskip("sklearn.frozen")
    wrapped = OnlineAggregatorRegressor([frozen.FrozenEstimator(expert) for expert in experts], learner="adahedge")
    np.testing.assert_array_equal(clone(wrapped).fit(X, y).weights_,
                                  online_reference(experts, X, y, "adahedge").weights)


def test_cross_val_score_and_grid_search(data) -> None:
    from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

    X, y, experts = data
    model = OnlineAggregatorRegressor(experts, learner="hedge", learner_params={"eta": 0.1})
    folds = KFold(n_splits=3)
    scores = cross_val_score(model, X, y, cv=folds, error_score="raise")
    expected = []
    for train, test in folds.split(X):
        weights = online_reference(experts, X[train], y[train], "hedge", eta=0.1).weights
        test_forecasts = np.column_stack([expert.predict(X[test]) for expert in experts])
        expected.append(r2_score(y[test], test_forecasts @ weights))
    np.testing.assert_allclose(scores, expected, rtol=1e-12)
    search = GridSearchCV(model, {"learner_params": [{"eta": 0.01}, {"eta": 1.0}]}, cv=folds, error_score="raise")
    search.fit(X, y)
    assert search.best_estimator_.estimators[1] is experts[1]


def test_unfitted_estimator_is_named_with_what_to_do(data) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor([experts[0], LinearRegression()])
    with pytest.raises(NotFittedError, match=r"estimators\[1\] \(LinearRegression\) is not fitted.*Fit each one"):
        model.fit(X, y)
    assert not hasattr(model, "weights_")


class TwoColumns:
    """A forecaster whose predict returns two columns: not a regressor of one target."""

    def predict(self, X):
        return np.zeros((len(X), 2))


def test_estimator_with_the_wrong_output_shape_is_named(data) -> None:
    X, y, experts = data
    with pytest.raises(ValueError, match=r"'estimators'.*shape \(120, 2\) from estimators\[1\] \(TwoColumns\)"):
        OnlineAggregatorRegressor([experts[0], TwoColumns()]).fit(X, y)
    fitted = OnlineAggregatorRegressor(experts[:2]).fit(X, y)
    fitted.estimators = [experts[0], TwoColumns()]
    with pytest.raises(ValueError, match=r"estimators\[1\] \(TwoColumns\)"):
        fitted.predict(X)


def fitted_state(model: OnlineAggregatorRegressor) -> dict:
    return {"t": model.aggregator_.t, "aggregator_weights": model.aggregator_.weights.copy(),
            "weights_": model.weights_.copy(), "forecasts_": model.forecasts_.copy(),
            "n_estimators_": model.n_estimators_, "aggregator_": model.aggregator_}


@pytest.mark.parametrize("failure", ["nan_y", "short_y", "bad_estimator", "loss_range"])
def test_a_failing_fit_leaves_every_fitted_attribute_as_it_was(data, failure: str) -> None:
    X, y, experts = data
    model = OnlineAggregatorRegressor(experts, learner="hedge", loss_range=(0.0, 100.0)).fit(X[:60], y[:60])
    model.partial_fit(X[60:80], y[60:80])
    before = fitted_state(model)
    bad_y = y.copy()
    if failure == "nan_y":
        bad_y[30] = np.nan
    elif failure == "short_y":
        bad_y = y[:-1]
    elif failure == "bad_estimator":
        model.set_params(estimators=[*experts[:3], TwoColumns()])
    else:
        bad_y[50] = 1e3  # a squared error far above 100, half-way through the rows
    for method in (model.fit, model.partial_fit):
        with pytest.raises((ValueError, TypeError)):
            method(X, bad_y)
        after = fitted_state(model)
        assert after["aggregator_"] is before["aggregator_"] and after["t"] == before["t"] == 80
        for name in ("aggregator_weights", "weights_", "forecasts_"):
            np.testing.assert_array_equal(after[name], before[name])
        assert after["n_estimators_"] == before["n_estimators_"]


class Fixed:
    """A fitted forecaster returning given values."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def predict(self, X):
        return self.values[: len(X)]


def test_infinite_or_all_asleep_forecasts_name_the_estimators(data) -> None:
    X, y, experts = data
    infinite = np.zeros(len(y))
    infinite[7] = np.inf
    with pytest.raises(ValueError, match=r"'estimators'.*infinite forecast from estimators\[1\] \(Fixed\) at row 7"):
        OnlineAggregatorRegressor([experts[0], Fixed(infinite)]).fit(X, y)
    asleep = np.zeros(len(y))
    asleep[4] = np.nan
    with pytest.raises(ValueError, match=r"'estimators'.*awake.*row 4 of X"):
        OnlineAggregatorRegressor([Fixed(asleep), Fixed(asleep.copy())]).fit(X, y)
    model = OnlineAggregatorRegressor(experts[:2]).fit(X, y)
    model.set_params(estimators=experts[:3])
    with pytest.raises(ValueError, match="'estimators'.*length"):
        model.partial_fit(X, y)
    with pytest.raises(ValueError, match="'estimators'.*length"):
        model.predict(X)


def test_an_aggregator_error_during_fit_names_the_row_and_the_adapter() -> None:
    """Forecasts outside [0, 1] under the log loss: the error came from the internal Aggregator alone."""
    X = np.zeros((5, 1))
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    estimators = [DummyRegressor(strategy="constant", constant=c).fit(X, y) for c in (1.5, 0.3)]
    model = OnlineAggregatorRegressor(estimators, loss="log")
    with pytest.raises(ValueError, match=r"of OnlineAggregatorRegressor must suit loss='log'; at row 0 of X "
                                         r"\(forecasts array\(\[1\.5, 0\.3\]\), y = 0\.0\): .*probabilities"):
        model.fit(X, y)
    assert not hasattr(model, "weights_")
