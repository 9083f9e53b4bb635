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


REPLAY_LOSSES = [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]]  # three rounds: a cell with T > 3 fails when it runs


def replay_config(horizon: object) -> dict:
    return {
        "experiment": {"name": "replay", "horizon": horizon, "seeds": 2},
        "learners": [{"name": "hedge"}],
        "environments": [{"name": "replay", "label": "replay", "losses": REPLAY_LOSSES}],
    }


def test_no_finished_cell_is_a_clear_error_in_python_and_on_the_command_line(tmp_path, capsys):
    from ftrl.cli import main
    from ftrl.experiment import expand_cells, parse_config
    from ftrl.store import ResultDirectory

    failed = tmp_path / "failed"
    summary = run_experiment(replay_config(5), failed, workers=1, progress="none")
    assert summary.completed == 0 and len(summary.failed) == 1
    with pytest.raises(ValueError, match="no finished cells") as caught:
        regret_table(failed)
    assert "hedge x replay, T=5: failed (ValueError: Replay holds 3 rounds" in str(caught.value)
    for fmt in ("table", "csv"):
        assert main(["report", str(failed), "--format", fmt]) == 2
        assert "no finished cells" in capsys.readouterr().err
    pending = tmp_path / "pending"  # a run that has written its manifest but no cell yet
    config = parse_config(replay_config(2))
    directory = ResultDirectory(pending)
    directory.prepare(config, expand_cells(config))
    directory.write_manifest()
    with pytest.raises(ValueError, match=r"0 failed, 1 not finished\).*\n  hedge x replay, T=2: not finished"):
        regret_table(pending)


def test_failed_and_unfinished_cells_are_named_under_the_table(tmp_path):
    out = tmp_path / "out"
    run_experiment(replay_config([2, 3, 5]), out, workers=1, progress="none")
    (out / "cells").joinpath(next(path.name for path in (out / "cells").glob("*T3*"))).unlink()
    table = regret_table(out)
    assert list(table["horizon"]) == [2]
    assert [(cell["horizon"], cell["status"]) for cell in table.attrs["unfinished"]] == [
        (3, "pending"), (5, "failed")
    ]
    text = format_table(table).splitlines()
    assert text[2:] == [
        "",
        "Not in the table: 2 of 3 cells (1 failed, 1 not finished):",
        "  hedge x replay, T=3: not finished",
        f"  hedge x replay, T=5: failed ({table.attrs['unfinished'][1]['error']})",
    ]
    assert table.attrs["unfinished"][1]["error"].startswith("ValueError: Replay holds 3 rounds")
    markdown = format_table(table, "markdown").splitlines()
    assert markdown[3:6] == ["", "**Not in the table:** 2 of 3 cells (1 failed, 1 not finished):", ""]
    assert markdown[6:] == ["- hedge x replay, T=3: not finished", f"- {text[-1].strip()}"]
    parsed = pd.read_csv(io.StringIO(format_table(table, "csv")))
    assert list(parsed["horizon"]) == [2]
