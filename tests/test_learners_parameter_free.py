"""Squint, NormalHedge, BOA, ML-Poly and KT experts: naive references, published regret bounds, the simulator.

The bounds checked (every round, every expert; losses in [0, 1]; derivations in docs/parameter_free.md):

- Squint: the potential sum_i pi_i Phi(R_i, V_i) never increases (Koolen & van Erven 2015, Lemma 1), and the
  explicit form of their Theorem 4 derived from it, R_k <= 4 sqrt(V_k L_k) + 8 L_k with
  L_k = ln(1 + B_k / ln 2), B_k = max_j Ein((|R_j| + V_j/2)/2) / pi_k + Ein(V_k/4).
- NormalHedge: Theorem 1 of Chaudhuri, Freund & Hsu (2009) with epsilon = 1/N, minimized over a grid of delta.
- ML-Poly: R_k <= sqrt(2 (1 + V_k) sum_i ln(1 + V_i)) (the ML-Poly bound of Gaillard, Stoltz & van Erven 2014
  with explicit constants).
- KT experts: sum_i pi_i W_i <= 1 (the reduction of Orabona & Pal 2016) and, with the KT wealth bound,
  R_k <= sqrt(2 T (ln N + ln(T)/2 + 1 + ln(pi)/2)).
- BOA: no explicit constant is published for opera's variant; the conservative form
  R_k <= sqrt(2.2 V_k) (ln(1/pi_k) + ln(1 + ln(1 + t)) + 1) + sqrt(2.2) (ln(1/pi_k) + 1) is checked.
"""

from __future__ import annotations

import itertools
import math

import naive_parameter_free as naive
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import erfcx, exp1

import environments
import ftrl
from ftrl import BOA, KTExperts, MLPoly, NormalHedge, Squint
from ftrl.learners.normalhedge import _score, solve_scale
from ftrl.learners.squint import erfcx_chebyshev, log_squint_integral, squint_scores

LEARNERS = [Squint, NormalHedge, BOA, MLPoly, KTExperts]
NAMES = {Squint: "squint", NormalHedge: "normalhedge", BOA: "boa", MLPoly: "ml-poly", KTExperts: "kt-experts"}


def sequences():
    rng = np.random.default_rng(2026)
    trap = np.tile([[0.0, 1.0], [1.0, 0.0]], (20, 1))
    trap[0] = [0.5, 0.0]
    one_good = rng.random((50, 4))
    one_good[:, 0] *= 0.6
    switching = np.where(np.arange(60)[:, None] < 30, [0.1, 0.9, 0.5], [0.9, 0.1, 0.5])
    return {
        "uniform": rng.random((50, 5)),
        "bernoulli": (rng.random((50, 4)) < 0.3).astype(float),
        "ties": np.repeat(rng.integers(0, 2, (30, 1)), 3, axis=1).astype(float),
        "ftl-trap": trap,
        "one-good": one_good,
        "switching": switching,
        "near-equal": 0.5 + 1e-5 * rng.standard_normal((40, 3)),
    }


def run(learner, losses):
    paid = np.empty(len(losses))
    learner.advance(np.ascontiguousarray(losses), paid)
    return paid, learner.weights


def assert_close(actual, expected, rtol=1e-10):
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-14)


def tolerance(name):
    """1e-10, except on "near-equal" for the scale-free learners: there r = <p, l> - l ~ 1e-5 carries an
    absolute rounding error ~ 1e-17 that depends on the summation order of <p, l>, and weights that are
    invariant to the scale of r (BOA's eta = V^(-1/2), NormalHedge, ML-Poly, KT) amplify it to ~1e-11..1e-9
    relative."""
    return 1e-7 if name == "near-equal" else 1e-10


# ------------------------------------------------------------------------------------------------------------
# The closed form of Squint's integral.


@pytest.mark.parametrize("gain", [-400.0, -30.0, -2.0, -0.4, 0.0, 1e-9, 0.3, 0.99, 1.01, 3.0, 40.0, 600.0])
def test_log_squint_integral_matches_quadrature(gain):
    for variance in [0.0, 1e-13, 1e-7, 9.99e-7, 1e-6, 1e-5, 1e-3, 0.1, 1.0, 2.5, 35.0, 500.0, 1e4, 1e6]:
        exact = naive.squint_integral(gain, variance)
        assert math.isclose(
            log_squint_integral(gain, variance), math.log(exact), rel_tol=1e-10, abs_tol=1e-12
        )


