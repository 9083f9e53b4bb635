"""Plots of an experiment: regret curves with a 95% band across seeds (:func:`plot_results`), final values per
seed (:func:`plot_final`) and final values against a swept parameter (:func:`plot_sweep`).

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

__all__ = ["PLOT_SUFFIXES", "plot_final", "plot_results", "plot_sweep"]

PLOT_SUFFIXES = (".png", ".pdf", ".svg")
_YLABELS = {
    "regret": "regret (vs. the best expert)",
    "pseudo_regret": "pseudo-regret",
    "realized_regret": "realized regret",
    "dynamic_regret": "dynamic regret (vs. the per-round best)",
    "shifting_regret": "shifting regret (vs. m switches)",
    "adaptive_regret": "adaptive regret (worst interval)",
    "suffix_regret": "worst interval ending at t",
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

    Each panel is one environment (one per swept value in an ``environments.<p>`` sweep) at its largest horizon;
    each line is one learner (one per swept value in a ``learners.<p>`` sweep): its mean ``column`` over the seeds
    against the round t, with the shaded 95% Student-t band of :func:`ftrl.regret.summary`. Cells with different
    parameters are never pooled into one line.

    Parameters
    ----------
    results : DataFrame or path
        The output of :func:`ftrl.load_results`, or a result directory.
    path : path, optional
        Output file; the suffix (``.png``, ``.pdf`` or ``.svg``) chooses the format.
    log : bool
        Log-log axes (rounds and regret values <= 0 are not drawn; a panel left empty says so).
    bounds : bool
        Overlay, dashed in the line's colour, the theoretical bound that applies to its learner and parameters
        (see :func:`ftrl.report.bound_curve`).
    column : str
        ``"regret"``, ``"pseudo_regret"`` or ``"realized_regret"``.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per panel (plus none other).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from ftrl.regret import summary
    from ftrl.report import bound_curve

    df = _load(results, path, column, "plot_results")
    parameter = _sweep_parameter(df)
    swept_name = parameter.split(".")[-1]
    panel_keys = ["environment", "sweep_value"] if parameter.startswith("environments.") else ["environment"]
    line_keys = ["learner", "sweep_value"] if parameter.startswith("learners.") else ["learner"]
    line_labels = [_swept_label(key, swept_name) for key, _ in _ordered_groups(df, line_keys)]
    colors = plt.get_cmap("tab10" if len(line_labels) <= 10 else "tab20")
    panels = _ordered_groups(df, panel_keys)
    figure, axes_list = _grid(len(panels), 5.2, 4.0)
    for axes, (panel_key, panel) in zip(axes_list, panels):
        horizon = int(panel["horizon"].max())
        panel = panel[panel["horizon"] == horizon]
        n_experts = int(panel["n_experts"].iloc[0])
        for line_key, rows in _ordered_groups(panel, line_keys):
            if rows[column].isna().all():
                continue
            label = _swept_label(line_key, swept_name)
            color = colors(line_labels.index(label) % colors.N)
            stats = summary(rows, column)
            t = stats["t"].to_numpy(dtype=np.float64)
            mean = stats["mean"].to_numpy()
            keep = (t > 0) & (mean > 0) if log else np.ones_like(t, dtype=bool)
            axes.plot(t[keep], mean[keep], color=color, linewidth=1.8, label=label)
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
                        label=f"{label}: {found[0]} bound",
                    )
        n_seeds = int(panel["seed"].nunique())
        axes.set_title(
            f"{_swept_label(panel_key, swept_name)}\n"
            f"N = {n_experts}, T = {horizon:,}, {n_seeds} seed{'s' * (n_seeds > 1)}",
            fontsize=10,
        )
        axes.set_xlabel("round t")
        axes.set_ylabel(_YLABELS.get(column, column))
        if log:
            axes.set_xscale("log")
            if any((np.asarray(line.get_ydata()) > 0).any() for line in axes.get_lines()):
                axes.set_yscale("log")
            else:
                axes.set_xlim(1, horizon)
                axes.set_yticks([])
                axes.text(0.5, 0.5, "no positive value to draw on log axes", transform=axes.transAxes,
                          ha="center", va="center", fontsize=9, color="0.4")
        else:
            axes.set_xlim(0, horizon)
            axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axes.grid(True, which="major", alpha=0.3)
    _shared_legend(figure)
    experiment = df.attrs.get("experiment")
    if experiment:
        figure.suptitle(
            f"{experiment}: mean {column.replace('_', ' ')} with 95% band across seeds", fontsize=11
        )
    if path is not None:
        figure.savefig(path, dpi=130)
    return figure


def _ordered_groups(frame: pd.DataFrame, keys: list[str]) -> list[tuple[tuple, pd.DataFrame]]:
    """``frame`` grouped by ``keys`` (NaN kept as a key): first column in order of appearance, the others
    ascending with NaN first."""
    first_seen = {value: index for index, value in enumerate(dict.fromkeys(frame[keys[0]]))}
    groups = list(frame.groupby(keys, sort=False, dropna=False))
    return sorted(
        groups,
        key=lambda group: (first_seen[group[0][0]], *(-math.inf if _isnan(value) else value for value in group[0][1:])),
    )


def _swept_label(key: tuple, swept_name: str, separator: str = ", ") -> str:
    """``"name"`` for a key without a swept value (or whose value is NaN), else ``"name, <parameter>=<value>"``
    (with ``separator`` between the two)."""
    if len(key) == 1 or _isnan(key[1]):
        return str(key[0])
    return f"{key[0]}{separator}{swept_name}={_value_text(key[1])}"


def _sweep_parameter(df: pd.DataFrame) -> str:
    """The swept parameter (``"learners.eta"``), or ``""`` for results without a sweep."""
    return str(df["sweep_parameter"].dropna().iloc[0]) if "sweep_parameter" in df.columns else ""


def _load(results: pd.DataFrame | str | os.PathLike[str], path: str | os.PathLike[str] | None, column: str,
          owner: str) -> pd.DataFrame:
    from ftrl.store import load_results

    if path is not None and Path(path).suffix.lower() not in PLOT_SUFFIXES:
        raise ValueError(
            f"The 'path' parameter of {owner} must end in one of {', '.join(PLOT_SUFFIXES)}. Got {str(path)!r}."
        )
    df = results if isinstance(results, pd.DataFrame) else load_results(results)
    if df.empty:
        raise ValueError("There are no finished cells to plot yet; run the experiment first.")
    if column not in df.columns:
        raise ValueError(f"The 'column' parameter of {owner} must be a column of the results. Got {column!r}.")
    return df


def _grid(n_panels: int, width: float, height: float) -> tuple[Figure, list]:
    import matplotlib.pyplot as plt

    n_columns = 2 if n_panels == 4 else min(3, n_panels)
    n_rows = math.ceil(n_panels / n_columns)
    figure, axes_grid = plt.subplots(
        n_rows, n_columns, figsize=(width * n_columns, height * n_rows), squeeze=False, layout="constrained"
    )
    for spare in axes_grid.flat[n_panels:]:
        spare.remove()
    return figure, list(axes_grid.flat[:n_panels])


def _shared_legend(figure: Figure) -> None:
    """One legend below the panels with each label once, in as many columns as fit the figure's width."""
    entries: dict[str, object] = {}
    for axes in figure.axes:
        for handle, label in zip(*axes.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    entry_width = 0.8 + 0.075 * max(map(len, entries), default=0)  # inches at fontsize 9, with the marker
    n_columns = max(1, min(len(entries), int(figure.get_figwidth() // entry_width)))
    figure.legend(list(entries.values()), list(entries), loc="outside lower center", ncols=n_columns, frameon=False,
                  fontsize=9)


def _value_text(value: float) -> str:
    return f"{value:g}"


def plot_final(
    results: pd.DataFrame | str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    column: str = "regret",
) -> Figure:
    """The distribution of the final ``column`` across seeds: one panel per environment (at its largest horizon),
    one violin per learner (per swept value in a sweep), with every seed's value as a dot and the mean as a bar.

    Parameters
    ----------
    results : DataFrame or path
        The output of :func:`ftrl.load_results`, or a result directory.
    path : path, optional
        Output file (``.png``, ``.pdf`` or ``.svg``).
    column : str
        Any regret column of the results.

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per environment.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _load(results, path, column, "plot_final")
    final = df[df["t"] == df["horizon"]]
    environments = list(dict.fromkeys(final["environment"]))
    learners = list(dict.fromkeys(final["learner"]))
    colors = plt.get_cmap("tab10")
    swept = "sweep_value" in final.columns
    categories_per_panel = max(
        len(final[final["environment"] == env].drop_duplicates(["learner", *(["sweep_value"] if swept else [])]))
        for env in environments
    )
    figure, axes_list = _grid(len(environments), max(4.0, 0.75 * categories_per_panel + 1.5), 4.2)
    rng = np.random.default_rng(0)
    for axes, environment in zip(axes_list, environments):
        panel = final[final["environment"] == environment]
        panel = panel[panel["horizon"] == panel["horizon"].max()]
        keys = ["learner", "sweep_value"] if swept else ["learner"]
        name = _sweep_parameter(panel).split(".")[-1] if swept else ""
        labels, positions, data, shades = [], [], [], []
        for key, group in panel.groupby(keys, sort=False, dropna=False):
            key = key if isinstance(key, tuple) else (key,)
            values = group[column].to_numpy(dtype=np.float64)
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            learner = key[0]
            label = _swept_label(key, name, "\n")
            labels.append(label)
            positions.append(len(positions))
            data.append(values)
            shades.append(colors(learners.index(learner) % 10))
        for position, values, shade in zip(positions, data, shades):
            if values.size > 1 and np.ptp(values) > 0:
                parts = axes.violinplot([values], positions=[position], widths=0.8, showextrema=False)
                for body in parts["bodies"]:
                    body.set_facecolor(shade)
                    body.set_edgecolor(shade)
                    body.set_alpha(0.3)
            jitter = rng.uniform(-0.12, 0.12, size=values.size)
            axes.scatter(position + jitter, values, s=9, color=shade, alpha=0.8, linewidths=0, zorder=3)
            axes.hlines(values.mean(), position - 0.3, position + 0.3, color="black", linewidth=1.6, zorder=4)
        axes.set_xticks(positions, labels, rotation=30 if max(map(len, labels), default=0) > 10 else 0,
                        ha="right" if max(map(len, labels), default=0) > 10 else "center", fontsize=8)
        n_seeds = int(panel["seed"].nunique())
        horizon = int(panel["horizon"].max())
        axes.set_title(f"{environment}\nT = {horizon:,}, {n_seeds} seed{'s' * (n_seeds > 1)}", fontsize=10)
        axes.set_ylabel(f"final {_YLABELS.get(column, column)}", fontsize=9)
        axes.grid(True, axis="y", alpha=0.3)
    experiment = df.attrs.get("experiment")
    figure.suptitle(
        f"{experiment + ': ' if experiment else ''}final {column.replace('_', ' ')} per seed (bar: mean)",
        fontsize=11,
    )
    if path is not None:
        figure.savefig(path, dpi=130)
    return figure


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def plot_sweep(
    results: pd.DataFrame | str | os.PathLike[str],
    path: str | os.PathLike[str] | None = None,
    *,
    column: str = "regret",
    interval: str = "t",
    log_y: bool = False,
    bounds: bool = False,
) -> Figure:
    """Final ``column`` against the swept parameter of a ``[sweep]`` experiment: one panel per environment, one
    line per learner (mean across seeds, shaded 95% interval of :func:`ftrl.regret.final_statistics`), one per
    (learner, horizon) labelled ``"<learner>, T=<horizon>"`` when the results hold several horizons.

    The x axis is logarithmic when the swept values are positive and span more than a factor 10. Learners that
    do not take the swept parameter (reference cells) are drawn as dashed horizontal lines with their band.

    Parameters
    ----------
    results : DataFrame or path
        Results of an experiment with a ``[sweep]`` table.
    path : path, optional
        Output file (``.png``, ``.pdf`` or ``.svg``).
    column : str
        Any regret column of the results.
    interval : {"t", "bootstrap", "bca"}
        The band's confidence interval.
    log_y : bool
        Logarithmic y axis.
    bounds : bool
        Overlay, dashed in the learner's colour, the bound of :func:`ftrl.report.bound_curve` at each value's
        horizon (where one applies).

    Returns
    -------
    matplotlib.figure.Figure
        One Axes per environment.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ftrl.regret import final_statistics

    df = _load(results, path, column, "plot_sweep")
    if "sweep_value" not in df.columns:
        raise ValueError(
            "The results passed to plot_sweep come from an experiment without a [sweep] table; add one (see "
            "docs/experiments.md) or plot the curves with plot_results."
        )
    parameter = _sweep_parameter(df)
    stats = final_statistics(df, column, method=interval, by=["environment", "sweep_value", "learner", "horizon"])
    swept_values = stats["sweep_value"].dropna().to_numpy(dtype=np.float64)
    if parameter == "horizon":
        swept_values = stats["horizon"].to_numpy(dtype=np.float64)
        stats["sweep_value"] = stats["horizon"].astype(np.float64)
    log_x = bool(swept_values.size and swept_values.min() > 0 and swept_values.max() > 10 * swept_values.min())
    environments = list(dict.fromkeys(stats["environment"]))
    several_horizons = parameter != "horizon" and stats["horizon"].nunique() > 1
    line_keys = ["learner", "horizon"] if several_horizons else ["learner"]
    line_labels = [_horizon_label(key) for key, _ in _ordered_groups(stats, line_keys)]
    colors = plt.get_cmap("tab10" if len(line_labels) <= 10 else "tab20")
    figure, axes_list = _grid(len(environments), 5.2 if len(environments) > 1 else 6.4, 4.0)
    low_x, high_x = swept_values.min(), swept_values.max()
    for axes, environment in zip(axes_list, environments):
        panel = stats[(stats["environment"] == environment) & (stats["n_seeds"] > 0)]
        for line_key, rows in _ordered_groups(panel, line_keys):
            rows = rows.sort_values("sweep_value")
            label = _horizon_label(line_key)
            color = colors(line_labels.index(label) % colors.N)
            mean = rows["mean"].to_numpy()
            low, high = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
            if rows["sweep_value"].isna().all():  # a reference learner without the swept parameter
                axes.plot([low_x, high_x], [mean[0], mean[0]], color=color, linestyle="--", linewidth=1.4,
                          label=_horizon_label(line_key, " (not swept)"))
                if np.isfinite(low[0]):
                    axes.fill_between([low_x, high_x], [low[0]] * 2, [high[0]] * 2, color=color, alpha=0.12,
                                      linewidth=0)
                continue
            x = rows["sweep_value"].to_numpy(dtype=np.float64)
            axes.plot(x, mean, color=color, marker="o", markersize=4, linewidth=1.8, label=label)
            if bounds:
                _sweep_bounds(axes, df, environment, rows, color, label)
            if np.isfinite(low).any():
                axes.fill_between(x, low, high, color=color, alpha=0.2, linewidth=0)
        if log_x:
            axes.set_xscale("log")
        if log_y:
            from matplotlib.ticker import FuncFormatter

            axes.set_yscale("log")
            axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axes.yaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}" if str(value)[0] in "25"
                                                          else ""))
        n_seeds = int(panel["n_seeds"].max()) if not panel.empty else 0
        axes.set_title(f"{environment}\n{n_seeds} seeds", fontsize=10)
        axes.set_xlabel(parameter.split(".")[-1] + ("" if parameter == "horizon" else f" ({parameter})"))
        axes.set_ylabel(f"final {_YLABELS.get(column, column)}", fontsize=9)
        axes.grid(True, which="major", alpha=0.3)
    _shared_legend(figure)
    experiment = df.attrs.get("experiment")
    band = "95% t band" if interval == "t" else f"95% {interval} band"
    figure.suptitle(
        f"{experiment + ': ' if experiment else ''}final {column.replace('_', ' ')} against "
        f"{parameter.split('.')[-1]}\n(mean across seeds, {band})",
        fontsize=11,
    )
    if path is not None:
        figure.savefig(path, dpi=130)
    return figure


def _horizon_label(key: tuple, suffix: str = "") -> str:
    """``"learner<suffix>"``, with ``", T=<horizon>"`` appended when the key holds a horizon."""
    return f"{key[0]}{suffix}" + (f", T={int(key[1])}" if len(key) > 1 else "")


def _sweep_bounds(axes, df: pd.DataFrame, environment: str, rows: pd.DataFrame, color: object, label: str) -> None:
    """Dashed bound of :func:`ftrl.report.bound_curve` at each swept value, for the line ``label`` drawn from
    ``rows`` (one learner's final statistics)."""
    from ftrl.report import bound_curve

    learner = rows["learner"].iloc[0]
    cells = df[(df["environment"] == environment) & (df["learner"] == learner) & (df["t"] == df["horizon"])]
    xs, values, name = [], [], ""
    for value, horizon in zip(rows["sweep_value"], rows["horizon"]):
        cell = cells[(cells["sweep_value"] == value) & (cells["horizon"] == horizon)]
        if cell.empty:
            continue
        first = cell.iloc[0]
        found = bound_curve(str(first["learner_name"]), json.loads(first["learner_params"]), int(horizon),
                            int(first["n_experts"]), np.array([float(horizon)]),
                            np.array([float(cell["best_cum_loss"].mean())]))
        if found is not None:
            xs.append(float(value))
            values.append(float(found[1][0]))
            name = found[0]
    if xs:
        axes.plot(xs, values, color=color, linestyle="--", linewidth=1.1, label=f"{label}: {name} bound")


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
