"""Common checks for every learner (one shared table), and each learner against its naive reference."""

from __future__ import annotations

import copy
import json
import math
import pickle

import naive_learners as naive
import numpy as np
import pytest

import ftrl
from ftrl import (
    BOA,
    FTL,
    FTRL,
    AdaHedge,
    Exp3,
    FixedShare,
    FlipFlop,
    Hedge,
    KTExperts,
    MLPoly,
    NormalHedge,
    Squint,
    TsallisINF,
)
from ftrl.learners import BanditProtocol, FullInformationProtocol, sample_index

N = 4
LEARNERS = [
    (Hedge, {}),
    (Hedge, {"eta": 0.7}),
    (Hedge, {"horizon": 100}),
    (FTL, {}),
    (AdaHedge, {}),
    (FlipFlop, {}),
    (FixedShare, {"eta": 0.5, "alpha": 0.05}),
    (FTRL, {"regularizer": "entropy"}),
    (FTRL, {"regularizer": "euclidean", "eta": 0.3}),
    (FTRL, {"regularizer": "tsallis", "horizon": 50}),
    (FTRL, {"regularizer": "log-barrier", "eta": 2.0}),
    (Exp3, {}),
    (Exp3, {"horizon": 100}),
    (TsallisINF, {}),
    (Squint, {}),
    (NormalHedge, {}),
    (BOA, {}),
    (MLPoly, {}),
    (KTExperts, {}),
]
IDS = [f"{cls.__name__}-{'-'.join(f'{k}={v}' for k, v in kwargs.items())}" for cls, kwargs in LEARNERS]


def play(learner, losses, rng=None):
    """Drive a learner through rows of losses with its Python API; return the weights before each round."""
    history = []
    for row in losses:
        history.append(learner.weights)
        play_round(learner, row, rng)
    return np.array(history)


def play_round(learner, row, rng=None):
    """One round through the Python API: ``update(row)``, or sample an arm and ``update_arm(arm, row[arm])``."""
    if learner.feedback == "full":
        learner.update(row)
    else:
        arm = learner.sample(rng)
        learner.update_arm(arm, row[arm])


def snapshot(learner):
    return learner.t, learner.weights


@pytest.fixture(params=LEARNERS, ids=IDS)
def make(request):
    cls, kwargs = request.param
    return lambda n_experts=N: cls(n_experts, **kwargs)


@pytest.fixture
def losses():
    return np.random.default_rng(7).random((30, N))


def test_protocol_attributes(make):
    learner = make()
    assert learner.feedback in ("full", "bandit")
    protocol = FullInformationProtocol if learner.feedback == "full" else BanditProtocol
    assert isinstance(learner, protocol)
    assert learner.n_experts == N and learner.t == 0
    assert type(learner).block_kernel is not None and hasattr(type(learner).block_kernel, "py_func")
    assert learner.name in ftrl.learner_names()
    assert type(ftrl.make_learner(learner.name, N, **_constructor_params(learner))) is type(learner)
    assert type(learner).__name__ in repr(learner)
    json.dumps(learner.get_params())


def _constructor_params(learner):
    params = learner.get_params()
    params.pop("n_experts")
    return params


def test_weights_on_simplex_read_only_and_kept_while_held(make, losses):
    learner, twin = make(), make()
    np.testing.assert_array_equal(learner.weights, np.full(N, 1.0 / N))
    for row in losses[:10]:
        play_round(learner, row, np.random.default_rng(1))
        play_round(twin, row, np.random.default_rng(1))
    weights = learner.weights
    assert weights.shape == (N,) and weights.dtype == np.float64
    assert (weights >= 0).all() and abs(weights.sum() - 1.0) < 1e-12
    with pytest.raises(ValueError, match="read-only"):
        weights[:] = -1.0
    values = weights.copy()
    tail = learner.weights[1:]  # only a view of the returned array is held
    values_tail = tail.copy()
    for row in losses[10:]:
        play_round(learner, row, np.random.default_rng(2))
        play_round(twin, row, np.random.default_rng(2))
    if learner.feedback == "full":
        learner.advance(losses[:3], np.empty(3))
        twin.advance(losses[:3], np.empty(3))
    np.testing.assert_array_equal(weights, values)
    np.testing.assert_array_equal(tail, values_tail)
    np.testing.assert_array_equal(learner.weights, twin.weights)  # holding changes no number
    assert not np.array_equal(learner.weights, values)


