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


def test_check_env_names_n_experts_in_the_shape_error() -> None:
    with pytest.raises(
        EnvironmentCheckError,
        match=r"^WrongShape\.step returned shape \(4,\) in round 0; expected \(3,\) \(one loss per expert, "
        r"n_experts = 3\)\.$",
    ):
        check_env(WrongShape())


@pytest.mark.parametrize("name", environments.names())
@pytest.mark.parametrize("awake_probability", [0.5, 0.0])
def test_check_env_accepts_every_registered_environment_put_to_sleep(name: str, awake_probability: float) -> None:
    env = environments.SleepingEnvironment(make_example(name), awake_probability=awake_probability)
    assert env.sleeping_experts
    check_env(env)
    # the check really met asleep experts, and the losses of the awake ones are the wrapped environment's own
    uniform = np.full(env.n_experts, 1.0 / env.n_experts)
    env.reset(seed=0)
    played = np.array([env.step(uniform) for _ in range(20)])
    assert np.isnan(played).any() and not np.isnan(played).all(axis=1).any()
    inner = make_example(name).reset(seed=0)
    plain = np.array([inner.step(uniform) for _ in range(20)])
    np.testing.assert_array_equal(played[~np.isnan(played)], plain[~np.isnan(played)])


class SleepsWithoutSaying(UserEnvironment):
    """NaN losses from an environment that does not declare sleeping_experts."""

    def block(self, size):
        losses = self.rng.random((size, self.n_experts))
        losses[:, 0] = np.nan
        return losses


class Sleeping(UserEnvironment):
    """Declares sleeping experts; expert 0 sleeps in every other round; subclasses break the convention."""

    sleeping_experts = True

    def block(self, size):
        losses = self.rng.random((size, self.n_experts))
        start = getattr(self, "t", 0)
        self.t = start + size
        losses[(np.arange(start, start + size) % 2) == 1, 0] = np.nan
        return losses

    def reset(self, *, seed=None):
        self.t = 0
        return super().reset(seed=seed)


class EverybodyAsleep(Sleeping):
    def block(self, size):
        losses = super().block(size)
        losses[-1] = np.nan
        return losses


class SleepingWithInfinity(Sleeping):
    def block(self, size):
        losses = super().block(size)
        losses[:, 1] = np.inf
        return losses


class AnnouncesTheWrongAwakeSet(Sleeping):
    @property
    def next_awake(self):
        return np.ones(self.n_experts, dtype=bool)  # says everybody, while expert 0 sleeps in odd rounds


class AnnouncesTheRightAwakeSet(Sleeping):
    @property
    def next_awake(self):
        return np.arange(self.n_experts) != 0 if self.t % 2 == 1 else np.ones(self.n_experts, dtype=bool)


def test_check_env_accepts_nan_only_from_environments_that_declare_sleeping_experts() -> None:
    check_env(Sleeping())
    check_env(AnnouncesTheRightAwakeSet())
    with pytest.raises(
        EnvironmentCheckError,
        match=r"SleepsWithoutSaying\.step returned non-finite losses .* in round 0 \(NaN marks an asleep expert only "
        r"in an environment that declares sleeping_experts = True\)",
    ):
        check_env(SleepsWithoutSaying())
    with pytest.raises(
        EnvironmentCheckError,
        match=r"EverybodyAsleep\.step returned NaN for every expert in round 0: an environment with "
        r"sleeping_experts = True must keep at least one expert awake",
    ):
        check_env(EverybodyAsleep())
    with pytest.raises(EnvironmentCheckError, match=r"SleepingWithInfinity\.step returned non-finite losses .*inf"):
        check_env(SleepingWithInfinity())
    with pytest.raises(
        EnvironmentCheckError,
        match=r"AnnouncesTheWrongAwakeSet\.next_awake announced \[ True  True  True\] for round 1, but step left "
        r"awake \(finite losses\) \[False  True  True\]",
    ):
        check_env(AnnouncesTheWrongAwakeSet())


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_check_env_seed_is_checked(seed: object) -> None:
    with pytest.raises(ValueError, match=r"The 'seed' parameter of check_env must be an int >= 0\. Got"):
        check_env(UserEnvironment(), seed=seed)