def log_squint_scores(gains, variances, one_term):
    """ln I(R_i, V_i) from the learner's vectorized scores (uniform prior, shifted by the largest exponent, as
    the learner does when it is far off), one expert at a time, and whether the one-term form served all."""
    logs, served = [], True
    for gain, variance in zip(gains, variances):
        gain, variance, scores, prior = np.array([gain]), np.array([variance]), np.empty(1), np.ones(1)
        _, shift, _ = squint_scores(gain, variance, prior, 0.0, scores, one_term)
        total, _, exact = squint_scores(gain, variance, prior, shift, scores, one_term)
        assert total == scores[0]
        logs.append(math.log(scores[0]) + shift + math.log(math.sqrt(math.pi) / 2))
        served &= exact
    return np.array(logs), served


@pytest.mark.parametrize("gain", [-400.0, -30.0, -2.0, -0.4, 0.0, 1e-9, 0.3, 0.99, 1.01, 3.0, 40.0, 600.0])
def test_vectorized_squint_scores_match_quadrature(gain):
    variances = np.array([0.0, 1e-13, 1e-7, 9.99e-7, 1e-6, 1e-5, 1e-3, 0.1, 1.0, 2.5, 35.0, 500.0, 1e4, 1e6])
    gains = np.full(variances.shape, gain)
    for one_term in [False, True]:  # the one-term pass falls back to two terms where it is not exact
        logs, _ = log_squint_scores(gains, variances, one_term)
        for variance, value in zip(variances, logs):
            expected = math.log(naive.squint_integral(gain, variance))
            assert math.isclose(value, expected, rel_tol=1e-10, abs_tol=1e-12)


def test_one_term_squint_scores_match_quadrature():
    # Where the second term of each closed form is below e^-42 times the first (R <= V/2 - 84, or R >= V and
    # R/2 - V/4 >= 42), one erfcx and one exponential give the two-term value to the last bits.
    for fraction in [-3.0, -1.0, -0.2, -1e-3, 0.0, 1e-3, 0.05, 0.3, 0.45, 1.0, 1.5, 10.0]:
        variances = np.array([1e-6, 1e-3, 1.0, 100.0, 168.5, 200.0, 700.0, 3e3, 1e4, 2e5, 1e7])
        gains = fraction * variances
        gains = np.where(gains >= variances, np.maximum(gains, 0.5 * variances + 84.0),
                         np.minimum(gains, 0.5 * variances - 84.0))
        logs, exact = log_squint_scores(gains, variances, True)
        two_terms, _ = log_squint_scores(gains, variances, False)
        assert exact
        np.testing.assert_allclose(logs, two_terms, rtol=1e-14, atol=1e-14)
        for gain, variance, value in zip(gains, variances, logs):
            assert math.isclose(value, log_squint_integral(gain, variance), rel_tol=1e-10, abs_tol=1e-12)
            if variance <= 1e4 and abs(gain) <= 1e3:  # beyond, quad overflows or misses the peak at eta = 0
                expected = math.log(naive.squint_integral(gain, variance))
                assert math.isclose(value, expected, rel_tol=1e-10, abs_tol=1e-12)
    scores = np.empty(2)
    for gains, variances in [([0.3, -400.0], [1.0, 1e6]), ([-400.0, 1500.0], [1e6, 2e3]), ([-400.0, 3.0], [1e6, 0.0])]:
        _, _, exact = squint_scores(np.array(gains), np.array(variances), np.ones(2), 0.0, scores, True)
        assert not exact  # one expert needs both terms: the whole pass uses them


def test_erfcx_chebyshev_matches_scipy():
    x = np.concatenate([np.linspace(0.0, 12.0, 4001), np.geomspace(12.0, 1e300, 300), [np.inf]])
    ours = np.array([erfcx_chebyshev(value) for value in x])
    np.testing.assert_allclose(ours[:-1], erfcx(x[:-1]), rtol=3e-14)
    assert 0.0 <= ours[-1] < 1e-299  # inf is clamped to 1e300