def test_weights_not_held_are_updated_in_place(make, losses):
    learner = make()
    state_weights = learner._weights
    for row in losses:
        np.testing.assert_array_equal(learner.weights, state_weights)
        play_round(learner, row, np.random.default_rng(3))
    assert learner._weights is state_weights


def test_inputs_not_mutated(make, losses):
    learner = make()
    original = losses.copy()
    if learner.feedback == "full":
        for row in losses:
            learner.update(row)
        learner.advance(losses, np.empty(len(losses)))
        learner.predict(losses[:N].T.copy().T)
    else:
        uniforms = np.random.default_rng(0).random(len(losses))
        kept = uniforms.copy()
        outputs = np.empty(len(losses)), np.empty(len(losses)), np.empty(len(losses), dtype=np.int64)
        learner.advance_bandit(losses, uniforms, *outputs)
        np.testing.assert_array_equal(uniforms, kept)
    np.testing.assert_array_equal(losses, original)


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "params"])
def test_copy_continues_identically(make, losses, how):
    learner = make()
    play(learner, losses[:10], np.random.default_rng(3))
    if how == "pickle":
        twin = pickle.loads(pickle.dumps(learner))
    elif how == "deepcopy":
        twin = copy.deepcopy(learner)
    else:
        twin = type(learner)(N, **_constructor_params(learner))
        play(twin, losses[:10], np.random.default_rng(3))
    assert snapshot(twin)[0] == learner.t
    first = play(learner, losses[10:], np.random.default_rng(4))
    second = play(twin, losses[10:], np.random.default_rng(4))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(learner.weights, twin.weights)


def test_reset_equals_fresh(make, losses):
    learner = make()
    play(learner, losses, np.random.default_rng(5))
    learner.reset()
    assert learner.t == 0
    fresh = make()
    np.testing.assert_array_equal(learner.weights, fresh.weights)
    np.testing.assert_array_equal(play(learner, losses, np.random.default_rng(6)),
                                  play(fresh, losses, np.random.default_rng(6)))


def test_advance_equals_repeated_update(make, losses):
    stepped, blocked = make(), make()
    if stepped.feedback == "full":
        paid = []
        for row in losses:
            paid.append(stepped.weights @ row)
            stepped.update(row)
        block_paid = np.empty(len(losses))
        blocked.advance(np.ascontiguousarray(losses[:13]), block_paid[:13])
        blocked.advance(np.ascontiguousarray(losses[13:]), block_paid[13:])
        np.testing.assert_allclose(block_paid, paid, rtol=1e-14)
        one_by_one, row_paid = make(), np.empty(len(losses))
        for index in range(len(losses)):
            one_by_one.advance(losses[index:index + 1], row_paid[index:index + 1])
        np.testing.assert_array_equal(block_paid, row_paid)
    else:
        uniforms = np.random.default_rng(8).random(len(losses))
        arms, paid, realized = [], [], []
        for row, u in zip(losses, uniforms):
            p = stepped.weights
            arm = int(sample_index(p, u))
            arms.append(arm)
            paid.append(p @ row)
            realized.append(row[arm])
            stepped.update_arm(arm, row[arm])
        outputs = np.empty(len(losses)), np.empty(len(losses)), np.empty(len(losses), dtype=np.int64)
        blocked.advance_bandit(losses, uniforms, *outputs)
        np.testing.assert_array_equal(outputs[2], arms)
        np.testing.assert_array_equal(outputs[0], paid)
        np.testing.assert_array_equal(outputs[1], realized)
    np.testing.assert_array_equal(stepped.weights, blocked.weights)
    assert stepped.t == blocked.t == len(losses)


