"""Regret plots: files written and sane, one Axes per environment, bands and bounds drawn."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from ftrl.experiment import run_experiment
from ftrl.plot import plot_results

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
