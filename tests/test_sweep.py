"""Sweeps: [sweep] tables expanding into cells, the store round trip, the report, and the sweep/final plots."""

from __future__ import annotations

import numpy as np
import pytest

from ftrl.cli import main
from ftrl.experiment import ConfigError, expand_cells, parse_config, run_experiment
from ftrl.plot import plot_final, plot_sweep
from ftrl.report import format_table, regret_table
from ftrl.store import load_results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def config(sweep: dict | None = None, **experiment: object) -> dict:
    data = {
        "experiment": {"name": "sweep-test", "horizon": 60, "seeds": 3, "record": 20, **experiment},
        "learners": [{"name": "hedge"}, {"name": "adahedge"}],
        "environments": [{"name": "coin-flips", "label": "coins"}, {"name": "ftl-trap", "label": "trap"}],
    }
    if sweep is not None:
        data["sweep"] = sweep
    return data


def test_learner_sweep_expands_takers_and_keeps_references_once() -> None:
    cells = expand_cells(parse_config(config({"parameter": "learners.eta", "values": [0.1, 1.0, 3.0]})))
    described = [(cell.environment.label, cell.learner.label, cell.sweep_value) for cell in cells]
    assert described == [
        ("coins", "hedge", 0.1), ("coins", "hedge", 1.0), ("coins", "hedge", 3.0), ("coins", "adahedge", None),
        ("trap", "hedge", 0.1), ("trap", "hedge", 1.0), ("trap", "hedge", 3.0), ("trap", "adahedge", None),
    ]
    assert [cell.learner.params.get("eta") for cell in cells[:3]] == [0.1, 1.0, 3.0]
    assert len({cell.cell_id for cell in cells}) == len(cells)
    assert all(cell.sweep_parameter == "learners.eta" for cell in cells)


def test_environment_and_horizon_sweeps() -> None:
    cells = expand_cells(parse_config(config({"parameter": "environments.n_experts", "values": [2, 16]})))
    swept = [(cell.environment.label, cell.environment.params.get("n_experts"), cell.sweep_value) for cell in cells]
    assert swept[::2] == [("coins", 2, 2), ("coins", 16, 16), ("trap", None, None)]
    data = config({"parameter": "horizon", "values": [10, 40]})
    del data["experiment"]["horizon"]
    parsed = parse_config(data)
    assert parsed.horizons == (10, 40)
    cells = expand_cells(parsed)
    assert [(cell.horizon, cell.sweep_value) for cell in cells[:4]] == [(10, 10), (10, 10), (40, 40), (40, 40)]


def test_plain_configs_keep_their_hash_and_cell_ids() -> None:
    plain = parse_config(config())
    assert "sweep" not in plain.as_dict() and "ledger" not in plain.as_dict()["experiment"]
    assert all(cell.sweep_value is None and cell.sweep_parameter is None for cell in expand_cells(plain))
    with_ledger = parse_config(config(ledger=True))
    assert with_ledger.hash() != plain.hash()
    assert expand_cells(with_ledger)[0].cell_id != expand_cells(plain)[0].cell_id


def test_config_errors_list_every_problem() -> None:
    data = config({"parameter": "learners.eta", "values": [0.1, 0.1], "extra": 1}, ledger="yes", switches=-1)
    data["learners"][0]["eta"] = 0.5
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    problems = "\n".join(caught.value.problems)
    for expected in ("sweep.extra: unknown key", "sweep.values: repeats a value", "learners[0].eta: also swept",
                     "experiment.ledger", "experiment.switches"):
        assert expected in problems
    with pytest.raises(ConfigError, match="no entry of \\[\\[learners\\]\\] takes the parameter 'phi'"):
        parse_config(config({"parameter": "learners.phi", "values": [1.0]}))
    with pytest.raises(ConfigError, match="must be 'horizon', 'learners.<parameter>'"):
        parse_config(config({"parameter": "eta", "values": [1.0]}))
    with pytest.raises(ConfigError, match="with eta=-1"):
        parse_config(config({"parameter": "learners.eta", "values": [-1, 1]}))
    with pytest.raises(ConfigError, match="leave it out"):
        parse_config(config({"parameter": "horizon", "values": [10]}))
    with pytest.raises(ConfigError, match="non-empty list of numbers"):
        parse_config(config({"parameter": "learners.eta", "values": ["a"]}))


def test_sweeping_n_experts_of_learners_points_to_the_environments() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(config({"parameter": "learners.n_experts", "values": [2, 3]}))
    assert caught.value.problems == [
        "sweep.parameter: learners take n_experts from the environment; sweep 'environments.n_experts' instead"
    ]


def test_a_required_parameter_can_be_swept() -> None:
    data = config({"parameter": "learners.eta", "values": [0.1, 1.0]})
    data["learners"] = [{"name": "fixed-share", "alpha": 0.05}]  # fixed-share has no default eta
    cells = expand_cells(parse_config(data))
    assert [cell.learner.params for cell in cells[:2]] == [{"alpha": 0.05, "eta": 0.1}, {"alpha": 0.05, "eta": 1.0}]


