from __future__ import annotations

import json

import numpy as np
import pytest
from env_examples import make_example

import environments
from environments import registry
from environments.base import BaseEnvironment, Environment, is_oblivious


@pytest.mark.parametrize("name", environments.names())
def test_every_registered_environment_follows_the_protocol(name: str) -> None:
    env = make_example(name)
    assert isinstance(env, Environment)
    assert isinstance(env, BaseEnvironment)
    assert env.name == name
    low, high = env.loss_range
    assert low <= high
    json.dumps(env.get_params())  # JSON-friendly
    assert repr(env).startswith(type(env).__name__ + "(")


@pytest.mark.parametrize("name", environments.names())
def test_step_before_reset_says_to_call_reset(name: str) -> None:
    env = make_example(name)
    with pytest.raises(RuntimeError, match=r"call reset\(seed=\.\.\.\) first"):
        env.step(np.full(env.n_experts, 1.0 / env.n_experts))
    if env.oblivious:
        with pytest.raises(RuntimeError, match="reset"):
            env.block(3)


@pytest.mark.parametrize("name", environments.names())
def test_bad_weights_are_refused_with_the_weights_named(name: str) -> None:
    env = make_example(name).reset(seed=0)
    n = env.n_experts
    with pytest.raises(ValueError, match=rf"'weights'.*shape \({n},\)"):
        env.step(np.full(n + 1, 1.0 / (n + 1)))
    bad_sum = np.zeros(n)
    bad_sum[0] = 0.9
    with pytest.raises(ValueError, match=r"'weights'.*sum to 1.*Got sum 0\.9"):
        env.step(bad_sum)
    negative = np.zeros(n)
    negative[0] = -0.5
    negative[-1] = 1.5 if n > 1 else 1.0
    if n > 1:
        with pytest.raises(ValueError, match=r"'weights'.*nonnegative.*weights\[0\] = -0\.5"):
            env.step(negative)
    not_finite = np.full(n, 1.0 / n)
    not_finite[0] = np.nan
    with pytest.raises(ValueError, match=r"'weights'.*finite"):
        env.step(not_finite)
    assert env.t == 0  # refused steps do not advance the environment


@pytest.mark.parametrize("name", environments.names())
def test_weights_of_the_wrong_kind_are_type_errors_naming_the_weights(name: str) -> None:
    env = make_example(name).reset(seed=0)
    n = env.n_experts
    one_hot = [True] + [False] * (n - 1)  # sums to 1 as 0/1, but booleans are not weights
    for weights, shown in (("ab", r"'ab' of type str"), ([str(1 / n)] * n, r"\['"), (one_hot, "not booleans")):
        with pytest.raises(TypeError, match=rf"The 'weights' passed to {type(env).__name__}\.step must be an array "
                           rf"of numbers.*{shown}"):
            env.step(weights)
    assert env.t == 0
    losses = env.step([1] + [0] * (n - 1))  # a list of ints is fine
    assert losses.shape == (n,) and env.t == 1


def test_weights_within_tolerance_are_accepted() -> None:
    env = environments.Bernoulli([0.5, 0.5]).reset(seed=0)
    env.step(np.array([0.5 + 4e-10, 0.5 + 4e-10]))
    env.step(np.array([1.0 + 5e-10, -5e-10]))
    with pytest.raises(ValueError, match="sum to 1"):
        env.step(np.array([0.5 + 1e-9, 0.5 + 1e-9]))


@pytest.mark.parametrize("seed", [-1, 1.5, "seed", True])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ValueError, match="'seed'"):
        environments.CoinFlips(2).reset(seed=seed)


def test_seed_may_be_an_int_or_a_seed_sequence() -> None:
    from_int = environments.CoinFlips(3).reset(seed=12).block(20)
    from_sequence = environments.CoinFlips(3).reset(seed=np.random.SeedSequence(12)).block(20)
    np.testing.assert_array_equal(from_int, from_sequence)
    other = environments.CoinFlips(3).reset(seed=13).block(20)
    assert not np.array_equal(from_int, other)


