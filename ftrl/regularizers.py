r"""Regularizers on the probability simplex for Follow the Regularized Leader, each with a compiled argmin.

FTRL plays :math:`p_t = \arg\min_{p \in \Delta_N} \langle p, L_{t-1}\rangle + R(p)/\eta_t`. Each regularizer
here supplies that argmin as a numba kernel; :func:`regularizer_argmin` dispatches on an integer code and a
float64 parameter array so that one compiled FTRL loop serves them all.

=====================  ==========================================================  ==========================
regularizer            :math:`R(p)`                                                argmin
=====================  ==========================================================  ==========================
``NegativeEntropy``    :math:`\sum_i p_i \ln p_i`                                  :math:`\mathrm{softmax}(-\eta L)`
``Euclidean``          :math:`\tfrac12 \lVert p \rVert_2^2`                          projection of :math:`-\eta L`
``Tsallis(alpha)``     :math:`\frac{1 - \sum_i p_i^\alpha}{\alpha(1-\alpha)}`       :math:`((1-\alpha)\eta(L_i - x))^{-1/(1-\alpha)}`
``LogBarrier``         :math:`-\sum_i \ln p_i`                                     :math:`1 / (\eta (L_i - x))`
=====================  ==========================================================  ==========================

The Tsallis scaling :math:`1/(\alpha(1-\alpha))` makes the family continuous at both ends: :math:`\alpha \to 1`
gives the negative entropy and :math:`\alpha \to 0` the log barrier (up to constants), and :math:`\alpha = 1/2`
gives :math:`4 - 4\sum_i\sqrt{p_i}`, the regularizer of Tsallis-INF, whose argmin is
:math:`p_i = 4/(\eta(L_i - x))^2`. For the Tsallis and log-barrier argmins the normalizer :math:`x < \min_i L_i`
is found by a safeguarded Newton iteration on :math:`y = \min_i L_i - x` (bracket
:math:`[1/c, N^{1-\alpha}/c]`, :math:`c = (1-\alpha)\eta`), applied to the power mean
:math:`(\sum_i p_i)^{-(1-\alpha)}`, to :math:`|\sum_i p_i - 1| \le 10^{-13}`; the result is then renormalized.
The Euclidean projection is Michelot's method (a few O(N) passes, no sort).

References
----------
C. Michelot, "A finite algorithm for finding the projection of a point onto the canonical simplex of R^n",
J. Optim. Theory Appl. 50(1), 1986. L. Condat, "Fast projection onto the simplex and the l1 ball", Math.
Program. 158, 2016.
J. Zimmert, Y. Seldin, "Tsallis-INF: An optimal algorithm for stochastic and adversarial bandits", JMLR 22, 2021.
F. Orabona, "A Modern Introduction to Online Learning", 2019, ch. 7.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import as_real_array, check_choice, check_real
from ftrl.ops import _row_min, entropic_value, entropic_weights, vector_sum

__all__ = [
    "ENTROPY",
    "EUCLIDEAN",
    "LOG_BARRIER",
    "TSALLIS",
    "Euclidean",
    "LogBarrier",
    "NegativeEntropy",
    "Regularizer",
    "Tsallis",
    "make_regularizer",
    "regularizer_argmin",
    "regularizer_penalty",
]

ENTROPY = 0
EUCLIDEAN = 1
TSALLIS = 2
LOG_BARRIER = 3

_NEWTON_TOLERANCE = 1e-13
_NEWTON_MAX_STEPS = 200


@kernel(reassociate=True)
def _sum_above(cum_losses: NDArray[np.float64], lowest: float, eta: float, threshold: float) -> tuple[float, int]:
    r"""The sum and the number of the :math:`v_i = -\eta(L_i - \min L)` above ``threshold``: one read-only
    vectorized pass (order fixed by N)."""
    total = 0.0
    count = 0
    for i in range(cum_losses.shape[0]):
        value = -eta * (cum_losses[i] - lowest)
        above = value > threshold
        total += value if above else 0.0
        count += above
    return total, count


@kernel
def euclidean_argmin(cum_losses: NDArray[np.float64], eta: float, out: NDArray[np.float64]) -> None:
    r"""Write the Euclidean projection of :math:`v = -\eta (L - \min L)` onto the simplex into ``out``:
    :math:`p_i = \max(v_i - \tau, 0)` with :math:`\sum_i p_i = 1`.

    Michelot's method: :math:`\tau = (\sum_{i \in I} v_i - 1)/|I|` over the set :math:`I` of the :math:`v_i` above
    the previous :math:`\tau`, starting from all of them; :math:`\tau` increases, :math:`I` shrinks, and when it
    stops shrinking :math:`\tau` is the threshold (at most N passes, a few in practice, each one vectorized pass
    of :func:`_sum_above`; no sort, no scratch array). The shift by :math:`\min L` (the projection is translation
    invariant) makes the largest :math:`v_i` 0, so nothing overflows and the leader is always in :math:`I`.
    ``eta = inf`` gives the uniform distribution over the minimizers.
    """
    n = cum_losses.shape[0]
    if eta == np.inf:
        entropic_weights(cum_losses, eta, out)
        return
    lowest = _row_min(cum_losses)
    total, count = _sum_above(cum_losses, lowest, eta, -np.inf)
    threshold = (total - 1.0) / count
    for _ in range(n):
        total, active = _sum_above(cum_losses, lowest, eta, threshold)
        if active == count:
            break
        count = active
        threshold = (total - 1.0) / count
    for i in range(n):
        out[i] = max(-eta * (cum_losses[i] - lowest) - threshold, 0.0)


@kernel
def _power_term(z: float, exponent: float) -> float:
    r""":math:`z^{-e}` for :math:`z \ge 1`: by division for :math:`e = 2` (Tsallis, :math:`\alpha = 1/2`) and
    :math:`e = 1` (log-barrier), libm's ``pow`` for any other exponent."""
    if exponent == 2.0:
        inverse = 1.0 / z
        return inverse * inverse
    if exponent == 1.0:
        return 1.0 / z
    return z ** -exponent


