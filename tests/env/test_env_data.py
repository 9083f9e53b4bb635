from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from environments import ExpertForecasts, Replay, make

LOSSES = np.array([[0.1, 0.9, 0.5], [0.2, 0.8, 0.4], [0.3, 0.7, 0.6], [0.0, 1.0, 0.25], [0.5, 0.5, 0.5]])


def test_replay_of_an_array() -> None:
    env = Replay(LOSSES).reset(seed=0)
    assert len(env) == env.horizon == 5 and env.n_experts == 3
    assert env.expert_names is None and env.means is None
    assert env.loss_range == (0.0, 1.0)
    np.testing.assert_array_equal(np.concatenate([env.block(2), env.block(0), env.block(3)]), LOSSES)
    env.reset(seed=99)
    np.testing.assert_array_equal(env.step(np.array([1.0, 0.0, 0.0])), LOSSES[0])


def test_replay_does_not_share_memory_with_the_caller() -> None:
    data = LOSSES.copy()
    env = Replay(data).reset(seed=0)
    data[0, 0] = 7.0
    block = env.block(1)
    with pytest.raises(ValueError, match="read-only"):
        block[0, 1] = 8.0  # blocks are read-only views of the stored copy
    env.reset(seed=0)
    np.testing.assert_array_equal(env.block(5), LOSSES)


def test_replay_past_the_end_names_the_data_length() -> None:
    env = Replay(LOSSES).reset(seed=0)
    env.block(4)
    with pytest.raises(ValueError, match=r"holds 5 rounds of data; a block of 2 from round 4"):
        env.block(2)
    env.step(np.full(3, 1 / 3))
    with pytest.raises(ValueError, match=r"holds 5 rounds of data; a block of 1 from round 5"):
        env.step(np.full(3, 1 / 3))