@pytest.mark.parametrize(("cls", "kwargs"), [(cls, kwargs) for cls, kwargs in LEARNERS if cls.feedback == "bandit"])
def test_sample_uses_one_uniform_by_inverse_cdf(cls, kwargs, losses):
    learner = cls(N, **kwargs)
    play(learner, losses, np.random.default_rng(9))
    rng, twin = np.random.default_rng(11), np.random.default_rng(11)
    for _ in range(20):
        u = twin.random()
        expected = int(np.searchsorted(np.cumsum(learner.weights), u, side="right"))
        assert learner.sample(rng) == min(expected, N - 1)


def _bad_calls(learner):
    if learner.feedback == "full":
        return [
            ("losses", lambda: learner.update(np.zeros(N + 1))),
            ("losses", lambda: learner.update(np.zeros((N, 1)))),
            ("losses", lambda: learner.update([0.0, math.nan, 0.0, 0.0][:N])),
            ("losses", lambda: learner.update([0.0, 0.0, math.inf, 0.0][:N])),
            ("losses", lambda: learner.update([-math.inf, 0.0, 0.0, 0.0][:N])),
            ("losses", lambda: learner.update([])),  # numba cannot even type an empty list
            ("losses", lambda: learner.update([[0.0, 1.0], [0.5]])),  # ragged
            ("expert_predictions", lambda: learner.predict(np.zeros(N + 2))),
        ]
    return [
        ("arm", lambda: learner.update_arm(N, 0.5)),
        ("arm", lambda: learner.update_arm(-1, 0.5)),
        ("loss", lambda: learner.update_arm(0, math.nan)),
        ("loss", lambda: learner.update_arm(0, math.inf)),
    ]


def test_bad_input_raises_and_leaves_state(make, losses):
    learner = make()
    play(learner, losses[:5], np.random.default_rng(2))
    before = snapshot(learner)
    for name, call in _bad_calls(learner):
        with pytest.raises(ValueError, match=f"'{name}' parameter of {type(learner).__name__}"):
            call()
        after = snapshot(learner)
        assert after[0] == before[0]
        np.testing.assert_array_equal(after[1], before[1])


@pytest.mark.parametrize("cls", [Hedge, FTL, AdaHedge, FlipFlop, Exp3, TsallisINF])
@pytest.mark.parametrize("n_experts", [0, -3])
def test_n_experts_must_be_positive(cls, n_experts):
    with pytest.raises(ValueError, match="'n_experts' parameter"):
        cls(n_experts)


@pytest.mark.parametrize("integer", [np.int64, np.int32, np.uint8])
def test_numpy_integer_n_experts_gives_the_same_learner(make, losses, integer):
    """N given as a numpy integer (as from ``array.shape`` arithmetic or a config array) must set the same
    rate constants as the int: the rates of Exp3 and FTRL were once computed for N = 1 (never learning)."""
    rng_a, rng_b = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(play(make(integer(N)), losses, rng_a), play(make(N), losses, rng_b))


@pytest.mark.parametrize(
    ("cls", "kwargs", "name"),
    [
        (Hedge, {"eta": -1.0}, "eta"),
        (Hedge, {"eta": 0.0}, "eta"),
        (Hedge, {"eta": math.nan}, "eta"),
        (Hedge, {"horizon": 0}, "horizon"),
        (Hedge, {"eta": 1.0, "horizon": 10}, "eta"),
        (Exp3, {"eta": math.inf}, "eta"),
        (Exp3, {"horizon": 0}, "horizon"),
        (FixedShare, {"eta": 1.0, "alpha": 1.5}, "alpha"),
        (FixedShare, {"eta": 1.0, "alpha": -0.1}, "alpha"),
        (FixedShare, {"eta": 0.0, "alpha": 0.1}, "eta"),
        (FlipFlop, {"phi": 1.0}, "phi"),
        (FlipFlop, {"alpha": 0.0}, "alpha"),
        (FTRL, {"regularizer": "l2"}, "regularizer"),
        (FTRL, {"regularizer": "log-barrier"}, "eta"),
        (FTRL, {"regularizer": "tsallis", "regularizer_params": {"alpha": 1.0}}, "alpha"),
        (FTRL, {"regularizer": "euclidean", "eta": math.nan}, "eta"),
    ],
)
def test_bad_parameters(cls, kwargs, name):
    with pytest.raises(ValueError, match=f"'{name}'"):
        cls(3, **kwargs)


