from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from env_examples import make_example
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

import environments
from environments import Bernoulli, Beta, Gaussian, gap_instance

N_DRAWS = 1_000_000


def assert_means_within_4_sigma(losses: np.ndarray, means: np.ndarray, variances: np.ndarray) -> None:
    n_rounds = losses.shape[0]
    standard_errors = np.sqrt(variances / n_rounds)
    deviation = np.abs(losses.mean(axis=0) - means)
    assert np.all(deviation <= 4 * standard_errors), (losses.mean(axis=0), means, standard_errors)


def test_bernoulli_losses_are_0_1_with_the_given_means() -> None:
    means = np.array([0.0, 0.05, 0.5, 0.8, 1.0])
    losses = Bernoulli(means).reset(seed=1).block(N_DRAWS // len(means))
    assert losses.dtype == np.float64
    assert set(np.unique(losses)) <= {0.0, 1.0}
    assert np.all(losses[:, 0] == 0.0) and np.all(losses[:, -1] == 1.0)
    assert_means_within_4_sigma(losses, means, means * (1 - means))


def test_bernoulli_experts_are_independent() -> None:
    losses = Bernoulli([0.5, 0.5]).reset(seed=2).block(200_000)
    both = np.mean(losses[:, 0] * losses[:, 1])
    assert abs(both - 0.25) <= 4 * math.sqrt(0.25 * 0.75 / 200_000)


def clipped_normal_moment(location: float, sigma: float, power: int) -> float:
    """E[clip(Z, 0, 1)^power] by numerical integration over (0, 1) plus the mass above 1."""
    inside, _ = integrate.quad(lambda x: x**power * stats.norm.pdf(x, location, sigma), 0.0, 1.0)
    return inside + stats.norm.sf(1.0, location, sigma)


def test_gaussian_means_are_the_expectations_of_the_clipped_variable() -> None:
    locations = [0.0, 0.1, 0.5, 0.97, 1.0]
    sigmas = [0.3, 0.2, 0.1, 0.05, 1.0]
    env = Gaussian(locations, sigmas)
    expected = [clipped_normal_moment(m, s, 1) for m, s in zip(locations, sigmas)]
    np.testing.assert_allclose(env.means, expected, rtol=1e-9, atol=1e-12)
    assert env.means[0] > 0.0 and env.means[-1] < 1.0  # clipping moves the mean inward


def test_gaussian_draws_match_the_clipped_distribution() -> None:
    locations = [0.0, 0.3, 0.5, 0.9, 1.0]
    sigmas = [0.3, 0.1, 0.2, 0.2, 0.5]
    env = Gaussian(locations, sigmas)
    losses = env.reset(seed=3).block(N_DRAWS // len(locations))
    assert losses.min() >= 0.0 and losses.max() <= 1.0
    second = np.array([clipped_normal_moment(m, s, 2) for m, s in zip(locations, sigmas)])
    assert_means_within_4_sigma(losses, env.means, second - env.means**2)
    # the unclipped part is normal: the fraction of exact zeros is P(Z <= 0)
    zeros = np.mean(losses == 0.0, axis=0)
    p_zero = stats.norm.cdf(0.0, locations, sigmas)
    assert np.all(np.abs(zeros - p_zero) <= 4 * np.sqrt(p_zero * (1 - p_zero) / losses.shape[0]) + 1e-12)


def test_gaussian_scalar_sigma_applies_to_every_expert() -> None:
    env = Gaussian([0.4, 0.6], sigma=0.2)
    np.testing.assert_array_equal(env.sigma, [0.2, 0.2])


def test_beta_draws_have_the_beta_mean() -> None:
    a = np.array([0.5, 1.0, 2.0, 5.0])
    b = np.array([0.5, 3.0, 2.0, 1.0])
    env = Beta(a, b)
    np.testing.assert_allclose(env.means, [0.5, 0.25, 0.5, 5 / 6])
    losses = env.reset(seed=4).block(N_DRAWS // len(a))
    assert losses.min() >= 0.0 and losses.max() <= 1.0
    variances = a * b / ((a + b) ** 2 * (a + b + 1))
    assert_means_within_4_sigma(losses, env.means, variances)


def test_gap_instance() -> None:
    env = gap_instance(4, 0.2, best_mean=0.3)
    assert isinstance(env, Bernoulli)
    np.testing.assert_allclose(env.means, [0.3, 0.5, 0.5, 0.5])
    np.testing.assert_allclose(gap_instance(2, 0.1).means, [0.5, 0.6])
    with pytest.raises(
        ValueError,
        match=(
            r"The 'gap' parameter of gap_instance must be a float in the range \[0\.0, 1 - best_mean\] "
            r"\(best_mean \+ gap <= 1, with best_mean = 0\.5\)\. Got 0\.6 instead\."
        ),
    ):
        gap_instance(3, 0.6)
    with pytest.raises(ValueError, match="'n_experts' parameter of gap_instance"):
        gap_instance(1, 0.1)
    with pytest.raises(ValueError, match="'best_mean'"):
        gap_instance(2, 0.1, best_mean=1.5)


OBLIVIOUS = [name for name in environments.names() if environments.is_oblivious(make_example(name))]


@pytest.mark.parametrize("name", OBLIVIOUS)
@settings(max_examples=15, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6), seed=st.integers(0, 2**32)
)
def test_stream_does_not_depend_on_block_sizes(name: str, sizes: list[int], seed: int) -> None:
    env = make_example(name)
    whole = env.reset(seed=seed).block(sum(sizes))
    env.reset(seed=seed)
    pieces = np.concatenate([env.block(size) for size in sizes])
    np.testing.assert_array_equal(pieces, whole)


@pytest.mark.parametrize("name", OBLIVIOUS)
def test_step_stream_equals_block_stream(name: str) -> None:
    env = make_example(name)
    whole = env.reset(seed=11).block(60)
    env.reset(seed=11)
    weights = np.full(env.n_experts, 1.0 / env.n_experts)
    steps = np.array([env.step(weights) for _ in range(60)])
    np.testing.assert_array_equal(steps, whole)


def play(env, seed: int, n_rounds: int) -> np.ndarray:
    env.reset(seed=seed)
    weights = np.full(env.n_experts, 1.0 / env.n_experts)
    return np.array([env.step(weights) for _ in range(n_rounds)])


@pytest.mark.parametrize("name", environments.names())
def test_same_seed_same_stream(name: str) -> None:
    env = make_example(name)
    np.testing.assert_array_equal(play(env, 5, 30), play(env, 5, 30))


@pytest.mark.parametrize("name", ["bernoulli", "gaussian", "beta", "coin-flips", "drifting", "switching"])
def test_other_seed_other_stream(name: str) -> None:
    env = make_example(name)
    assert not np.array_equal(play(env, 5, 30), play(env, 6, 30))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Bernoulli([0.5, 1.2]),
            r"The 'means' parameter of Bernoulli must be in \[0, 1\]\. Got \[0\.5, 1\.2\] instead\.",
        ),
        (lambda: Bernoulli([0.5, np.nan]), r"'means' parameter of Bernoulli must be finite"),
        (lambda: Bernoulli([]), r"'means' parameter of Bernoulli must be a non-empty 1-d array"),
        (lambda: Bernoulli([[0.5]]), r"'means' parameter of Bernoulli must be a non-empty 1-d array"),
        (lambda: Gaussian([0.5, -0.1]), r"'means' parameter of Gaussian must be in \[0, 1\]"),
        (
            lambda: Gaussian([0.5, 0.5], sigma=0.0),
            r"'sigma' parameter of Gaussian must be a float in the range \(0\.0, inf\)\. Got 0\.0 instead\.",
        ),
        (lambda: Gaussian([0.5, 0.5], sigma=[0.1, -1.0]), r"'sigma' parameter of Gaussian must be > 0"),
        (
            lambda: Gaussian([0.5, 0.5], sigma=[0.1, 0.1, 0.1]),
            r"'sigma' parameter of Gaussian must be a float or an array of length 2",
        ),
        (lambda: Beta([1.0, 0.0], [1.0, 1.0]), r"'a' parameter of Beta must be > 0\. Got \[1\.0, 0\.0\]"),
        (lambda: Beta([1.0, 1.0], [1.0, -2.0]), r"'b' parameter of Beta must be > 0"),
        (
            lambda: Beta([1.0, 1.0], [1.0]),
            r"'b' parameter of Beta must be an array of the same length as 'a' \(2\)",
        ),
    ],
)
def test_bad_parameters(build, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


def test_means_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="'means' parameter of Bernoulli must be an array of numbers"):
        Bernoulli(["a", "b"])


