"""The regret ledger (dynamic, shifting, adaptive regret) against brute-force references written here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import environments
from ftrl import make_learner
from ftrl.regret import ledger
from ftrl.simulate import simulate

LEARNERS = [
    ("hedge", {"eta": 0.7}),
    ("hedge", {}),
    ("ftl", {}),
    ("adahedge", {}),
    ("flipflop", {}),
    ("fixed-share", {"eta": 1.0, "alpha": 0.1}),
]


def brute_dynamic(losses: np.ndarray, weights: np.ndarray) -> np.ndarray:
    out, total = [], 0.0
    for t in range(losses.shape[0]):
        total += float(weights[t] @ losses[t]) - float(losses[t].min())
        out.append(total)
    return np.array(out)


def brute_shifting(losses: np.ndarray, weights: np.ndarray, switches: int) -> np.ndarray:
    """Every sequence of experts over rounds 1..t with at most ``switches`` switches, for every t."""
    n_rounds, n_experts = losses.shape
    out = []
    for t in range(1, n_rounds + 1):
        best = np.inf
        for path in itertools.product(range(n_experts), repeat=t):
            if sum(path[s] != path[s + 1] for s in range(t - 1)) <= switches:
                best = min(best, sum(losses[s, path[s]] for s in range(t)))
        out.append(sum(float(weights[s] @ losses[s]) for s in range(t)) - best)
    return np.array(out)


def brute_suffix(losses: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The worst regret over the intervals [r, t] ending at t, for every t."""
    out = []
    for t in range(1, losses.shape[0] + 1):
        out.append(max(
            sum(float(weights[u] @ losses[u]) for u in range(r, t)) - losses[r:t].sum(axis=0).min()
            for r in range(t)
        ))
    return np.array(out)


