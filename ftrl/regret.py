r"""Regret curves across seeds, and the theoretical bounds to draw next to them.

:func:`summary` reduces the tidy output of :func:`ftrl.simulate` (one row per seed and round) to one row per
round: mean, standard deviation, standard error, quantiles and a 95% Student-t confidence band for the mean.
:func:`bound` evaluates the classical regret bounds over a range of horizons.

References
----------
N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006.
S. de Rooij, T. van Erven, P. D. Grunwald, W. M. Koolen, "Follow the Leader If You Can, Hedge If You Must",
JMLR 15, 2014.
T. Lattimore, C. Szepesvari, *Bandit Algorithms*, Cambridge University Press, 2020.
J. Zimmert, Y. Seldin, "Tsallis-INF: An Optimal Algorithm for Stochastic and Adversarial Bandits", JMLR 22, 2021.
M. Abramowitz, I. A. Stegun, *Handbook of Mathematical Functions*, 1964, formula 26.7.3-4.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ftrl._validation import as_real_array, check_choice, check_int, check_real

__all__ = ["bound", "bound_names", "final_statistics", "ledger", "student_t_quantile", "summary"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
CONFIDENCE = 0.95
MIN_RESAMPLES = 100
"""The fewest bootstrap resamples :func:`final_statistics` accepts."""


def _t_central_probability(theta: float, dof: int) -> float:
    r"""P(|T| < t) for Student's t with integer ``dof``, at :math:`\theta = \arctan(t/\sqrt{\nu})`.

    The finite sums of Abramowitz & Stegun 26.7.3 (odd :math:`\nu`) and 26.7.4 (even :math:`\nu`).
    """
    cos, sin = math.cos(theta), math.sin(theta)
    cos2 = cos * cos
    if dof % 2 == 1:
        term, total = cos, cos if dof > 1 else 0.0
        for k in range(1, (dof - 3) // 2 + 1):
            term *= cos2 * (2 * k) / (2 * k + 1)
            total += term
        return 2.0 / math.pi * (theta + sin * total)
    term, total = 1.0, 1.0
    for k in range(1, (dof - 2) // 2 + 1):
        term *= cos2 * (2 * k - 1) / (2 * k)
        total += term
    return sin * total


@functools.lru_cache(maxsize=256)
def student_t_quantile(probability: float, dof: int) -> float:
    r"""The ``probability`` quantile (> 0.5) of Student's t distribution with ``dof`` >= 1 degrees of freedom.

    Solves :math:`P(|T| < t) = 2p - 1` by bisection on :math:`\theta = \arctan(t/\sqrt{\nu})` with the exact finite
    sums of Abramowitz & Stegun 26.7.3-4 (no SciPy needed), to double precision.

    Examples
    --------
    >>> round(student_t_quantile(0.975, 1), 6)  # tan(0.475 pi)
    12.706205
    >>> round(student_t_quantile(0.975, 10), 6)
    2.228139
    """
    probability = check_real(probability, "probability", "student_t_quantile", low=0.5, high=1.0,
                             low_open=True, high_open=True)
    dof = check_int(dof, "dof", "student_t_quantile", low=1)
    central = 2.0 * probability - 1.0
    low, high = 0.0, math.pi / 2
    for _ in range(100):
        middle = 0.5 * (low + high)
        if _t_central_probability(middle, dof) < central:
            low = middle
        else:
            high = middle
    return math.sqrt(dof) * math.tan(0.5 * (low + high))


def summary(df: pd.DataFrame, column: str = "regret", by: str | Sequence[str] | None = None) -> pd.DataFrame:
    r"""Per-round statistics of ``column`` across seeds (the rows sharing ``t`` and the ``by`` columns).

    With :math:`n` seeds, values :math:`x_1, \dots, x_n`, mean :math:`\bar x`, standard deviation :math:`s`
    (``ddof=1``) and standard error :math:`s/\sqrt n`, the 95% confidence band for the mean is

    .. math:: \bar x \pm t_{0.975,\, n-1}\, s / \sqrt{n},

    with :math:`t_{0.975, n-1}` the Student-t quantile. With one seed, ``std``, ``sem`` and the band are NaN.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`ftrl.simulate` (or several, concatenated), with a ``t`` column and ``column``.
    column : str
        The quantity to summarize: ``"regret"``, ``"pseudo_regret"``, ``"realized_regret"``, ``"cum_loss"``, ...
    by : str or list of str, optional
        Further grouping columns (e.g. a learner name added before concatenating runs).

    Returns
    -------
    pandas.DataFrame
        One row per (``by``..., ``t``), sorted, with columns ``n_seeds``, ``mean``, ``std``, ``sem``, ``q05``,
        ``q25``, ``q50``, ``q75``, ``q95``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"seed": [0, 1, 0, 1], "t": [1, 1, 2, 2], "regret": [0.0, 2.0, 1.0, 1.0]})
    >>> summary(df)[["t", "n_seeds", "mean", "std"]].values.tolist()
    [[1.0, 2.0, 1.0, 1.4142135623730951], [2.0, 2.0, 1.0, 0.0]]
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"The 'df' parameter of summary must be a pandas DataFrame. Got {type(df).__name__} instead.")
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    missing = [name for name in [*groups, "t", column] if name not in df.columns]
    if missing:
        raise ValueError(
            f"The 'df' parameter of summary must have the columns {missing!r} (from 'by', 't' and 'column'). "
            f"Got columns {list(df.columns)!r} instead."
        )
    keys = [*groups, "t"]
    # dropna=False: a NaN in a grouping column (e.g. sweep_value of a reference learner) is a group, as in
    # final_statistics, not a row to drop
    grouped = df.groupby(keys, sort=True, dropna=False)[column]
    stats = grouped.agg(n_seeds="count", mean="mean", std="std")
    stats["sem"] = stats["std"] / np.sqrt(stats["n_seeds"])
    # one row per (group, level), groups in the order of stats; taken by position, since unstacking would sort NaN
    # keys first and aligning on labels loses them
    quantiles = grouped.quantile(list(QUANTILES)).to_numpy().reshape(len(stats), len(QUANTILES))
    for position, level in enumerate(QUANTILES):
        stats[f"q{round(level * 100):02d}"] = quantiles[:, position]
    half_width = np.array(
        [
            student_t_quantile(0.5 + CONFIDENCE / 2, int(n) - 1) if n > 1 else np.nan
            for n in stats["n_seeds"].to_numpy()
        ]
    ) * stats["sem"].to_numpy()
    stats["ci_low"] = stats["mean"] - half_width
    stats["ci_high"] = stats["mean"] + half_width
    return stats.reset_index()


