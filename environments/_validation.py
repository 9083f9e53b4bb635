"""Parameter checks shared by the built-in environments.

Every message follows one format (the scikit-learn one)::

    The 'means' parameter of Bernoulli must be in [0, 1]. Got [0.5, 1.2] instead.

so that a user always learns which parameter of which class was wrong and what was passed. Checks raise
``ValueError`` (or ``TypeError`` for a value of the wrong kind); none of them uses ``assert``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray

WEIGHT_TOLERANCE = 1e-9
"""Tolerance for the simplex check of the weights passed to ``step``: sum within 1e-9 of 1, entries >= -1e-9."""


def describe(value: Any, max_items: int = 8, max_chars: int = 200) -> str:
    """A short printable form of ``value`` for error messages (long arrays and long reprs are cut)."""
    if isinstance(value, np.ndarray) or (isinstance(value, (list, tuple)) and len(value) > 0):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):  # a ragged nesting of lists
            array = None
        if array is not None and array.dtype.kind in "biuf":
            flat = array.ravel()
            items = ", ".join(
                repr(float(x)) if array.dtype.kind == "f" else repr(x.item()) for x in flat[:max_items]
            )
            suffix = ", ..." if flat.size > max_items else ""
            shape = f" (shape {array.shape})" if array.ndim > 1 or flat.size > max_items else ""
            return f"[{items}{suffix}]{shape}"
    return _cut(repr(value), max_chars)


def _cut(text: str, max_chars: int = 200) -> str:
    return text if len(text) <= max_chars else f"{text[:max_chars]}... ({len(text)} characters)"


def param_error(owner: str, param: str, requirement: str, value: Any) -> ValueError:
    """The ValueError ``The '<param>' parameter of <owner> must be <requirement>. Got <value> instead.``"""
    return ValueError(
        f"The '{param}' parameter of {owner} must be {requirement}. Got {describe(value)} instead."
    )


def _type_error(subject: str, requirement: str, value: Any) -> TypeError:
    """The TypeError ``<subject> must be <requirement>. Got <value> of type <type> instead.``"""
    return TypeError(
        f"{subject} must be {requirement}. Got {describe(value)} of type {type(value).__name__} instead."
    )


def check_int(value: Any, param: str, owner: str, *, minimum: int) -> int:
    """An integer >= ``minimum`` (bools are refused), returned as a Python int."""
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array is read as the scalar it holds
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise _type_error(f"The '{param}' parameter of {owner}", f"an int >= {minimum}", value)
    if value < minimum:
        raise param_error(owner, param, f"an int >= {minimum}", value)
    return int(value)


def check_choice(value: Any, param: str, owner: str, choices: tuple[str, ...]) -> str:
    """One of the strings ``choices``; anything else (another string, or not a string at all) is a ValueError."""
    if not isinstance(value, str) or value not in choices:
        raise param_error(owner, param, f"one of {', '.join(repr(choice) for choice in choices)}", value)
    return value


def is_scalar(value: Any) -> bool:
    """True for a value with no dimensions (a number, a string, a 0-d array); False for arrays, ragged lists too."""
    try:
        return np.ndim(value) == 0
    except (TypeError, ValueError):  # a ragged nesting of lists
        return False


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
    """A finite real number in the interval given by ``low``, ``high`` and the open/closed flags.

    Bools, strings and other non-real values are a TypeError; NaN, infinities and values outside the interval a
    ValueError. An infinite bound is shown open (the value must be finite), and ``(-inf, inf)`` as "a finite float".
    """
    low_open = low_open or math.isinf(low)
    high_open = high_open or math.isinf(high)
    interval = f"{'(' if low_open else '['}{_bound(low)}, {_bound(high)}{')' if high_open else ']'}"
    requirement = (
        "a finite float" if math.isinf(low) and math.isinf(high) else f"a float in the range {interval}"
    )
    if isinstance(value, np.ndarray) and value.ndim == 0:  # a 0-d array is read as the scalar it holds
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _type_error(f"The '{param}' parameter of {owner}", requirement, value)
    try:
        number = float(value)
    except OverflowError:  # an int beyond the float range
        raise ValueError(
            f"The '{param}' parameter of {owner} must be {requirement}. "
            f"Got an int of {len(str(abs(int(value))))} digits, beyond the float range, instead."
        ) from None
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not math.isfinite(number) or too_low or too_high:
        raise param_error(owner, param, requirement, number)
    return number


def _bound(bound: float) -> str:
    if math.isinf(bound):
        return "inf" if bound > 0 else "-inf"
    return repr(float(bound))


def as_numeric_array(value: Any, subject: str) -> NDArray[np.float64]:
    """``value`` as a new C-contiguous float64 array, never a view of the caller's data.

    ``subject`` opens the messages ("The 'means' parameter of Bernoulli"). Strings, bytes, bools (scalar or array),
    complex numbers and anything else that is not a real number are a TypeError; a ragged nesting of lists, or an
    int too large for a float, is a ValueError. Shape and finiteness are left to the caller.
    """
    requirement = "an array of numbers"
    if isinstance(value, (str, bytes)):
        raise _type_error(subject, requirement, value)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # e.g. lists of unequal lengths
        raise ValueError(
            f"{subject} must be {requirement} with a regular shape (nested lists of equal lengths). "
            f"Got {describe(value)} instead."
        ) from None
    kind = array.dtype.kind
    if kind == "b" or (kind in "iuf" and _holds_a_bool(value)):
        shown = _cut(repr(value)) if isinstance(value, (list, tuple)) else describe(value)  # not the 0/1 copy
        raise TypeError(
            f"{subject} must be {requirement}, not booleans. Got {shown} instead; "
            "convert with .astype(float) if 0/1 is meant."
        )
    if kind == "O":  # Python objects: accept real numbers such as Fraction or ints beyond int64, nothing else
        if array.ndim == 0:
            raise _type_error(subject, requirement, value)
        flat = array.ravel()
        check_real_items(flat, subject, requirement, value)
        try:
            return np.array([float(item) for item in flat], dtype=np.float64).reshape(array.shape)
        except OverflowError:
            raise ValueError(
                f"{subject} must be {requirement} within the float range. Got {describe(value)} instead."
            ) from None
    if kind not in "iuf":
        detail = ", real: complex numbers are not supported" if kind == "c" else ""
        raise TypeError(
            f"{subject} must be {requirement}{detail}. Got {describe(value)} (dtype {array.dtype}) instead."
        )
    return np.array(array, dtype=np.float64, order="C", copy=True)


def check_real_items(items: Any, subject: str, requirement: str, value: Any) -> None:
    """TypeError naming ``subject`` unless every item is a real number and not a bool (``value`` is what the
    caller passed, shown in the message)."""
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real):
            raise TypeError(
                f"{subject} must be {requirement}. Got {describe(value)} (holding {item!r} of type "
                f"{type(item).__name__}) instead."
            )


def _holds_a_bool(value: Any) -> bool:
    """True if nested lists or tuples hold a bool, which numpy would silently turn into 0 or 1 next to numbers."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, (list, tuple)):
            pending.extend(item)
        elif isinstance(item, (bool, np.bool_)):
            return True
    return False


def as_float_array(value: Any, param: str, owner: str, *, ndim: int) -> NDArray[np.float64]:
    """``value`` as a new float64 array with ``ndim`` dimensions, at least one element on each axis, all finite.

    Strings, bools and other non-numbers are a TypeError (see :func:`as_numeric_array`).
    """
    array = as_numeric_array(value, f"The '{param}' parameter of {owner}")
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

    The array is returned without a copy when it already is float64; the caller must not write to it. Strings,
    bools and other non-numbers are a TypeError.
    """
    where = f"The 'weights' passed to {owner}.step"
    if isinstance(weights, np.ndarray) and weights.dtype == np.float64:
        array = weights  # the common case: no copy, no scan
    else:
        array = as_numeric_array(weights, where)
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
