"""Online aggregation of simple forecasters of the monthly Mauna Loa CO2 series (shipped with statsmodels).

Run::

    python scripts/forecast_example.py [--plot docs/aggregation_weights.png]

Six experts forecast the next month's mean CO2 concentration (ppm), each from the past only: the naive and the
seasonal naive forecasts, the seasonal naive plus the last year's drift, a 12-month moving average, and two
autoregressions refitted each January on a rolling ten-year window (an AR(13) on the levels with a linear trend,
and an AR(2) on the seasonal differences). After those ten years of warm-up, ftrl aggregates them online under
the square loss, and the script prints a markdown table of the RMSE of every expert, of the uniform mixture, of
Hedge and AdaHedge (with and without the gradient trick), and of the best fixed convex combination in hindsight,
then draws AdaHedge's weights (gradient trick) over time.

Needs statsmodels (the data and the AR fits) and matplotlib (the plot): ``pip install ftrl[examples,plots]``.
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import pandas as pd

from ftrl import aggregate
from ftrl.aggregation import best_convex_combination

WARM_UP = 120  # months of history before the first aggregated forecast (the rolling window of the AR fits)
SEASON = 12


def monthly_co2() -> pd.Series:
    """Monthly means of the weekly Mauna Loa CO2 record (1958-2001), the few empty months interpolated."""
    from statsmodels.datasets import co2

    weekly = co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate()
    monthly.index.name = "month"
    return monthly


def _autoregression_forecasts(values: np.ndarray, lags: int, *, seasonal_difference: bool) -> np.ndarray:
    """One-step forecasts of an AR(lags) refitted every January on the last WARM_UP months (NaN before)."""
    from statsmodels.tsa.ar_model import AutoReg

    forecasts = np.full(values.shape[0], np.nan)
    params = None
    fitted_at = WARM_UP
    for t in range(WARM_UP, values.shape[0]):
        window = values[t - WARM_UP : t]
        if params is None or t % SEASON == 0:
            series = window[SEASON:] - window[:-SEASON] if seasonal_difference else window
            params = AutoReg(series, lags=lags, trend="c" if seasonal_difference else "ct").fit().params
            fitted_at = t
        if seasonal_difference:
            differences = values[t - lags - SEASON : t] - values[t - lags - 2 * SEASON : t - SEASON]
            recent = differences[-lags:][::-1]
            forecasts[t] = values[t - SEASON] + params[0] + params[1:] @ recent
        else:
            recent = values[t - lags : t][::-1]
            # statsmodels counts the trend from 1 over the fitted window; month t is its (WARM_UP + 1 + age)-th.
            trend_index = WARM_UP + 1 + (t - fitted_at)
            forecasts[t] = params[0] + params[1] * trend_index + params[2:] @ recent
    return forecasts


def expert_forecasts(series: pd.Series) -> pd.DataFrame:
    """The experts' one-step-ahead forecasts, each using only the months before the one it forecasts."""
    values = series.to_numpy()
    shifted = series.shift
    forecasts = pd.DataFrame(
        {
            "naive": shifted(1),
            "seasonal naive": shifted(SEASON),
            "seasonal + drift": shifted(SEASON) + (shifted(1) - shifted(SEASON + 1)),
            "moving average 12": series.rolling(SEASON).mean().shift(1),
            "AR(13) + trend": _autoregression_forecasts(values, 13, seasonal_difference=False),
            "seasonal AR(2)": _autoregression_forecasts(values, 2, seasonal_difference=True),
        },
        index=series.index,
    )
    return forecasts.iloc[WARM_UP:]


def rmse(forecast: np.ndarray, y: np.ndarray) -> float:
    return math.sqrt(float(np.mean((forecast - y) ** 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plot", default=os.path.join("docs", "aggregation_weights.png"),
                        help="where to write the weights plot (.png, .pdf or .svg); '' for none")
    arguments = parser.parse_args()

    series = monthly_co2()
    experts = expert_forecasts(series)
    y = series.loc[experts.index]
    # Loss ranges fixed from the warm-up decade only (no peeking): the largest squared error of the naive
    # forecast there, with a safety factor of 4.
    warm_up = series.iloc[:WARM_UP].to_numpy()
    bound = 4.0 * float(np.max((warm_up[1:] - warm_up[:-1]) ** 2))
    spread = 2.0 * math.sqrt(bound) * 2.0 * math.sqrt(bound)  # |2 (y_hat - y) (f_i - y_hat)| <= 2 e * 2 e

    runs = {
        "Hedge (anytime rate, loss_range)": {"learner": "hedge", "loss_range": (0.0, bound)},
        "Hedge, gradient trick": {"learner": "hedge", "gradient_trick": True, "loss_range": (-spread, spread)},
        "AdaHedge": {"learner": "adahedge"},
        "AdaHedge, gradient trick": {"learner": "adahedge", "gradient_trick": True},
    }
    rows = [(f"expert: {name}", rmse(experts[name].to_numpy(), y.to_numpy())) for name in experts]
    rows.append(("uniform mixture", rmse(experts.mean(axis=1).to_numpy(), y.to_numpy())))
    frames = {}
    started = time.perf_counter()
    for label, options in runs.items():
        frames[label] = aggregate(y, experts, loss="square", **options)
        rows.append((label, rmse(frames[label]["forecast"].to_numpy(), y.to_numpy())))
    elapsed = time.perf_counter() - started
    best_weights, best_loss = best_convex_combination(y, experts, "square")
    rows.append(("best convex combination in hindsight", math.sqrt(best_loss / len(y))))

    best_expert = min(rows[: len(experts.columns)], key=lambda row: row[1])[0]
    print(f"Monthly Mauna Loa CO2, one-step-ahead forecasts of {len(y)} months "
          f"({y.index[0]:%Y-%m} to {y.index[-1]:%Y-%m}), square loss; RMSE in ppm.\n")
    print("| forecaster | RMSE |")
    print("|---|---:|")
    for label, value in rows:
        marker = " (best expert)" if label == best_expert else ""
        print(f"| {label}{marker} | {value:.4f} |")
    combination = ", ".join(f"{name} {weight:.2f}" for name, weight in zip(experts.columns, best_weights)
                            if weight >= 0.005)
    print(f"\nBest convex combination: {combination}.")
    print(f"Four aggregations of {len(y)} rounds in {elapsed:.2f} s (including the offline best combinations).")

    if arguments.plot:
        from ftrl.plot import weights

        label = "AdaHedge, gradient trick"
        weights(frames[label], arguments.plot, title=f"{label}: weights of the CO2 forecasters")
        print(f"Weights plot written to {arguments.plot}.")


if __name__ == "__main__":
    main()
