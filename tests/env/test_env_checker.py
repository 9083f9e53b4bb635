from __future__ import annotations

import numpy as np
import pytest
from env_examples import make_example

import environments
from environments import EnvironmentCheckError, check_env


@pytest.mark.parametrize("name", environments.names())
def test_check_env_passes_on_every_registered_environment(name: str) -> None:
    check_env(make_example(name))


class UserEnvironment:
    """A well-behaved user environment that does not inherit from anything: iid uniform losses."""

    oblivious = True
    loss_range = (0.0, 1.0)
    means = None

    def __init__(self, n_experts: int = 3) -> None:
        self.n_experts = n_experts

    def reset(self, *, seed=None):
        self.rng = np.random.default_rng(seed)
        return self

    def step(self, weights):
        return self.block(1)[0]

    def block(self, size):
        return self.rng.random((size, self.n_experts))


def test_check_env_passes_on_a_plain_user_class() -> None:
    check_env(UserEnvironment())


class GlobalRandom(UserEnvironment):
    def block(self, size):
        return np.random.random((size, self.n_experts))


class MutatesWeights(UserEnvironment):
    def step(self, weights):
        weights /= weights.sum() * 1.5  # normalizing in place: the caller's array changes
        return self.block(1)[0]


class WrongShape(UserEnvironment):
    def step(self, weights):
        return self.rng.random(self.n_experts + 1)


class BlockDiffersFromStep(UserEnvironment):
    def block(self, size):
        return self.rng.random((self.n_experts, size)).T  # column order: not the stream of steps

    def step(self, weights):
        return self.rng.random(self.n_experts)


class BlockDependsOnSizes(UserEnvironment):
    """block returns the right stream for one block, but restarts its pattern in each block."""

    def reset(self, *, seed=None):
        self.t = 0
        return super().reset(seed=seed)

    def step(self, weights):
        self.t += 1
        return np.full(self.n_experts, float(self.t % 2))

    def block(self, size):
        rows = np.arange(1, size + 1) % 2
        self.t += size
        return np.repeat(rows[:, None], self.n_experts, axis=1).astype(np.float64)


class OutOfRange(UserEnvironment):
    def block(self, size):
        return 2.0 + self.rng.random((size, self.n_experts))


class WrongDtype(UserEnvironment):
    def step(self, weights):
        return (self.rng.random(self.n_experts) < 0.5).astype(np.int64)


class BadMeans(UserEnvironment):
    means = np.array([0.5, 0.5])


class NoExperts(UserEnvironment):
    def __init__(self) -> None:
        self.n_experts = 0


class ResetWithoutSeedKeyword(UserEnvironment):
    def reset(self):
        return self


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            GlobalRandom(),
            (
                r"reset\(seed=0\) twice gave different losses at round 0: the environment probably draws "
                r"from a global RNG \(np\.random\.\*"
            ),
        ),
        (MutatesWeights(), r"MutatesWeights\.step modified the weights passed to it in round 0"),
        (WrongShape(), r"WrongShape\.step returned shape \(4,\) in round 0; expected \(3,\)"),
        (
            BlockDiffersFromStep(),
            r"block\(50\) after reset\(seed=0\) differs from 50 step\(\) calls at round 0",
        ),
        (BlockDependsOnSizes(), r"blocks of sizes 1, 7, 42 differ from one block of 50 at round 1"),
        (OutOfRange(), r"OutOfRange\.step returned losses .* outside its loss_range \(0\.0, 1\.0\)"),
        (WrongDtype(), r"WrongDtype\.step returned dtype int64 in round 0; expected float64"),
        (BadMeans(), r"BadMeans\.means has shape \(2,\); expected \(3,\) or None"),
        (NoExperts(), r"NoExperts\.n_experts must be a positive int\. Got 0"),
        (ResetWithoutSeedKeyword(), r"reset must accept the keyword-only argument seed"),
    ],
)
def test_check_env_names_the_likely_cause(env: object, message: str) -> None:
    with pytest.raises(EnvironmentCheckError, match=message):
        check_env(env)


def test_check_env_error_is_a_value_error() -> None:
    assert issubclass(EnvironmentCheckError, ValueError)


def test_check_env_n_rounds_is_checked() -> None:
    with pytest.raises(ValueError, match=r"'n_rounds' parameter of check_env must be an int >= 9\. Got 5"):
        check_env(UserEnvironment(), n_rounds=5)


def test_check_env_exercises_adaptive_environments_with_varied_weights() -> None:
    class ConstantIgnoringWeights:
        """Claims nothing about obliviousness, so it is checked as adaptive: step only."""

        n_experts = 2

        def reset(self, *, seed=None):
            return self

        def step(self, weights):
            return np.array([0.25, 0.75])

    check_env(ConstantIgnoringWeights())
    seen = []

    class Recording(ConstantIgnoringWeights):
        def step(self, weights):
            seen.append(np.array(weights))
            return super().step(weights)

    check_env(Recording(), n_rounds=10)
    assert len(seen) == 20
    assert len({tuple(w) for w in seen[:10]}) == 10  # different weights each round
