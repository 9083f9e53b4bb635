"""Learning-rate schedules: the kernel function, the Python objects and the eta/horizon resolution."""

from __future__ import annotations

import math

import pytest

from ftrl import schedules


def test_rates():
    assert schedules.fixed(0.3).rate(1) == schedules.fixed(0.3).rate(1000) == 0.3
    assert schedules.horizon_tuned(8 * math.log(5), 200).rate(7) == pytest.approx(math.sqrt(8 * math.log(5) / 200))
    anytime = schedules.anytime(8 * math.log(3))
    for t in [1, 2, 10, 10**6]:
        assert anytime.rate(t) == pytest.approx(math.sqrt(8 * math.log(3) / t), rel=1e-15)
    gap = schedules.mixability_gap(4)
    assert gap.rate(1, 0.0) == math.inf
    assert gap.rate(5, 2.0) == pytest.approx(math.log(4) / 2.0)


def test_kinds_and_codes():
    assert schedules.horizon_tuned(1.0, 4).code == schedules.FIXED
    assert schedules.anytime(1.0).kind == "anytime"
    assert schedules.learning_rate(schedules.ANYTIME, schedules.anytime(4.0).params, 4, 0.0) == 1.0


def test_resolve_rate():
    resolve = schedules.resolve_rate
    assert resolve(0.5, None, "X", tuned_constant=8.0, anytime_constant=2.0).kind == "fixed"
    assert resolve(None, 8, "X", tuned_constant=8.0, anytime_constant=2.0).rate(3) == 1.0
    assert resolve(None, None, "X", tuned_constant=8.0, anytime_constant=2.0).rate(2) == 1.0
    assert resolve(math.inf, None, "X", tuned_constant=1.0, anytime_constant=1.0).rate(1) == math.inf
    with pytest.raises(ValueError, match="'eta' parameter of X must be a float in the range \\(0, inf\\)"):
        resolve(math.inf, None, "X", tuned_constant=1.0, anytime_constant=1.0, allow_inf=False)
    for eta in [0.0, -1.0, math.nan]:
        with pytest.raises(ValueError, match="The 'eta' parameter of X must be a float in the range \\(0, inf\\]"):
            resolve(eta, None, "X", tuned_constant=1.0, anytime_constant=1.0)
    with pytest.raises(ValueError, match="'horizon' parameter of X"):
        resolve(None, 0, "X", tuned_constant=1.0, anytime_constant=1.0)
    with pytest.raises(ValueError, match="exclusive"):
        resolve(1.0, 10, "X", tuned_constant=1.0, anytime_constant=1.0)
