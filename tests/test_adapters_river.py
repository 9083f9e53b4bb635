"""ftrl.adapters.river.FTRLRegressor against river's own EWARegressor, and where it does better."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

river = pytest.importorskip("river")

from river import base, datasets, ensemble, linear_model, optim, preprocessing

from ftrl import AdaHedge, Aggregator
from ftrl.adapters.river import FTRLRegressor


def fresh_models() -> list:
    return [linear_model.LinearRegression(optimizer=optimizer, intercept_lr=0.1)
            for optimizer in (optim.SGD(0.01), optim.RMSProp(), optim.AdaGrad())]


class Constant(base.Regressor):
    """A model that always forecasts ``value`` (None: it abstains)."""

    def __init__(self, value: float | None) -> None:
        self.value = value

    def learn_one(self, x: dict, y: float) -> None:
        pass

    def predict_one(self, x: dict) -> float | None:
        return self.value


@pytest.mark.parametrize("learning_rate", [0.005, 0.05])
@pytest.mark.parametrize("loss", [None, optim.losses.Absolute()])
def test_same_predictions_as_ewa_regressor(learning_rate: float, loss) -> None:
    ewa = preprocessing.StandardScaler() | ensemble.EWARegressor(fresh_models(), loss=copy.deepcopy(loss),
                                                                 learning_rate=learning_rate)
    ours = preprocessing.StandardScaler() | FTRLRegressor(fresh_models(), loss=copy.deepcopy(loss),
                                                          learning_rate=learning_rate)
    theirs_predictions, our_predictions = [], []
    for x, y in datasets.TrumpApproval():
        theirs_predictions.append(ewa.predict_one(x))
        our_predictions.append(ours.predict_one(x))
        ewa.learn_one(x, y)
        ours.learn_one(x, y)
    np.testing.assert_allclose(our_predictions, theirs_predictions, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[-1].weights, ewa[-1].weights, rtol=1e-8, atol=1e-300)


def test_keeps_learning_where_ewa_regressor_underflows() -> None:
    # At rate 0.5 the squared errors of the first rounds (about 40^2) underflow every EWARegressor weight to 0.
    ewa = preprocessing.StandardScaler() | ensemble.EWARegressor(fresh_models(), learning_rate=0.5)
    ours = preprocessing.StandardScaler() | FTRLRegressor(fresh_models(), learning_rate=0.5)
    errors_theirs, errors_ours = [], []
    for x, y in datasets.TrumpApproval():
        errors_theirs.append(abs(ewa.predict_one(x) - y))
        errors_ours.append(abs(ours.predict_one(x) - y))
        ewa.learn_one(x, y)
        ours.learn_one(x, y)
    assert ewa[-1].weights == [0.0, 0.0, 0.0]
    assert np.mean(errors_ours) < 1.0
    assert np.mean(errors_theirs) > 30.0
    assert math.isclose(sum(ours[-1].weights), 1.0, rel_tol=1e-12)


def test_no_underflow_when_losses_are_large() -> None:
    stream = [({"x": float(t)}, 1000.0) for t in range(5)]
    ewa = ensemble.EWARegressor([Constant(900.0), Constant(1050.0)], learning_rate=0.5)
    ours = FTRLRegressor([Constant(900.0), Constant(1050.0)], learning_rate=0.5)
    for x, y in stream:
        ewa.learn_one(x, y)
        ours.learn_one(x, y)
    assert ewa.weights == [0.0, 0.0] and ewa.predict_one({"x": 5.0}) == 0.0  # river's weights underflowed
    assert ours.predict_one({"x": 5.0}) == pytest.approx(1050.0)
    assert ours.weights == pytest.approx([0.0, 1.0])
    assert all(math.isfinite(weight) for weight in ours.weights)


def test_any_learner_and_the_gradient_trick_match_the_aggregator() -> None:
    values = [1.0, 2.5, 4.0]
    model = FTRLRegressor([Constant(v) for v in values], learner=AdaHedge(3), gradient_trick=True)
    reference = Aggregator("adahedge", "square", gradient_trick=True)
    rng = np.random.default_rng(0)
    for y in rng.normal(2.0, 1.0, 50):
        assert model.predict_one({}) == reference.predict(values)
        model.learn_one({}, float(y))
        reference.update(float(y))
    np.testing.assert_array_equal(model.weights, reference.weights)


def test_abstaining_model_is_asleep() -> None:
    model = FTRLRegressor([Constant(1.0), Constant(None), Constant(3.0)], loss="absolute", learning_rate=1.0)
    assert model.predict_one({}) == pytest.approx(2.0)
    model.learn_one({}, 3.0)
    assert model.aggregator.learner.cum_losses.tolist() == pytest.approx([2.0, 1.0, 0.0])


def test_clone_pickle_and_parameters() -> None:
    model = FTRLRegressor([Constant(1.0), Constant(2.0)], learner="fixed-share", learning_rate=0.5,
                          learner_params={"alpha": 0.1})
    model.learn_one({}, 2.0)
    restored = pickle.loads(pickle.dumps(model))
    assert restored.weights == model.weights
    clone = model.clone()
    assert clone.weights == [0.5, 0.5] and clone.learning_rate == 0.5 and clone.learner == "fixed-share"
    assert model.aggregator.learner.get_params() == {"n_experts": 2, "eta": 0.5, "alpha": 0.1}


def test_learning_rate_for_a_learner_without_one_is_refused() -> None:
    with pytest.raises(ValueError, match="'learning_rate'"):
        FTRLRegressor([Constant(1.0), Constant(2.0)], learner="adahedge", learning_rate=0.5)


def test_river_estimator_checks() -> None:
    from river.checks import check_estimator

    check_estimator(FTRLRegressor(next(FTRLRegressor._unit_test_params())["models"], learning_rate=0.1))


REGRESSION_LOSSES = sorted(
    (cls for cls in vars(optim.losses).values()
     if isinstance(cls, type) and issubclass(cls, optim.losses.RegressionLoss) and cls is not optim.losses.RegressionLoss),
    key=lambda cls: cls.__name__,
)


class ScalarSquared(optim.losses.RegressionLoss):
    """A user's loss that only works on numbers (``math.fabs``, ``if``): it must be evaluated model by model."""

    def __call__(self, y_true, y_pred):
        return math.fabs(y_pred - y_true) ** 2

    def gradient(self, y_true, y_pred):
        if y_pred > y_true:
            return 2.0 * math.fabs(y_pred - y_true)
        return -2.0 * math.fabs(y_pred - y_true)


