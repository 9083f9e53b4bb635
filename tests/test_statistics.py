"""Confidence intervals for the final regret across seeds: t against scipy, bootstrap coverage and seeding."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from ftrl.regret import final_statistics


def frame(values: np.ndarray, t: int = 10) -> pd.DataFrame:
    n = len(values)
    early = pd.DataFrame({"seed": np.arange(n), "t": 1, "regret": np.zeros(n)})
    final = pd.DataFrame({"seed": np.arange(n), "t": t, "regret": values})
    return pd.concat([early, final], ignore_index=True)


@pytest.mark.parametrize("n", [2, 5, 40])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_t_interval_matches_scipy(n: int, confidence: float) -> None:
    values = np.random.default_rng(n).normal(3.0, 2.0, size=n)
    table = final_statistics(frame(values), confidence=confidence)
    low, high = scipy.stats.t.interval(confidence, n - 1, loc=values.mean(), scale=scipy.stats.sem(values))
    assert table["n_seeds"].item() == n
    np.testing.assert_allclose([table["ci_low"].item(), table["ci_high"].item()], [low, high], rtol=1e-10)


@pytest.mark.parametrize("method", ["bootstrap", "bca"])
def test_bootstrap_coverage_on_normal_samples(method: str) -> None:
    rng = np.random.default_rng(2024)
    n_trials, n, mu = 300, 30, 1.5
    rows = [pd.DataFrame({"learner": f"run{k}", "seed": np.arange(n), "t": 1, "regret": rng.normal(mu, 1.0, n)})
            for k in range(n_trials)]
    table = final_statistics(pd.concat(rows, ignore_index=True), method=method, n_resamples=1000, seed=7)
    covered = float(np.mean((table["ci_low"] <= mu) & (mu <= table["ci_high"])))
    # bootstrap intervals are a little narrow for n = 30 (about 0.93); 300 trials give a standard error of 0.015
    assert 0.88 <= covered <= 0.99, covered
    width = (table["ci_high"] - table["ci_low"]).mean()
    assert width == pytest.approx(2 * 1.96 / np.sqrt(n), rel=0.15)


def test_bca_close_to_scipy_on_a_skewed_sample() -> None:
    values = np.random.default_rng(3).exponential(2.0, size=50)
    ours = final_statistics(frame(values), method="bca", n_resamples=20000, seed=1)
    theirs = scipy.stats.bootstrap((values,), np.mean, method="BCa", n_resamples=20000, random_state=1)
    np.testing.assert_allclose(
        [ours["ci_low"].item(), ours["ci_high"].item()],
        [theirs.confidence_interval.low, theirs.confidence_interval.high],
        rtol=0.04,
    )
    percentile = final_statistics(frame(values), method="bootstrap", n_resamples=20000, seed=1)
    # BCa moves the interval to the right of the percentile one for a right-skewed sample
    assert ours["ci_high"].item() > percentile["ci_high"].item()


def test_seeded_and_grouped() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({
        "environment": ["e"] * 20, "horizon": 10, "learner": ["a"] * 10 + ["b"] * 10, "seed": list(range(10)) * 2,
        "t": 10, "regret": rng.normal(size=20),
    })
    first = final_statistics(df, method="bootstrap", seed=5)
    again = final_statistics(df, method="bootstrap", seed=5)
    pd.testing.assert_frame_equal(first, again)
    alone = final_statistics(df[df.learner == "b"], method="bootstrap", seed=5)
    np.testing.assert_array_equal(alone[["ci_low", "ci_high"]].to_numpy(), first.iloc[[1]][["ci_low", "ci_high"]])
    assert first["learner"].tolist() == ["a", "b"]
    assert first.attrs["method"] == "bootstrap"


def test_degenerate_groups() -> None:
    one = final_statistics(frame(np.array([4.0])))
    assert one["mean"].item() == 4.0 and np.isnan(one["ci_low"].item())
    flat = final_statistics(frame(np.full(5, 2.0)), method="bca")
    assert flat["ci_low"].item() == flat["ci_high"].item() == 2.0


def test_bad_input() -> None:
    df = frame(np.arange(5.0))
    with pytest.raises(ValueError, match="'method' parameter of final_statistics"):
        final_statistics(df, method="jackknife")
    with pytest.raises(ValueError, match="'confidence' parameter of final_statistics"):
        final_statistics(df, confidence=1.0)
    with pytest.raises(ValueError, match="'n_resamples' parameter of final_statistics"):
        final_statistics(df, n_resamples=10)
    with pytest.raises(ValueError, match="columns"):
        final_statistics(df, column="pseudo_regret")
    with pytest.raises(TypeError, match="'df' parameter"):
        final_statistics([1, 2])


@pytest.mark.parametrize("method", ["t", "bootstrap", "bca"])
def test_an_infinite_value_is_an_outcome_not_missing(method: str) -> None:
    table = final_statistics(frame(np.array([3.0, np.inf, 5.0])), method=method)
    assert table["n_seeds"].item() == 3
    assert table["mean"].item() == np.mean([3.0, np.inf, 5.0]) == np.inf
    assert table["ci_low"].item() == table["ci_high"].item() == np.inf
    assert np.isnan(table["std"].item())
    minus = final_statistics(frame(np.array([-np.inf, 1.0])), method=method)
    assert minus["mean"].item() == minus["ci_low"].item() == minus["ci_high"].item() == -np.inf
    both = final_statistics(frame(np.array([-np.inf, np.inf, 1.0])), method=method)
    assert both["n_seeds"].item() == 3 and np.isnan(both["mean"].item())
    missing = final_statistics(frame(np.array([3.0, np.nan, 5.0])), method=method)  # NaN stays missing
    assert missing["n_seeds"].item() == 2 and missing["mean"].item() == 4.0


@pytest.mark.parametrize("scale", [1e300, 1e307, 2.0**1023])
def test_huge_values_do_not_overflow(scale: float) -> None:
    base = np.random.default_rng(5).normal(1.0, 0.3, size=12)
    values = base * scale
    table = final_statistics(frame(values))
    # the references: the statistics module (exact rational sums), and scipy on the unscaled sample, scaled back
    np.testing.assert_allclose(table["mean"].item(), statistics.mean(values.tolist()), rtol=1e-15)
    np.testing.assert_allclose(table["std"].item(), statistics.stdev(values.tolist()), rtol=1e-14)
    low, high = scipy.stats.t.interval(0.95, 11, loc=base.mean(), scale=scipy.stats.sem(base))
    np.testing.assert_allclose([table["ci_low"].item(), table["ci_high"].item()], [low * scale, high * scale],
                               rtol=1e-12)
    for method in ("bootstrap", "bca"):
        huge = final_statistics(frame(values), method=method, seed=3)
        small = final_statistics(frame(base), method=method, seed=3)
        np.testing.assert_allclose(huge[["mean", "ci_low", "ci_high"]].to_numpy(),
                                   small[["mean", "ci_low", "ci_high"]].to_numpy() * scale, rtol=1e-12)


def test_equal_huge_values_give_that_value() -> None:
    for value in (1e308, -1e308, 1.7976931348623157e308):
        table = final_statistics(frame(np.full(2, value)))
        assert table["mean"].item() == table["ci_low"].item() == table["ci_high"].item() == value
        assert table["std"].item() == 0.0
    nearly = [1e300, 1e300, 1e300 * (1 + 2.0**-52)]  # the last is 1e300 plus one unit in the last place
    table = final_statistics(frame(np.array(nearly)))
    assert table["mean"].item() == statistics.mean(nearly)
    assert table["std"].item() == pytest.approx(statistics.stdev(nearly), rel=1e-14)  # exact sums: ulp / sqrt(3)