INTERVAL_METHODS = ("t", "bootstrap", "bca")
_FINAL_KEYS = ("environment", "horizon", "sweep_value", "learner")


def _bootstrap_interval(
    values: NDArray[np.float64], confidence: float, n_resamples: int, seed: int, bca: bool
) -> tuple[float, float]:
    """Percentile or BCa bootstrap interval for the mean of ``values`` (n >= 2, not all equal)."""
    from statistics import NormalDist

    normal = NormalDist()
    n = values.size
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, n, size=(n_resamples, n))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    levels = np.array([alpha, 1.0 - alpha])
    if bca:
        estimate = float(values.mean())
        below = (np.count_nonzero(means < estimate) + 0.5 * np.count_nonzero(means == estimate)) / n_resamples
        below = min(max(below, 1.0 / (2 * n_resamples)), 1.0 - 1.0 / (2 * n_resamples))
        bias = normal.inv_cdf(below)
        jackknife = (values.sum() - values) / (n - 1)
        spread = jackknife.mean() - jackknife
        denominator = 6.0 * float(np.sum(spread**2)) ** 1.5
        acceleration = float(np.sum(spread**3)) / denominator if denominator > 0 else 0.0
        adjusted = []
        for level in levels:
            z = bias + normal.inv_cdf(float(level))
            adjusted.append(normal.cdf(bias + z / (1.0 - acceleration * z)))
        levels = np.array(adjusted)
    low, high = np.quantile(means, levels)
    return float(low), float(high)


