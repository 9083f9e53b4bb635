from __future__ import annotations

import math

import numpy as np
import pytest

from environments import Drifting, Switching


def test_switching_means_change_at_the_change_points() -> None:
    table = np.array([[0.0, 1.0], [1.0, 0.0], [0.3, 0.7]])
    env = Switching(table, change_points=[3, 5]).reset(seed=0)
    losses = np.concatenate([env.block(2), env.block(2), env.block(100_000)])
    np.testing.assert_array_equal(losses[:3], [[0.0, 1.0]] * 3)
    np.testing.assert_array_equal(losses[3:5], [[1.0, 0.0]] * 2)
    tail = losses[5:]
    assert np.all(np.abs(tail.mean(axis=0) - [0.3, 0.7]) <= 4 * math.sqrt(0.21 / tail.shape[0]))
    np.testing.assert_array_equal(env.mean_sequence(2, 4), table[[0, 1, 1, 2]])
    assert env.means is None


def test_switching_with_one_segment_is_stationary() -> None:
    env = Switching([[0.0, 1.0]], change_points=[]).reset(seed=0)
    np.testing.assert_array_equal(env.block(4), [[0.0, 1.0]] * 4)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"means_per_segment": [[0.1, 0.2], [0.3, 1.5]], "change_points": [4]},
            r"'means_per_segment' parameter of Switching must be in \[0, 1\]",
        ),
        (
            {"means_per_segment": [0.1, 0.2], "change_points": []},
            r"'means_per_segment' parameter of Switching must be a non-empty 2-d array",
        ),
        (
            {"means_per_segment": [[0.1], [0.2]], "change_points": [3, 5]},
            r"'change_points' parameter of Switching must be a 1-d array of 1 ints",
        ),
        (
            {"means_per_segment": [[0.1], [0.2], [0.3]], "change_points": [5, 5]},
            r"'change_points' parameter of Switching must be strictly increasing ints >= 1\. Got \[5, 5\]",
        ),
        (
            {"means_per_segment": [[0.1], [0.2]], "change_points": [0]},
            r"'change_points' parameter of Switching must be strictly increasing ints >= 1",
        ),
        (
            {"means_per_segment": [[0.1], [0.2]], "change_points": [2.5]},
            r"'change_points' parameter of Switching must be a 1-d array of 1 ints",
        ),
    ],
)
def test_switching_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Switching(**params)


def test_drifting_sinusoid_means_and_draws() -> None:
    env = Drifting(n_experts=2, kind="sinusoid", period=8, amplitude=0.5).reset(seed=0)
    # mu_{t,i} = 1/2 + a sin(2 pi t / P + 2 pi i / N): at t = 2 (a quarter period) sin = 1 for expert 0
    expected = np.array(
        [[0.5, 0.5], [0.5 + 0.5 * math.sin(math.pi / 4), 0.5 - 0.5 * math.sin(math.pi / 4)], [1.0, 0.0]]
    )
    np.testing.assert_allclose(env.mean_sequence(0, 3), expected, atol=1e-12)
    losses = np.concatenate([env.block(8) for _ in range(20_000)])
    observed = losses.reshape(20_000, 8, 2).mean(axis=0)
    means = env.mean_sequence(0, 8)
    assert np.all(np.abs(observed - means) <= 4 * np.sqrt(means * (1 - means) / 20_000) + 1e-12)


def test_drifting_random_walk_moves_slowly_and_stays_in_the_unit_interval() -> None:
    env = Drifting(n_experts=3, step_size=0.05, initial_means=[0.0, 0.5, 1.0]).reset(seed=1)
    losses = env.block(200)
    assert set(np.unique(losses)) <= {0.0, 1.0}
    # after 10 rounds the means moved at most 0.5, so expert 0 (started at 0) loses less than expert 2 (at 1)
    assert losses[:10, 0].sum() < losses[:10, 2].sum()
    walk = env.current_means
    assert np.all((walk >= 0.0) & (walk <= 1.0))
    with pytest.raises(ValueError, match="kind='sinusoid' only"):
        env.mean_sequence(0, 3)


