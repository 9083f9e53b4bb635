"""Validation of user input: the one module that owns the error messages.

Messages follow one format (after scikit-learn's parameter validation)::

    The 'eta' parameter of Hedge must be a float in the range [0, inf]. Got -1.0 instead.

Kernels never validate; the public wrappers always do, before any state changes.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray


def _owner_phrase(owner: str | None) -> str:
    return f" of {owner}" if owner else ""


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        with np.printoptions(threshold=8, edgeitems=3, precision=6):
            return repr(value)
    return repr(value)


def as_real_array(value: Any, name: str, owner: str | None = None) -> NDArray[np.float64]:
    """Return ``value`` as a float64 ndarray (a copy only when needed), refusing complex and non-numeric input."""
    try:
        array = np.asarray(value)
    except ValueError:  # a ragged nesting of lists
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be an array of real numbers with a regular shape. "
            f"Got {_show(value)} instead."
        ) from None
    if np.iscomplexobj(array):
        raise TypeError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be real: complex numbers are not supported. "
            f"Got an array of dtype {array.dtype} instead."
        )
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be an array of real numbers. "
            f"Got {_show(value)} (dtype {array.dtype}) instead."
        )
    return np.asarray(array, dtype=np.float64)


def check_real(
    value: Any,
    name: str,
    owner: str | None = None,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a real number in the given interval (NaN never passes)."""
    interval = f"{'(' if low_open else '['}{_fmt(low)}, {_fmt(high)}{')' if high_open else ']'}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be a float in the range {interval}. "
            f"Got {_show(value)} of type {type(value).__name__} instead."
        )
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be a float in the range {interval}. "
            f"Got an int too large for a double ({int(value).bit_length()} bits) instead."
        ) from None
    below = number < low or (low_open and number == low)
    above = number > high or (high_open and number == high)
    if math.isnan(number) or below or above:
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be a float in the range {interval}. "
            f"Got {number!r} instead."
        )
    return number


def check_int(value: Any, name: str, owner: str | None = None, *, low: int | None = None,
              high: int | None = None) -> int:
    """Return ``value`` as an int after checking it is an integer (not a bool) within [low, high]."""
    bounds = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be an int in the range {bounds}. "
            f"Got {_show(value)} of type {type(value).__name__} instead."
        )
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be an int in the range {bounds}. "
            f"Got {number} instead."
        )
    return number


def check_expert_predictions(value: Any, n_experts: int, owner: str) -> NDArray[np.float64]:
    """Return the experts' forecasts as a float64 array of shape (N,) or (N, d), N = ``n_experts``."""
    predictions = as_real_array(value, "expert_predictions", owner)
    if predictions.ndim not in (1, 2) or predictions.shape[0] != n_experts:
        raise ValueError(
            f"The 'expert_predictions' parameter of {owner} must have shape ({n_experts},) or "
            f"({n_experts}, d). Got shape {predictions.shape} instead."
        )
    return predictions


def check_prior(prior: ArrayLike | None, n_experts: Any, owner: str) -> NDArray[np.float64]:
    """The prior as a float64 array summing to one (uniform for None); ValueError naming 'prior' otherwise."""
    size = check_int(n_experts, "n_experts", owner, low=1)
    if prior is None:
        return np.full(size, 1.0 / size)
    values = as_real_array(prior, "prior", owner)
    if values.shape != (size,) or not (np.isfinite(values).all() and (values > 0).all()):
        raise ValueError(
            f"The 'prior' parameter of {owner} must be an array of shape ({size},) "
            "of positive finite numbers. "
            f"Got {values!r} instead."
        )
    with np.errstate(over="ignore"):
        total = values.sum()
    if not math.isfinite(total):  # each entry finite, their sum not: scale by the largest first
        values = values / values.max()
        total = values.sum()
    return values / total


def check_seeds(seeds: Any, owner: str) -> list[int]:
    """Return ``seeds`` as an ascending list of distinct ints >= 0 (the simulators' frames are sorted by seed): a
    count ``n`` (an int >= 1) means ``range(n)``."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, (bool, np.bool_)):
        return list(range(check_int(seeds, "seeds", owner, low=1)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, (Sequence, np.ndarray)):
        raise TypeError(
            f"The 'seeds' parameter of {owner} must be a count (an int >= 1) or a list of ints >= 0. "
            f"Got {seeds!r} instead."
        )
    values = [check_int(seed, "seeds", owner, low=0) for seed in seeds]
    if not values or len(set(values)) != len(values):
        raise ValueError(
            f"The 'seeds' parameter of {owner} must be a non-empty list of distinct ints >= 0. "
            f"Got {list(seeds)!r} instead."
        )
    return sorted(values)


def check_choice(value: Any, name: str, choices: tuple[str, ...], owner: str | None = None) -> str:
    """Return ``value`` after checking it is one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} must be one of {options}. Got {_show(value)} instead."
        )
    return value


def normalize_axes(axis: Any, ndim: int, name: str = "axis", owner: str | None = None) -> tuple[int, ...]:
    """Turn ``axis`` (None, an int or a tuple of ints) into a sorted tuple of distinct non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    items = axis if isinstance(axis, tuple) else (axis,)
    axes = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Integral):
            raise TypeError(
                f"The '{name}' parameter{_owner_phrase(owner)} must be None, an int or a tuple of ints. "
                f"Got {_show(axis)} instead."
            )
        if not -ndim <= int(item) < ndim:
            raise ValueError(
                f"The '{name}' parameter{_owner_phrase(owner)} is out of range for an array of dimension {ndim}. "
                f"Got {_show(axis)} instead."
            )
        axes.append(int(item) % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(
            f"The '{name}' parameter{_owner_phrase(owner)} repeats an axis. Got {_show(axis)} instead."
        )
    return tuple(sorted(axes))


def _fmt(bound: float) -> str:
    if math.isinf(bound):
        return "inf" if bound > 0 else "-inf"
    return f"{bound:g}"