def final_statistics(
    df: pd.DataFrame,
    column: str = "regret",
    method: str = "t",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    r"""Confidence intervals for the mean final value of ``column`` across seeds, one row per group.

    The final row of a run is the one at ``t == horizon`` (when the frame has a ``horizon`` column, as experiment
    results do) or at the largest ``t`` of the group. Intervals for the mean :math:`\bar x` of :math:`n` values:

    - ``"t"``: :math:`\bar x \pm t_{(1+c)/2,\, n-1}\, s/\sqrt n` (Student t, exact for normal data);
    - ``"bootstrap"``: the percentile bootstrap, the :math:`(1-c)/2` and :math:`(1+c)/2` quantiles of the means of
      ``n_resamples`` resamples with replacement;
    - ``"bca"``: the bias-corrected and accelerated bootstrap (Efron 1987): the percentile levels are moved to
      :math:`\Phi(z_0 + (z_0 + z_\alpha)/(1 - a (z_0 + z_\alpha)))`, with :math:`z_0` the normal quantile of the
      share of resampled means below :math:`\bar x` and :math:`a` the jackknife skewness (acceleration).

    The bootstrap draws from ``numpy.random.default_rng(seed)``, afresh for every group, so a group's interval
    does not depend on the other groups. NaN values are missing and left out (``n_seeds`` counts the others). With
    one seed, or ``column`` NaN everywhere in a group, the interval is NaN (such groups are kept, with ``n_seeds``
    0 or 1); with all values equal it is that value. An infinite value (a run whose regret diverged) is an
    outcome, not missing: it is counted, the mean is that infinity (NaN if both +inf and -inf occur), ``std`` is
    NaN and the interval is the point ``[mean, mean]`` (a distribution that yields an infinite value with positive
    probability has an infinite mean). The statistics are computed on the values divided by the largest power of two
    not above their largest magnitude (exact), so no intermediate sum overflows: ``mean`` and ``std`` are
    finite whenever the true ones are representable; the sum of squares is the corrected two-pass one (Chan, Golub
    & LeVeque 1983), accurate even when the mean is rounded.

    Parameters
    ----------
    df : pandas.DataFrame
        :func:`ftrl.simulate` output or :func:`ftrl.load_results` output.
    column : str
        ``"regret"``, ``"pseudo_regret"``, ``"realized_regret"``, ``"adaptive_regret"``, ...
    method : {"t", "bootstrap", "bca"}
    confidence : float in (0, 1)
    n_resamples : int >= 100
        Bootstrap resamples.
    seed : int >= 0
        Seed of the bootstrap.
    by : str or list of str, optional
        Grouping columns; default: those of ``environment``, ``horizon``, ``sweep_value``, ``learner`` present.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``n_seeds``, ``mean``, ``std`` (ddof=1), ``ci_low``, ``ci_high``; groups in order
        of first appearance; ``attrs`` records method, confidence, n_resamples and seed.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"seed": [0, 1, 2], "t": [5, 5, 5], "regret": [1.0, 2.0, 3.0]})
    >>> final_statistics(df)[["n_seeds", "mean", "ci_low", "ci_high"]].round(4).values.tolist()
    [[3.0, 2.0, -0.4841, 4.4841]]
    """
    owner = "final_statistics"
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"The 'df' parameter of {owner} must be a pandas DataFrame. Got {type(df).__name__} instead.")
    method = check_choice(method, "method", INTERVAL_METHODS, owner)
    confidence = check_real(confidence, "confidence", owner, low=0.0, high=1.0, low_open=True, high_open=True)
    n_resamples = check_int(n_resamples, "n_resamples", owner, low=MIN_RESAMPLES)
    seed = check_int(seed, "seed", owner, low=0)
    groups = [key for key in _FINAL_KEYS if key in df.columns] if by is None else (
        [by] if isinstance(by, str) else list(by))
    missing = [name for name in [*groups, "t", column] if name not in df.columns]
    if missing:
        raise ValueError(
            f"The 'df' parameter of {owner} must have the columns {missing!r} (from 'by', 't' and 'column'). "
            f"Got columns {list(df.columns)!r} instead."
        )
    if "horizon" in df.columns:
        final = df[df["t"] == df["horizon"]]
    elif groups:
        final = df[df["t"] == df.groupby(groups, sort=False, dropna=False)["t"].transform("max")]
    else:
        final = df[df["t"] == df["t"].max()]
    items = final.groupby(groups, sort=False, dropna=False) if groups else [((), final)]
    rows = []
    for key, group in items:
        key = key if isinstance(key, tuple) else (key,)
        values = group[column].to_numpy(dtype=np.float64)
        values = values[~np.isnan(values)]
        n = values.size
        infinite = values[np.isinf(values)]
        if infinite.size:
            # a distribution that yields +-inf with positive probability has that mean: the interval is the point
            mean = float(infinite[0]) if np.all(infinite == infinite[0]) else math.nan
            std = math.nan
            low = high = mean
        else:
            # the statistics of values / 2^k with max |value| / 2^k in [1, 2) (exact), times 2^k: no sum overflows
            scale = math.ldexp(1.0, math.frexp(float(np.max(np.abs(values))))[1] - 1) if n else 1.0
            scaled = values / scale
            mean_scaled = float(scaled.mean()) if n else math.nan
            std_scaled = math.nan
            if n > 1:  # the corrected two-pass sum of squares, exact to rounding even when the mean is rounded
                deviations = scaled - mean_scaled
                squares = float(np.sum(deviations**2)) - float(np.sum(deviations)) ** 2 / n
                std_scaled = math.sqrt(max(squares, 0.0) / (n - 1))
            mean, std = mean_scaled * scale, std_scaled * scale
            if n < 2:
                low = high = math.nan
            elif std_scaled == 0.0:
                low = high = mean
            elif method == "t":
                half = student_t_quantile(0.5 + confidence / 2, n - 1) * std_scaled / math.sqrt(n)
                low, high = (mean_scaled - half) * scale, (mean_scaled + half) * scale
            else:
                low, high = _bootstrap_interval(scaled, confidence, n_resamples, seed, method == "bca")
                low, high = low * scale, high * scale
        rows.append({**dict(zip(groups, key)), "n_seeds": n, "mean": mean, "std": std, "ci_low": low,
                     "ci_high": high})
    table = pd.DataFrame(rows, columns=[*groups, "n_seeds", "mean", "std", "ci_low", "ci_high"])
    table.attrs = {"method": method, "confidence": confidence, "n_resamples": n_resamples, "seed": seed,
                   "column": column}
    return table


