"""Regret plots: files written and sane, one Axes per environment, bands and bounds drawn, cells never pooled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from scipy import stats

from ftrl.experiment import run_experiment
from ftrl.plot import plot_results, plot_sweep
from ftrl.store import load_results

CONFIG = {
    "experiment": {"name": "plot", "horizon": 200, "seeds": 3},
    "learners": [{"name": "hedge"}, {"name": "adahedge"}, {"name": "ftl"}],
    "environments": [
        {"name": "ftl-trap"},
        {"name": "bernoulli", "means": [0.5, 0.4]},
        {"name": "coin-flips", "n_experts": 4},
    ],
}


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plot")
    run_experiment(CONFIG, directory, workers=1, progress="none")
    return directory


def test_png_is_written_with_one_panel_per_environment(result_dir, tmp_path):
    path = tmp_path / "regret.png"
    figure = plot_results(result_dir, path)
    try:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 10_000
        assert len(figure.axes) == 3
        titles = [axes.get_title() for axes in figure.axes]
        assert [title.splitlines()[0] for title in titles] == [
            "ftl-trap",
            "bernoulli(means=[0.5, 0.4])",
            "coin-flips(n_experts=4)",
        ]
        for axes in figure.axes:
            assert [line.get_label() for line in axes.get_lines()] == ["hedge", "adahedge", "ftl"]
            assert axes.get_xlabel() == "round t" and axes.get_ylabel()
        assert len(figure.axes[1].collections) == 3  # one 95% band per learner
        assert [text.get_text() for text in figure.legends[0].get_texts()] == ["hedge", "adahedge", "ftl"]
    finally:
        plt.close(figure)


def test_log_axes_and_bound_overlays(result_dir, tmp_path):
    figure = plot_results(result_dir, tmp_path / "regret.svg", log=True, bounds=True)
    try:
        axes = figure.axes[0]
        assert axes.get_xscale() == "log" and axes.get_yscale() == "log"
        labels = [line.get_label() for line in axes.get_lines()]
        assert "hedge: hedge-anytime bound" in labels and "adahedge: adahedge bound" in labels
        assert not any(label.startswith("ftl:") for label in labels)
        assert (tmp_path / "regret.svg").read_text().lstrip().startswith("<?xml")
    finally:
        plt.close(figure)


def test_pdf_and_a_bad_suffix(result_dir, tmp_path):
    plt.close(plot_results(result_dir, tmp_path / "regret.pdf"))
    assert (tmp_path / "regret.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match=r"\.png"):
        plot_results(result_dir, tmp_path / "regret.jpg")


SWEEP_CONFIG = {
    "experiment": {"name": "plot-sweep", "horizon": [30, 60], "seeds": 3},
    "learners": [{"name": "hedge"}, {"name": "adahedge"}],
    "environments": [{"name": "bernoulli", "means": [0.4, 0.5, 0.6]}],
    "sweep": {"parameter": "learners.eta", "values": [1.0, 0.1]},
}
N_EXPERTS_CONFIG = {
    "experiment": {"name": "plot-n", "horizon": 40, "seeds": 3},
    "learners": [{"name": "hedge", "eta": 0.5}, {"name": "ftl"}],
    "environments": [{"name": "coin-flips"}],
    "sweep": {"parameter": "environments.n_experts", "values": [4, 2]},
}


@pytest.fixture(scope="module")
def eta_sweep_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plot_eta")
    run_experiment(SWEEP_CONFIG, directory, workers=1, progress="none")
    return directory


@pytest.fixture(scope="module")
def n_experts_sweep_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plot_n")
    run_experiment(N_EXPERTS_CONFIG, directory, workers=1, progress="none")
    return directory


def _per_seed(cell: pd.DataFrame, column: str = "regret") -> np.ndarray:
    """The cell's ``column`` as a (seed, t) array, rows in increasing t."""
    return cell.pivot(index="seed", columns="t", values=column).to_numpy(dtype=np.float64)


def _band_top(axes, line) -> np.ndarray:
    """The upper edge of the band drawn in the colour of ``line``, at the line's x values."""
    bands = [band for band in axes.collections if np.allclose(band.get_facecolor()[0][:3], to_rgb(line.get_color()))]
    assert len(bands) == 1
    vertices = bands[0].get_paths()[0].vertices
    return np.array([vertices[vertices[:, 0] == x, 1].max() for x in line.get_xdata()])


