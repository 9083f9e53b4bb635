"""Tests of ftrl.aggregation against the naive loop of tests/naive_aggregation.py and hand-derived losses."""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from naive_aggregation import naive_derivative, naive_hedge_aggregation, naive_loss, naive_round_losses

from environments import ExpertForecasts
from ftrl import Aggregator, Hedge, aggregate, make_learner
from ftrl.aggregation import LOSS_NAMES, best_convex_combination, resolve_loss

FULL_INFORMATION = [
    ("hedge", {"eta": 0.7}),
    ("hedge", {}),
    ("hedge", {"horizon": 60}),
    ("ftl", {}),
    ("adahedge", {}),
    ("flipflop", {}),
    ("fixed-share", {"eta": 0.5, "alpha": 0.05}),
    ("ftrl", {"regularizer": "euclidean", "eta": 0.3}),
    ("ftrl", {"regularizer": "tsallis", "eta": 0.3, "regularizer_params": {"alpha": 0.5}}),
]


def series(loss: str, n_rounds: int = 60, n_experts: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and forecasts fitting the loss's domain (log: y in {0, 1}, forecasts in (0, 1))."""
    rng = np.random.default_rng(seed)
    if loss == "log":
        y = (rng.random(n_rounds) < 0.3).astype(float)
        forecasts = rng.uniform(0.05, 0.95, size=(n_rounds, n_experts))
        return y, forecasts
    y = 5.0 + np.sin(np.arange(n_rounds) / 5.0) + 0.3 * rng.standard_normal(n_rounds)
    biases = np.linspace(-1.0, 1.0, n_experts)
    forecasts = y[:, None] + biases + 0.5 * rng.standard_normal((n_rounds, n_experts))
    return y, forecasts


def quantile_of(loss: str) -> float | None:
    return 0.3 if loss == "pinball" else None


def with_sleepers(forecasts: np.ndarray, seed: int = 1) -> np.ndarray:
    """NaN in about a quarter of the entries, never a whole row."""
    rng = np.random.default_rng(seed)
    asleep = rng.random(forecasts.shape) < 0.25
    asleep[:, 0] = False
    return np.where(asleep, np.nan, forecasts)


def run_online(aggregator: Aggregator, y: np.ndarray, forecasts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    predictions, weights = [], []
    for outcome, row in zip(y, forecasts):
        weights.append(aggregator.weights if aggregator.learner is not None else None)
        predictions.append(aggregator.predict(row))
        aggregator.update(outcome)
    return np.array(predictions), weights


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("gradient_trick", [False, True])
@pytest.mark.parametrize("sleeping", [False, True])
def test_aggregator_and_aggregate_equal_the_naive_loop(loss: str, gradient_trick: bool, sleeping: bool) -> None:
    y, forecasts = series(loss)
    if sleeping:
        forecasts = with_sleepers(forecasts)
    quantile = quantile_of(loss)
    expected_forecasts, expected_weights = naive_hedge_aggregation(y, forecasts, loss, 0.7, quantile=quantile,
                                                                   gradient_trick=gradient_trick)
    aggregator = Aggregator(Hedge(forecasts.shape[1], eta=0.7), loss, quantile=quantile,
                            gradient_trick=gradient_trick)
    online, _ = run_online(aggregator, y, forecasts)
    np.testing.assert_allclose(online, expected_forecasts, rtol=1e-12, atol=1e-12)
    frame = aggregate(y, forecasts, "hedge", loss, quantile=quantile, gradient_trick=gradient_trick,
                      learner_params={"eta": 0.7})
    np.testing.assert_array_equal(frame["forecast"].to_numpy(), online)
    weight_columns = [f"weight_expert_{i}" for i in range(forecasts.shape[1])]
    np.testing.assert_allclose(frame[weight_columns].to_numpy(), expected_weights, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("name", "params"), FULL_INFORMATION)
def test_every_full_information_learner(name: str, params: dict) -> None:
    y, forecasts = series("square", n_rounds=40)
    forecasts = with_sleepers(forecasts)
    reference = make_learner(name, forecasts.shape[1], **params)
    expected = []
    for outcome, row in zip(y, forecasts):
        weights = reference.weights
        awake = ~np.isnan(row)
        weights = np.where(awake, weights, 0.0)
        weights = weights / weights.sum() if weights.sum() > 0 else awake / awake.sum()
        y_hat = float(weights[awake] @ row[awake])
        expected.append(y_hat)
        reference.update(naive_round_losses("square", row, outcome, y_hat, gradient_trick=True,
                                            loss_range=(-20.0, 20.0)))
    aggregator = Aggregator(name, "square", gradient_trick=True, loss_range=(-20.0, 20.0), learner_params=params)
    online, _ = run_online(aggregator, y, forecasts)
    np.testing.assert_allclose(online, expected, rtol=1e-12, atol=1e-12)
    frame = aggregate(y, forecasts, name, "square", gradient_trick=True, loss_range=(-20.0, 20.0),
                      learner_params=params)
    np.testing.assert_array_equal(frame["forecast"].to_numpy(), online)
    np.testing.assert_allclose(aggregator.weights, reference.weights, rtol=1e-12, atol=1e-15)


def test_aggregate_leaves_a_given_learner_untouched() -> None:
    y, forecasts = series("square", n_rounds=10)
    learner = Hedge(4, eta=0.5)
    learner.update([0.0, 1.0, 1.0, 1.0])
    before = learner.weights
    frame = aggregate(y, forecasts, learner, "square")
    np.testing.assert_array_equal(learner.weights, before)
    np.testing.assert_array_equal(frame.iloc[0][[f"weight_expert_{i}" for i in range(4)]].to_numpy(),
                                  np.full(4, 0.25))


HAND_DERIVATIVES = {
    "square": lambda y_hat, y, q: 2.0 * (y_hat - y),
    "absolute": lambda y_hat, y, q: np.sign(y_hat - y),
    "pinball": lambda y_hat, y, q: (1.0 - q) if y_hat > y else -q,
    "percentage": lambda y_hat, y, q: np.sign(y_hat - y) / abs(y),
    "log": lambda y_hat, y, q: -1.0 / y_hat if y == 1.0 else 1.0 / (1.0 - y_hat),
}


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_gradient_trick_feeds_the_hand_derived_linearized_losses(loss: str) -> None:
    y, forecasts = series(loss, n_rounds=20)
    quantile = quantile_of(loss)
    aggregator = Aggregator("adahedge", loss, quantile=quantile, gradient_trick=True)
    for outcome, row in zip(y, forecasts):
        y_hat = aggregator.predict(row)
        slope = HAND_DERIVATIVES[loss](y_hat, outcome, quantile)
        np.testing.assert_allclose(aggregator.round_losses(outcome), slope * (row - y_hat), rtol=1e-13, atol=1e-13)
        aggregator.update(outcome)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_loss_derivatives_against_finite_differences(loss: str) -> None:
    spec = resolve_loss(loss, quantile_of(loss), "test")
    rng = np.random.default_rng(3)
    y_values = (rng.random(30) < 0.5).astype(float) if loss == "log" else rng.normal(2.0, 1.0, 30)
    y_hat = rng.uniform(0.1, 0.9, 30) if loss == "log" else y_values + rng.choice([-1, 1], 30) * rng.uniform(0.1, 1, 30)
    step = 1e-6
    numeric = (spec.value(y_hat + step, y_values) - spec.value(y_hat - step, y_values)) / (2 * step)
    np.testing.assert_allclose(spec.gradient(y_hat, y_values), numeric, rtol=1e-6, atol=1e-7)
    by_hand = [naive_derivative(loss, a, b, quantile_of(loss)) for a, b in zip(y_hat, y_values)]
    np.testing.assert_allclose(spec.gradient(y_hat, y_values), by_hand, rtol=1e-14)
    np.testing.assert_allclose(spec.value(y_hat, y_values),
                               [naive_loss(loss, a, b, quantile_of(loss)) for a, b in zip(y_hat, y_values)],
                               rtol=1e-14)


@pytest.mark.parametrize("loss", ["square", "absolute", "pinball", "log"])
def test_losses_agree_with_expert_forecasts_environment(loss: str) -> None:
    y, forecasts = series(loss, n_rounds=15)
    environment = ExpertForecasts(y, forecasts, loss=loss, quantile=quantile_of(loss))
    spec = resolve_loss(loss, quantile_of(loss), "test")
    np.testing.assert_allclose(spec.value(forecasts, y[:, None]), environment.raw_losses, rtol=1e-14)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_best_convex_combination_beats_every_expert_and_the_uniform_mix(loss: str, seed: int) -> None:
    y, forecasts = series(loss, n_rounds=80, seed=seed)
    spec = resolve_loss(loss, quantile_of(loss), "test")
    weights, value = best_convex_combination(y, forecasts, loss, quantile=quantile_of(loss))
    assert weights.min() >= 0.0 and math.isclose(weights.sum(), 1.0, rel_tol=1e-12)
    assert math.isclose(value, float(np.sum(spec.value(forecasts @ weights, y))), rel_tol=1e-12)
    expert_losses = spec.value(forecasts, y[:, None]).sum(axis=0)
    assert value <= expert_losses.min() + 1e-9
    assert value <= float(np.sum(spec.value(forecasts.mean(axis=1), y))) + 1e-9


def test_best_convex_combination_of_square_loss_matches_the_kkt_conditions() -> None:
    y, forecasts = series("square", n_rounds=200, n_experts=3)
    weights, _ = best_convex_combination(y, forecasts, "square")
    gradient = 2.0 * forecasts.T @ (forecasts @ weights - y)
    support = weights > 1e-6
    # On the simplex: equal partial derivatives on the support, no smaller one off it.
    assert np.ptp(gradient[support]) <= 1e-4 * np.abs(gradient).max()
    assert np.all(gradient[~support] >= gradient[support].min() - 1e-4 * np.abs(gradient).max())


def test_sleeping_experts_keep_their_standing() -> None:
    eta = 0.8
    aggregator = Aggregator(Hedge(4, eta=eta), "square")
    aggregator.predict([1.0, 2.0, 3.0, 4.0])
    aggregator.update(1.5)
    before = aggregator.weights
    y_hat = aggregator.predict([1.0, np.nan, 3.0, np.nan])
    awake_mass = before[0] + before[2]
    assert y_hat == pytest.approx((before[0] * 1.0 + before[2] * 3.0) / awake_mass, rel=1e-14)
    mixture_loss = (y_hat - 2.0) ** 2
    cum_before = aggregator.learner.cum_losses
    aggregator.update(2.0)
    after = aggregator.weights
    # Asleep experts are charged the mixture's loss...
    np.testing.assert_allclose(aggregator.learner.cum_losses - cum_before,
                               [(1.0 - 2.0) ** 2, mixture_loss, (3.0 - 2.0) ** 2, mixture_loss], rtol=1e-14)
    # ...so two asleep experts keep their weight ratio, and against an awake expert k the log-ratio moves by
    # -eta (mixture loss - loss of k): the sleeper is neither rewarded nor punished relative to the mixture.
    assert after[1] / after[3] == pytest.approx(before[1] / before[3], rel=1e-13)
    for awake_index, awake_loss in ((0, 1.0), (2, 1.0)):
        change = math.log(after[1] / after[awake_index]) - math.log(before[1] / before[awake_index])
        assert change == pytest.approx(-eta * (mixture_loss - awake_loss), rel=1e-12)


# (learner, params, needs a loss range, ratio kept without the gradient trick, ratio kept with it): see the
# module docstring's "Sleeping experts"
SLEEPING_RATIO = [
    ("hedge", {"eta": 0.3}, False, True, True),
    ("ftrl", {"regularizer": "entropy", "eta": 0.3}, False, True, True),
    ("hedge", {}, True, False, False),  # anytime rate
    ("ftrl", {"regularizer": "entropy"}, True, False, False),
    ("ftrl", {"regularizer": "euclidean", "eta": 0.02}, False, False, False),
    ("adahedge", {}, False, False, False),
    ("flipflop", {}, False, False, False),
    ("fixed-share", {"eta": 0.3, "alpha": 0.05}, False, False, False),
    ("squint", {}, True, False, True),
    ("boa", {}, False, False, True),
    ("ml-poly", {}, False, False, True),
    ("kt-experts", {}, True, False, True),
    ("normalhedge", {}, True, False, False),
]


@pytest.mark.parametrize("gradient_trick", [False, True])
@pytest.mark.parametrize(("name", "params", "loss_range", "kept", "kept_with_trick"), SLEEPING_RATIO,
                         ids=lambda value: value if isinstance(value, str) else None)
def test_which_learners_keep_the_weight_ratio_of_asleep_experts(name, params, loss_range, kept, kept_with_trick,
                                                                 gradient_trick: bool) -> None:
    rng = np.random.default_rng(0)
    if loss_range:  # losses below 12 and linearized losses within (-40, 40) in the rounds played here
        loss_range = (-40.0, 40.0) if gradient_trick else (0.0, 12.0)
    else:
        loss_range = None
    aggregator = Aggregator(name, "square", gradient_trick=gradient_trick, loss_range=loss_range,
                            learner_params=params)
    offsets = np.array([[0.3, -0.5, 3.0, 0.4, -0.6], [-0.5, 0.3, -3.0, -0.6, 0.4]])
    for t in range(10):  # all awake, expert 2 bad, the others taking turns: every learner spreads its weight
        y = rng.normal()
        aggregator.predict(y + offsets[t % 2] + 0.05 * rng.normal(size=5))
        aggregator.update(y)
    before = aggregator.weights.copy()
    assert np.all(before[[0, 1, 3, 4]] > 0.0)
    for _ in range(20):  # experts 3 and 4 asleep
        y = rng.normal()
        # two good awake experts that disagree (so the mixture's loss is below their mean loss) and a bad one
        forecasts = np.array([y + 0.4 + 0.1 * rng.normal(), y - 0.4 + 0.1 * rng.normal(), y + 2.0, np.nan, np.nan])
        weights = aggregator.weights.copy()
        y_hat = aggregator.predict(forecasts)
        losses = aggregator.round_losses(y)
        # every sleeper is charged the same: the mixture's loss, or 0 with the trick (then rescaled by loss_range)
        charged = 0.0 if gradient_trick else (y_hat - y) ** 2
        if loss_range is not None:
            charged = (charged - loss_range[0]) / (loss_range[1] - loss_range[0])
        assert losses[3] == losses[4] == pytest.approx(charged, rel=1e-12, abs=1e-15)
        if gradient_trick and loss_range is None:
            # the learner's own loss <p, l~> over all experts is 0: a sleeper's instantaneous regret is exactly 0
            assert weights @ losses == pytest.approx(0.0, abs=1e-12)
        aggregator.update(y)
    after = aggregator.weights
    ratio_before, ratio_after = before[3] / before[4], after[3] / after[4]
    if kept_with_trick if gradient_trick else kept:
        assert ratio_after == pytest.approx(ratio_before, rel=1e-12)
    else:
        assert abs(ratio_after / ratio_before - 1.0) > 1e-6


def test_regret_based_learners_see_a_nonzero_regret_for_sleepers() -> None:
    # Squint compares each expert with <p_t, l_t> over all experts: a sleeper's regret is
    # m_t * (sum over awake of p~_i l_i - loss of the mixture), with m_t the awake mass (naive computation here)
    aggregator = Aggregator("squint", "square", loss_range=(0.0, 100.0))
    for forecasts, y in [([0.0, 1.0, 3.0, 5.0], 1.0), ([0.5, 2.0, 1.0, 4.0], 2.0)]:
        aggregator.predict(forecasts)
        aggregator.update(y)
    weights = aggregator.weights.copy()
    regret_before = aggregator.learner.cum_regret.copy()
    forecasts, y = [0.0, 4.0, np.nan, np.nan], 1.0
    y_hat = aggregator.predict(forecasts)
    aggregator.update(y)
    mass = weights[0] + weights[1]
    awake_loss = (weights[0] * (0.0 - y) ** 2 + weights[1] * (4.0 - y) ** 2) / mass / 100.0
    expected = mass * (awake_loss - (y_hat - y) ** 2 / 100.0)
    increments = aggregator.learner.cum_regret - regret_before
    assert expected > 0.01
    np.testing.assert_allclose(increments[2:], [expected, expected], rtol=1e-12)


def test_sleeping_experts_with_gradient_trick_are_charged_zero() -> None:
    aggregator = Aggregator("hedge", "absolute", gradient_trick=True, learner_params={"eta": 1.0})
    aggregator.predict([1.0, np.nan, 3.0])
    losses = aggregator.round_losses(0.0)
    assert losses[1] == 0.0
    np.testing.assert_allclose(losses, [1.0 - 2.0, 0.0, 3.0 - 2.0])


def test_loss_range_rescales_and_refuses_losses_outside() -> None:
    aggregator = Aggregator("hedge", "square", loss_range=(0.0, 4.0))
    aggregator.predict([0.0, 1.0])
    np.testing.assert_allclose(aggregator.round_losses(1.0), [0.25, 0.0])
    with pytest.raises(ValueError, match="loss_range"):
        aggregator.round_losses(5.0)


def test_aggregate_frame_names_index_and_attrs() -> None:
    y, forecasts = series("square", n_rounds=30, n_experts=3)
    index = pd.date_range("2020-01-01", periods=30, freq="D")
    frame = aggregate(pd.Series(y, index=index), pd.DataFrame(forecasts, columns=["naive", "mean", "ar"], index=index),
                      "adahedge", "square")
    assert list(frame.index) == list(index)
    for name in ("naive", "mean", "ar"):
        assert f"weight_{name}" in frame and f"cum_loss_{name}" in frame
    np.testing.assert_allclose(frame[["weight_naive", "weight_mean", "weight_ar"]].sum(axis=1), 1.0, rtol=1e-12)
    attrs = frame.attrs
    assert attrs["expert_names"] == ["naive", "mean", "ar"]
    assert attrs["cum_loss"] == pytest.approx(float(np.sum((frame["forecast"] - y) ** 2)))
    assert attrs["best_expert_loss"] == min(attrs["expert_cum_loss"].values())
    assert attrs["regret_best_expert"] == pytest.approx(frame["regret_best_expert"].iloc[-1])
    assert attrs["regret_best_convex"] == pytest.approx(frame["regret_best_convex"].iloc[-1])
    assert attrs["best_convex_loss"] <= attrs["best_expert_loss"] + 1e-9
    assert set(attrs["best_convex_weights"]) == {"naive", "mean", "ar"}


def test_aggregate_with_sleepers_has_no_convex_benchmark() -> None:
    y, forecasts = series("square", n_rounds=30)
    frame = aggregate(y, with_sleepers(forecasts), "hedge", "square", learner_params={"eta": 0.5})
    assert frame["regret_best_convex"].isna().all() and math.isnan(frame.attrs["best_convex_loss"])
    assert frame.attrs["best_convex_weights"] is None


def test_callable_losses() -> None:
    def cube(y_hat, y):
        return np.abs(y_hat - y) ** 3

    def cube_gradient(y_hat, y):
        return 3.0 * np.sign(y_hat - y) * (y_hat - y) ** 2

    y, forecasts = series("square", n_rounds=25)
    frame = aggregate(y, forecasts, "adahedge", (cube, cube_gradient), gradient_trick=True)
    online, _ = run_online(Aggregator("adahedge", (cube, cube_gradient), gradient_trick=True), y, forecasts)
    np.testing.assert_array_equal(frame["forecast"].to_numpy(), online)
    assert frame.attrs["loss"] == "cube"
    assert aggregate(y, forecasts, "adahedge", cube).attrs["best_convex_loss"] <= min(
        frame.attrs["expert_cum_loss"].values()) + 1e-9
    with pytest.raises(ValueError, match="'loss'.*gradient"):
        Aggregator("hedge", cube, gradient_trick=True)


def snapshot(aggregator: Aggregator) -> tuple:
    learner = aggregator.learner
    return (learner.t, learner.weights.tolist(), learner.cum_losses.tolist(), aggregator.last_forecast,
            copy.deepcopy(aggregator._pending and aggregator._pending[0].tolist()))


@pytest.mark.parametrize(("call", "argument", "name"), [
    ("predict", [1.0, 2.0], "expert_predictions"),
    ("predict", [[1.0, 2.0, 3.0]], "expert_predictions"),
    ("predict", [1.0, np.inf, 3.0], "expert_predictions"),
    ("predict", [np.nan, np.nan, np.nan], "expert_predictions"),
    ("update", np.nan, "y"),
    ("update", np.inf, "y"),
])
def test_bad_round_input_is_refused_and_leaves_the_state_unchanged(call: str, argument, name: str) -> None:
    aggregator = Aggregator(Hedge(3, eta=0.5), "square")
    aggregator.predict([1.0, 2.0, 3.0])
    aggregator.update(2.0)
    aggregator.predict([1.0, 2.5, 3.0])
    before = snapshot(aggregator)
    with pytest.raises(ValueError, match=f"'{name}'"):
        getattr(aggregator, call)(argument)
    assert snapshot(aggregator) == before


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"loss": "huber"}, "loss"),
    ({"loss": 3.0}, "loss"),
    ({"loss": "pinball"}, "quantile"),
    ({"loss": "pinball", "quantile": 1.0}, "quantile"),
    ({"loss": "pinball", "quantile": 0.0}, "quantile"),
    ({"loss": "square", "quantile": 0.5}, "quantile"),
    ({"loss_range": (1.0, 1.0)}, "loss_range"),
    ({"learner": "exp3"}, "learner"),
    ({"learner": "nope"}, "learner"),
    ({"learner": Hedge(3), "n_experts": 4}, "n_experts"),
])
def test_bad_construction_names_the_parameter(kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=f"'{name}'"):
        Aggregator(**kwargs)