def test_log_squint_integral_is_finite_far_out():
    cases = [(1e6, 1e6), (1e6, 1e5), (-1e6, 1e6), (1e3, 1e-8), (-1e7, 1e-3), (5e5, 1e12)]
    gains, variances = np.array([g for g, _ in cases]), np.array([v for _, v in cases])
    for one_term in [False, True]:
        logs, _ = log_squint_scores(gains, variances, one_term)
        assert np.isfinite(logs).all()
    for gain, variance in cases:
        assert math.isfinite(log_squint_integral(gain, variance))


# ------------------------------------------------------------------------------------------------------------
# Against the naive references.


@pytest.mark.parametrize("name", list(sequences()))
def test_squint_matches_naive(name):
    losses = sequences()[name]
    n = losses.shape[1]
    for actual, expected in zip(run(Squint(n), losses), naive.squint(losses)):
        assert_close(actual, expected)
    prior = np.arange(1.0, n + 1.0)
    for actual, expected in zip(run(Squint(n, prior=prior), losses), naive.squint(losses, prior)):
        assert_close(actual, expected)


@pytest.mark.parametrize("name", list(sequences()))
def test_normalhedge_matches_naive(name):
    losses = sequences()[name]
    for actual, expected in zip(run(NormalHedge(losses.shape[1]), losses), naive.normalhedge(losses)):
        assert_close(actual, expected, tolerance(name))


@pytest.mark.parametrize("exponent", [-1000, -700, -300, 300, 700, 1000])
def test_normalhedge_is_scale_free_down_to_subnormal_and_up_to_huge_regrets(exponent):
    """Losses times 2^k give the same weights (NormalHedge is invariant under R -> lambda R), also where the squared
    regrets would under- or overflow (|k| > 511): they once gave NaN weights, then uniform weights forever."""
    losses = sequences()["uniform"]
    learner, scaled = NormalHedge(losses.shape[1]), NormalHedge(losses.shape[1])
    paid, weights = run(learner, losses)
    scaled_paid, scaled_weights = run(scaled, np.ldexp(losses, exponent))
    assert_close(scaled_weights, weights, 1e-13)
    assert_close(np.ldexp(scaled_paid, -exponent), paid, 1e-13)
    expected_scale = 2.0 ** (2 * exponent) * learner.scale if abs(exponent) < 500 else (0.0 if exponent < 0 else math.inf)
    assert scaled.scale == pytest.approx(expected_scale, rel=1e-13)  # c_t in the losses' units, 0 or inf beyond


@pytest.mark.parametrize("cls", LEARNERS)
def test_subnormal_losses_keep_the_weights_a_distribution(cls):
    """A regret of 1e-310 (subnormal) once made ML-Poly's and the KT experts' published weights [inf, nan] (1/W
    overflowed) and NormalHedge's NaN; the two paths of the simulator must still agree (to rounding)."""
    losses = np.array([[0.0, 1e-310], [0.9, 0.1], [0.9, 0.1], [1e-300, 0.0], [0.2, 0.7]])
    learner = cls(2)
    for row in losses:
        learner.update(row)
        weights = learner.weights
        assert np.isfinite(weights).all() and weights.min() >= 0.0 and weights.sum() == pytest.approx(1.0)
    env = environments.Replay(losses)
    fast = ftrl.simulate(cls(2), env, len(losses), _path="fast")
    general = ftrl.simulate(cls(2), env, len(losses), _path="general")
    assert np.isfinite(fast.regret).all()
    np.testing.assert_allclose(fast.regret, general.regret, rtol=1e-12, atol=1e-15)  # the same to rounding