def test_seed_none_draws_fresh_entropy() -> None:
    first = environments.CoinFlips(5).reset(seed=None).block(40)
    second = environments.CoinFlips(5).reset(seed=None).block(40)
    assert not np.array_equal(first, second)


def test_reset_returns_self_and_rewinds() -> None:
    env = environments.Bernoulli([0.3, 0.6])
    assert env.reset(seed=3) is env
    first = env.block(10)
    assert env.t == 10
    env.reset(seed=3)
    assert env.t == 0
    np.testing.assert_array_equal(env.block(10), first)


def test_adaptive_environments_have_no_block() -> None:
    env = environments.GreedyAdversary(3).reset(seed=0)
    assert not is_oblivious(env)
    with pytest.raises(TypeError, match=r"adaptive.*step\(weights\)"):
        env.block(2)


def test_block_size_is_checked() -> None:
    env = environments.CoinFlips(2).reset(seed=0)
    with pytest.raises(ValueError, match="'size'.*>= 0.*Got -1"):
        env.block(-1)
    with pytest.raises(TypeError, match="'size'"):
        env.block(2.0)
    assert env.block(0).shape == (0, 2)


def test_a_class_without_oblivious_is_treated_as_adaptive() -> None:
    class UserEnvironment:
        n_experts = 2

        def reset(self, *, seed=None):
            return self

        def step(self, weights):
            return np.zeros(2)

    assert isinstance(UserEnvironment(), Environment)
    assert not is_oblivious(UserEnvironment())


def test_get_params_round_trips_through_make() -> None:
    env = environments.make("gaussian", means=[0.2, 0.7], sigma=0.3)
    rebuilt = environments.make("gaussian", **json.loads(json.dumps(env.get_params())))
    np.testing.assert_array_equal(rebuilt.means, env.means)
    np.testing.assert_array_equal(rebuilt.reset(seed=1).block(30), env.reset(seed=1).block(30))
    assert repr(env) == "Gaussian(means=[0.2, 0.7], sigma=0.3)"


def test_make_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown environment 'bernouli'.*bernoulli.*ftl-trap"):
        environments.make("bernouli", means=[0.5])


def test_make_unknown_parameter_is_named() -> None:
    with pytest.raises(TypeError, match=r"unknown parameter\(s\) \['mean'\].*accepts: means"):
        environments.make("bernoulli", mean=[0.5])
    with pytest.raises(TypeError, match=r"needs the parameter\(s\) \['means'\]"):
        environments.make("bernoulli")


def test_make_invalid_parameter_value_is_named() -> None:
    with pytest.raises(ValueError, match="The 'means' parameter of Bernoulli"):
        environments.make("bernoulli", means=[0.5, 2.0])


def test_register_a_user_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    class Constant(BaseEnvironment):
        def __init__(self, n_experts: int = 2, level: float = 0.25) -> None:
            self.n_experts = n_experts
            self.level = level
            self._params = {"n_experts": n_experts, "level": level}

        def _block(self, size: int) -> np.ndarray:
            return np.full((size, self.n_experts), self.level)

    environments.register("constant", Constant)
    assert "constant" in environments.names()
    env = environments.make("constant", level=0.5)
    assert env.name == "constant"
    np.testing.assert_array_equal(env.reset(seed=0).step(np.array([0.5, 0.5])), [0.5, 0.5])
    environments.check_env(env)
    with pytest.raises(ValueError, match="already registered"):
        environments.register("constant", environments.Bernoulli)
    environments.register("constant", environments.Bernoulli, overwrite=True)
    with pytest.raises(ValueError, match="'name'"):
        environments.register("", Constant)
    with pytest.raises(TypeError, match="'cls'"):
        environments.register("thing", 3)


def test_environments_never_imports_ftrl() -> None:
    import subprocess
    import sys

    code = "import sys, environments; print(any(m == 'ftrl' or m.startswith('ftrl.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