@pytest.mark.parametrize(("cls", "kwargs"), [(Hedge, {}), (Exp3, {}), (FixedShare, {"alpha": 0.1})])
def test_an_int_beyond_the_doubles_is_a_value_error_naming_the_parameter(cls, kwargs):
    with pytest.raises(ValueError, match=r"'eta' parameter of \w+ must be .* an int too large for a double"):
        cls(3, eta=-(10**400), **kwargs)


@pytest.mark.parametrize("cls", [Squint, BOA])
def test_a_prior_whose_sum_overflows_is_normalized(cls):
    """Each entry finite, their sum not: the prior must still come out as the normalized ratios (once all 0)."""
    learner = cls(3, prior=[1e308, 1e308, 5e307])
    np.testing.assert_allclose(learner.get_params()["prior"], [0.4, 0.4, 0.2], rtol=1e-15)
    learner.update([0.2, 0.6, 0.1])
    assert np.isfinite(learner.weights).all() and learner.weights.sum() == pytest.approx(1.0)
    reference = cls(3, prior=[2.0, 2.0, 1.0])
    reference.update([0.2, 0.6, 0.1])
    np.testing.assert_allclose(learner.weights, reference.weights, rtol=1e-14)


def test_registry():
    assert set(ftrl.learner_names()) == {"hedge", "ftl", "adahedge", "flipflop", "fixed-share", "ftrl", "exp3",
                                         "tsallis-inf", "squint", "normalhedge", "boa", "ml-poly", "kt-experts"}
    assert isinstance(ftrl.make_learner("fixed-share", 3, eta=1.0, alpha=0.1), FixedShare)
    with pytest.raises(ValueError, match="'hedge'.*'tsallis-inf'"):
        ftrl.make_learner("weighted-majority", 3)


def test_predict_shapes():
    hedge = Hedge(3, eta=1.0)
    hedge.update([0.0, 1.0, 2.0])
    p = hedge.weights
    forecasts = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(hedge.predict(forecasts), p @ forecasts, rtol=1e-15)
    assert isinstance(hedge.predict([1.0, 2.0, 3.0]), float)


# ---------------------------------------------------------------------------------------------------------------
# Against the naive references.


def sequences():
    rng = np.random.default_rng(2024)
    trap = np.tile([[0.0, 1.0], [1.0, 0.0]], (20, 1))
    trap[0] = [0.5, 0.0]
    return {
        "uniform": rng.random((60, 5)),
        "bernoulli": (rng.random((60, 3)) < 0.4).astype(float),
        "ties": np.repeat(rng.integers(0, 2, (20, 1)), 4, axis=1).astype(float),
        "ftl-trap": trap,
        "signed-large": rng.normal(0, 50, (40, 4)),
    }


def assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-300)


def run_full(learner, losses):
    paid = np.empty(len(losses))
    learner.advance(np.ascontiguousarray(losses), paid)
    return paid, learner.weights


@pytest.mark.parametrize("name", list(sequences()))
@pytest.mark.parametrize("mode", ["fixed", "tuned", "anytime", "ftl"])
def test_hedge_matches_naive(name, mode):
    losses = sequences()[name]
    n = losses.shape[1]
    if mode == "fixed":
        learner, rate = Hedge(n, eta=0.9), lambda t: 0.9
    elif mode == "tuned":
        learner, rate = Hedge(n, horizon=len(losses)), lambda t: math.sqrt(8 * math.log(n) / len(losses))
    elif mode == "anytime":
        learner, rate = Hedge(n), lambda t: math.sqrt(8 * math.log(n) / t)
    else:
        learner, rate = FTL(n), lambda t: math.inf
    for actual, expected in zip(run_full(learner, losses), naive.hedge(losses, rate)):
        assert_close(actual, expected)