@pytest.mark.parametrize(("y", "forecasts", "kwargs", "name"), [
    ([1.0, np.nan], [[1.0], [2.0]], {}, "y"),
    ([1.0, 2.0], [[1.0], [2.0], [3.0]], {}, "expert_predictions"),
    ([1.0, 2.0], [1.0, 2.0], {}, "expert_predictions"),
    ([0.0, 2.0], [[1.0], [2.0]], {"loss": "percentage"}, "y"),
    ([0.0, 0.5], [[0.2], [0.4]], {"loss": "log"}, "y"),
    ([0.0, 1.0], [[0.2], [1.4]], {"loss": "log"}, "expert_predictions"),
    ([1.0, 2.0], [[1.0], [2.0]], {"loss": "pinball"}, "quantile"),
])
def test_aggregate_refuses_bad_input(y, forecasts, kwargs: dict, name: str) -> None:
    with pytest.raises(ValueError, match=f"'{name}'"):
        aggregate(y, forecasts, **kwargs)


def test_update_before_predict_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="predict"):
        Aggregator("hedge", n_experts=2).update(1.0)


def test_log_loss_of_a_certain_wrong_expert_is_refused_before_any_change() -> None:
    aggregator = Aggregator(Hedge(2, eta=1.0), "log")
    aggregator.predict([0.0, 0.5])
    before = snapshot(aggregator)
    with pytest.raises(ValueError, match="expert 0"):
        aggregator.update(1.0)
    assert snapshot(aggregator) == before