def ledger(losses: ArrayLike, weights: ArrayLike, *, switches: int = 3) -> pd.DataFrame:
    r"""The regret ledger of an explicit play: external, dynamic, shifting and adaptive regret after every round.

    With :math:`h_t = \langle p_t, \ell_t\rangle`, :math:`C_t = \sum_{s\le t} h_s` and
    :math:`L_{t,i} = \sum_{s \le t}\ell_{s,i}`:

    .. math::

        \text{regret}_t = C_t - \min_i L_{t,i}, \qquad
        \text{dynamic}_t = C_t - \sum_{s\le t}\min_i \ell_{s,i}, \qquad
        \text{shifting}_t = C_t - \min_{i_1, \dots, i_t:\ \#\{s: i_{s+1} \ne i_s\} \le m} \sum_{s\le t}\ell_{s,i_s},

    .. math::

        \text{adaptive}_t = \max_{1 \le r \le s \le t}\Big(\sum_{u=r}^{s} h_u - \min_i \sum_{u=r}^{s}\ell_{u,i}\Big)
        = \max_{s \le t} \text{suffix}_s, \quad
        \text{suffix}_t = \max_{r \le t}\Big(\sum_{u=r}^{t} h_u - \min_i \sum_{u=r}^{t}\ell_{u,i}\Big)
        = \max_i \Big(R_{t,i} - \min_{0 \le q < t} R_{q,i}\Big),

    with :math:`R_{t,i} = C_t - L_{t,i}`.

    All four are exact. The shifting comparator is found by the dynamic program of opera's oracle
    (:math:`O(N m)` per round); the adaptive regret by a running minimum of each expert's regret curve
    (:math:`O(N)` per round: the maxima over the interval start and over the expert commute). The same compiled
    kernel books these columns in :func:`ftrl.simulate` with ``ledger=True``, where no loss matrix is kept.

    Parameters
    ----------
    losses : array_like, shape (T, N)
        Finite losses :math:`\ell_{t,i}`, T >= 1, N >= 1.
    weights : array_like, shape (T, N)
        The learner's distributions :math:`p_t`: non-negative rows summing to 1 (within 1e-6).
    switches : int
        m >= 0 switches allowed to the shifting comparator (m = 0: the external regret).

    Returns
    -------
    pandas.DataFrame
        One row per round: ``t`` (1-based), ``loss`` (:math:`h_t`), ``cum_loss``, ``best_cum_loss``, ``regret``,
        ``dynamic_regret``, ``shifting_regret``, ``adaptive_regret``, ``suffix_regret``; ``attrs["switches"]``
        = m.

    Examples
    --------
    >>> import numpy as np
    >>> losses = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    >>> df = ledger(losses, np.full((3, 2), 0.5), switches=1)
    >>> df[["regret", "dynamic_regret", "shifting_regret", "adaptive_regret"]].iloc[-1].tolist()
    [0.5, 1.5, 0.5, 0.5]
    """
    from ftrl._ledger_kernels import LEDGER_COLUMNS, ledger_block

    owner = "ledger"
    loss_matrix = np.ascontiguousarray(as_real_array(losses, "losses", owner))
    weight_matrix = np.ascontiguousarray(as_real_array(weights, "weights", owner))
    switches = check_int(switches, "switches", owner, low=0)
    if loss_matrix.ndim != 2 or loss_matrix.shape[0] < 1 or loss_matrix.shape[1] < 1:
        raise ValueError(
            f"The 'losses' parameter of {owner} must be a 2-d array of shape (T, N) with T, N >= 1. "
            f"Got shape {loss_matrix.shape} instead."
        )
    if not np.all(np.isfinite(loss_matrix)):
        raise ValueError(f"The 'losses' parameter of {owner} must hold finite numbers. Got non-finite entries.")
    if weight_matrix.shape != loss_matrix.shape:
        raise ValueError(
            f"The 'weights' parameter of {owner} must have the shape of 'losses', {loss_matrix.shape}. "
            f"Got shape {weight_matrix.shape} instead."
        )
    if (
        not np.all(np.isfinite(weight_matrix))
        or np.any(weight_matrix < 0)
        or np.any(np.abs(weight_matrix.sum(axis=1) - 1.0) > 1e-6)
    ):
        raise ValueError(
            f"The 'weights' parameter of {owner} must hold distributions: non-negative rows summing to 1. "
            "Got rows outside the simplex instead."
        )
    horizon, n_experts = loss_matrix.shape
    expected = np.einsum("ti,ti->t", weight_matrix, loss_matrix)
    rounds = np.arange(1, horizon + 1, dtype=np.int64)
    out = np.full((horizon, len(LEDGER_COLUMNS)), np.nan)
    ledger_block(
        loss_matrix, expected, 0, rounds, 0, np.zeros(3), np.zeros(n_experts), np.zeros(n_experts),
        np.zeros((switches + 1, n_experts)), np.zeros(switches + 1), out,
    )
    cum_loss = np.cumsum(expected)
    best = np.cumsum(loss_matrix, axis=0).min(axis=1)
    frame = pd.DataFrame({"t": rounds, "loss": expected, "cum_loss": cum_loss, "best_cum_loss": best,
                          "regret": cum_loss - best})
    for position, name in enumerate(LEDGER_COLUMNS):
        frame[name] = out[:, position]
    frame.attrs = {"switches": switches}
    return frame