def test_swept_values_are_checked_together_with_the_other_problems() -> None:
    data = config({"parameter": "learners.eta", "values": [0.1, -1.0]}, seeds=0)
    data["environments"][0]["n_experts"] = 0
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert [problem.split(":")[0] for problem in caught.value.problems] == [
        "experiment.seeds",
        "environments[0] (coins)",
        "sweep.values",
    ]
    assert caught.value.problems[2].startswith("sweep.values: learners[0] (hedge) with eta=-1.0, n_experts=2:")


@pytest.fixture(scope="module")
def swept_results(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("sweep") / "results"
    summary = run_experiment(
        config({"parameter": "learners.eta", "values": [0.03, 0.3, 3.0]}, ledger=True, switches=1),
        out, workers=1, progress="none",
    )
    assert summary.completed == 8 and not summary.failed
    return str(out)


def test_store_round_trip(swept_results: str) -> None:
    df = load_results(swept_results)
    assert list(df.columns[:5]) == ["learner", "environment", "horizon", "sweep_parameter", "sweep_value"]
    hedge = df[df.learner == "hedge"]
    assert sorted(hedge["sweep_value"].unique()) == [0.03, 0.3, 3.0]
    assert df[df.learner == "adahedge"]["sweep_value"].isna().all()
    assert {"dynamic_regret", "shifting_regret", "adaptive_regret"} <= set(df.columns)
    final = df[df.t == 60]
    assert np.all(final["adaptive_regret"] >= final["regret"] - 1e-9)
    rerun = run_experiment(
        config({"parameter": "learners.eta", "values": [0.03, 0.3, 3.0]}, ledger=True, switches=1),
        swept_results, workers=1, progress="none",
    )
    assert rerun.skipped == 8 and rerun.completed == 0


def test_report_on_a_sweep(swept_results: str) -> None:
    table = regret_table(swept_results, interval="bootstrap")
    assert len(table) == 8
    assert table["sweep_value"].isna().sum() == 2
    assert np.all(table["ci_low"] <= table["mean"]) and np.all(table["mean"] <= table["ci_high"])
    assert np.all(table["wall_time"] > 0)
    text = format_table(table, "markdown")
    assert "95% CI (bootstrap)" in text and "| 0.03 |" in text
    adaptive = regret_table(swept_results, column="shifting_regret")
    assert adaptive["bound_name"].eq("").all()


def test_plots_of_a_sweep(swept_results: str, tmp_path) -> None:
    import matplotlib.pyplot as plt

    image = tmp_path / "sweep.png"
    figure = plot_sweep(swept_results, image)
    assert image.read_bytes()[:8] == PNG_SIGNATURE
    assert len(figure.axes) == 2
    axes = figure.axes[0]
    assert axes.get_xscale() == "log"  # the values span 100x
    labels = axes.get_legend_handles_labels()[1]
    assert labels == ["hedge", "adahedge (not swept)"]
    hedge_line = axes.get_lines()[0]
    np.testing.assert_allclose(hedge_line.get_xdata(), [0.03, 0.3, 3.0])
    plt.close(figure)
    figure = plot_sweep(swept_results, bounds=True, log_y=True)
    labels = figure.axes[0].get_legend_handles_labels()[1]
    assert "hedge: hedge-fixed bound" in labels and figure.axes[0].get_yscale() == "log"
    plt.close(figure)
    final = tmp_path / "final.png"
    figure = plot_final(swept_results, final, column="adaptive_regret")
    assert final.read_bytes()[:8] == PNG_SIGNATURE
    assert len(figure.axes) == 2
    assert len(figure.axes[0].get_xticklabels()) == 4
    plt.close(figure)


def test_cli_sweep_final_and_interval(swept_results: str, tmp_path, capsys: pytest.CaptureFixture) -> None:
    assert main(["plot", swept_results, "--sweep", "-o", str(tmp_path / "a.png")]) == 0
    assert main(["plot", swept_results, "--final", "-o", str(tmp_path / "b.png"), "--column", "dynamic_regret"]) == 0
    assert (tmp_path / "a.png").read_bytes()[:8] == PNG_SIGNATURE
    capsys.readouterr()
    assert main(["report", swept_results, "--interval", "bca", "--column", "adaptive_regret"]) == 0
    assert "95% CI (bca)" in capsys.readouterr().out


def test_sweep_plot_refuses_plain_results(tmp_path) -> None:
    out = tmp_path / "plain"
    run_experiment(config(), out, workers=1, progress="none")
    with pytest.raises(ValueError, match="without a \\[sweep\\] table"):
        plot_sweep(str(out))
    figure = plot_final(str(out), tmp_path / "plain_final.png")
    assert len(figure.axes) == 2 and len(figure.axes[0].get_xticklabels()) == 2
    assert (tmp_path / "plain_final.png").read_bytes()[:8] == PNG_SIGNATURE
    assert main(["plot", str(out), "--sweep", "-o", str(tmp_path / "x.png")]) == 2
