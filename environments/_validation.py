"""Parameter checks shared by the built-in environments.

Every message follows one format (the scikit-learn one)::

    The 'means' parameter of Bernoulli must be in [0, 1]. Got [0.5, 1.2] instead.

so that a user always learns which parameter of which class was wrong and what was passed. Checks raise
``ValueError`` (or ``TypeError`` for a value of the wrong kind); none of them uses ``assert``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray

WEIGHT_TOLERANCE = 1e-9
"""Tolerance for the simplex check of the weights passed to ``step``: sum within 1e-9 of 1, entries >= -1e-9."""


def describe(value: Any, max_items: int = 8) -> str:
    """A short printable form of ``value`` for error messages (long arrays are cut)."""
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and len(value) > 0):
        array = np.asarray(value)
        if array.dtype.kind in "biuf":
            flat = array.ravel()
            items = ", ".join(
                repr(float(x)) if array.dtype.kind == "f" else repr(x.item()) for x in flat[:max_items]
            )
            suffix = ", ..." if flat.size > max_items else ""
            shape = f" (shape {array.shape})" if array.ndim > 1 or flat.size > max_items else ""
            return f"[{items}{suffix}]{shape}"
    return repr(value)


def param_error(owner: str, param: str, requirement: str, value: Any) -> ValueError:
    """The ValueError ``The '<param>' parameter of <owner> must be <requirement>. Got <value> instead.``"""
    return ValueError(
        f"The '{param}' parameter of {owner} must be {requirement}. Got {describe(value)} instead."
    )


def check_int(value: Any, param: str, owner: str, *, minimum: int) -> int:
    """An integer >= ``minimum`` (bools are refused), returned as a Python int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{param}' parameter of {owner} must be an int >= {minimum}. Got {value!r} "
            f"(type {type(value).__name__}) instead."
        )
    if value < minimum:
        raise param_error(owner, param, f"an int >= {minimum}", value)
    return int(value)


def check_float(
    value: Any,
    param: str,
    owner: str,
    *,
    low: float,
    high: float,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite real number in the interval given by ``low``, ``high`` and the open/closed flags."""
    interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The '{param}' parameter of {owner} must be a float in the range {interval}. Got {value!r} "
            f"(type {type(value).__name__}) instead."
        )
    number = float(value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not np.isfinite(number) or too_low or too_high:
        raise param_error(owner, param, f"a float in the range {interval}", value)
    return number


def as_float_array(value: Any, param: str, owner: str, *, ndim: int) -> NDArray[np.float64]:
    """``value`` as a new float64 array with ``ndim`` dimensions, at least one element on each axis, all finite."""
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"The '{param}' parameter of {owner} must be an array of numbers. Got {value!r} instead."
        ) from error
    if array.ndim != ndim or 0 in array.shape:
        raise param_error(owner, param, f"a non-empty {ndim}-d array", value)
    if not np.all(np.isfinite(array)):
        raise param_error(owner, param, "finite (no NaN or inf)", array)
    return array


def check_unit_interval_array(value: Any, param: str, owner: str, *, ndim: int = 1) -> NDArray[np.float64]:
    """A float64 array with entries in [0, 1] (NaN refused)."""
    array = as_float_array(value, param, owner, ndim=ndim)
    if np.any(array < 0.0) or np.any(array > 1.0):
        raise param_error(owner, param, "in [0, 1]", array)
    return array


def check_positive_array(value: Any, param: str, owner: str, *, ndim: int = 1) -> NDArray[np.float64]:
    """A float64 array with entries > 0."""
    array = as_float_array(value, param, owner, ndim=ndim)
    if np.any(array <= 0.0):
        raise param_error(owner, param, "> 0", array)
    return array


def check_weights(weights: Any, n_experts: int, owner: str) -> NDArray[np.float64]:
    """The weights passed to ``step``: finite, shape ``(n_experts,)``, in the probability simplex.

    The array is returned without a copy when it already is float64; the caller must not write to it.
    """
    where = f"The 'weights' passed to {owner}.step"
    array = np.asarray(weights, dtype=np.float64)
    if array.shape != (n_experts,):
        raise ValueError(f"{where} must have shape ({n_experts},). Got shape {array.shape} instead.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where} must be finite. Got {describe(array)} instead.")
    smallest = int(np.argmin(array))
    if array[smallest] < -WEIGHT_TOLERANCE:
        raise ValueError(
            f"{where} must be nonnegative. Got weights[{smallest}] = {float(array[smallest])!r} instead."
        )
    total = float(array.sum())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ValueError(f"{where} must sum to 1 (within {WEIGHT_TOLERANCE:g}). Got sum {total!r} instead.")
    return array