def test_replay_of_a_dataframe_keeps_the_names() -> None:
    frame = pd.DataFrame(LOSSES, columns=["ridge", "forest", "naive"])
    env = Replay(frame).reset(seed=0)
    assert env.expert_names == ["ridge", "forest", "naive"]
    np.testing.assert_array_equal(env.block(5), LOSSES)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_replay_round_trips_files(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame(LOSSES, columns=["a", "b", "c"])
    path = tmp_path / f"losses{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    for source in (path, str(path)):
        env = make("replay", losses=source).reset(seed=0)
        assert env.expert_names == ["a", "b", "c"]
        np.testing.assert_array_equal(env.block(5), LOSSES)
        assert env.get_params()["losses"] == str(path)
        assert env.get_params()["sha256"] == Replay(LOSSES).get_params()["sha256"]


def test_replay_unknown_file_type(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError,
        match=r"'losses' parameter of Replay must be an array, a DataFrame or the path of a \.csv or \.parquet file",
    ):
        Replay(tmp_path / "losses.xlsx")


def test_replay_nan_names_the_row_and_column() -> None:
    data = LOSSES.copy()
    data[3, 2] = np.nan
    with pytest.raises(
        ValueError, match=r"'losses' parameter of Replay must be finite\. Got nan at row 3, column 2"
    ):
        Replay(data)
    frame = pd.DataFrame(data, columns=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"at row 3, column 'c'"):
        Replay(frame)
    data[3, 2] = np.inf
    with pytest.raises(ValueError, match=r"Got inf at row 3, column 2"):
        Replay(data)


def test_replay_bad_shapes_and_types() -> None:
    with pytest.raises(ValueError, match=r"'losses' parameter of Replay must be a 2-d array.*shape \(3,\)"):
        Replay([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=r"shape \(0, 3\)"):
        Replay(np.empty((0, 3)))
    with pytest.raises(ValueError, match=r"numeric in every column.*'name'"):
        Replay(pd.DataFrame({"name": ["x", "y"], "loss": [0.1, 0.2]}))


Y = np.array([1.0, 2.0, 0.0])
PREDICTIONS = np.array([[1.5, 0.0], [2.0, 3.0], [-1.0, 0.5]])


def test_square_loss_scaled_by_the_stated_range() -> None:
    env = ExpertForecasts(Y, PREDICTIONS, loss="square", loss_range=(0.0, 4.0)).reset(seed=0)
    # raw: (1.5-1)^2 = .25, (0-1)^2 = 1; (2-2)^2 = 0, (3-2)^2 = 1; (-1-0)^2 = 1, (.5-0)^2 = .25; divided by 4
    np.testing.assert_allclose(env.block(3), [[0.0625, 0.25], [0.0, 0.25], [0.25, 0.0625]])
    np.testing.assert_allclose(env.raw_losses, [[0.25, 1.0], [0.0, 1.0], [1.0, 0.25]])
    assert env.loss_range == (0.0, 1.0) and env.raw_loss_range == (0.0, 4.0)


def test_absolute_loss_with_the_observed_range() -> None:
    env = ExpertForecasts(Y, PREDICTIONS, loss="absolute").reset(seed=0)
    # raw: .5, 1; 0, 1; 1, .5 -> observed range [0, 1] -> unchanged
    np.testing.assert_allclose(env.block(3), [[0.5, 1.0], [0.0, 1.0], [1.0, 0.5]])
    shifted = ExpertForecasts(Y, PREDICTIONS + [[0.5, 0.0], [0.5, 0.0], [0.0, 0.0]], loss="absolute")
    # raw: 1, 1; .5, 1; 1, .5 -> observed range [.5, 1] -> (raw - .5) / .5
    np.testing.assert_allclose(shifted.reset(seed=0).block(3), [[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])


def test_pinball_loss() -> None:
    env = ExpertForecasts(Y, PREDICTIONS, loss="pinball", quantile=0.25).reset(seed=0)
    # residual y - x: -.5, 1; 0, -1; 1, -.5. loss q r for r >= 0, (1 - q)(-r) for r < 0:
    # .375, .25; 0, .75; .25, .375 -> observed range [0, .75]
    np.testing.assert_allclose(env.block(3), np.array([[0.375, 0.25], [0.0, 0.75], [0.25, 0.375]]) / 0.75)


def test_log_loss() -> None:
    y = np.array([1.0, 0.0, 1.0])
    probabilities = np.array([[0.5, 0.9], [0.2, 0.5], [0.8, 0.1]])
    env = ExpertForecasts(y, probabilities, loss="log", loss_range=(0.0, math.log(10))).reset(seed=0)
    raw = np.array(
        [
            [-math.log(0.5), -math.log(0.9)],
            [-math.log(1 - 0.2), -math.log(1 - 0.5)],
            [-math.log(0.8), -math.log(0.1)],
        ]
    )
    np.testing.assert_allclose(env.block(3), raw / math.log(10), rtol=1e-12)


def test_expert_forecasts_keep_names_and_accept_pandas() -> None:
    frame = pd.DataFrame(PREDICTIONS, columns=["persistence", "model"])
    env = ExpertForecasts(pd.Series(Y), frame, loss="absolute")
    assert env.expert_names == ["persistence", "model"]
    np.testing.assert_array_equal(env.y, Y)


def test_constant_raw_losses_scale_to_zero() -> None:
    env = ExpertForecasts([1.0, 2.0], [[2.0, 0.0], [3.0, 1.0]], loss="absolute").reset(seed=0)
    np.testing.assert_array_equal(env.block(2), np.zeros((2, 2)))


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        (
            {"loss": "hinge"},
            ValueError,
            r"'loss' parameter of ExpertForecasts must be one of 'square'.*Got 'hinge'",
        ),
        (
            {"loss": "pinball"},
            ValueError,
            r"'quantile' parameter of ExpertForecasts must be a float in \(0, 1\) when loss='pinball'",
        ),
        (
            {"loss": "pinball", "quantile": 1.0},
            ValueError,
            r"'quantile' parameter of ExpertForecasts must be a float in the range \(0\.0, 1\.0\)",
        ),
        (
            {"loss": "square", "quantile": 0.5},
            ValueError,
            r"'quantile' parameter of ExpertForecasts must be None unless loss='pinball'",
        ),
        (
            {"loss_range": (1.0, 1.0)},
            ValueError,
            r"'loss_range' parameter of ExpertForecasts must be a pair \(low, high\) with low < high",
        ),
        (
            {"loss_range": (0.0, 0.5)},
            ValueError,
            r"raw loss of expert 1 in round 0 is 1\.0, outside the 'loss_range'",
        ),
        (
            {"y": [1.0, 2.0]},
            ValueError,
            r"'y' parameter of ExpertForecasts must be a 1-d array of length 3.*shape \(2,\)",
        ),
        ({"y": [1.0, np.nan, 0.0]}, ValueError, r"'y' parameter of ExpertForecasts must be finite"),
    ],
)
def test_expert_forecasts_bad_parameters(params: dict, error: type, message: str) -> None:
    arguments = {"y": Y, "predictions": PREDICTIONS, **params}
    with pytest.raises(error, match=message):
        ExpertForecasts(**arguments)


def test_log_loss_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"'y' parameter of ExpertForecasts must be 0 or 1 when loss='log'"):
        ExpertForecasts([1.0, 0.5], [[0.5], [0.5]], loss="log")
    with pytest.raises(
        ValueError, match=r"'predictions' parameter of ExpertForecasts must be probabilities in \[0, 1\]"
    ):
        ExpertForecasts([1.0, 0.0], [[0.5], [1.5]], loss="log")
    with pytest.raises(
        ValueError,
        match=r"log loss of expert 1 in round 1 is infinite: it gave probability 1\.0 to the outcome y = 0\.0",
    ):
        ExpertForecasts([1.0, 0.0], [[0.5, 0.5], [0.5, 1.0]], loss="log")
    nan_predictions = PREDICTIONS.copy()
    nan_predictions[2, 1] = np.nan
    with pytest.raises(
        ValueError,
        match=r"'predictions' parameter of ExpertForecasts must be finite\. Got nan at row 2, column 1",
    ):
        ExpertForecasts(Y, nan_predictions)


