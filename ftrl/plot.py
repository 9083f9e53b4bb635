"""Regret curves of an experiment: one panel per environment, one line per learner, a 95% band across seeds.

Needs matplotlib (the ``plots`` extra), imported inside :func:`plot_results` with the Agg backend (no display).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["PLOT_SUFFIXES", "plot_results"]

PLOT_SUFFIXES = (".png", ".pdf", ".svg")
_YLABELS = {
    "regret": "regret (vs. the best expert)",
    "pseudo_regret": "pseudo-regret",
    "realized_regret": "realized regret",
}


def plot_results(
    results: pd.DataFrame | str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    log: bool = False,
    bounds: bool = False,
    column: str = "regret",
) -> Figure:
    """Plot the regret curves of an experiment, and save them when ``path`` is given.

    Each panel is one environment at its largest horizon; each line is one learner's mean ``column`` over the
    seeds against the round t, with the shaded 95% Student-t band of :func:`ftrl.regret.summary`.

    Parameters
    ----------
    results : DataFrame or path
        The output of :func:`ftrl.load_results`, or a result directory.
    path : path, optional
        Output file; the suffix (``.png``, ``.pdf`` or ``.svg``) chooses the format.
    log : bool
        Log-log axes (rounds and regret values <= 0 are not drawn).
    bounds : bool
        Overlay, dashed in the learner's colour, the theoretical bound that applies to it (see
        :func:`ftrl.report.bound_curve`).
    column : str
        ``"regret"``, ``"pseudo_regret"`` or ``"realized_regret"``.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per environment (plus none other).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from ftrl.regret import summary
    from ftrl.report import bound_curve
    from ftrl.store import load_results

    if path is not None and Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise ValueError(
            f"The 'path' parameter of plot_results must end in one of {', '.join(PLOT_SUFFIXES)}. Got {str(path)!r}."
        )
    df = results if isinstance(results, pd.DataFrame) else load_results(results)
    if df.empty:
        raise ValueError("There are no finished cells to plot yet; run the experiment first.")
    if column not in df.columns:
        raise ValueError(
            f"The 'column' parameter of plot_results must be a column of the results. Got {column!r}."
        )

    environments = list(dict.fromkeys(df["environment"]))
    learners = list(dict.fromkeys(df["learner"]))
    colors = plt.get_cmap("tab10")
    n_panels = len(environments)
    n_columns = 2 if n_panels == 4 else min(3, n_panels)
    n_rows = math.ceil(n_panels / n_columns)
    figure, axes_grid = plt.subplots(
        n_rows, n_columns, figsize=(5.2 * n_columns, 4.0 * n_rows), squeeze=False, layout="constrained"
    )
    for spare in axes_grid.flat[n_panels:]:
        spare.remove()
    for axes, environment in zip(axes_grid.flat, environments):
        panel = df[df["environment"] == environment]
        horizon = int(panel["horizon"].max())
        panel = panel[panel["horizon"] == horizon]
        n_experts = int(panel["n_experts"].iloc[0])
        for learner in learners:
            rows = panel[panel["learner"] == learner]
            if rows.empty or rows[column].isna().all():
                continue
            color = colors(learners.index(learner) % 10)
            stats = summary(rows, column)
            t = stats["t"].to_numpy(dtype=np.float64)
            mean = stats["mean"].to_numpy()
            keep = (t > 0) & (mean > 0) if log else np.ones_like(t, dtype=bool)
            axes.plot(t[keep], mean[keep], color=color, linewidth=1.8, label=learner)
            if stats["n_seeds"].min() > 1:
                low, high = stats["ci_low"].to_numpy(), stats["ci_high"].to_numpy()
                if log:
                    low = np.maximum(low, mean * 1e-3)
                axes.fill_between(t[keep], low[keep], high[keep], color=color, alpha=0.2, linewidth=0)
            if bounds:
                first = rows.iloc[0]
                best = rows.groupby("t")["best_cum_loss"].mean().to_numpy()
                found = bound_curve(
                    str(first["learner_name"]),
                    json.loads(first["learner_params"]),
                    horizon,
                    n_experts,
                    t,
                    best,
                )
                if found is not None:
                    axes.plot(
                        t,
                        found[1],
                        color=color,
                        linestyle="--",
                        linewidth=1.1,
                        label=f"{learner}: {found[0]} bound",
                    )
        n_seeds = int(panel["seed"].nunique())
        axes.set_title(
            f"{environment}\nN = {n_experts}, T = {horizon:,}, {n_seeds} seed{'s' * (n_seeds > 1)}",
            fontsize=10,
        )
        axes.set_xlabel("round t")
        axes.set_ylabel(_YLABELS.get(column, column))
        if log:
            axes.set_xscale("log")
            axes.set_yscale("log")
        else:
            axes.set_xlim(0, horizon)
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axes.grid(True, which="major", alpha=0.3)
    legend_entries: dict[str, object] = {}
    for axes in figure.axes:
        for handle, label in zip(*axes.get_legend_handles_labels()):
            legend_entries.setdefault(label, handle)
    figure.legend(
        list(legend_entries.values()),
        list(legend_entries.keys()),
        loc="outside lower center",
        ncols=min(len(legend_entries), 4 if bounds else 6),
        frameon=False,
        fontsize=9,
    )
    experiment = df.attrs.get("experiment")
    if experiment:
        figure.suptitle(
            f"{experiment}: mean {column.replace('_', ' ')} with 95% band across seeds", fontsize=11
        )
    if path is not None:
        figure.savefig(path, dpi=130)
    return figure