def naive_pair(river_loss) -> tuple:
    """The loss and gradient evaluated one forecast at a time on floats, as EWARegressor calls them."""

    def loss(y_hat, y):
        return np.vectorize(lambda f, t: float(river_loss(y_true=float(t), y_pred=float(f))))(y_hat, y)

    def gradient(y_hat, y):
        return np.vectorize(lambda f, t: float(river_loss.gradient(y_true=float(t), y_pred=float(f))))(y_hat, y)

    return loss, gradient


def test_every_river_regression_loss_is_covered() -> None:
    assert {cls.__name__ for cls in REGRESSION_LOSSES} >= {"Absolute", "Cauchy", "EpsilonInsensitiveHinge", "Huber",
                                                          "Poisson", "Quantile", "Squared"}


@pytest.mark.parametrize("loss_class", [*REGRESSION_LOSSES, ScalarSquared], ids=lambda cls: cls.__name__)
def test_every_regression_loss_gives_ewa_regressor_predictions(loss_class) -> None:
    ewa = preprocessing.StandardScaler() | ensemble.EWARegressor(fresh_models(), loss=loss_class(), learning_rate=0.01)
    ours = preprocessing.StandardScaler() | FTRLRegressor(fresh_models(), loss=loss_class(), learning_rate=0.01)
    theirs_predictions, our_predictions = [], []
    for x, y in datasets.TrumpApproval():
        y = y / 40.0 if loss_class is optim.losses.Poisson else y  # keep exp(forecast) finite
        theirs_predictions.append(ewa.predict_one(x))
        our_predictions.append(ours.predict_one(x))
        ewa.learn_one(x, y)
        ours.learn_one(x, y)
    np.testing.assert_allclose(our_predictions, theirs_predictions, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss_class", [*REGRESSION_LOSSES, ScalarSquared], ids=lambda cls: cls.__name__)
def test_every_regression_loss_with_the_gradient_trick_and_a_sleeper(loss_class) -> None:
    values = [0.2, None, 1.4, 2.5]
    model = FTRLRegressor([Constant(v) for v in values], loss=loss_class(), learner="adahedge", gradient_trick=True)
    reference = Aggregator("adahedge", naive_pair(loss_class()), gradient_trick=True)
    forecasts = [np.nan if v is None else v for v in values]
    rng = np.random.default_rng(1)
    for y in rng.uniform(0.0, 3.0, 40):
        assert model.predict_one({}) == pytest.approx(reference.predict(forecasts), rel=1e-12)
        model.learn_one({}, float(y))
        reference.update(float(y))
    np.testing.assert_allclose(model.weights, reference.weights, rtol=1e-10, atol=1e-15)
    # and without the trick, the experts' own losses, model by model
    plain = FTRLRegressor([Constant(v) for v in values], loss=loss_class(), learner="adahedge")
    plain_reference = Aggregator("adahedge", naive_pair(loss_class()))
    for y in rng.uniform(0.0, 3.0, 40):
        plain.predict_one({})
        plain_reference.predict(forecasts)
        plain.learn_one({}, float(y))
        plain_reference.update(float(y))
    np.testing.assert_allclose(plain.weights, plain_reference.weights, rtol=1e-10, atol=1e-15)