# -- private copies of the data, and input checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        {"a": [0.0, 0.0, 0.0]},  # one column: to_numpy returns a view of the frame's block
        {"a": [0.1], "b": [0.3]},  # one row: likewise
    ],
)
def test_replay_of_a_dataframe_owns_its_data(columns: dict) -> None:
    frame = pd.DataFrame(columns)
    original = np.array(list(columns.values()), dtype=np.float64).T.copy()  # built from the dict, not the frame
    env = Replay(frame)
    frame.iloc[0, 0] = 5.0
    frame.iloc[-1, -1] = 7.0
    np.testing.assert_array_equal(env.reset(seed=0).block(len(original)), original)
    np.testing.assert_array_equal(env.losses, original)
    assert env.get_params()["sha256"] == hashlib.sha256(original.tobytes()).hexdigest()
    assert env.loss_range == (float(original.min()), float(original.max()))


def test_expert_forecasts_copy_their_inputs() -> None:
    y, predictions = Y.copy(), PREDICTIONS.copy()
    env = ExpertForecasts(y, predictions, loss="absolute", loss_range=(0.0, 2.0))
    y[0] = 50.0
    predictions[0, 0] = -50.0
    np.testing.assert_array_equal(env.y, Y)
    np.testing.assert_array_equal(env.predictions, PREDICTIONS)
    np.testing.assert_allclose(env.reset(seed=0).block(3), np.abs(PREDICTIONS - Y[:, None]) / 2.0)
    for stored in (env.y, env.predictions, env.raw_losses, env.losses):
        assert not stored.flags.writeable


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: ExpertForecasts(["a"], [[1.0]]),
            TypeError,
            r"The 'y' parameter of ExpertForecasts must be an array of numbers\. Got \['a'\]",
        ),
        (
            lambda: ExpertForecasts([True, False], [[0.5], [0.5]], loss="log"),
            TypeError,
            r"The 'y' parameter of ExpertForecasts must be an array of numbers, not booleans",
        ),
        (
            lambda: ExpertForecasts(Y, PREDICTIONS, loss=np.array(["square", "log"])),
            ValueError,
            r"The 'loss' parameter of ExpertForecasts must be one of 'square', 'absolute', 'pinball', 'log'",
        ),
        (
            lambda: ExpertForecasts(Y, PREDICTIONS, loss_range=(0, np.inf)),
            ValueError,
            (
                r"The 'loss_range' parameter of ExpertForecasts must be a pair \(low, high\) with low < high, "
                r"both finite floats\. Got \[0\.0, inf\] instead\."
            ),
        ),
        (
            lambda: ExpertForecasts(Y, PREDICTIONS, loss_range=("0", "4")),
            TypeError,
            r"The 'loss_range' parameter of ExpertForecasts must be a pair .* of type str",
        ),
        (
            lambda: Replay([["1", "2"]]),
            TypeError,
            r"The 'losses' parameter of Replay must be an array of numbers\. Got \[\['1', '2'\]\] \(dtype <U1\)",
        ),
        (
            lambda: Replay([[0.1, True]]),
            TypeError,
            r"The 'losses' parameter of Replay must be an array of numbers, not booleans\. Got \[\[0\.1, True\]\]",
        ),
        (
            lambda: Replay([[0.1], [0.2, 0.3]]),
            ValueError,
            r"The 'losses' parameter of Replay must be an array of numbers with a regular shape",
        ),
        (
            lambda: Replay(pd.DataFrame({"hit": [True, False], "loss": [0.1, 0.2]})),
            ValueError,
            r"The 'losses' parameter of Replay must be numeric in every column .*\['hit'\]",
        ),
    ],
)
def test_data_inputs_of_the_wrong_kind_name_the_parameter(build, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        build()