@kernel
def _power_root(value: float, exponent: float) -> float:
    r""":math:`v^{1/e}`: a square root for :math:`e = 2`, :math:`v` itself for :math:`e = 1`, libm's ``pow``
    otherwise."""
    if exponent == 2.0:
        return math.sqrt(value)
    if exponent == 1.0:
        return value
    return value ** (1.0 / exponent)


@kernel(reassociate=True)
def _power_sums(
    cum_losses: NDArray[np.float64], lowest: float, y: float, scale: float, exponent: float
) -> tuple[float, float]:
    r""":math:`(\sum_i z_i^{-e}, \sum_i z_i^{-e-1})`, :math:`z_i = s\,(L_i - \min L + y)`: the function and
    (up to :math:`-e s`) the slope of one Newton step of :func:`power_argmin`, in one pass. A reassociating loop
    that only reads, like :func:`ftrl.ops.vector_sum`: its order depends on N alone. One loop per exponent, so
    that the two common ones vectorize with a single division per entry."""
    total = 0.0
    slope = 0.0
    if exponent == 2.0:
        for i in range(cum_losses.shape[0]):
            inverse = 1.0 / (scale * (cum_losses[i] - lowest + y))
            term = inverse * inverse
            total += term
            slope += term * inverse
    elif exponent == 1.0:
        for i in range(cum_losses.shape[0]):
            inverse = 1.0 / (scale * (cum_losses[i] - lowest + y))
            total += inverse
            slope += inverse * inverse
    else:
        for i in range(cum_losses.shape[0]):
            z = scale * (cum_losses[i] - lowest + y)
            term = z ** -exponent
            total += term
            slope += term / z
    return total, slope


_SMALLEST_SCALE = 1e-200
r"""Below this :math:`(1-\alpha)\eta`, :func:`power_argmin` solves in units of :math:`1/((1-\alpha)\eta)`: the
bracket [1/scale, N^(1-alpha)/scale] and its midpoints would overflow near 1e-308 (the weights came out NaN)."""