def brute_adaptive(losses: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The worst regret over all intervals [r, s] inside [1, t], for every t."""
    n_rounds = losses.shape[0]
    out = []
    for t in range(1, n_rounds + 1):
        worst = -np.inf
        for r in range(t):
            for s in range(r, t):
                learner = sum(float(weights[u] @ losses[u]) for u in range(r, s + 1))
                worst = max(worst, learner - losses[r : s + 1].sum(axis=0).min())
        out.append(worst)
    return np.array(out)


def play(name: str, params: dict, losses: np.ndarray) -> np.ndarray:
    """The weights p_1..p_T a learner plays against a fixed loss matrix."""
    learner = make_learner(name, losses.shape[1], **params)
    weights = []
    for row in losses:
        weights.append(np.array(learner.weights, dtype=float))
        learner.update(row)
    return np.array(weights)


def test_docstring_example_by_hand() -> None:
    losses = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    df = ledger(losses, np.full((3, 2), 0.5), switches=1)
    assert df["dynamic_regret"].tolist() == [0.5, 1.0, 1.5]
    assert df["shifting_regret"].tolist() == [0.5, 1.0, 0.5]
    assert df["adaptive_regret"].tolist() == [0.5, 0.5, 0.5]
    assert df["suffix_regret"].tolist() == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("switches", [0, 1, 2])
def test_ledger_matches_brute_force_on_random_play(seed: int, switches: int) -> None:
    rng = np.random.default_rng(seed)
    losses = rng.uniform(-1.0, 1.0, size=(6, 3))
    weights = rng.dirichlet(np.ones(3), size=6)
    df = ledger(losses, weights, switches=switches)
    np.testing.assert_allclose(df["dynamic_regret"], brute_dynamic(losses, weights), atol=1e-12)
    np.testing.assert_allclose(df["shifting_regret"], brute_shifting(losses, weights, switches), atol=1e-12)
    np.testing.assert_allclose(df["adaptive_regret"], brute_adaptive(losses, weights), atol=1e-12)
    np.testing.assert_allclose(df["suffix_regret"], brute_suffix(losses, weights), atol=1e-12)
    if switches == 0:
        np.testing.assert_allclose(df["shifting_regret"], df["regret"], atol=1e-12)


def test_ordering_of_the_columns() -> None:
    rng = np.random.default_rng(5)
    losses = rng.uniform(size=(200, 4))
    weights = rng.dirichlet(np.ones(4), size=200)
    frames = [ledger(losses, weights, switches=m) for m in range(4)]
    df = frames[-1]
    tol = 1e-9
    # more switches, a stronger comparator; the per-round best is the strongest; the whole run is an interval
    for weaker, stronger in itertools.pairwise(frames):
        assert np.all(stronger["shifting_regret"] >= weaker["shifting_regret"] - tol)
    assert np.all(df["dynamic_regret"] >= df["shifting_regret"] - tol)
    assert np.all(df["adaptive_regret"] >= df["regret"] - tol)
    assert np.all(np.diff(df["adaptive_regret"]) >= 0)
    np.testing.assert_array_equal(df["adaptive_regret"], np.maximum.accumulate(df["suffix_regret"]))
    assert np.all(df["suffix_regret"] >= df["loss"] - losses.min(axis=1) - tol)  # the one-round interval


@pytest.mark.parametrize(("name", "params"), LEARNERS)
def test_simulate_ledger_matches_brute_force_for_learners(name: str, params: dict) -> None:
    rng = np.random.default_rng(11)
    losses = rng.integers(0, 2, size=(7, 3)).astype(float)
    losses[rng.uniform(size=losses.shape) < 0.3] = 0.5
    weights = play(name, params, losses)
    env = environments.Replay(losses)
    learner = make_learner(name, 3, **params)
    for path in ("fast", "general"):
        df = simulate(learner, env, 7, seeds=1, ledger=True, switches=2, _path=path, _block_size=3)
        np.testing.assert_allclose(df["dynamic_regret"], brute_dynamic(losses, weights), atol=1e-12)
        np.testing.assert_allclose(df["shifting_regret"], brute_shifting(losses, weights, 2), atol=1e-12)
        np.testing.assert_allclose(df["adaptive_regret"], brute_adaptive(losses, weights), atol=1e-12)
        np.testing.assert_allclose(df["suffix_regret"], brute_suffix(losses, weights), atol=1e-12)
        assert df.attrs["switches"] == 2


def test_simulate_ledger_streams_like_the_offline_ledger() -> None:
    """Blocks, record grid and the offline function agree; the ledger leaves the other columns alone."""
    env = environments.Bernoulli([0.3, 0.5, 0.6, 0.7])
    learner = make_learner("adahedge", 4)
    full = simulate(learner, env, 3000, seeds=[3], ledger=True, switches=3, _block_size=64)
    sparse = simulate(learner, env, 3000, seeds=[3], ledger=True, switches=3, record="log", _block_size=1000)
    merged = full.set_index("t").loc[sparse["t"]]
    for column in ("dynamic_regret", "shifting_regret", "adaptive_regret", "regret"):
        np.testing.assert_array_equal(merged[column].to_numpy(), sparse[column].to_numpy())
    plain = simulate(learner, env, 3000, seeds=[3])
    np.testing.assert_array_equal(plain["regret"], full["regret"])
    assert "dynamic_regret" not in plain.columns
    env_copy = environments.Bernoulli([0.3, 0.5, 0.6, 0.7])
    env_copy.reset(seed=3)
    losses = env_copy.block(3000)
    weights = play("adahedge", {}, losses)
    offline = ledger(losses, weights, switches=3)
    for column in ("dynamic_regret", "shifting_regret", "adaptive_regret", "suffix_regret"):
        np.testing.assert_allclose(full[column], offline[column], rtol=1e-10, atol=1e-8)


def test_simulate_ledger_bandit_and_means() -> None:
    env = environments.Bernoulli([0.2, 0.5, 0.5])
    df = simulate(make_learner("exp3", 3), env, 500, seeds=2, feedback="bandit", ledger=True, record=100)
    assert {"realized_regret", "pseudo_regret", *("dynamic_regret", "adaptive_regret")} <= set(df.columns)
    assert np.all(df["adaptive_regret"] >= df["regret"] - 1e-9)
    hedge = simulate(make_learner("hedge", 3, eta=0.2), env, 500, seeds=2, ledger=True, record=100)
    assert np.all(np.isfinite(hedge["shifting_regret"]))


def test_bad_input() -> None:
    env = environments.Bernoulli([0.2, 0.5])
    learner = make_learner("hedge", 2)
    with pytest.raises(ValueError, match="'switches' parameter of simulate"):
        simulate(learner, env, 10, ledger=True, switches=-1)
    with pytest.raises(TypeError, match="'ledger' parameter of simulate"):
        simulate(learner, env, 10, ledger="yes")
    with pytest.raises(ValueError, match="'losses' parameter of ledger"):
        ledger(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="'weights' parameter of ledger"):
        ledger(np.zeros((2, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="'weights' parameter of ledger"):
        ledger(np.zeros((2, 2)), np.full((2, 2), 0.7))
    with pytest.raises(ValueError, match="'losses' parameter of ledger"):
        ledger(np.array([[np.nan, 0.0]]), np.array([[0.5, 0.5]]))
    with pytest.raises(ValueError, match="'switches' parameter of ledger"):
        ledger(np.zeros((2, 2)), np.full((2, 2), 0.5), switches=-2)


@pytest.mark.parametrize("n_experts", [3, 40])
def test_fused_hedge_keeps_its_numbers_with_the_ledger(n_experts: int) -> None:
    """Hedge's fused kernels (by rows below 32 experts, one pass above) feed the ledger every round."""
    env = environments.Bernoulli(np.linspace(0.3, 0.7, n_experts))
    learner = make_learner("hedge", n_experts, eta=0.3)
    plain = simulate(learner, env, 700, seeds=[4], record="log", _block_size=50)
    booked = simulate(learner, env, 700, seeds=[4], record="log", ledger=True, _block_size=50)
    for column in plain.columns:
        np.testing.assert_array_equal(plain[column].to_numpy(), booked[column].to_numpy())
    replay = environments.Bernoulli(np.linspace(0.3, 0.7, n_experts))
    replay.reset(seed=4)
    losses = replay.block(700)
    offline = ledger(losses, play("hedge", {"eta": 0.3}, losses), switches=3).set_index("t").loc[booked["t"]]
    for column in ("dynamic_regret", "shifting_regret", "adaptive_regret", "suffix_regret"):
        np.testing.assert_allclose(booked[column], offline[column], rtol=1e-9, atol=1e-9)


def test_ledger_refused_for_sleeping_experts() -> None:
    class Sleeper:
        n_experts = 2
        weights = np.array([0.5, 0.5])

        def update(self, losses: np.ndarray) -> None:
            pass

        def reset(self) -> None:
            pass

        def weights_for(self, awake: np.ndarray) -> np.ndarray:
            return self.weights

    with pytest.raises(ValueError, match="'ledger' parameter of simulate is not available for sleeping"):
        simulate(Sleeper(), environments.Bernoulli([0.2, 0.5]), 10, ledger=True)


@settings(max_examples=60, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 5), st.integers(1, 3)),
    switches=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_ledger_property_against_brute_force(shape: tuple[int, int], switches: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    losses = np.round(rng.uniform(-2.0, 2.0, size=shape), 1)  # rounded: many ties
    weights = rng.dirichlet(np.ones(shape[1]), size=shape[0])
    df = ledger(losses, weights, switches=switches)
    np.testing.assert_allclose(df["dynamic_regret"], brute_dynamic(losses, weights), atol=1e-12)
    np.testing.assert_allclose(df["shifting_regret"], brute_shifting(losses, weights, switches), atol=1e-12)
    np.testing.assert_allclose(df["adaptive_regret"], brute_adaptive(losses, weights), atol=1e-12)
    np.testing.assert_allclose(df["suffix_regret"], brute_suffix(losses, weights), atol=1e-12)
