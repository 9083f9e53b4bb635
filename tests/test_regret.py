"""Tests of ftrl.regret: summaries across seeds against numpy/scipy, bounds against their formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ftrl
from ftrl.regret import bound, bound_names, student_t_quantile, summary


def _runs(n_seeds: int, horizon: int = 6, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "seed": np.repeat(np.arange(n_seeds), horizon),
            "t": np.tile(np.arange(1, horizon + 1), n_seeds),
            "regret": rng.normal(size=n_seeds * horizon).cumsum(),
        }
    )


def test_summary_matches_numpy_and_scipy():
    df = _runs(7)
    result = summary(df)
    assert result.t.tolist() == list(range(1, 7))
    for _, row in result.iterrows():
        values = df.loc[df.t == row.t, "regret"].to_numpy()
        assert row.n_seeds == 7
        assert row["mean"] == pytest.approx(values.mean(), abs=1e-12)
        assert row["std"] == pytest.approx(values.std(ddof=1), abs=1e-12)
        assert row["sem"] == pytest.approx(stats.sem(values), abs=1e-12)
        for level, name in [(5, "q05"), (25, "q25"), (50, "q50"), (75, "q75"), (95, "q95")]:
            assert row[name] == pytest.approx(np.percentile(values, level), abs=1e-12)
        low, high = stats.t.interval(0.95, 6, loc=values.mean(), scale=stats.sem(values))
        assert row.ci_low == pytest.approx(low, abs=1e-10)
        assert row.ci_high == pytest.approx(high, abs=1e-10)


def test_summary_single_seed_band_is_nan():
    result = summary(_runs(1))
    assert result.ci_low.isna().all() and result.ci_high.isna().all() and result["std"].isna().all()
    np.testing.assert_allclose(result["mean"], _runs(1).regret)


def test_summary_by_groups_and_other_column():
    first, second = _runs(3, seed=1), _runs(4, seed=2)
    first["learner"], second["learner"] = "a", "b"
    both = pd.concat([first, second], ignore_index=True)
    result = summary(both, column="regret", by="learner")
    assert len(result) == 12
    np.testing.assert_allclose(result[result.learner == "b"]["mean"].to_numpy(), summary(second)["mean"].to_numpy())
    assert result[result.learner == "a"].n_seeds.eq(3).all()


def test_summary_keeps_groups_whose_key_is_nan():
    # experiment.py writes sweep_value = NaN for the reference learners of a sweep: they are groups like the others
    rng = np.random.default_rng(4)
    pieces = [pd.DataFrame({"learner": learner, "sweep_value": value, "seed": np.repeat(np.arange(5), 3),
                            "t": np.tile([1, 2, 3], 5), "regret": rng.normal(size=15)})
              for learner, value in [("hedge", 0.1), ("hedge", 0.5), ("adahedge", np.nan), ("flipflop", np.nan)]]
    df = pd.concat(pieces, ignore_index=True).sample(frac=1.0, random_state=0)
    result = summary(df, by=["learner", "sweep_value"])
    assert len(result) == 4 * 3 and result.n_seeds.sum() == len(df)
    for piece in pieces:
        learner, value = piece.learner.iloc[0], piece.sweep_value.iloc[0]
        rows = result[(result.learner == learner) & ((result.sweep_value == value) | (result.sweep_value.isna()
                                                                                     & np.isnan(value)))]
        assert rows.t.tolist() == [1, 2, 3]
        for _, row in rows.iterrows():
            values = piece.loc[piece.t == row.t, "regret"].to_numpy()
            assert row["mean"] == pytest.approx(values.mean(), abs=1e-12)
            assert row["std"] == pytest.approx(values.std(ddof=1), abs=1e-12)
            for level, name in [(5, "q05"), (50, "q50"), (95, "q95")]:
                assert row[name] == pytest.approx(np.percentile(values, level), abs=1e-12)


def test_summary_missing_column():
    with pytest.raises(ValueError, match="pseudo_regret"):
        summary(_runs(2), column="pseudo_regret")


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 9, 30, 101, 1000])
@pytest.mark.parametrize("probability", [0.6, 0.95, 0.975, 0.995])
def test_student_t_quantile_matches_scipy(dof, probability):
    assert student_t_quantile(probability, dof) == pytest.approx(stats.t.ppf(probability, dof), rel=1e-10)


def test_bound_formulas():
    horizons = np.array([1.0, 10.0, 1000.0])
    log5 = math.log(5)
    np.testing.assert_allclose(bound("hedge-fixed", horizons, 5, eta=0.2), log5 / 0.2 + 0.2 * horizons / 8)
    np.testing.assert_allclose(bound("hedge-tuned", horizons, 5), np.sqrt(horizons * log5 / 2))
    np.testing.assert_allclose(bound("hedge-anytime", horizons, 5),
                               2 * np.sqrt(horizons / 2 * log5) + np.sqrt(log5 / 8))
    np.testing.assert_allclose(bound("adahedge", horizons, 5),
                               2 * np.sqrt(horizons / 4 * log5) + 16 / 3 * log5 + 2)
    np.testing.assert_allclose(bound("adahedge", horizons, 5, best_loss=0.0), np.full(3, 16 / 3 * log5 + 2))
    np.testing.assert_allclose(bound("exp3", horizons, 5), np.sqrt(2 * horizons * 5 * log5))
    np.testing.assert_allclose(bound("tsallis-inf", horizons, 5), 4 * np.sqrt(5 * horizons) + 1)
    np.testing.assert_allclose(bound("lower", horizons, 5), np.sqrt(horizons * log5 / 2))


def test_tuned_hedge_is_the_best_fixed_rate():
    horizon, n = 500.0, 7
    eta = math.sqrt(8 * math.log(n) / horizon)
    assert bound("hedge-fixed", horizon, n, eta=eta) == pytest.approx(bound("hedge-tuned", horizon, n))
    assert bound("hedge-fixed", horizon, n, eta=1.3 * eta) > bound("hedge-fixed", horizon, n, eta=eta)


def test_bound_shape_and_names():
    assert bound("lower", [[1, 2], [3, 4]], 3).shape == (2, 2)
    assert bound_names() == sorted(bound_names()) and "exp3" in bound_names()
    with pytest.raises(ValueError, match="must be one of 'adahedge', 'exp3'"):
        bound("hedge", 10, 2)
    with pytest.raises(ValueError, match="needs the parameter 'eta'"):
        bound("hedge-fixed", 10, 2)
    with pytest.raises(ValueError, match="takes no parameter"):
        bound("lower", 10, 2, eta=1.0)
    with pytest.raises(ValueError, match="horizons >= 1"):
        bound("lower", [0, 10], 2)
    with pytest.raises(ValueError, match="The 'N' parameter of bound must be an int in the range"):
        bound("lower", 10, 0)
    with pytest.raises(ValueError, match="best_loss"):
        bound("adahedge", 10, 2, best_loss=11)


def test_regret_is_a_submodule_of_ftrl():
    assert ftrl.regret.summary is summary