@kernel
def power_argmin(cum_losses: NDArray[np.float64], eta: float, alpha: float, out: NDArray[np.float64]) -> None:
    r"""Write :math:`p_i = ((1-\alpha)\eta(L_i - x))^{-1/(1-\alpha)}` with :math:`\sum_i p_i = 1` into ``out``.

    The Tsallis argmin for :math:`\alpha \in (0, 1)` and the log-barrier argmin for :math:`\alpha = 0`. With
    :math:`y = \min L - x`, :math:`z_i = (1-\alpha)\eta(L_i - \min L + y)`, :math:`e = 1/(1-\alpha)` and
    :math:`S(y) = \sum_i z_i^{-e}`, Newton's method solves :math:`F(y) = S(y)^{-1/e} - 1 = 0` from the left end of
    the bracket. :math:`S^{-1/e}` is a power mean of the :math:`z_i` with a negative exponent (up to the factor
    :math:`N^{-1/e}`), concave and increasing in y, and linear when the :math:`L_i` are equal: the tangents lie
    above it, so the iterates increase to the root without overshooting, and few are needed. The step is
    :math:`S(S^{1/e} - 1)/((1-\alpha)\eta\sum_i z_i^{-e-1})`; a step that leaves the bracket is replaced by
    bisection. Each step is one vectorized pass (:func:`_power_sums`).
    """
    n = cum_losses.shape[0]
    if eta == np.inf or n == 1:
        entropic_weights(cum_losses, np.inf, out)
        return
    lowest = _row_min(cum_losses)
    scale = (1.0 - alpha) * eta
    if scale >= _SMALLEST_SCALE:
        _power_solve(cum_losses, lowest, scale, alpha, out)
        return
    # eta so small that the bracket's ends, about 1/((1-alpha) eta), and their sums could overflow: solve in units
    # of 1/scale, on z_i = scale (L_i - min L) + u with u in [1, N^(1-alpha)] (the same root; ``out`` holds the
    # scaled losses)
    for i in range(n):
        out[i] = scale * (cum_losses[i] - lowest)
    _power_solve(out, 0.0, 1.0, alpha, out)


@kernel
def _power_solve(cum_losses: NDArray[np.float64], lowest: float, scale: float, alpha: float,
                 out: NDArray[np.float64]) -> None:
    """The Newton iteration of :func:`power_argmin` and the weights it gives, written into ``out`` (which may be
    ``cum_losses`` itself: each entry is read before it is written)."""
    n = cum_losses.shape[0]
    exponent = 1.0 / (1.0 - alpha)
    low = 1.0 / scale
    high = n ** (1.0 - alpha) / scale
    y = low
    for _ in range(_NEWTON_MAX_STEPS):
        total, slope = _power_sums(cum_losses, lowest, y, scale, exponent)
        excess = total - 1.0
        if abs(excess) <= _NEWTON_TOLERANCE:
            break
        if excess > 0.0:
            low = y
        else:
            high = y
        step = y + total * (_power_root(total, exponent) - 1.0) / (scale * slope)
        if not low < step < high:
            step = 0.5 * (low + high)
        if step == y:
            break
        y = step
    for i in range(n):
        out[i] = _power_term(scale * (cum_losses[i] - lowest + y), exponent)
    normalizer = 1.0 / vector_sum(out)
    for i in range(n):
        out[i] *= normalizer


@kernel
def regularizer_argmin(code: int, params: NDArray[np.float64], cum_losses: NDArray[np.float64], eta: float,
                       out: NDArray[np.float64]) -> None:
    r"""Write :math:`\arg\min_{p\in\Delta}\langle p, L\rangle + R(p)/\eta` for regularizer ``code`` into ``out``."""
    if code == EUCLIDEAN:
        euclidean_argmin(cum_losses, eta, out)
    elif code == TSALLIS:
        power_argmin(cum_losses, eta, params[0], out)
    elif code == LOG_BARRIER:
        power_argmin(cum_losses, eta, 0.0, out)
    else:
        entropic_weights(cum_losses, eta, out)


