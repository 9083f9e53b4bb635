from __future__ import annotations

import numpy as np
import pytest

from environments import AboveUniformAdversary, CoinFlips, FTLTrap, GreedyAdversary, RotatingBest


def follow_the_leader(cumulative: np.ndarray) -> np.ndarray:
    """Uniform weights over the experts with the smallest cumulative loss."""
    leaders = cumulative == cumulative.min()
    return leaders / leaders.sum()


def test_ftl_trap_sequence() -> None:
    expected = np.array([[0.5, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    env = FTLTrap().reset(seed=0)
    np.testing.assert_array_equal(env.block(7), expected)
    env.reset(seed=123)  # deterministic: the seed changes nothing
    np.testing.assert_array_equal(np.concatenate([env.block(1), env.block(2), env.block(4)]), expected)
    assert env.means is None


def test_ftl_has_regret_t_over_2_on_the_trap() -> None:
    n_rounds = 1000
    env = FTLTrap().reset(seed=0)
    cumulative = np.zeros(2)
    learner_loss = 0.0
    for _ in range(n_rounds):
        weights = follow_the_leader(cumulative)
        losses = env.step(weights)
        learner_loss += weights @ losses
        cumulative += losses
    assert learner_loss == n_rounds - 0.75
    assert cumulative.min() == n_rounds / 2 - 0.5
    assert learner_loss - cumulative.min() == n_rounds / 2 - 0.25


def test_ftl_trap_horizon() -> None:
    env = FTLTrap(n_rounds=5).reset(seed=0)
    env.block(4)
    with pytest.raises(ValueError, match=r"n_rounds=5.*block of 2 from round 4"):
        env.block(2)
    env.step(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match="n_rounds=5"):
        env.step(np.array([0.5, 0.5]))
    with pytest.raises(ValueError, match=r"'n_rounds' parameter of FTLTrap must be an int >= 1\. Got 0"):
        FTLTrap(n_rounds=0)


def test_coin_flips_are_fair() -> None:
    env = CoinFlips(10).reset(seed=1)
    losses = env.block(100_000)
    np.testing.assert_array_equal(env.means, np.full(10, 0.5))
    assert set(np.unique(losses)) == {0.0, 1.0}
    assert np.all(np.abs(losses.mean(axis=0) - 0.5) <= 4 * np.sqrt(0.25 / 100_000))
    with pytest.raises(ValueError, match=r"'n_experts' parameter of CoinFlips must be an int >= 1\. Got 0"):
        CoinFlips(0)
    with pytest.raises(TypeError, match="'n_experts' parameter of CoinFlips must be an int"):
        CoinFlips(2.5)


def test_rotating_best_without_noise() -> None:
    env = RotatingBest(n_experts=3, period=2, level=0.8).reset(seed=0)
    expected = np.array(
        [
            [0.0, 0.8, 0.8],
            [0.0, 0.8, 0.8],
            [0.8, 0.0, 0.8],
            [0.8, 0.0, 0.8],
            [0.8, 0.8, 0.0],
            [0.8, 0.8, 0.0],
            [0.0, 0.8, 0.8],
        ]
    )
    np.testing.assert_allclose(np.concatenate([env.block(3), env.block(4)]), expected, rtol=0, atol=1e-15)


def test_rotating_best_with_noise_stays_in_range_and_keeps_the_best() -> None:
    env = RotatingBest(n_experts=2, period=10, level=1.0, noise=0.5).reset(seed=2)
    losses = env.block(200_000)
    best = (np.arange(200_000) // 10) % 2
    on_best = losses[np.arange(200_000), best]
    off_best = losses[np.arange(200_000), 1 - best]
    assert on_best.min() >= 0.0 and on_best.max() < 0.5  # nu * U[0, 1)
    assert off_best.min() >= 0.5 and off_best.max() < 1.0  # (1 - nu) * 1 + nu * U[0, 1)
    assert abs(off_best.mean() - 0.75) <= 4 * np.sqrt(0.25 / 12 / 200_000)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": 0}, r"'period' parameter of RotatingBest must be an int >= 1\. Got 0"),
        (
            {"level": 1.5},
            r"'level' parameter of RotatingBest must be a float in the range \[0\.0, 1\.0\]\. Got 1\.5",
        ),
        ({"noise": -0.1}, r"'noise' parameter of RotatingBest"),
        ({"n_experts": 0}, r"'n_experts' parameter of RotatingBest"),
    ],
)
def test_rotating_best_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RotatingBest(**params)


def test_greedy_adversary_hits_the_largest_weights() -> None:
    env = GreedyAdversary(4).reset(seed=0)
    assert env.oblivious is False
    np.testing.assert_array_equal(env.step(np.array([0.1, 0.6, 0.2, 0.1])), [0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(env.step(np.array([0.4, 0.1, 0.4, 0.1])), [1.0, 0.0, 1.0, 0.0])
    # maximizers within 1e-12 of the max are tied; 1e-9 apart are not
    np.testing.assert_array_equal(
        env.step(np.array([0.3 - 5e-13, 0.3, 0.2, 0.2 + 5e-13])), [1.0, 1.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(
        env.step(np.array([0.3 - 1e-9, 0.3 + 1e-9, 0.2, 0.2])), [0.0, 1.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(env.step(np.full(4, 0.25)), np.ones(4))
    assert env.t == 5


def test_greedy_adversary_forces_linear_regret_on_ftl() -> None:
    n_experts, n_rounds = 3, 300
    env = GreedyAdversary(n_experts).reset(seed=0)
    cumulative = np.zeros(n_experts)
    learner_loss = 0.0
    for _ in range(n_rounds):
        weights = np.zeros(n_experts)
        weights[np.argmin(cumulative)] = 1.0  # FTL breaking ties by the lowest index: deterministic
        losses = env.step(weights)
        learner_loss += weights @ losses
        cumulative += losses
    # the leader always gets loss 1, so the experts take turns: each has T / N, the learner T
    assert learner_loss == n_rounds
    np.testing.assert_array_equal(cumulative, [100.0, 100.0, 100.0])


def test_greedy_adversary_against_uniform_tie_breaking_hits_every_leader() -> None:
    env = GreedyAdversary(3).reset(seed=0)
    cumulative = np.zeros(3)
    for _ in range(10):
        cumulative += env.step(follow_the_leader(cumulative))
    np.testing.assert_array_equal(cumulative, [10.0, 10.0, 10.0])


def test_above_uniform_adversary() -> None:
    env = AboveUniformAdversary(4).reset(seed=0)
    np.testing.assert_array_equal(env.step(np.array([0.1, 0.3, 0.35, 0.25])), [0.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(env.step(np.array([0.7, 0.1, 0.1, 0.1])), [1.0, 0.0, 0.0, 0.0])
    with pytest.raises(TypeError, match="adaptive"):
        env.block(1)


def test_adaptive_adversaries_do_not_modify_the_weights() -> None:
    weights = np.array([0.2, 0.5, 0.3])
    for env in (GreedyAdversary(3), AboveUniformAdversary(3)):
        env.reset(seed=0).step(weights)
        np.testing.assert_array_equal(weights, [0.2, 0.5, 0.3])