def test_bernoulli_losses_are_uniforms_below_the_means() -> None:
    means = np.array([0.1, 0.5, 0.7])
    losses = Bernoulli(means).reset(seed=8).block(100)
    uniforms = np.random.Generator(np.random.PCG64(np.random.SeedSequence(8))).random((100, 3))
    np.testing.assert_array_equal(losses, (uniforms < means).astype(float))


def test_gap_instance_may_reach_mean_one() -> None:
    # 1.0 - 0.9 rounds to 0.09999999999999998 < 0.1: the bound is checked on the sum best_mean + gap instead
    np.testing.assert_array_equal(gap_instance(3, 0.1, best_mean=0.9).means, [0.9, 1.0, 1.0])
    np.testing.assert_array_equal(gap_instance(2, 0.3, best_mean=0.7).means, [0.7, 1.0])
    np.testing.assert_array_equal(gap_instance(2, np.float32(0.5), best_mean=np.float64(0.5)).means, [0.5, 1.0])
    with pytest.raises(
        ValueError,
        match=r"'gap' parameter of gap_instance must be a float in the range \[0\.0, 1 - best_mean\] "
        r"\(best_mean \+ gap <= 1, with best_mean = 0\.9\)\. Got 0\.10000001 instead\.",
    ):
        gap_instance(3, 0.10000001, best_mean=0.9)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Bernoulli(["0.5"]), r"The 'means' parameter of Bernoulli must be an array of numbers\. Got"),
        (lambda: Bernoulli([True, 0.5]), r"'means' parameter of Bernoulli must be an array of numbers, not bool"),
        (lambda: Bernoulli(np.array([True])), r"'means' parameter of Bernoulli must be an array of numbers, not"),
        (
            lambda: Gaussian([0.3], sigma="0.1"),
            (
                r"^The 'sigma' parameter of Gaussian must be a float in the range \(0\.0, inf\)\. Got '0\.1' of "
                r"type str instead\.$"
            ),
        ),
        (lambda: Gaussian([0.3], sigma=True), r"'sigma' parameter of Gaussian .* Got True of type bool"),
        (lambda: Gaussian([0.3], sigma=np.bool_(True)), r"'sigma' parameter of Gaussian .* of type bool"),
        (lambda: Gaussian([0.3, 0.4], sigma=["0.1", "0.2"]), r"'sigma' parameter of Gaussian must be an"),
        (lambda: Beta(["1"], [1.0]), r"'a' parameter of Beta must be an array of numbers"),
        (lambda: Beta([1.0], [False]), r"'b' parameter of Beta must be an array of numbers, not booleans"),
    ],
)
def test_strings_and_bools_are_type_errors(build, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        build()


def test_gaussian_with_a_tiny_sigma_has_the_location_as_mean_without_warnings() -> None:
    sigma = 1e-300
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overflow RuntimeWarnings fail the test
        env = Gaussian([0.0, 0.3, 1.0], sigma=sigma)
        # E[clip(Z)] -> clip(m) as sigma -> 0; at m = 0 it is E[max(Z, 0)] = sigma / sqrt(2 pi) exactly
        np.testing.assert_allclose(env.means, [sigma / math.sqrt(2 * math.pi), 0.3, 1.0], rtol=1e-12, atol=0)
        smallest = Gaussian([0.5], sigma=np.array(5e-324))  # a 0-d array is a scalar; the subnormal minimum
        np.testing.assert_array_equal(smallest.means, [0.5])
        np.testing.assert_array_equal(smallest.reset(seed=0).block(3), np.full((3, 1), 0.5))
