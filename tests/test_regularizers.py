"""Regularizer argmins against scipy's constrained optimizers, their KKT conditions and the naive references."""

from __future__ import annotations

import math

import naive_learners as naive
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from ftrl import Euclidean, LogBarrier, NegativeEntropy, Tsallis
from ftrl.regularizers import make_regularizer

REGULARIZERS = [NegativeEntropy(), Euclidean(), Tsallis(0.5), Tsallis(0.2), Tsallis(0.9), LogBarrier()]
IDS = [repr(r) for r in REGULARIZERS]


def objective(regularizer, cum_losses, eta):
    return lambda p: p @ cum_losses + regularizer.penalty(np.maximum(p, 1e-300)) / eta


def scipy_argmin(regularizer, cum_losses, eta):
    n = len(cum_losses)
    floor = 0.0 if isinstance(regularizer, Euclidean) else 1e-12
    result = minimize(objective(regularizer, cum_losses, eta), np.full(n, 1.0 / n), method="SLSQP",
                      bounds=[(floor, 1.0)] * n, constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1.0}],
                      options={"ftol": 1e-15, "maxiter": 500})
    return result.x


@pytest.mark.parametrize("regularizer", REGULARIZERS, ids=IDS)
@pytest.mark.parametrize("seed", range(4))
def test_argmin_matches_slsqp(regularizer, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    cum_losses = rng.normal(0.0, 1.0, n)
    eta = float(rng.uniform(0.3, 3.0))
    ours = regularizer.argmin(cum_losses, eta)
    theirs = scipy_argmin(regularizer, cum_losses, eta)
    f = objective(regularizer, cum_losses, eta)
    assert f(ours) <= f(theirs) + 1e-10
    np.testing.assert_allclose(ours, theirs, atol=2e-5)


def stationarity(regularizer, p, cum_losses, eta):
    """The gradient of <p, L> + R(p)/eta at p, coordinate by coordinate."""
    if isinstance(regularizer, NegativeEntropy):
        return cum_losses + (np.log(p) + 1.0) / eta
    if isinstance(regularizer, Euclidean):
        return cum_losses + p / eta
    if isinstance(regularizer, Tsallis):
        alpha = regularizer.alpha
        return cum_losses - p ** (alpha - 1.0) / ((1.0 - alpha) * eta)
    return cum_losses - 1.0 / (eta * p)


@settings(max_examples=80, deadline=None)
@given(
    regularizer=st.sampled_from(REGULARIZERS),
    cum_losses=st.lists(st.floats(-50, 50), min_size=1, max_size=12).map(np.array),
    eta=st.floats(0.01, 100.0),
)
def test_kkt_conditions(regularizer, cum_losses, eta):
    """On the support the gradient equals one multiplier; off it (Euclidean only) it is at least that."""
    p = regularizer.argmin(cum_losses, eta)
    assert (p >= 0).all() and abs(p.sum() - 1.0) <= 1e-12
    support = p > 1e-9
    gradient = stationarity(regularizer, np.where(support, p, 1.0), cum_losses, eta)
    multiplier = np.median(gradient[support])
    scale = 1.0 + np.abs(cum_losses).max() + 1.0 / (eta * p[support].min())
    np.testing.assert_allclose(gradient[support], multiplier, atol=1e-9 * scale)
    if isinstance(regularizer, Euclidean):
        assert (cum_losses[~support] >= multiplier - 1e-9 * scale).all()


@pytest.mark.parametrize("regularizer", REGULARIZERS, ids=IDS)
def test_argmin_matches_naive_bisection(regularizer):
    rng = np.random.default_rng(3)
    for _ in range(10):
        cum_losses = rng.normal(0.0, 2.0, 6)
        eta = float(rng.uniform(0.1, 5.0))
        name = regularizer.name
        alpha = getattr(regularizer, "alpha", 0.5)
        expected = naive.ftrl_argmin(name, cum_losses, eta, alpha)
        np.testing.assert_allclose(regularizer.argmin(cum_losses, eta), expected, rtol=1e-10, atol=1e-14)


def test_tsallis_half_is_the_tsallis_inf_closed_form():
    cum_losses = np.array([0.0, 0.4, 1.5, 3.0])
    eta = 1.7
    p = Tsallis(0.5).argmin(cum_losses, eta)
    normalizers = cum_losses - 2.0 / (eta * np.sqrt(p))  # from p_i = 4 / (eta (L_i - x))^2
    np.testing.assert_allclose(normalizers, normalizers[0], atol=1e-12)
    assert normalizers[0] < cum_losses.min()


@pytest.mark.parametrize("regularizer", REGULARIZERS, ids=IDS)
def test_extreme_inputs_stay_finite(regularizer):
    for cum_losses, eta in [(np.array([1e12, 0.0, 5.0, 1e12 + 1]), 1e8), (np.array([3e11, 3e11, 3e11]), 1e8),
                            (np.array([0.0, 1e-12]), 1e-8), (np.array([7.0]), 2.0)]:
        p = regularizer.argmin(cum_losses, eta)
        assert np.isfinite(p).all() and (p >= 0).all() and abs(p.sum() - 1.0) <= 1e-12
        assert math.isfinite(regularizer.value(cum_losses, eta)) or isinstance(regularizer, LogBarrier)


@pytest.mark.parametrize("regularizer", [Tsallis(0.2), Tsallis(0.5), Tsallis(0.9), LogBarrier()])
@pytest.mark.parametrize("exponent", [600, 700, 1000, 1020])
def test_tiny_rates_give_the_argmin_of_the_rescaled_problem(regularizer, exponent):
    """argmin <p, L> + R(p)/eta is unchanged by L -> c L, eta -> eta / c; with eta near 1e-300 the Newton bracket
    [1/eta, N^(1-alpha)/eta] overflowed and the weights came out NaN (also for equal L)."""
    cum_losses = np.array([0.0, 1.0, 2.5, 4.0, 4.0])
    eta = 0.7
    expected = regularizer.argmin(cum_losses, eta)
    scaled = regularizer.argmin(np.ldexp(cum_losses, exponent), math.ldexp(eta, -exponent))
    np.testing.assert_allclose(scaled, expected, rtol=1e-13, atol=0)
    flat = regularizer.argmin(np.zeros(7), math.ldexp(eta, -exponent))
    np.testing.assert_allclose(flat, np.full(7, 1 / 7), rtol=1e-15)


@pytest.mark.parametrize("regularizer", REGULARIZERS, ids=IDS)
def test_value_is_the_minimum(regularizer):
    rng = np.random.default_rng(9)
    cum_losses = rng.normal(0, 1, 5)
    eta = 1.3
    p = regularizer.argmin(cum_losses, eta)
    value = regularizer.value(cum_losses, eta)
    assert value == pytest.approx(p @ cum_losses + regularizer.penalty(p) / eta, rel=1e-12, abs=1e-12)
    for _ in range(20):
        q = rng.dirichlet(np.ones(5))
        assert value <= q @ cum_losses + regularizer.penalty(q) / eta + 1e-12


def test_entropy_value_is_the_smooth_minimum():
    cum_losses = np.array([0.5, 2.0, -1.0])
    eta = 0.8
    expected = -math.log(np.exp(-eta * cum_losses).sum()) / eta
    assert NegativeEntropy().value(cum_losses, eta) == pytest.approx(expected, rel=1e-14)


def test_diameters():
    assert NegativeEntropy().diameter(8) == pytest.approx(math.log(8))
    assert Euclidean().diameter(4) == pytest.approx(0.5 - 0.5 / 4)
    uniform = np.full(4, 0.25)
    vertex = np.array([1.0, 0.0, 0.0, 0.0])
    tsallis = Tsallis(0.3)
    assert tsallis.diameter(4) == pytest.approx(tsallis.penalty(vertex) - tsallis.penalty(uniform))
    assert LogBarrier().diameter(3) == math.inf


def test_names_and_validation():
    assert isinstance(make_regularizer("tsallis"), Tsallis)
    assert make_regularizer("tsallis", params={"alpha": 0.3}) == Tsallis(0.3)
    with pytest.raises(ValueError, match="'regularizer'.*'entropy'.*'log-barrier'"):
        make_regularizer("l1")
    for alpha in [0.0, 1.0, -0.5, math.nan]:
        with pytest.raises(ValueError, match="'alpha' parameter of Tsallis"):
            Tsallis(alpha)
    with pytest.raises(ValueError, match="'eta'"):
        Euclidean().argmin([0.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="'cum_losses'"):
        Euclidean().argmin([0.0, math.nan], 1.0)