@pytest.mark.parametrize("name", list(sequences()))
def test_adahedge_and_flipflop_match_naive(name):
    losses = sequences()[name]
    n = losses.shape[1]
    for actual, expected in zip(run_full(AdaHedge(n), losses), naive.adahedge(losses)):
        assert_close(actual, expected)
    for actual, expected in zip(run_full(FlipFlop(n, phi=1.5, alpha=0.8), losses),
                                naive.flipflop(losses, 1.5, 0.8)):
        assert_close(actual, expected)


@pytest.mark.parametrize("name", list(sequences()))
@pytest.mark.parametrize("alpha", [0.0, 0.05, 1.0])
def test_fixed_share_matches_naive(name, alpha):
    losses = sequences()[name]
    if name == "signed-large":
        losses = losses / 50.0
    n = losses.shape[1]
    for actual, expected in zip(run_full(FixedShare(n, eta=0.8, alpha=alpha), losses),
                                naive.fixed_share(losses, 0.8, alpha)):
        np.testing.assert_allclose(actual, expected, rtol=1e-11, atol=1e-15)


def test_fixed_share_weights_come_back_from_below_the_smallest_double():
    """Expert 1 loses 900 more than expert 0 (its weight e^-900 is below the smallest double), then expert 0 loses
    1800 more: with alpha = 0 Fixed Share is Hedge, and expert 1 must lead again, as Hedge's weights say; with
    alpha > 0 every weight stays at least alpha / N, however far behind."""
    losses = np.vstack([np.tile([0.0, 1.0], (900, 1)), np.tile([1.0, 0.0], (1800, 1))])
    for actual, expected in zip(run_full(FixedShare(2, eta=1.0, alpha=0.0), losses), run_full(Hedge(2, eta=1.0), losses)):
        np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-300)
    learner = FixedShare(2, eta=1.0, alpha=1e-6)
    for row in losses[:900]:
        learner.update(row)
        assert learner.weights.min() >= 1e-6 / 2 * (1 - 1e-15)


@pytest.mark.parametrize("name", ["uniform", "bernoulli", "ftl-trap", "signed-large"])
@pytest.mark.parametrize(("regularizer", "eta"), [("euclidean", 0.4), ("tsallis", 1.3), ("log-barrier", 2.0)])
def test_ftrl_matches_naive(name, regularizer, eta):
    losses = sequences()[name]
    n = losses.shape[1]
    actual = run_full(FTRL(n, regularizer, eta=eta), losses)
    expected = naive.ftrl(losses, regularizer, lambda t: eta)
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(sequences()))
@pytest.mark.parametrize("rate", [{"eta": 0.9}, {"horizon": 77}, {}])
def test_ftrl_entropy_equals_hedge(name, rate):
    losses = sequences()[name]
    n = losses.shape[1]
    for actual, expected in zip(run_full(FTRL(n, ftrl.NegativeEntropy(), **rate), losses),
                                run_full(Hedge(n, **rate), losses)):
        assert_close(actual, expected)


def run_bandit(learner, losses, uniforms):
    outputs = np.empty(len(losses)), np.empty(len(losses)), np.empty(len(losses), dtype=np.int64)
    learner.advance_bandit(np.ascontiguousarray(losses), uniforms, *outputs)
    return outputs, learner.weights