@pytest.mark.parametrize("loss", ["absolute", "pinball", "percentage"])
def test_best_convex_combination_of_piecewise_linear_losses_is_exact(loss: str) -> None:
    y, forecasts = series(loss, n_rounds=120, n_experts=2, seed=5)
    forecasts[:, 1] = y + np.random.default_rng(6).normal(0.5, 0.5, 120)  # errors of opposite sign: a true mix
    spec = resolve_loss(loss, quantile_of(loss), "test")
    weights, value = best_convex_combination(y, forecasts, loss, quantile=quantile_of(loss))
    grid = np.linspace(0.0, 1.0, 4001)
    brute = min(float(np.sum(spec.value(forecasts @ np.array([a, 1.0 - a]), y))) for a in grid)
    assert value <= brute + 1e-9
    assert value >= brute - 1e-3 * abs(brute)
    assert 0.0 < weights[0] < 1.0


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_aggregator_pickles_and_continues_identically(loss: str) -> None:
    import pickle

    y, forecasts = series(loss, n_rounds=20)
    aggregator = Aggregator("flipflop", loss, quantile=quantile_of(loss), gradient_trick=True)
    run_online(aggregator, y[:10], forecasts[:10])
    restored = pickle.loads(pickle.dumps(aggregator))
    np.testing.assert_array_equal(run_online(restored, y[10:], forecasts[10:])[0],
                                  run_online(aggregator, y[10:], forecasts[10:])[0])