@pytest.mark.parametrize("cls", [Squint, BOA])
def test_squared_regret_learners_refuse_losses_beyond_their_limit_on_every_path(cls):
    """Beyond about 1e154 the squared regrets overflow and the weights turned NaN: losses above ``loss_limit``
    (1e100) are a ValueError in ``update`` (state unchanged) and on both paths of the simulator; at the limit the
    weights stay a distribution."""
    rng = np.random.default_rng(4)
    at_limit = cls(3)
    paid = np.empty(200)
    at_limit.advance(rng.random((200, 3)) * cls.loss_limit, paid)
    assert np.isfinite(paid).all() and np.isfinite(at_limit.weights).all()
    assert at_limit.weights.sum() == pytest.approx(1.0)
    learner = cls(3)
    learner.update([0.2, 0.5, 0.1])
    before = learner.weights.copy()
    with pytest.raises(ValueError, match=rf"'losses' parameter of {cls.__name__} must lie in \[-1e\+100, 1e\+100\]"):
        learner.update([0.2, 1e120, 0.1])
    assert learner.t == 1 and np.array_equal(learner.weights, before)
    losses = rng.random((300, 3))
    losses[150, 2] = -1e120
    for path in ("fast", "general"):
        with pytest.raises(ValueError, match=r"1e\+100"):
            ftrl.simulate(cls(3), environments.Replay(losses), 300, _path=path)


def test_normalhedge_follows_a_single_tiny_positive_regret():
    learner = NormalHedge(2)
    learner.update([1e-200, 0.0])
    np.testing.assert_array_equal(learner.weights, [0.0, 1.0])
    learner.update([0.0, 1e-310])
    assert np.isfinite(learner.weights).all() and learner.weights.sum() == pytest.approx(1.0)


def test_normalhedge_warm_started_root_matches_bisection():
    # From any guess (none, the root, near it: one exponential pass; far off or absurd: several) the root is
    # within 1e-14 relative of 400 bisections (2.1e-15 observed), the exponentials are e^{evaluated q}, and the
    # weights moved to the root by the Taylor factor agree with [R]_+ e^{root q} to 2e-15. The same with the
    # positive regrets followed by zeros, as the learner pads them to whole vectors (at times past N entries).
    rng = np.random.default_rng(5)
    for _ in range(60):
        n = int(rng.integers(1, 300))
        gains = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3)
        gains[0] = abs(gains[0]) + 1e-3
        positives = gains[gains > 0.0]
        exact = 0.5 / naive.normalhedge_scale(gains)
        padding = int(rng.integers(1, 16))
        for guess, zeros in itertools.product([0.0, exact, exact * (1 + 1e-5), exact * (1 - 3e-4), 2 * exact, 1e300],
                                              [0, padding]):
            passed = np.concatenate([positives, np.zeros(zeros)])
            tilted = np.empty((2, len(passed)))
            root, evaluated = solve_scale(passed, positives.max() ** 2, guess, tilted, n, math.log(n))
            exponentials = tilted[0][: len(positives)]
            assert abs(root - exact) <= 1e-14 * exact
            np.testing.assert_array_equal(tilted[0][len(positives) :], 1.0)
            np.testing.assert_allclose(exponentials, np.exp(evaluated * positives**2), rtol=1e-14, atol=0)
            scores = [_score(g, e, root - evaluated) for g, e in zip(positives, exponentials)]
            np.testing.assert_allclose(scores, positives * np.exp(root * positives**2), rtol=2e-15, atol=0)


@pytest.mark.parametrize("name", list(sequences()))
def test_boa_matches_naive(name):
    losses = sequences()[name]
    n = losses.shape[1]
    for actual, expected in zip(run(BOA(n), losses), naive.boa(losses)):
        assert_close(actual, expected, tolerance(name))
    prior = np.arange(n, 0.0, -1.0)
    for actual, expected in zip(run(BOA(n, prior=prior), losses), naive.boa(losses, prior)):
        assert_close(actual, expected, tolerance(name))


@pytest.mark.parametrize("name", list(sequences()))
def test_mlpoly_matches_naive(name):
    losses = sequences()[name]
    for actual, expected in zip(run(MLPoly(losses.shape[1]), losses), naive.mlpoly(losses)):
        assert_close(actual, expected, tolerance(name))