@kernel
def regularizer_penalty(code: int, params: NDArray[np.float64], p: NDArray[np.float64]) -> float:
    """The regularizer :math:`R(p)` of ``code`` at a point ``p`` of the simplex (``0 ln 0 = 0``)."""
    total = 0.0
    if code == EUCLIDEAN:
        for value in p:
            total += 0.5 * value * value
        return total
    if code == TSALLIS:
        alpha = params[0]
        for value in p:
            total += value ** alpha
        return (1.0 - total) / (alpha * (1.0 - alpha))
    if code == LOG_BARRIER:
        for value in p:
            total -= math.log(value)
        return total
    for value in p:
        total += value * math.log(value) if value > 0.0 else 0.0
    return total


class Regularizer:
    r"""A regularizer on the simplex: ``name``, ``params``, a kernel ``code`` and its ``argmin`` and ``value``.

    ``argmin(L, eta)`` is :math:`\arg\min_{p\in\Delta}\langle p, L\rangle + R(p)/\eta` and ``value(L, eta)`` the
    minimum itself. ``diameter(N)`` is :math:`\max_\Delta R - \min_\Delta R` and ``rate_constant(N)`` the
    constant :math:`c` of the tuned rate :math:`\eta = \sqrt{c/T}` used by :class:`ftrl.FTRL`.
    """

    name: ClassVar[str] = ""
    code: ClassVar[int] = ENTROPY

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}
        self._kernel_params = np.zeros(1)

    @property
    def kernel_params(self) -> NDArray[np.float64]:
        """The float64 parameter array passed to the kernels with :attr:`code`."""
        return self._kernel_params

    def _check(self, cum_losses: ArrayLike, eta: Any) -> tuple[NDArray[np.float64], float]:
        owner = type(self).__name__
        losses = as_real_array(cum_losses, "cum_losses", owner)
        if losses.ndim != 1 or losses.shape[0] == 0 or not np.isfinite(losses).all():
            raise ValueError(
                f"The 'cum_losses' parameter of {owner} must be a non-empty finite 1-D array. Got {losses!r} instead."
            )
        rate = check_real(eta, "eta", owner, low=0.0, high=math.inf, low_open=True, high_open=True)
        return np.ascontiguousarray(losses), rate

    def argmin(self, cum_losses: ArrayLike, eta: float) -> NDArray[np.float64]:
        r""":math:`\arg\min_{p\in\Delta_N}\langle p, L\rangle + R(p)/\eta` for finite ``eta > 0``."""
        losses, rate = self._check(cum_losses, eta)
        out = np.empty_like(losses)
        regularizer_argmin(self.code, self._kernel_params, losses, rate, out)
        return out

    def penalty(self, p: ArrayLike) -> float:
        """:math:`R(p)` at a point of the simplex."""
        return float(regularizer_penalty(self.code, self._kernel_params,
                                         np.ascontiguousarray(as_real_array(p, "p", type(self).__name__))))

    def value(self, cum_losses: ArrayLike, eta: float) -> float:
        r""":math:`\min_{p\in\Delta_N}\langle p, L\rangle + R(p)/\eta`."""
        losses, rate = self._check(cum_losses, eta)
        p = self.argmin(losses, rate)
        return float(p @ losses + self.penalty(p) / rate)

    def diameter(self, n_experts: int) -> float:
        r""":math:`\max_{\Delta_N} R - \min_{\Delta_N} R`."""
        raise NotImplementedError(f"{type(self).__name__} must implement diameter(n_experts)")

    def rate_constant(self, n_experts: int) -> float:
        r"""The :math:`c` of the tuned rate :math:`\sqrt{c/T}` (losses in [0, 1]), from :math:`D/\eta + \eta T G/2`."""
        return 2.0 * self.diameter(n_experts)

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{type(self).__name__}({arguments})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.params == self.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.params.items()))))


class NegativeEntropy(Regularizer):
    r"""The negative entropy :math:`R(p) = \sum_i p_i \ln p_i`; argmin :math:`\mathrm{softmax}(-\eta L)` (Hedge).

    Its value is the smooth minimum :math:`-\frac1\eta \ln\sum_i e^{-\eta L_i}`. Diameter :math:`\ln N`; the tuned
    constant is Hoeffding's :math:`c = 8 \ln N`, so FTRL with it is exactly Hedge.
    """

    name: ClassVar[str] = "entropy"
    code: ClassVar[int] = ENTROPY

    def value(self, cum_losses: ArrayLike, eta: float) -> float:
        losses, rate = self._check(cum_losses, eta)
        return float(entropic_value(losses, rate))

    def diameter(self, n_experts: int) -> float:
        return math.log(n_experts)

    def rate_constant(self, n_experts: int) -> float:
        return 8.0 * math.log(n_experts)


