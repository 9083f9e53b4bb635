"""The worked example (scripts/forecast_example.py) and the weights plot."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ftrl import aggregate

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "forecast_example.py"


@pytest.fixture(scope="module")
def example():
    pytest.importorskip("statsmodels")
    spec = importlib.util.spec_from_file_location("forecast_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_expert_forecasts_use_only_the_past(example) -> None:
    series = example.monthly_co2()
    forecasts = example.expert_forecasts(series)
    assert not forecasts.isna().any().any()
    cut = forecasts.index[100]
    altered = series.copy()
    altered[altered.index >= cut] += 50.0  # change the future from `cut` on
    again = example.expert_forecasts(altered)
    pd.testing.assert_frame_equal(again[again.index <= cut], forecasts[forecasts.index <= cut])


def test_aggregation_beats_the_uniform_mix_and_the_best_combination_beats_every_expert(example) -> None:
    series = example.monthly_co2()
    experts = example.expert_forecasts(series)
    y = series.loc[experts.index]
    frame = aggregate(y, experts, "adahedge", "square", gradient_trick=True)
    attrs = frame.attrs
    assert attrs["cum_loss"] < attrs["uniform_cum_loss"]
    assert attrs["best_convex_loss"] <= attrs["best_expert_loss"]
    assert attrs["regret_best_expert"] < 0.0  # the mixture beats every single forecaster on this series
    assert math.isclose(sum(attrs["best_convex_weights"].values()), 1.0, rel_tol=1e-12)


def test_weights_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from ftrl.plot import weights

    rng = np.random.default_rng(0)
    y = rng.normal(size=50)
    experts = pd.DataFrame(y[:, None] + rng.normal(size=(50, 11)), columns=[f"model {i}" for i in range(11)])
    frame = aggregate(y, experts, "adahedge", "absolute")
    figure = weights(frame, tmp_path / "weights.png", top=4)
    assert (tmp_path / "weights.png").stat().st_size > 0
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert len(legend) == 5 and "others (7)" in legend
    with pytest.raises(ValueError, match="'path'"):
        weights(frame, tmp_path / "weights.txt")
    with pytest.raises(ValueError, match="'frame'"):
        weights(frame[["y", "forecast"]])