@pytest.mark.parametrize("name", list(sequences()))
def test_kt_experts_match_naive(name):
    losses = sequences()[name]
    learner = KTExperts(losses.shape[1])
    paid, weights = run(learner, losses)
    expected_paid, expected_weights, wealth = naive.kt_experts(losses)
    assert_close(paid, expected_paid, tolerance(name))
    assert_close(weights, expected_weights, tolerance(name))
    assert_close(learner.log_wealth, np.log(wealth), tolerance(name))


# ------------------------------------------------------------------------------------------------------------
# Regret bounds on random, adversarial and adaptive sequences.


def squint_phi(gain, variance):
    """Phi(R, V) = int_0^{1/2} (exp(eta R - eta^2 V) - 1) / eta d eta (Koolen & van Erven 2015)."""
    value, _ = quad(
        lambda eta: math.expm1(eta * gain - eta * eta * variance) / eta,
        0.0,
        0.5,
        epsabs=1e-13,
        epsrel=1e-12,
        limit=200,
    )
    return value


def ein(x):
    """Ein(x) = int_0^x (1 - e^{-u}) / u du = E1(x) + ln x + Euler's gamma."""
    return x if x < 1e-8 else float(exp1(x)) + math.log(x) + np.euler_gamma


def squint_bound(gains, variances, prior):
    worst = max(ein((abs(g) + v / 2) / 2) for g, v in zip(gains, variances))
    budget = worst / prior + np.array([ein(v / 4) for v in variances])
    level = np.log1p(budget / math.log(2.0))
    return 4.0 * np.sqrt(variances * level) + 8.0 * level


def normalhedge_bound(t, n):
    deltas = np.linspace(0.005, 0.5, 100)
    log_n = math.log(n)
    return float(
        np.min(
            np.sqrt(
                (1 + log_n)
                * (3 * (1 + 50 * deltas) * t + 16 * log_n**2 / deltas * (10.2 / deltas**2 + log_n))
            )
        )
    )


def mlpoly_bound(variances):
    return np.sqrt(2.0 * (1.0 + variances) * np.sum(np.log1p(variances)))


def kt_bound(t, n):
    return math.sqrt(2.0 * t * (math.log(n) + 0.5 * math.log(t) + 1.0 + 0.5 * math.log(math.pi)))


def boa_bound(t, variances, prior):
    level = np.log(1.0 / prior)
    return np.sqrt(2.2 * variances) * (level + math.log1p(math.log1p(t)) + 1.0) + math.sqrt(2.2) * (
        level + 1.0
    )


def loss_stream(kind, n, seed):
    """A loss generator ``next_loss(t, weights)``: random, the FTL trap (oblivious) or adaptive to the
    weights."""
    rng = np.random.default_rng(seed)
    means = rng.random(n)

    def next_loss(t, weights):
        if kind == "random":
            return (rng.random(n) < means).astype(float) if seed % 2 else rng.random(n)
        if kind == "trap":
            loss = np.ones(n)
            loss[t % n] = 0.0
            if t == 0:
                loss[0] = 0.5
            return loss
        leaders = weights >= weights.max() - 1e-12
        noise = rng.random(n) * 0.1
        return np.where(leaders, 1.0 - noise, noise)

    return next_loss


def play(learner, kind, horizon, seed, check):
    """Play ``horizon`` rounds; after each, call check(t, R, V, learner) with the cumulative regrets."""
    n = learner.n_experts
    next_loss = loss_stream(kind, n, seed)
    gains, variances = np.zeros(n), np.zeros(n)
    for t in range(horizon):
        weights = learner.weights
        loss = next_loss(t, weights)
        learner.update(loss)
        regret = weights @ loss - loss
        gains += regret
        variances += regret * regret
        check(t + 1, gains, variances, learner)


GAMES = st.tuples(
    st.sampled_from(["random", "trap", "adaptive"]),
    st.integers(2, 6),
    st.integers(50, 300),
    st.integers(0, 2**16),
)
BOUND_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@BOUND_SETTINGS
@given(GAMES)
def test_normalhedge_regret_bound(game):
    kind, n, horizon, seed = game

    def check(t, gains, variances, learner):
        assert gains.max() <= normalhedge_bound(t, n)

    play(NormalHedge(n), kind, horizon, seed, check)