class Euclidean(Regularizer):
    r"""The squared Euclidean norm :math:`R(p) = \tfrac12\lVert p\rVert_2^2`: projected (lazy) gradient descent.

    Argmin: the Euclidean projection of :math:`-\eta L` onto the simplex (Michelot 1986). Diameter
    :math:`(1 - 1/N)/2`; with :math:`\lVert\ell\rVert_2^2 \le N` the tuned constant is :math:`c = 2D/N`.
    """

    name: ClassVar[str] = "euclidean"
    code: ClassVar[int] = EUCLIDEAN

    def diameter(self, n_experts: int) -> float:
        return 0.5 * (1.0 - 1.0 / n_experts)

    def rate_constant(self, n_experts: int) -> float:
        return 2.0 * self.diameter(n_experts) / n_experts


class Tsallis(Regularizer):
    r"""The Tsallis entropy regularizer :math:`R(p) = (1 - \sum_i p_i^\alpha)/(\alpha(1-\alpha))`, alpha in (0, 1).

    Argmin :math:`p_i = ((1-\alpha)\eta(L_i - x))^{-1/(1-\alpha)}` with the normalizer found by safeguarded Newton.
    Diameter :math:`(N^{1-\alpha} - 1)/(\alpha(1-\alpha))`; the Hessian is :math:`\mathrm{diag}(p^{\alpha-2})`,
    so the local-norm term of a loss in [0, 1] is at most :math:`\sum_i p_i^{2-\alpha} \le 1` and :math:`c = 2D`.

    Parameters
    ----------
    alpha : float
        In the open interval (0, 1); 1/2 is the regularizer of Tsallis-INF.
    """

    name: ClassVar[str] = "tsallis"
    code: ClassVar[int] = TSALLIS

    def __init__(self, alpha: float = 0.5) -> None:
        super().__init__()
        self.alpha = check_real(alpha, "alpha", "Tsallis", low=0.0, high=1.0, low_open=True, high_open=True)
        self.params = {"alpha": self.alpha}
        self._kernel_params = np.array([self.alpha])

    def diameter(self, n_experts: int) -> float:
        return (n_experts ** (1.0 - self.alpha) - 1.0) / (self.alpha * (1.0 - self.alpha))


class LogBarrier(Regularizer):
    r"""The log barrier :math:`R(p) = -\sum_i \ln p_i`; argmin :math:`p_i = 1/(\eta(L_i - x))` by Newton.

    It is unbounded on the simplex (infinite diameter), so FTRL with it needs an explicit ``eta``.
    """

    name: ClassVar[str] = "log-barrier"
    code: ClassVar[int] = LOG_BARRIER

    def diameter(self, n_experts: int) -> float:
        return math.inf if n_experts > 1 else 0.0


_REGULARIZERS: dict[str, type[Regularizer]] = {
    cls.name: cls for cls in (NegativeEntropy, Euclidean, Tsallis, LogBarrier)
}


def make_regularizer(regularizer: Regularizer | str, owner: str | None = None,
                     params: dict[str, Any] | None = None) -> Regularizer:
    """A regularizer from an object, or from a name ('entropy', 'euclidean', 'tsallis', 'log-barrier') and params."""
    if isinstance(regularizer, Regularizer):
        if params:
            raise ValueError(
                f"The 'regularizer_params' parameter{' of ' + owner if owner else ''} applies only to a regularizer "
                f"given by name. Got {params!r} with {regularizer!r} instead."
            )
        return regularizer
    name = check_choice(regularizer, "regularizer", tuple(_REGULARIZERS), owner)
    try:
        return _REGULARIZERS[name](**(params or {}))
    except TypeError:
        raise ValueError(
            f"The 'regularizer_params' parameter{' of ' + owner if owner else ''} does not fit the {name!r} "
            f"regularizer. Got {params!r} instead."
        ) from None