def _hedge_fixed(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    log_n = math.log(n)
    eta = check_real(_pop(params, "eta", "hedge-fixed"), "eta", "bound('hedge-fixed')", low=0.0, low_open=True)
    return log_n / eta + eta * horizons / 8.0


def _hedge_tuned(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    log_n = math.log(n)
    return np.sqrt(horizons * log_n / 2.0)


def _hedge_anytime(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    log_n = math.log(n)
    return 2.0 * np.sqrt(horizons / 2.0 * log_n) + math.sqrt(log_n / 8.0)


def _adahedge(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    log_n = math.log(n)
    best_loss = params.pop("best_loss", None)
    if best_loss is None:
        best = horizons / 2.0
    else:
        best = np.broadcast_to(as_real_array(best_loss, "best_loss", "bound('adahedge')"), horizons.shape)
        if np.any(best < 0) or np.any(best > horizons):
            raise ValueError(
                "The 'best_loss' parameter of bound('adahedge') must lie in [0, T] for losses in [0, 1]. "
                f"Got {best_loss!r} instead."
            )
    return 2.0 * np.sqrt(best * (horizons - best) / horizons * log_n) + 16.0 / 3.0 * log_n + 2.0


def _exp3(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    return np.sqrt(2.0 * horizons * n * math.log(n))


def _tsallis_inf(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    return 4.0 * np.sqrt(n * horizons) + 1.0


def _lower(horizons: NDArray[np.float64], n: int, params: dict[str, Any]) -> NDArray[np.float64]:
    log_n = math.log(n)
    return np.sqrt(horizons * log_n / 2.0)


def _pop(params: dict[str, Any], name: str, bound_name: str) -> Any:
    if name not in params:
        raise ValueError(f"The bound {bound_name!r} needs the parameter {name!r}; pass bound(..., {name}=...).")
    return params.pop(name)


_BOUNDS: dict[str, Callable[[NDArray[np.float64], int, dict[str, Any]], NDArray[np.float64]]] = {
    "hedge-fixed": _hedge_fixed,
    "hedge-tuned": _hedge_tuned,
    "hedge-anytime": _hedge_anytime,
    "adahedge": _adahedge,
    "exp3": _exp3,
    "tsallis-inf": _tsallis_inf,
    "lower": _lower,
}


def bound_names() -> list[str]:
    """The names :func:`bound` knows, sorted.

    Examples
    --------
    >>> bound_names()
    ['adahedge', 'exp3', 'hedge-anytime', 'hedge-fixed', 'hedge-tuned', 'lower', 'tsallis-inf']
    """
    return sorted(_BOUNDS)


def bound(name: str, T: ArrayLike, N: int, **params: Any) -> NDArray[np.float64]:
    r"""A theoretical regret bound evaluated at each horizon in ``T``, for N experts (or K arms), losses in [0, 1].

    ================  =====================================================================  ===================
    name              bound on the regret after T rounds                                     source
    ================  =====================================================================  ===================
    ``hedge-fixed``   :math:`\ln N/\eta + \eta T/8` (parameter ``eta``)                      [CBL06]_ Thm 2.2
    ``hedge-tuned``   :math:`\sqrt{T \ln N / 2}` (:math:`\eta = \sqrt{8 \ln N / T}`)        [CBL06]_ Thm 2.2
    ``hedge-anytime`` :math:`2\sqrt{(T/2)\ln N} + \sqrt{\ln N / 8}`                          [CBL06]_ Thm 2.3
                      (:math:`\eta_t = \sqrt{8 \ln N / t}`)
    ``adahedge``      :math:`2\sqrt{\frac{L^*(T-L^*)}{T}\ln N} + \frac{16}{3}\ln N + 2`        [RvEGK14]_ Thm 8
                      (parameter ``best_loss`` :math:`L^*`; default the worst case T/2)
    ``exp3``          :math:`\sqrt{2 T K \ln K}` (pseudo-regret, tuned :math:`\eta`)            [LS20]_ Thm 11.2
    ``tsallis-inf``   :math:`4\sqrt{K T} + 1` (pseudo-regret, adversarial regime)              [ZS21]_ Thm 1
    ``lower``         :math:`\sqrt{T \ln N / 2}`: the minimax regret over [0, 1] losses        [CBL06]_ Thm 3.7
                      behaves so as T and then N grow (an asymptotic lower bound)
    ================  =====================================================================  ===================

    Parameters
    ----------
    name : str
        One of :func:`bound_names`.
    T : array_like
        Horizons, each >= 1.
    N : int
        Number of experts or arms, >= 1.
    **params
        ``eta`` for ``hedge-fixed``; optionally ``best_loss`` (scalar or broadcast against ``T``) for ``adahedge``.

    Returns
    -------
    ndarray of float64, the shape of ``T``.

    References
    ----------
    .. [CBL06] N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, 2006.
    .. [RvEGK14] S. de Rooij, T. van Erven, P. D. Grunwald, W. M. Koolen, "Follow the Leader If You Can, Hedge If
       You Must", JMLR 15:1281-1316, 2014.
    .. [LS20] T. Lattimore, C. Szepesvari, *Bandit Algorithms*, 2020.
    .. [ZS21] J. Zimmert, Y. Seldin, "Tsallis-INF", JMLR 22(28), 2021.

    Examples
    --------
    >>> import numpy as np
    >>> bound("hedge-tuned", [2, 8], 4).round(6).tolist()  # sqrt(T ln 4 / 2)
    [1.17741, 2.35482]
    >>> float(bound("hedge-fixed", 100, 2, eta=0.5))  # ln 2 / 0.5 + 0.5 * 100 / 8
    7.636294361119891
    """
    if name not in _BOUNDS:
        known = ", ".join(repr(known_name) for known_name in bound_names())
        raise ValueError(f"The 'name' parameter of bound must be one of {known}. Got {name!r} instead.")
    horizons = as_real_array(T, "T", "bound")
    if np.any(~np.isfinite(horizons)) or np.any(horizons < 1):
        raise ValueError(f"The 'T' parameter of bound must hold finite horizons >= 1. Got {T!r} instead.")
    n_experts = check_int(N, "N", "bound", low=1)
    remaining = dict(params)
    values = _BOUNDS[name](horizons, n_experts, remaining)
    if remaining:
        raise ValueError(f"The bound {name!r} takes no parameter(s) {sorted(remaining)!r}.")
    return np.asarray(values, dtype=np.float64)