@BOUND_SETTINGS
@given(GAMES)
def test_mlpoly_regret_bound(game):
    kind, n, horizon, seed = game

    def check(t, gains, variances, learner):
        assert (gains <= mlpoly_bound(variances) + 1e-9).all()

    play(MLPoly(n), kind, horizon, seed, check)


@BOUND_SETTINGS
@given(GAMES)
def test_kt_experts_regret_bound_and_wealth(game):
    kind, n, horizon, seed = game

    def check(t, gains, variances, learner):
        log_wealth = learner.log_wealth
        top = log_wealth.max()
        assert top + math.log(np.mean(np.exp(log_wealth - top))) <= 1e-12
        assert gains.max() <= kt_bound(t, n)

    play(KTExperts(n), kind, horizon, seed, check)


@BOUND_SETTINGS
@given(GAMES)
def test_boa_regret_bound(game):
    kind, n, horizon, seed = game
    prior = np.full(n, 1.0 / n)

    def check(t, gains, variances, learner):
        assert (gains <= boa_bound(t, variances, prior)).all()

    play(BOA(n), kind, horizon, seed, check)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(
        st.sampled_from(["random", "trap", "adaptive"]),
        st.integers(2, 4),
        st.integers(40, 120),
        st.integers(0, 2**16),
        st.booleans(),
    )
)
def test_squint_potential_and_regret_bound(game):
    kind, n, horizon, seed, skewed = game
    prior = np.arange(1.0, n + 1.0) if skewed else np.ones(n)
    prior = prior / prior.sum()
    potential = [0.0]

    def check(t, gains, variances, learner):
        value = sum(p * squint_phi(g, v) for p, g, v in zip(prior, gains, variances))
        assert value <= potential[0] + 1e-9
        potential[0] = value
        assert (gains <= squint_bound(gains, variances, prior)).all()

    play(Squint(n, prior=prior), kind, horizon, seed, check)


# ------------------------------------------------------------------------------------------------------------
# Long runs, the simulator, the registry, validation.


