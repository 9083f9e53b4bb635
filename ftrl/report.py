r"""The regret table of an experiment: final regret per learner, environment and horizon, with bounds.

For each finished cell the final regret :math:`R_T` over the seeds gives the mean, a 95% interval for it (Student t,
:math:`\bar R \pm t_{0.975,n-1}\, s/\sqrt n`, or a percentile / BCa bootstrap, see
:func:`ftrl.regret.final_statistics`), the scaled regret :math:`\bar R / \sqrt T`, and the theoretical bound of
:func:`ftrl.regret.bound` that applies to the learner (if one does) with the ratio :math:`\bar R / B_T`. Cells that
failed or have not run are listed under the table (CSV stays pure data; ``attrs["unfinished"]`` lists them).
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["REPORT_FORMATS", "bound_curve", "format_table", "regret_table"]

REPORT_FORMATS = ("table", "markdown", "csv")

_MAX_LISTED = 10
"""At most this many unfinished cells are named (the rest are counted)."""


def bound_curve(
    learner_name: str,
    params: dict[str, Any],
    horizon: int,
    n_experts: int,
    rounds: NDArray[np.float64],
    best_loss: NDArray[np.float64] | None = None,
) -> tuple[str, NDArray[np.float64]] | None:
    """The bound of :func:`ftrl.regret.bound` that holds for a learner at each round in ``rounds``, or None.

    Hedge: ``eta`` -> hedge-fixed; ``horizon`` equal to the run's horizon -> the fixed-rate bound at the tuned
    :math:`\\eta = \\sqrt{8 \\ln N / T}` (equal to hedge-tuned at T); neither -> hedge-anytime. AdaHedge ->
    adahedge with :math:`L^*` = ``best_loss`` (the best expert's cumulative loss). Exp3 tuned to the run's
    horizon -> exp3; TsallisINF -> tsallis-inf. The bounds assume losses in [0, 1] and N >= 2.

    Returns
    -------
    (bound name, values) or None
    """
    from ftrl.regret import bound

    if n_experts < 2:
        return None
    rounds = np.asarray(rounds, dtype=np.float64)
    if learner_name == "hedge":
        if params.get("eta") is not None:
            return "hedge-fixed", bound("hedge-fixed", rounds, n_experts, eta=float(params["eta"]))
        if params.get("horizon") is not None:
            if int(params["horizon"]) != horizon:
                return None
            eta = math.sqrt(8.0 * math.log(n_experts) / horizon)
            return "hedge-tuned", bound("hedge-fixed", rounds, n_experts, eta=eta)
        return "hedge-anytime", bound("hedge-anytime", rounds, n_experts)
    if learner_name == "adahedge":
        if best_loss is None:
            return "adahedge", bound("adahedge", rounds, n_experts)
        clipped = np.clip(np.asarray(best_loss, dtype=np.float64), 0.0, rounds)
        return "adahedge", bound("adahedge", rounds, n_experts, best_loss=clipped)
    if learner_name == "exp3" and params.get("eta") is None and params.get("horizon") == horizon:
        return "exp3", bound("exp3", rounds, n_experts)
    if learner_name == "tsallis-inf":
        return "tsallis-inf", bound("tsallis-inf", rounds, n_experts)
    return None


def regret_table(
    results: pd.DataFrame | str | os.PathLike[str],
    column: str = "regret",
    *,
    interval: str = "t",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Final-round statistics of ``column`` for every cell of an experiment.

    Parameters
    ----------
    results : DataFrame or path
        The output of :func:`ftrl.load_results`, or a result directory.
    column : str
        ``"regret"`` (default), ``"pseudo_regret"``, ``"realized_regret"``, or with ``ledger = true``
        ``"dynamic_regret"``, ``"shifting_regret"``, ``"adaptive_regret"``, ``"suffix_regret"``.
    interval : {"t", "bootstrap", "bca"}
        The confidence interval for the mean across seeds (see :func:`ftrl.regret.final_statistics`).
    confidence, n_resamples, seed
        Passed to :func:`ftrl.regret.final_statistics`.

    Returns
    -------
    pandas.DataFrame
        One row per (environment, horizon, [sweep value,] learner) in the experiment's order, with columns
        ``environment``, ``horizon``, (``sweep_value`` in a sweep), ``learner``, ``n_experts``, ``n_seeds``,
        ``mean``, ``ci_low``, ``ci_high`` (the interval for the mean; NaN with one seed), ``per_sqrt_T``
        (mean / sqrt(T)), ``bound_name``, ``bound`` (NaN where none applies; bounds are for the external regret
        and are left out for other columns), ``ratio_to_bound`` and ``wall_time`` (seconds, from the manifest).
        Cells where ``column`` is undefined (all NaN) are left out. ``attrs`` records the interval method,
        the confidence, ``n_cells`` (the experiment's cells) and ``unfinished``: one dict per cell that failed or
        has not run (``learner``, ``environment``, ``horizon``, ``sweep_value``, ``status`` "failed" or
        "pending", ``error``), from the manifest in ``results.attrs``.

    Raises
    ------
    ValueError
        No cell has finished yet, or ``column`` is not a column of the results.
    """
    from ftrl.regret import final_statistics
    from ftrl.store import load_results

    df = results if isinstance(results, pd.DataFrame) else load_results(results)
    unfinished = _unfinished_cells(df)
    if df.empty:
        raise ValueError(
            f"There are no finished cells to report yet ({_count_unfinished(unfinished)}); run the experiment "
            "with `ftrl run CONFIG --out DIR` (a rerun retries failed cells):"
            + "".join(f"\n  {line}" for line in _describe_unfinished(unfinished))
        )
    if column not in df.columns:
        raise ValueError(
            f"The 'column' parameter of regret_table must be a column of the results. Got {column!r}; "
            f"available: {[name for name in df.columns if 'regret' in name]}."
        )
    swept = "sweep_value" in df.columns
    keys = ["environment", "horizon", *(["sweep_value"] if swept else []), "learner"]
    stats = final_statistics(
        df, column, method=interval, confidence=confidence, n_resamples=n_resamples, seed=seed, by=keys
    )
    wall_times = _wall_times(df)
    final = df[df["t"] == df["horizon"]]
    firsts = final.groupby(keys, sort=False, dropna=False).agg(
        learner_name=("learner_name", "first"),
        learner_params=("learner_params", "first"),
        n_experts=("n_experts", "first"),
        best_loss=("best_cum_loss", "mean"),
    )
    with_bounds = column in ("regret", "pseudo_regret", "realized_regret")
    rows = []
    for _, row in stats.iterrows():
        n_seeds = int(row["n_seeds"])
        if n_seeds == 0:  # the column is not defined for this cell (e.g. pseudo-regret without known means)
            continue
        key = tuple(row[name] for name in keys)
        first = firsts.loc[key] if not swept or not _isnan(row["sweep_value"]) else _nan_row(firsts, key)
        horizon = int(row["horizon"])
        n_experts = int(first["n_experts"])
        found = None
        if with_bounds:
            found = bound_curve(
                str(first["learner_name"]),
                json.loads(first["learner_params"]),
                horizon,
                n_experts,
                np.array([float(horizon)]),
                np.array([float(first["best_loss"])]),
            )
        bound_value = float(found[1][0]) if found else math.nan
        mean = float(row["mean"])
        wall_key = (row["learner"], row["environment"], horizon,
                    None if not swept or _isnan(row["sweep_value"]) else float(row["sweep_value"]))
        entry = {"environment": row["environment"], "horizon": horizon}
        if swept:
            entry["sweep_value"] = float(row["sweep_value"])
        entry.update(
            {
                "learner": row["learner"],
                "n_experts": n_experts,
                "n_seeds": n_seeds,
                "mean": mean,
                "ci_low": float(row["ci_low"]),
                "ci_high": float(row["ci_high"]),
                "per_sqrt_T": mean / math.sqrt(horizon),
                "bound_name": found[0] if found else "",
                "bound": bound_value,
                "ratio_to_bound": mean / bound_value if found else math.nan,
                "wall_time": wall_times.get(wall_key, math.nan),
            }
        )
        rows.append(entry)
    table = pd.DataFrame(rows)
    table.attrs = {
        "interval": interval,
        "confidence": confidence,
        "n_cells": len(df.attrs.get("cells") or []),
        "unfinished": unfinished,
    }
    return table


def _unfinished_cells(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The manifest entries (in ``df.attrs``) of the cells whose result file is missing, as report dicts."""
    missing = set(df.attrs.get("missing") or [])
    return [
        {
            "learner": entry["learner"],
            "environment": entry["environment"],
            "horizon": int(entry["horizon"]),
            "sweep_value": entry.get("sweep_value"),
            "status": "failed" if entry.get("status") == "failed" else "pending",
            "error": entry.get("error"),
        }
        for entry in df.attrs.get("cells") or []
        if entry["id"] in missing
    ]


def _count_unfinished(unfinished: list[dict[str, Any]]) -> str:
    """``"2 failed, 1 not finished"``."""
    failed = sum(cell["status"] == "failed" for cell in unfinished)
    return f"{failed} failed, {len(unfinished) - failed} not finished"


def _describe_unfinished(unfinished: list[dict[str, Any]]) -> list[str]:
    """One line per unfinished cell (at most ``_MAX_LISTED``, then a count of the rest)."""
    lines = []
    for cell in unfinished[:_MAX_LISTED]:
        value = "" if cell["sweep_value"] is None else f", value={cell['sweep_value']:g}"
        error = str(cell["error"] or "").strip().splitlines()
        outcome = "not finished" if cell["status"] == "pending" else "failed"
        if cell["status"] == "failed" and error:
            outcome = f"failed ({error[0]})"
        lines.append(f"{cell['learner']} x {cell['environment']}, T={cell['horizon']}{value}: {outcome}")
    if len(unfinished) > _MAX_LISTED:
        lines.append(f"... and {len(unfinished) - _MAX_LISTED} more")
    return lines


def _isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _nan_row(firsts: pd.DataFrame, key: tuple[Any, ...]) -> pd.Series:
    """The row of ``firsts`` whose index equals ``key``, NaN sweep values matching each other."""
    for index, row in firsts.iterrows():
        if all(a == b or (_isnan(a) and _isnan(b)) for a, b in zip(index, key)):
            return row
    raise KeyError(key)


def _wall_times(df: pd.DataFrame) -> dict[tuple[str, str, int, float | None], float]:
    """(learner, environment, horizon, sweep value) -> wall time, from the manifest's cells in ``df.attrs``."""
    times = {}
    for entry in df.attrs.get("cells") or []:
        if entry.get("wall_time") is not None:
            value = entry.get("sweep_value")
            key = (entry["learner"], entry["environment"], int(entry["horizon"]),
                   None if value is None else float(value))
            times[key] = float(entry["wall_time"])
    return times


def format_table(table: pd.DataFrame, fmt: str = "table", column: str = "regret") -> str:
    """Render :func:`regret_table` as an aligned text table, a Markdown table, or CSV (all columns, full
    precision). Under a text or Markdown table, a note names the cells that failed or have not run; CSV is the
    rows only."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(
            f"The 'fmt' parameter of format_table must be one of {REPORT_FORMATS}. Got {fmt!r} instead."
        )
    if fmt == "csv":
        return table.to_csv(index=False)
    shown = pd.DataFrame(
        {
            "environment": table["environment"],
            "T": table["horizon"],
            "learner": table["learner"],
            "seeds": table["n_seeds"],
            f"{column} (mean)": table["mean"].map(_number),
            _interval_header(table): [
                f"[{_number(low)}, {_number(high)}]" for low, high in zip(table["ci_low"], table["ci_high"])
            ],
            "/ sqrt(T)": table["per_sqrt_T"].map(lambda value: f"{value:.3f}"),
            "bound": [
                f"{_number(value)} ({name})" if name else "-"
                for value, name in zip(table["bound"], table["bound_name"])
            ],
            "/ bound": table["ratio_to_bound"].map(
                lambda value: "-" if math.isnan(value) else f"{value:.2f}"
            ),
            "time (s)": table["wall_time"].map(lambda value: "-" if math.isnan(value) else f"{value:.2f}"),
        }
    )
    if "sweep_value" in table.columns:
        shown.insert(2, "value", table["sweep_value"].map(lambda value: "-" if math.isnan(value) else f"{value:g}"))
    if fmt == "markdown":
        header = "| " + " | ".join(shown.columns) + " |"
        rule = "|" + "|".join("---" if name in ("environment", "learner") else "---:" for name in shown.columns) + "|"
        body = [
            "| " + " | ".join(str(value) for value in row) + " |" for row in shown.itertuples(index=False)
        ]
        return "\n".join([header, rule, *body, *_unfinished_note(table, markdown=True)])
    return "\n".join([shown.to_string(index=False), *_unfinished_note(table, markdown=False)])


def _unfinished_note(table: pd.DataFrame, markdown: bool) -> list[str]:
    """The lines under a table naming the cells that failed or have not run (none when every cell finished)."""
    unfinished = table.attrs.get("unfinished") or []
    if not unfinished:
        return []
    counts = f"{len(unfinished)} of {table.attrs['n_cells']} cells ({_count_unfinished(unfinished)})"
    lines = _describe_unfinished(unfinished)
    if markdown:
        return ["", f"**Not in the table:** {counts}:", "", *(f"- {line}" for line in lines)]
    return ["", f"Not in the table: {counts}:", *(f"  {line}" for line in lines)]


def _interval_header(table: pd.DataFrame) -> str:
    attrs = getattr(table, "attrs", {}) or {}
    level = round(100 * float(attrs.get("confidence", 0.95)))
    method = attrs.get("interval", "t")
    return f"{level}% CI" if method == "t" else f"{level}% CI ({method})"


def _number(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.2f}"