def test_drifting_random_walk_reflects() -> None:
    env = Drifting(n_experts=1, step_size=1.0, initial_means=[0.5]).reset(seed=2)
    env.block(5000)
    assert 0.0 <= env.current_means[0] <= 1.0


def test_drifting_initial_means_drawn_at_reset_are_reproducible() -> None:
    env = Drifting(n_experts=4)
    first = env.reset(seed=9).current_means.copy()
    np.testing.assert_array_equal(env.reset(seed=9).current_means, first)
    assert not np.array_equal(env.reset(seed=10).current_means, first)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"kind": "brownian"},
            r"'kind' parameter of Drifting must be one of 'random-walk', 'sinusoid'\. Got 'brownian'",
        ),
        (
            {"step_size": 0.0},
            r"'step_size' parameter of Drifting must be a float in the range \(0\.0, 1\.0\]\. Got 0\.0",
        ),
        ({"amplitude": 0.6}, r"'amplitude' parameter of Drifting"),
        ({"period": 0}, r"'period' parameter of Drifting must be an int >= 1"),
        (
            {"n_experts": 2, "initial_means": [0.5]},
            r"'initial_means' parameter of Drifting must be an array of length n_experts=2",
        ),
        (
            {"n_experts": 1, "initial_means": [1.5]},
            r"'initial_means' parameter of Drifting must be in \[0, 1\]",
        ),
        ({"n_experts": 0}, r"'n_experts' parameter of Drifting"),
    ],
)
def test_drifting_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Drifting(**params)


def uniforms_of_seed(seed: int, shape: tuple[int, int]) -> np.ndarray:
    """The uniforms an environment reset with ``seed`` draws first (PCG64 from SeedSequence(seed))."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed))).random(shape)


def test_drifting_sinusoid_losses_are_uniforms_below_the_mean_sequence() -> None:
    env = Drifting(n_experts=5, kind="sinusoid", period=37, amplitude=0.45).reset(seed=4)
    losses = np.concatenate([env.block(10), env.block(90)])
    expected = (uniforms_of_seed(4, (100, 5)) < env.mean_sequence(0, 100)).astype(float)
    np.testing.assert_array_equal(losses, expected)


def test_switching_losses_are_uniforms_below_the_segment_means() -> None:
    env = Switching([[0.2, 0.4], [0.6, 0.8], [0.5, 0.1]], change_points=[7, 8]).reset(seed=5)
    losses = np.concatenate([env.block(5), env.block(45)])
    expected = (uniforms_of_seed(5, (50, 2)) < env.mean_sequence(0, 50)).astype(float)
    np.testing.assert_array_equal(losses, expected)


@pytest.mark.parametrize(
    ("change_points", "message"),
    [
        (
            np.array([2**63], dtype=np.uint64),  # passed '>= 1' and wrapped to -2**63 in the cast to int64
            (
                r"'change_points' parameter of Switching must be ints in \[1, 9223372036854775807\] \(they must "
                r"fit in int64\)\. Got \[9223372036854775808\] instead"
            ),
        ),
        ([2**70], r"'change_points' parameter of Switching must be ints in \[1, 9223372036854775807\]"),
    ],
)
def test_switching_change_points_beyond_int64_are_refused(change_points, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Switching([[0.1], [0.2]], change_points)


def test_switching_unsigned_change_points_must_increase() -> None:
    # np.diff of unsigned ints wraps (3 - 5 = 2**64 - 2 > 0), so the order is checked after the cast to int64
    with pytest.raises(ValueError, match=r"must be strictly increasing ints >= 1\. Got \[5, 3\]"):
        Switching([[0.1], [0.2], [0.3]], np.array([5, 3], dtype=np.uint64))
    env = Switching([[0.1], [0.2], [0.3]], np.array([3, 5], dtype=np.uint64))
    assert env.change_points.dtype == np.int64
    np.testing.assert_array_equal(env.change_points, [3, 5])


def test_drifting_kind_must_be_one_of_the_strings() -> None:
    for kind in (np.array(["sinusoid", "random-walk"]), 3, None):
        with pytest.raises(
            ValueError, match=r"'kind' parameter of Drifting must be one of 'random-walk', 'sinusoid'\. Got"
        ):
            Drifting(kind=kind)