@pytest.mark.parametrize("name", ["uniform", "bernoulli", "ftl-trap"])
@pytest.mark.parametrize("mode", ["fixed", "tuned", "anytime", "tsallis-inf"])
def test_bandits_match_naive(name, mode):
    losses = sequences()[name]
    n = losses.shape[1]
    uniforms = np.random.default_rng(3).random(len(losses))
    if mode == "fixed":
        learner, regularizer, rate = Exp3(n, eta=0.3), "entropy", lambda t: 0.3
    elif mode == "tuned":
        learner, regularizer, rate = (Exp3(n, horizon=500), "entropy",
                                      lambda t: math.sqrt(2 * math.log(n) / (n * 500)))
    elif mode == "anytime":
        learner, regularizer, rate = Exp3(n), "entropy", lambda t: math.sqrt(math.log(n) / (n * t))
    else:
        learner, regularizer, rate = TsallisINF(n), "tsallis", lambda t: 2 / math.sqrt(t)
    (paid, realized, arms), weights = run_bandit(learner, losses, uniforms)
    naive_paid, naive_arms, naive_weights = naive.bandit_ftrl(losses, uniforms, regularizer, rate)
    np.testing.assert_array_equal(arms, naive_arms)
    np.testing.assert_array_equal(realized, losses[np.arange(len(losses)), naive_arms])
    np.testing.assert_allclose(paid, naive_paid, rtol=1e-10)
    np.testing.assert_allclose(weights, naive_weights, rtol=1e-10)


def test_sample_index_rounding_guard():
    assert sample_index(np.array([0.5, 0.5, 0.0]), 0.999999999999999999) == 1
    assert sample_index(np.array([0.0, 0.3, 0.7]), 0.0) == 1
    assert sample_index(np.array([0.25, 0.25, 0.5]), 0.5) == 2
    assert sample_index(np.array([0.25, 0.25, 0.5]), 0.4999) == 1
    assert sample_index(np.array([0.3, 0.3, 0.3, 0.0]), 0.95) == 2


# ---------------------------------------------------------------------------------------------------------------
# Regret facts worked out by hand, and numerics at the extremes.


@pytest.mark.parametrize("horizon", [1, 2, 3, 10, 11, 100, 101])
def test_ftl_regret_on_the_trap_sequence(horizon):
    """(1/2, 0), (0, 1), (1, 0), (0, 1), ...: FTL pays 1/4, then 1 every round; the best expert pays (T-1)/2.

    Round 1 the weights are uniform: 1/4. From round 2 on the leader is always the expert about to lose 1. After
    T rounds expert 1 has 1/2 + floor((T-1)/2) and expert 2 has ceil((T-1)/2), so the minimum is (T-1)/2 for both
    parities and the regret is 1/4 + (T-1) - (T-1)/2 = T/2 - 1/4.
    """
    losses = np.array([[0.5, 0.0]] + [[0.0, 1.0] if t % 2 == 0 else [1.0, 0.0] for t in range(2, horizon + 1)])
    learner = FTL(2)
    paid = 0.0
    for row in losses:
        paid += learner.weights @ row
        learner.update(row)
    assert paid - losses.sum(axis=0).min() == horizon / 2 - 0.25


def test_huge_losses_and_rates_stay_finite():
    rng = np.random.default_rng(0)
    for learner in [Hedge(5, eta=1e8), AdaHedge(5), FlipFlop(5), FixedShare(5, eta=1e8, alpha=1e-3),
                    FTRL(5, "euclidean", eta=1e8), FTRL(5, "tsallis", eta=1e8), FTRL(5, "log-barrier", eta=1e8),
                    Hedge(5)]:
        losses = rng.random((50, 5)) * 1e11 * rng.choice([-1.0, 1.0], (50, 5))
        paid = np.empty(50)
        learner.advance(losses, paid)
        assert np.isfinite(paid).all()
        weights = learner.weights
        assert np.isfinite(weights).all() and abs(weights.sum() - 1) < 1e-12, learner