def test_curves_keep_each_swept_value_apart_with_its_own_band_and_bound(eta_sweep_dir):
    df = load_results(eta_sweep_dir)
    figure = plot_results(eta_sweep_dir, bounds=True)
    try:
        (axes,) = figure.axes
        assert axes.get_title().splitlines()[1] == "N = 3, T = 60, 3 seeds"
        lines = {line.get_label(): line for line in axes.get_lines()}
        assert list(lines) == [
            "hedge, eta=0.1", "hedge, eta=0.1: hedge-fixed bound",
            "hedge, eta=1", "hedge, eta=1: hedge-fixed bound",
            "adahedge", "adahedge: adahedge bound",
        ]
        at_horizon = df[df["horizon"] == 60]
        cells = {
            "hedge, eta=0.1": at_horizon[at_horizon["sweep_value"] == 0.1],
            "hedge, eta=1": at_horizon[at_horizon["sweep_value"] == 1.0],
            "adahedge": at_horizon[at_horizon["learner"] == "adahedge"],
        }
        for label, cell in cells.items():
            regret = _per_seed(cell)
            np.testing.assert_allclose(lines[label].get_xdata(), np.sort(cell["t"].unique()))
            np.testing.assert_allclose(lines[label].get_ydata(), regret.mean(axis=0))
            half_width = stats.t.ppf(0.975, df=2) * regret.std(axis=0, ddof=1) / np.sqrt(3)
            np.testing.assert_allclose(_band_top(axes, lines[label]), regret.mean(axis=0) + half_width)
        for eta, label in [(0.1, "hedge, eta=0.1"), (1.0, "hedge, eta=1")]:
            bound = lines[f"{label}: hedge-fixed bound"]
            np.testing.assert_allclose(bound.get_ydata(), np.log(3) / eta + eta * bound.get_xdata() / 8)
            assert bound.get_color() == lines[label].get_color()
        assert len({lines[label].get_color() for label in cells}) == 3
    finally:
        plt.close(figure)


def test_curves_of_an_environment_sweep_get_one_panel_per_value(n_experts_sweep_dir):
    df = load_results(n_experts_sweep_dir)
    figure = plot_results(n_experts_sweep_dir, bounds=True)
    try:
        assert [axes.get_title() for axes in figure.axes] == [
            "coin-flips, n_experts=2\nN = 2, T = 40, 3 seeds",
            "coin-flips, n_experts=4\nN = 4, T = 40, 3 seeds",
        ]
        for axes, n_experts in zip(figure.axes, [2, 4]):
            lines = {line.get_label(): line for line in axes.get_lines()}
            assert list(lines) == ["hedge(eta=0.5)", "hedge(eta=0.5): hedge-fixed bound", "ftl"]
            for learner in ["hedge(eta=0.5)", "ftl"]:
                cell = df[(df["n_experts"] == n_experts) & (df["learner"] == learner)]
                np.testing.assert_allclose(lines[learner].get_ydata(), _per_seed(cell).mean(axis=0))
            bound = lines["hedge(eta=0.5): hedge-fixed bound"]
            np.testing.assert_allclose(bound.get_ydata(), np.log(n_experts) / 0.5 + 0.5 * bound.get_xdata() / 8)
    finally:
        plt.close(figure)


def test_sweep_plot_draws_one_line_per_horizon(eta_sweep_dir):
    df = load_results(eta_sweep_dir)
    figure = plot_sweep(eta_sweep_dir, bounds=True)
    try:
        (axes,) = figure.axes
        lines = {line.get_label(): line for line in axes.get_lines()}
        assert list(lines) == [
            "hedge, T=30", "hedge, T=30: hedge-fixed bound", "hedge, T=60", "hedge, T=60: hedge-fixed bound",
            "adahedge (not swept), T=30", "adahedge (not swept), T=60",
        ]
        final = df[df["t"] == df["horizon"]]
        for horizon in [30, 60]:
            hedge = final[(final["learner"] == "hedge") & (final["horizon"] == horizon)]
            means = [hedge[hedge["sweep_value"] == eta]["regret"].to_numpy().mean() for eta in [0.1, 1.0]]
            np.testing.assert_allclose(lines[f"hedge, T={horizon}"].get_xdata(), [0.1, 1.0])
            np.testing.assert_allclose(lines[f"hedge, T={horizon}"].get_ydata(), means)
            bound = lines[f"hedge, T={horizon}: hedge-fixed bound"]
            np.testing.assert_allclose(bound.get_ydata(), [np.log(3) / eta + eta * horizon / 8 for eta in [0.1, 1.0]])
            reference = final[(final["learner"] == "adahedge") & (final["horizon"] == horizon)]["regret"].mean()
            np.testing.assert_allclose(lines[f"adahedge (not swept), T={horizon}"].get_ydata(), [reference] * 2)
    finally:
        plt.close(figure)


def test_log_axes_with_no_positive_value_draw_an_empty_panel(tmp_path):
    config = {
        "experiment": {"name": "one-expert", "horizon": 20, "seeds": 2},
        "learners": [{"name": "hedge"}],
        "environments": [{"name": "bernoulli", "means": [0.3]}],
    }
    run_experiment(config, tmp_path / "results", workers=1, progress="none")
    assert (load_results(tmp_path / "results")["regret"] <= 0).all()
    figure = plot_results(tmp_path / "results", tmp_path / "regret.png", log=True)
    try:
        assert (tmp_path / "regret.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        (axes,) = figure.axes
        assert all(line.get_ydata().size == 0 for line in axes.get_lines())
        assert [text.get_text() for text in axes.texts] == ["no positive value to draw on log axes"]
    finally:
        plt.close(figure)
