"""The one place where numba flags live.

Every kernel of the package is compiled with :func:`kernel`: ``cache=True`` so a second process does not pay the
compilation again, ``nogil=True`` so threads can share it, ``error_model="numpy"`` (division by zero gives inf/nan
as in numpy instead of raising), and a deliberately small fast-math set.

Only ``contract`` (fused multiply-add) is allowed. ``nnan``/``ninf`` are left out so that -inf log-weights and NaN
checks keep their IEEE meaning, and ``reassoc`` is left out because it would fold the round-to-nearest shift
``(x + 1.5 * 2**52) - 1.5 * 2**52`` that :func:`ftrl.ops.fast_exp` relies on.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from numba import njit

FASTMATH: frozenset[str] = frozenset({"contract"})

F = TypeVar("F", bound=Callable)


def kernel(function: F) -> F:
    """Compile ``function`` as a cached, GIL-free numba kernel with the package's flags."""
    return njit(cache=True, nogil=True, fastmath=set(FASTMATH), error_model="numpy")(function)