@pytest.mark.parametrize("shift", [2.0**30, 2.0**40, 2.0**42, -(2.0**41)])
def test_adahedge_and_flipflop_are_invariant_under_translation(shift):
    """de Rooij et al. (2014): the weights are invariant under translation of the losses. With 0/1 losses and a
    power-of-two offset every cumulative loss is exact, so the invariance must hold bit for bit; the gap once
    took two mix losses of the size of L apart and drifted up by their rounding (8.2 -> 17.0 at 2^40)."""
    losses = np.random.default_rng(0).integers(0, 2, (1000, 3)).astype(float)
    for make in (lambda: AdaHedge(3), lambda: FlipFlop(3), lambda: FlipFlop(3, phi=1.5, alpha=0.8)):
        plain, shifted = make(), make()
        for row in losses:
            plain.update(row)
            shifted.update(row + shift)
        np.testing.assert_array_equal(shifted.weights, plain.weights)
        assert shifted.get_params() == plain.get_params()
        if isinstance(plain, AdaHedge):
            assert shifted.gap == plain.gap


def test_fixed_share_without_sharing_is_hedge_for_losses_near_the_largest_double():
    """With alpha = 0 the log-weights took eta * loss unshifted, which overflowed (inf - inf = NaN, for good)."""
    for eta, row in [(10.0, [1e308, 1e308]), (2.0, [-1e308, 1e308]), (1e10, [-1e300, 1e300]), (10.0, [1e308])]:
        share, hedge = FixedShare(len(row), eta=eta, alpha=0.0), Hedge(len(row), eta=eta)
        share.update(row)
        hedge.update(row)  # once: Hedge's cumulative losses would overflow next (outside its contract)
        np.testing.assert_allclose(share.weights, hedge.weights, rtol=1e-15, atol=0)
        for _ in range(3):  # Fixed Share keeps no cumulative losses: it stays a distribution
            share.update(row)
            assert np.isfinite(share.weights).all() and share.weights.sum() == pytest.approx(1.0)


def test_hedge_with_huge_eta_is_ftl():
    rng = np.random.default_rng(1)
    losses = rng.integers(0, 3, (200, 6)).astype(float)
    for actual, expected in zip(run_full(Hedge(6, eta=1e8), losses), run_full(FTL(6), losses)):
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("eta", [0.3, 3.9, 4.1, 60.0, 1e8])
def test_hedge_weights_match_the_minimum_shifted_softmax_on_both_sides_of_the_shift_slack(eta):
    """Hedge shifts its exponents by (last smallest L) + (smallest loss), a lower bound of the new smallest L, and
    takes them again with the exact minimum when the leader's term drops below e^-4: with eta * (range of a loss
    row) on both sides of 4, and leaders that change, each weight e^{-x} / Z stays within what rounding the
    exponent x = eta (L_i - min L) allows, a few units of (x + 4) ulp (x up to ~700 for the tiny weights)."""
    rng = np.random.default_rng(12)
    losses = rng.random((300, 6))
    losses[::5] = rng.integers(0, 2, (60, 6)) * 1.0  # 0/1 rows: the leader pays 1 while another pays 0
    losses[::7, rng.integers(0, 6)] = -0.5
    hedge = Hedge(6, eta=eta)
    cum_losses = np.zeros(6)
    for row in losses:
        hedge.update(row)
        cum_losses += row
        expected = naive.exponential_weights(cum_losses, eta)
        exponents = eta * (cum_losses - cum_losses.min())
        tolerance = 4 * np.finfo(float).eps * (1.0 + exponents + 4.0) * expected
        assert (np.abs(hedge.weights - expected) <= tolerance + 1e-300).all()