@pytest.mark.parametrize("cls", LEARNERS)
def test_long_run_stays_finite(cls):
    rounds = 200_000
    losses = np.tile([[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]], (rounds // 2, 1))
    learner = cls(3)
    paid = np.empty(rounds)
    learner.advance(losses, paid)
    weights = learner.weights
    assert np.isfinite(paid).all() and np.isfinite(weights).all()
    assert weights[0] > 0.99 and abs(weights.sum() - 1.0) < 1e-12
    assert paid.sum() <= 0.05 * rounds


@pytest.mark.parametrize("cls", LEARNERS)
def test_simulate_matches_update_loop(cls):
    means = [0.3, 0.5, 0.6, 0.45]
    df = ftrl.simulate(cls(4), environments.make("bernoulli", means=means), 500)
    env = environments.make("bernoulli", means=means)
    env.reset(seed=0)
    losses = env.block(500)
    learner = cls(4)
    paid = []
    for row in losses:
        paid.append(learner.weights @ row)
        learner.update(row)
    np.testing.assert_allclose(df["loss"].to_numpy(), paid, rtol=1e-13, atol=1e-15)
    assert df.attrs["path"] == "fast"


@pytest.mark.parametrize("cls", LEARNERS)
def test_registered_and_exported(cls):
    assert type(ftrl.make_learner(NAMES[cls], 3)) is cls
    assert getattr(ftrl, cls.__name__) is cls and cls.name == NAMES[cls]


@pytest.mark.parametrize("cls", [Squint, BOA])
@pytest.mark.parametrize(
    "prior", [[1.0, 2.0], [1.0, 0.0, 2.0], [1.0, -1.0, 2.0], [1.0, math.nan, 1.0], [1.0, math.inf, 1.0]]
)
def test_bad_prior(cls, prior):
    with pytest.raises(ValueError, match=f"'prior' parameter of {cls.__name__}"):
        cls(3, prior=prior)


@pytest.mark.parametrize("cls", [Squint, BOA])
def test_prior_is_normalized_and_first_weights(cls):
    learner = cls(3, prior=[1.0, 1.0, 2.0])
    np.testing.assert_allclose(learner.weights, [0.25, 0.25, 0.5], rtol=1e-15)
    assert learner.get_params() == {"n_experts": 3, "prior": [0.25, 0.25, 0.5]}


@pytest.mark.parametrize("cls", LEARNERS)
@pytest.mark.parametrize("n_experts", [0, -2])
def test_n_experts_must_be_positive(cls, n_experts):
    with pytest.raises(ValueError, match="'n_experts' parameter"):
        cls(n_experts)


@pytest.mark.parametrize("cls", LEARNERS)
def test_single_expert(cls):
    learner = cls(1)
    paid = np.empty(3)
    learner.advance(np.array([[0.2], [1.0], [0.0]]), paid)
    np.testing.assert_array_equal(paid, [0.2, 1.0, 0.0])
    assert learner.weights.tolist() == [1.0]


# ------------------------------------------------------------------------------------------------------------
# BOA, ML-Poly and KT experts keep their weights unnormalized, with their sum, from round to round and call to
# call (ftrl.learners._deferred), and sum them in reassociating (vectorized) loops.

LAZY = [BOA, MLPoly, KTExperts]


@pytest.mark.parametrize("cls", LAZY)
@pytest.mark.parametrize("n", [1, 3, 8, 17, 100])
def test_blocks_do_not_change_the_numbers(cls, n):
    losses = np.random.default_rng(n).random((60, n))
    whole, rows = cls(n), cls(n)
    paid_whole, paid_rows = np.empty(60), np.empty(60)
    whole.advance(losses[:25], paid_whole[:25])
    whole.advance(losses[25:], paid_whole[25:])
    for r in range(60):
        rows.advance(losses[r : r + 1], paid_rows[r : r + 1])
        assert abs(rows.weights.sum() - 1.0) < 1e-12
    np.testing.assert_array_equal(paid_whole, paid_rows)
    np.testing.assert_array_equal(whole.weights, rows.weights)


@pytest.mark.parametrize("cls", LAZY)
def test_state_placement_does_not_change_the_numbers(cls):
    """Adjacent and misaligned state arrays give the same bits as separate allocations."""
    n = 37
    losses = np.random.default_rng(3).random((20, n))
    reference = cls(n)
    expected = np.empty(20)
    reference.advance(losses, expected)
    for offset in range(4):
        state = list(cls(n)._state)
        buffer = np.zeros(offset + len(state) * n)
        start = offset
        for index, array in enumerate(state):
            if array.dtype == np.float64 and array.shape == (n,):
                state[index] = buffer[start : start + n]
                state[index][:] = array
                start += n
        paid = np.empty(20)
        cls.block_kernel(losses, paid, *state)
        np.testing.assert_array_equal(paid, expected)
        np.testing.assert_array_equal(state[1], reference.weights)


@pytest.mark.parametrize(
    ("cls", "shift_index", "exact_shift", "far_shift"), [(KTExperts, 8, 40, 1000), (BOA, 7, 30.0, 500.0)]
)
def test_weights_do_not_depend_on_the_stale_shift(cls, shift_index, exact_shift, far_shift):
    """The unnormalized weights are scaled by the previous round's largest exponent: a shift within the slack is
    kept (for KT a power of two, so the bits do not change), one beyond it is replaced."""
    losses = np.random.default_rng(5).random((80, 6))
    learners = [cls(6) for _ in range(3)]
    for learner in learners:
        learner.advance(losses[:40], np.empty(40))
    learners[1]._state[shift_index][0] = exact_shift
    learners[2]._state[shift_index][0] = far_shift
    paid = [np.empty(40) for _ in learners]
    for learner, out in zip(learners, paid):
        learner.advance(losses[40:], out)
    if cls is KTExperts:
        np.testing.assert_array_equal(paid[1], paid[0])
        np.testing.assert_array_equal(learners[1].weights, learners[0].weights)
    for other in (1, 2):
        np.testing.assert_allclose(paid[other], paid[0], rtol=1e-13)
        np.testing.assert_allclose(learners[other].weights, learners[0].weights, rtol=1e-12)
    assert abs(learners[2]._state[shift_index][0] - far_shift) > 64