def weights(
    frame: pd.DataFrame,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    top: int = 8,
) -> Figure:
    """Stacked areas of an aggregation's weights over time, from :func:`ftrl.aggregate`'s result.

    Each band is one expert's weight (the ``weight_<name>`` columns, which sum to 1 in every round); the ``top``
    experts with the largest mean weight get their own colour and legend entry, the rest are pooled in one grey
    band ("others"). The x axis is the frame's index (dates stay dates).

    Parameters
    ----------
    frame : DataFrame
        The output of :func:`ftrl.aggregate`.
    path : path, optional
        Output file; the suffix (``.png``, ``.pdf`` or ``.svg``) chooses the format.
    title : str, optional
        Defaults to the learner and loss recorded in ``frame.attrs``.
    top : int
        Number of experts drawn individually.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if path is not None and Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise ValueError(
            f"The 'path' parameter of weights must end in one of {', '.join(PLOT_SUFFIXES)}. Got {str(path)!r}."
        )
    columns = [column for column in frame.columns if str(column).startswith("weight_")]
    if not columns:
        raise ValueError(
            "The 'frame' parameter of weights must have weight_<expert> columns (the output of ftrl.aggregate). "
            f"Got columns {list(frame.columns)!r}."
        )
    ranked = sorted(columns, key=lambda column: -float(frame[column].mean()))
    shown, pooled = ranked[:top], ranked[top:]
    bands = [frame[column].to_numpy(dtype=np.float64) for column in shown]
    labels = [str(column)[len("weight_"):] for column in shown]
    colors = [plt.get_cmap("tab10")(i % 10) for i in range(len(shown))]
    if pooled:
        bands.append(frame[pooled].to_numpy(dtype=np.float64).sum(axis=1))
        labels.append(f"others ({len(pooled)})")
        colors.append("0.75")
    figure, axes = plt.subplots(figsize=(9.0, 4.2), layout="constrained")
    axes.stackplot(frame.index, *bands, labels=labels, colors=colors, linewidth=0)
    axes.set_ylim(0.0, 1.0)
    axes.set_xlim(frame.index[0], frame.index[-1])
    axes.set_ylabel("weight")
    axes.set_xlabel(frame.index.name or "round")
    attrs = frame.attrs
    axes.set_title(title if title is not None else
                   f"Weights of {attrs.get('learner', 'the learner')} ({attrs.get('loss', '')} loss)", fontsize=11)
    axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=9, reverse=True)
    if path is not None:
        figure.savefig(path, dpi=130)
    return figure