@pytest.mark.parametrize(("cls", "rounds"), [(Exp3, 2_000_000), (TsallisINF, 200_000)])
def test_bandits_stay_finite_over_long_adversarial_runs(cls, rounds):
    """Arm 0 is perfect for the first half, arm 2 for the second: the other arms' probabilities become tiny."""
    losses = np.ones((rounds, 3))
    losses[: rounds // 2, 0] = 0.0
    losses[rounds // 2:, 2] = 0.0
    losses[::7, 1] = 0.0
    learner = cls(3)
    uniforms = np.random.default_rng(5).random(rounds)
    (paid, _, arms), weights = run_bandit(learner, losses, uniforms)
    assert np.isfinite(paid).all() and ((paid >= 0) & (paid <= 1 + 1e-12)).all()
    assert np.isfinite(weights).all() and abs(weights.sum() - 1) < 1e-12
    assert set(np.unique(arms)) <= {0, 1, 2}
    assert learner.t == rounds
    learner.update_arm(1, 1.0)
    assert np.isfinite(learner.weights).all()


def test_exp3_estimates_survive_astronomical_importance_weights():
    learner = Exp3(3, eta=50.0)
    for _ in range(30):
        learner.update_arm(0, 1.0)
        learner.update_arm(1, 1.0)
    assert learner.weights[0] < 1e-300
    for _ in range(5):
        learner.update_arm(0, 1.0)
    weights = learner.weights
    assert np.isfinite(weights).all() and weights[2] == 1.0


@pytest.mark.parametrize("make", [lambda: Hedge(5, eta=0.7), lambda: Hedge(5), lambda: Hedge(5, horizon=50), lambda: FTL(5)])
def test_hedge_update_paths_agree_with_advance_bit_for_bit(make):
    # Hedge.update has a compiled fast path (writable C-contiguous float64 vectors, packed state) and the general
    # path for everything else; both, across pickling and deepcopy, must match advance bit for bit.
    losses = np.random.default_rng(11).random((40, 5)) * 3.0 - 1.0
    stepped, blocked = make(), make()
    blocked.advance(losses.copy(), np.empty(len(losses)))
    for index, row in enumerate(losses):
        read_only = row.copy()
        read_only.setflags(write=False)
        inputs = [row.copy(), np.asfortranarray(np.stack([row, row]))[0], row.tolist(), row.astype(">f8"), read_only]
        if index == 10:
            stepped = pickle.loads(pickle.dumps(stepped))
        if index == 20:
            stepped = copy.deepcopy(stepped)
        stepped.update(inputs[index % len(inputs)])
    assert stepped.t == blocked.t
    np.testing.assert_array_equal(stepped.weights, blocked.weights)
    np.testing.assert_array_equal(stepped.cum_losses, blocked.cum_losses)
    before = stepped.weights
    for bad in (np.array([1.0, np.nan, 0.0, 0.0, 0.0]), np.array([np.inf, 0.0, 0.0, 0.0, 0.0]), np.zeros(6),
                np.zeros(4), np.zeros((1, 5))):
        with pytest.raises(ValueError):
            stepped.update(bad)
    assert stepped.t == blocked.t
    np.testing.assert_array_equal(stepped.weights, before)
    np.testing.assert_array_equal(stepped.cum_losses, blocked.cum_losses)


def test_hedge_fast_path_checks_every_entry_and_matches_advance():
    # N = 37: the compiled check runs a vectorized body and a scalar tail; a non-finite loss anywhere (either NaN
    # sign, either infinity) must be caught before anything is written. Signed zeros make the two minimum
    # searches (update's integer one, advance's floating one) meet ties between -0.0 and +0.0.
    n = 37
    rng = np.random.default_rng(12)
    losses = rng.choice([-0.0, 0.0, 0.5, 1.0], size=(30, n))
    stepped, blocked = Hedge(n, eta=3.0), Hedge(n, eta=3.0)
    blocked.advance(losses.copy(), np.empty(len(losses)))
    for row in losses:
        stepped.update(row.copy())
    np.testing.assert_array_equal(stepped.weights, blocked.weights)
    np.testing.assert_array_equal(stepped.cum_losses, blocked.cum_losses)
    weights, cum_losses = stepped.weights, stepped.cum_losses
    negative_nan = -np.float64(np.nan)
    for position in (0, 7, 8, 31, 32, 36):
        for value in (np.nan, negative_nan, np.inf, -np.inf):
            bad = rng.random(n)
            bad[position] = value
            with pytest.raises(ValueError, match="losses"):
                stepped.update(bad)
            np.testing.assert_array_equal(stepped.weights, weights)
            np.testing.assert_array_equal(stepped.cum_losses, cum_losses)
    assert stepped.t == blocked.t
