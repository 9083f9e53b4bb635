"""Real-data environments: replay a recorded loss matrix, or turn expert forecasts of a series into losses."""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from environments._validation import (
    as_numeric_array,
    check_choice,
    check_float,
    check_real_items,
    describe,
    is_scalar,
    param_error,
)
from environments.base import BaseEnvironment

LossName = Literal["square", "absolute", "pinball", "log"]


def _read_table(path: str | os.PathLike[str], owner: str, param: str) -> pd.DataFrame:
    """A CSV or Parquet file (by suffix) as a DataFrame; every column is one expert."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise param_error(owner, param, "an array, a DataFrame or the path of a .csv or .parquet file", str(path))


def _loss_matrix(
    losses: Any, owner: str, param: str = "losses"
) -> tuple[NDArray[np.float64], list[str] | None, str | None]:
    """(matrix (T, N) float64, column names or None, path or None), with every entry checked to be finite.

    The matrix is always a new C-contiguous array that shares no memory with ``losses``.
    """
    path = None
    if isinstance(losses, (str, os.PathLike)):
        path = os.fspath(losses)
        losses = _read_table(path, owner, param)
    names = None
    if isinstance(losses, pd.DataFrame):
        names = [str(column) for column in losses.columns]
        non_numeric = [
            name
            for name, dtype in zip(names, losses.dtypes)
            if not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_complex_dtype(dtype)
        ]
        if non_numeric:
            raise param_error(
                owner, param, "numeric in every column (real numbers, not bools)", f"non-numeric column(s) {non_numeric}"
            )
        # Always a private C-ordered copy: to_numpy returns a view of a frame with a single block of columns.
        matrix = np.array(losses.to_numpy(dtype=np.float64, na_value=np.nan), order="C", copy=True)
    else:
        matrix = as_numeric_array(losses, f"The '{param}' parameter of {owner}")  # a new array, never a view
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise param_error(owner, param, "a 2-d array of shape (T, N) with T, N >= 1", f"shape {matrix.shape}")
    bad = np.argwhere(~np.isfinite(matrix))
    if bad.size:
        row, column = (int(i) for i in bad[0])
        label = f"column {names[column]!r}" if names is not None else f"column {column}"
        raise ValueError(
            f"The '{param}' parameter of {owner} must be finite. Got {float(matrix[row, column])!r} at row {row}, {label} "
            f"({len(bad)} non-finite entr{'y' if len(bad) == 1 else 'ies'} in all) instead."
        )
    return matrix, names, path


class Replay(BaseEnvironment):
    r"""Replays a recorded loss matrix, one row per round: real data as an oblivious environment.

    .. math:: \ell_t = L_{t, \cdot}, \quad t = 1, \dots, T

    Parameters
    ----------
    losses : array_like of shape (T, N), pandas.DataFrame, or path
        The loss matrix. A DataFrame's columns are the experts (their names are kept in ``expert_names``). A
        ``str`` or ``os.PathLike`` ending in ``.csv`` (header row = expert names) or ``.parquet`` is read with
        pandas (Parquet needs pyarrow). Every entry must be finite.

    Attributes
    ----------
    horizon : int
        T, also ``len(env)``. Asking for a round beyond it is a ValueError.
    losses : ndarray (T, N)
        A read-only float64 copy of the data: it shares no memory with the array or DataFrame passed, so later
        edits of those do not change the replay (or its ``sha256``).
    expert_names : list of str or None
    loss_range : tuple
        The observed (min, max) of the data.

    Notes
    -----
    Deterministic: the seed is ignored, ``reset`` rewinds to the first row. ``get_params`` describes the data
    by its path (None for in-memory data), shape and a SHA-256 digest rather than listing it.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006,
       Chapter 2.
    """

    name = "replay"

    def __init__(self, losses: ArrayLike | pd.DataFrame | str | os.PathLike[str]) -> None:
        self._set_data(*_loss_matrix(losses, type(self).__name__))

    def _set_data(self, matrix: NDArray[np.float64], names: list[str] | None, path: str | None) -> None:
        self.losses = matrix
        self.losses.flags.writeable = False
        self.expert_names = names
        self.horizon, self.n_experts = matrix.shape
        self.loss_range = (float(matrix.min()), float(matrix.max()))
        self._params = {
            "losses": path,
            "horizon": self.horizon,
            "n_experts": self.n_experts,
            "sha256": hashlib.sha256(matrix.tobytes()).hexdigest(),
        }

    def __len__(self) -> int:
        return self.horizon

    def _block(self, size: int) -> NDArray[np.float64]:
        if self.t + size > self.horizon:
            raise ValueError(
                f"{type(self).__name__} holds {self.horizon} rounds of data; a block of {size} from round {self.t} "
                f"would need round {self.t + size - 1} (rounds are counted from 0)."
            )
        # A read-only view of the stored data, no copy: callers cannot corrupt the replay.
        return self.losses[self.t : self.t + size]


def _raw_losses(
    y: NDArray[np.float64], predictions: NDArray[np.float64], loss: str, quantile: float | None
) -> NDArray[np.float64]:
    target = y[:, None]
    if loss == "square":
        return (predictions - target) ** 2
    if loss == "absolute":
        return np.abs(predictions - target)
    if loss == "pinball":
        residual = target - predictions
        return np.maximum(quantile * residual, (quantile - 1.0) * residual)
    with np.errstate(divide="ignore"):
        return -np.log(np.where(target == 1.0, predictions, 1.0 - predictions))


class ExpertForecasts(Replay):
    r"""Losses of N expert forecasts of a series: forecast combination as prediction with expert advice.

    The raw loss of expert i in round t is, for the target :math:`y_t` and forecast :math:`x_{t,i}`,

    - ``"square"``: :math:`(x_{t,i} - y_t)^2`
    - ``"absolute"``: :math:`|x_{t,i} - y_t|`
    - ``"pinball"`` (quantile :math:`q`): :math:`\max(q (y_t - x_{t,i}), (q - 1)(y_t - x_{t,i}))`
    - ``"log"``: :math:`x_{t,i}` is the probability of the event :math:`y_t = 1` (``y`` in {0, 1}):
      :math:`-\ln x_{t,i}` if :math:`y_t = 1`, else :math:`-\ln(1 - x_{t,i})`

    and it is scaled to [0, 1] with the stated range :math:`[a, b]`:

    .. math:: \ell_{t,i} = \frac{\lambda(x_{t,i}, y_t) - a}{b - a}

    Parameters
    ----------
    y : array_like of shape (T,)
        The target series (a pandas Series is fine).
    predictions : array_like of shape (T, N) or pandas.DataFrame
        The experts' forecasts; a DataFrame's column names are kept in ``expert_names``.
    loss : {"square", "absolute", "pinball", "log"}, default "square"
    quantile : float in (0, 1), optional
        Required for (and only for) ``"pinball"``.
    loss_range : tuple (a, b), optional
        The range of the raw losses, a < b. A raw loss outside it is a ValueError naming the round and expert
        (nothing is clipped silently). By default the observed min and max over the whole data are used: this
        peeks at the future, which is harmless for measuring regret but means the scale is not known online.
        If every raw loss is equal the scaled losses are all 0.

    Attributes
    ----------
    raw_losses : ndarray (T, N)
        The unscaled losses. ``loss_range`` is (0.0, 1.0) and ``raw_loss_range`` is (a, b).
    y, predictions : ndarray (T,), ndarray (T, N)
        Float64 copies of the inputs: like ``losses`` and ``raw_losses`` they are read-only and share no memory
        with what was passed, so later edits of the caller's arrays do not change the environment.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006,
       Chapters 2-3.
    .. [2] R. Koenker and G. Bassett, "Regression quantiles", Econometrica 46, 1978 (pinball loss).
    """

    name = "expert-forecasts"

    def __init__(
        self,
        y: ArrayLike,
        predictions: ArrayLike | pd.DataFrame,
        loss: LossName = "square",
        quantile: float | None = None,
        loss_range: tuple[float, float] | None = None,
    ) -> None:
        owner = type(self).__name__
        check_choice(loss, "loss", owner, ("square", "absolute", "pinball", "log"))
        if loss == "pinball":
            if quantile is None:
                raise param_error(owner, "quantile", "a float in (0, 1) when loss='pinball'", quantile)
            quantile = check_float(
                quantile, "quantile", owner, low=0.0, high=1.0, low_open=True, high_open=True
            )
        elif quantile is not None:
            raise param_error(owner, "quantile", "None unless loss='pinball'", quantile)
        forecasts, names, _ = _loss_matrix(predictions, owner, "predictions")
        target = as_numeric_array(y, f"The 'y' parameter of {owner}")  # a copy: later edits of y change nothing
        if target.shape != (forecasts.shape[0],):
            raise param_error(
                owner,
                "y",
                f"a 1-d array of length {forecasts.shape[0]} (the rows of 'predictions')",
                f"shape {target.shape}",
            )
        if not np.all(np.isfinite(target)):
            raise param_error(owner, "y", "finite (no NaN or inf)", target)
        if loss == "log":
            if not np.all((target == 0.0) | (target == 1.0)):
                raise param_error(owner, "y", "0 or 1 when loss='log'", target)
            if np.any(forecasts < 0.0) or np.any(forecasts > 1.0):
                raise param_error(owner, "predictions", "probabilities in [0, 1] when loss='log'", forecasts)
        raw = _raw_losses(target, forecasts, loss, quantile)
        infinite = np.argwhere(~np.isfinite(raw))
        if infinite.size:
            row, column = (int(i) for i in infinite[0])
            raise ValueError(
                f"The log loss of expert {column} in round {row} is infinite: it gave probability "
                f"{float(forecasts[row, column])!r} to the outcome y = {float(target[row])!r}. Use predictions in (0, 1)."
            )
        low, high = self._check_range(raw, loss_range, owner)
        scaled = (raw - low) / (high - low) if high > low else np.zeros_like(raw)
        self._set_data(scaled, names, None)
        self.loss_range = (0.0, 1.0)
        self.raw_loss_range = (low, high)
        self.raw_losses = raw
        self.y = target
        self.predictions = forecasts
        for private in (raw, target, forecasts):  # private copies, read-only like ``losses``
            private.flags.writeable = False
        self.loss = loss
        self.quantile = quantile
        self._params = {
            "loss": loss,
            "quantile": quantile,
            "loss_range": None if loss_range is None else [low, high],
            "horizon": self.horizon,
            "n_experts": self.n_experts,
            "sha256": self._params["sha256"],
        }

    @staticmethod
    def _check_range(
        raw: NDArray[np.float64], loss_range: tuple[float, float] | None, owner: str
    ) -> tuple[float, float]:
        if loss_range is None:
            return float(raw.min()), float(raw.max())
        requirement = "a pair (low, high) with low < high, both finite floats"
        if is_scalar(loss_range) or not hasattr(loss_range, "__len__") or len(loss_range) != 2:
            raise param_error(owner, "loss_range", requirement, loss_range)
        check_real_items(loss_range, f"The 'loss_range' parameter of {owner}", requirement, loss_range)
        try:
            low, high = (float(bound) for bound in loss_range)
        except OverflowError:  # an int beyond the float range
            raise param_error(owner, "loss_range", requirement, loss_range) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise param_error(owner, "loss_range", requirement, loss_range)
        outside = np.argwhere((raw < low) | (raw > high))
        if outside.size:
            row, column = (int(i) for i in outside[0])
            raise ValueError(
                f"The raw loss of expert {column} in round {row} is {float(raw[row, column])!r}, outside the 'loss_range' "
                f"{describe(list(loss_range))} of {owner} ({len(outside)} such entries); widen loss_range."
            )
        return low, high
