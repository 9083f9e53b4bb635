"""The regret table: statistics recomputed by hand (scipy's t quantile), bounds from their formulas, formats."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ftrl import load_results
from ftrl.experiment import run_experiment
from ftrl.report import bound_curve, format_table, regret_table

CONFIG = {
    "experiment": {"name": "report", "horizon": [64, 256], "seeds": 4, "record": "log"},
    "learners": [
        {"name": "hedge", "label": "anytime"},
        {"name": "hedge", "label": "tuned", "horizon": "$horizon"},
        {"name": "adahedge"},
        {"name": "ftl"},
    ],
    "environments": [{"name": "bernoulli", "means": [0.5, 0.45, 0.55, 0.5]}],
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    directory = tmp_path_factory.mktemp("report")
    run_experiment(CONFIG, directory, workers=1, progress="none")
    return load_results(directory)


def test_mean_interval_and_scaling_match_a_hand_computation(results):
    table = regret_table(results)
    assert len(table) == 4 * 2
    row = table[(table.learner == "adahedge") & (table.horizon == 256)].iloc[0]
    finals = results[(results.learner == "adahedge") & (results.horizon == 256) & (results.t == 256)][
        "regret"
    ]
    assert len(finals) == 4
    half = stats.t.ppf(0.975, 3) * finals.std(ddof=1) / math.sqrt(4)
    assert row["mean"] == pytest.approx(finals.mean())
    assert row["ci_low"] == pytest.approx(finals.mean() - half)
    assert row["ci_high"] == pytest.approx(finals.mean() + half)
    assert row["per_sqrt_T"] == pytest.approx(finals.mean() / 16)
    assert row["n_seeds"] == 4 and row["n_experts"] == 4
    assert row["wall_time"] > 0


def test_bounds_that_apply_and_those_that_do_not(results):
    table = regret_table(results).set_index(["learner", "horizon"])
    log_n = math.log(4)
    assert table.loc[("anytime", 256), "bound"] == pytest.approx(
        2 * math.sqrt(128 * log_n) + math.sqrt(log_n / 8)
    )
    assert table.loc[("tuned", 64), "bound"] == pytest.approx(math.sqrt(64 * log_n / 2))
    assert table.loc[("tuned", 64), "bound_name"] == "hedge-tuned"
    assert math.isnan(table.loc[("ftl", 64), "bound"]) and table.loc[("ftl", 64), "bound_name"] == ""
    assert table.loc[("adahedge", 64), "bound_name"] == "adahedge"
    ratio = table.loc[("tuned", 256), "mean"] / table.loc[("tuned", 256), "bound"]
    assert table.loc[("tuned", 256), "ratio_to_bound"] == pytest.approx(ratio)
    assert (table["mean"] <= table["bound"].fillna(np.inf)).all()  # the bounds hold


def test_a_hedge_tuned_to_another_horizon_gets_no_bound():
    assert bound_curve("hedge", {"horizon": 100}, 200, 4, np.array([200.0])) is None
    name, values = bound_curve("hedge", {"horizon": 200}, 200, 4, np.array([50.0, 200.0]))
    eta = math.sqrt(8 * math.log(4) / 200)
    assert name == "hedge-tuned"
    assert values == pytest.approx([math.log(4) / eta + eta * t / 8 for t in (50.0, 200.0)])


def test_formats(results):
    table = regret_table(results)
    text = format_table(table, "table")
    assert "adahedge" in text and "95% CI" in text and len(text.splitlines()) == 1 + len(table)
    markdown = format_table(table, "markdown").splitlines()
    assert markdown[0].startswith("| environment") and set(markdown[1]) <= set("|-:")
    assert len(markdown) == 2 + len(table) and all(
        line.count("|") == markdown[0].count("|") for line in markdown
    )
    parsed = pd.read_csv(io.StringIO(format_table(table, "csv")))
    np.testing.assert_allclose(parsed["mean"], table["mean"])
    with pytest.raises(ValueError, match="fmt"):
        format_table(table, "html")


def test_an_unknown_column_is_refused(results):
    with pytest.raises(ValueError, match="column"):
        regret_table(results, column="realized_regret")
