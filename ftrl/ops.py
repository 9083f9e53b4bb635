r"""Numerical core: log-sum-exp, softmax and the entropic argmin of Follow-the-Regularized-Leader.

The public functions validate their input, move the reduced axes last, and hand contiguous ``(rows, k)`` arrays to
numba kernels that make one or two passes per row. The kernels share :func:`fast_exp`, an exponential written so
that LLVM can vectorize the loops around it.

With the negative entropy :math:`R(p) = \sum_i p_i \log p_i` on the simplex :math:`\Delta_N`,

.. math::

    \arg\min_{p \in \Delta_N} \langle p, L \rangle + R(p)/\eta = \operatorname{softmax}(-\eta L),
    \qquad
    \min_{p \in \Delta_N} \langle p, L \rangle + R(p)/\eta = -\tfrac{1}{\eta}\operatorname{logsumexp}(-\eta L),

see ``docs/theory.md`` for the derivation.

References
----------
P. Blanchard, D. J. Higham, N. J. Higham, "Accurately computing the log-sum-exp and softmax functions",
IMA Journal of Numerical Analysis 41(4), 2021.
N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006, ch. 2.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ftrl._jit import kernel
from ftrl._validation import as_real_array, check_real, normalize_axes

__all__ = [
    "entropic_argmin",
    "entropic_value",
    "entropic_weights",
    "exp_nonpositive",
    "fast_exp",
    "lane_sum",
    "logsumexp",
    "ordered_dot",
    "smooth_min",
    "softmax",
    "vector_dot",
    "vector_sum",
]

_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact for |k| < 2**11 (fdlibm)
_LN2_LO = 1.9082149292705877e-10
_ROUND_SHIFT = 6755399441055744.0  # 1.5 * 2**52: adding and subtracting it rounds to the nearest integer
_EXP_LOW = -746.0  # exp(x) rounds to 0 below about -745.13
_EXP_HIGH = 710.0  # exp(x) overflows above about 709.78


@kernel
def _exp_taylor(r: float) -> float:
    r""":math:`e^r` for :math:`|r| \le \ln 2 / 2` by its degree-12 Taylor polynomial (truncation error below
    2e-16 relative), the core of :func:`fast_exp` and :func:`exp_nonpositive`."""
    return 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (
        1.0 / 720.0 + r * (1.0 / 5040.0 + r * (1.0 / 40320.0 + r * (1.0 / 362880.0 + r * (
            1.0 / 3628800.0 + r * (1.0 / 39916800.0 + r * (1.0 / 479001600.0))))))))))))


@kernel
def fast_exp(x: float) -> float:
    r"""exp(x) in double precision, branch-free so that loops calling it vectorize.

    Range reduction :math:`x = k \ln 2 + r`, :math:`|r| \le \ln 2 / 2`, then a degree-12 Taylor polynomial for
    :math:`e^r` (truncation error below 2e-16 relative) and :math:`2^k` built from its IEEE bits in two halves so
    that results in the subnormal range and the overflow to inf come out right. Accurate to a few ulp over the
    whole double range; exp(-inf) = 0, exp(inf) = inf, exp(nan) = nan.
    """
    clamped = min(max(x, _EXP_LOW), _EXP_HIGH)
    k_float = (clamped * _LOG2E + _ROUND_SHIFT) - _ROUND_SHIFT
    r = (clamped - k_float * _LN2_HI) - k_float * _LN2_LO
    poly = _exp_taylor(r)
    k = np.int64(k_float)
    k_half = k >> 1
    scale_a = np.int64((k_half + 1023) << 52).view(np.float64)
    scale_b = np.int64((k - k_half + 1023) << 52).view(np.float64)
    result = poly * scale_a * scale_b
    return result if x == x else x


_SCALE_BITS_BIAS = np.int64((1023 + 64) << 52)
_TWO_TO_MINUS_64 = 2.0**-64


@kernel
def exp_nonpositive(x: float) -> float:
    r"""exp(x) for :math:`x \le 0` (and -inf), the same bits as :func:`fast_exp` with fewer operations.

    The same reduction and polynomial; the integer k is read from the bits of the rounding sum
    :math:`x\log_2 e + 1.5 \cdot 2^{52}` (its low bits hold k + :math:`2^{51}`, which shifting by 52 drops), and
    :math:`2^k` is applied as :math:`2^{k+64}` then :math:`2^{-64}`: the first product is exact (k + 64 >= -1013),
    the second rounds once, into the subnormals if need be, which is what the two half scalings of
    :func:`fast_exp` give. No clamp above and no NaN test: right for :math:`x \le 665`, NaN not propagated.
    Tested bit for bit against :func:`fast_exp` on x <= 0, subnormal results included.
    """
    clamped = max(x, _EXP_LOW)
    rounded = clamped * _LOG2E + _ROUND_SHIFT
    k_float = rounded - _ROUND_SHIFT
    r = (clamped - k_float * _LN2_HI) - k_float * _LN2_LO
    poly = _exp_taylor(r)
    scale = np.int64((np.float64(rounded).view(np.int64) << 52) + _SCALE_BITS_BIAS).view(np.float64)
    return (poly * scale) * _TWO_TO_MINUS_64


@kernel
def _sign(value: float) -> float:
    if value > 0.0:
        return 1.0
    if value < 0.0:
        return -1.0
    return value  # keeps 0.0 and nan


_SIGN_CLEAR = np.int64(0x7FFFFFFFFFFFFFFF)
_SMALLEST_INT64 = np.int64(-0x7FFFFFFFFFFFFFFF - 1)


@kernel
def order_key(value: float) -> np.int64:
    """An int64 that orders as ``value`` does: the IEEE bits, with the magnitude bits flipped for negatives.

    -inf < finite < inf map to increasing keys; a NaN maps above +inf (sign bit clear) or below -inf (set). It is
    its own inverse on the bits (see :func:`from_order_key`). Integer min/max reductions vectorize; float ones
    do not without fast-math flags that would drop NaN semantics.
    """
    bits = np.float64(value).view(np.int64)
    return bits ^ ((bits >> 63) & _SIGN_CLEAR)


@kernel
def from_order_key(key: np.int64) -> float:
    """The double whose :func:`order_key` is ``key``."""
    return np.int64(key ^ ((key >> 63) & _SIGN_CLEAR)).view(np.float64)


@kernel
def _row_max(row: NDArray[np.float64]) -> float:
    """Largest entry by :func:`order_key` (-inf for an empty row); a NaN with its sign bit clear is returned as the
    largest, one with the sign bit set is skipped: callers let NaN propagate through their sums."""
    largest = order_key(-np.inf)
    for j in range(row.shape[0]):
        key = order_key(row[j])
        largest = key if key > largest else largest
    return from_order_key(largest)


@kernel
def accumulate_min(loss: NDArray[np.float64], cum_losses: NDArray[np.float64]) -> float:
    r""":math:`L \mathrel{+}= \ell`; returns the new :math:`\min_i L_i` (an integer reduction over
    :func:`order_key`, so that the loop vectorizes)."""
    lowest = order_key(np.inf)
    for i in range(cum_losses.shape[0]):
        value = cum_losses[i] + loss[i]
        cum_losses[i] = value
        lowest = min(lowest, order_key(value))
    return from_order_key(lowest)


@kernel
def _row_min(row: NDArray[np.float64]) -> float:
    """Smallest entry by :func:`order_key` (inf for an empty row); for rows without NaN."""
    smallest = order_key(np.inf)
    for j in range(row.shape[0]):
        key = order_key(row[j])
        smallest = key if key < smallest else smallest
    return from_order_key(smallest)


@kernel
def _has_nan(row: NDArray[np.float64]) -> bool:
    for value in row:
        if value != value:
            return True
    return False


LANES = 8
"""Doubles per AVX-512 vector register: the width the package's vector loops are laid out for (sums in eight
lanes, packing and padding eight entries at a time)."""


@kernel
def lane_sum(values: NDArray[np.float64]) -> float:
    """Sum over eight interleaved lanes, in an order fixed by the code.

    The result is the same bit for bit wherever the array lives in memory and whichever kernel the sum is
    inlined into (a reassociated reduction may fall back to a scalar loop when two arrays sit close together, and
    round differently). The eight chains are independent, so the loop is bound by the two scalar additions per
    cycle the core can start, not by their latency; LLVM does not turn them into vector additions (its SLP
    vectorizer leaves loop-carried accumulators alone), see ``docs/learners.md``. The kernels whose speed hangs on
    a sum use a reassociating loop instead (:func:`ftrl._jit.kernel`).
    """
    n = values.shape[0]
    stop = n - n % LANES
    l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = 0.0
    for start in range(0, stop, LANES):
        l0 += values[start]
        l1 += values[start + 1]
        l2 += values[start + 2]
        l3 += values[start + 3]
        l4 += values[start + 4]
        l5 += values[start + 5]
        l6 += values[start + 6]
        l7 += values[start + 7]
    total = ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7))
    for i in range(stop, n):
        total += values[i]
    return total


@kernel(reassociate=True)
def vector_sum(values: NDArray[np.float64]) -> float:
    r"""The sum by LLVM's vectorized reduction: a reassociating kernel, so the order of the additions is LLVM's
    (vector lanes, unrolled, combined in a tree), fixed by the length alone. The loop only reads, so there is no
    run-time overlap check that could send it to a scalar copy, and the bits do not depend on where the array
    lies or which kernel the sum is inlined into (tested). Four times the speed of :func:`lane_sum`, whose
    order is written in the code but whose eight chains stay scalar."""
    total = 0.0
    for i in range(values.shape[0]):
        total += values[i]
    return total


@kernel(reassociate=True)
def vector_dot(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    r""":math:`\langle x, y\rangle` by LLVM's vectorized reduction, in an order fixed by the length alone, as
    :func:`vector_sum`."""
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


@kernel
def ordered_dot(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """The inner product summed in index order: for per-round bookkeeping where a row is short and the Python
    and compiled paths must give the same bits."""
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] * y[i]
    return total


@kernel(reassociate=True)
def sum_exp_below(row: NDArray[np.float64], shift: float, scale: float) -> tuple[float, float]:
    """Sum of exp(scale * (x - shift)) over the entries x != shift, and the number of entries equal to shift.

    The entries equal to ``shift`` (the largest, or the smallest with ``scale < 0``) are taken out of the sum, as
    Blanchard, Higham & Higham do, so that ``log1p`` of the rest keeps full relative accuracy. One read-only
    reassociating loop (vectorized, its order fixed by the length alone, like :func:`vector_sum`); the count is
    an integer sum.
    """
    total = 0.0
    n_equal = 0
    for j in range(row.shape[0]):
        is_equal = row[j] == shift
        term = fast_exp(0.0 if is_equal else scale * (row[j] - shift))
        total += 0.0 if is_equal else term
        n_equal += is_equal
    return total, float(n_equal)


@kernel
def _halving(gamma: float) -> float:
    """The factor h of :func:`_tempered_gap`: 0.5 for a temperature above 1, else 1."""
    return 0.5 if gamma > 1.0 else 1.0


@kernel
def _tempered_gap(x: float, shift: float, half: float, gamma: float) -> float:
    r""":math:`(x - s)/\gamma` for :math:`x \le s` (s = ``shift``, the largest entry, finite; :math:`\gamma > 0`):
    <= 0, and -inf only where :math:`e^{(x - s)/\gamma}` is 0 in double precision.

    The shift comes before the division, so no finite entry overflows by the division alone (``1e308 / 0.5``).
    It is taken as :math:`(hx - hs)/(h\gamma)` with h = :func:`_halving` ``(gamma)``: for :math:`\gamma > 1`, h = 1/2
    keeps the difference finite (:math:`|x/2 - s/2| \le` the largest double) where :math:`x - s` would overflow
    and the quotient may still be a moderate number; the halvings are exact (but for subnormal x, an error of
    2.5e-324 / :math:`\gamma`), so the result is rounded as :math:`(x - s)/\gamma` is. For :math:`\gamma \le 1`, h = 1,
    and an overflow to -inf is right (the true quotient is below -1.8e308). One division, no branch: the loops
    calling it vectorize. -inf stays -inf, NaN stays NaN.
    """
    return (x * half - shift * half) / (gamma * half)


@kernel(reassociate=True)
def _sum_exp_below_tempered(row: NDArray[np.float64], shift: float, gamma: float) -> tuple[float, float]:
    """:func:`sum_exp_below` with the exponents :func:`_tempered_gap` ``(x, shift, h, gamma)``: the sum of
    exp((x - shift) / gamma) over the entries x != shift, and the number of entries equal to shift."""
    total = 0.0
    n_equal = 0
    half = _halving(gamma)
    for j in range(row.shape[0]):
        is_equal = row[j] == shift
        term = fast_exp(0.0 if is_equal else _tempered_gap(row[j], shift, half, gamma))
        total += 0.0 if is_equal else term
        n_equal += is_equal
    return total, float(n_equal)


@kernel
def _add_tempered(largest: float, gamma: float, log_term: float) -> float:
    r""":math:`s + \gamma t` (s = ``largest``, t = ``log_term``) without a spurious overflow of :math:`\gamma t`
    (huge :math:`\gamma`): if that product is infinite while t is finite, :math:`\gamma (s/\gamma + t)`, which
    overflows only if the result does. :math:`\gamma = 1` gives the bits of ``t + s``."""
    if gamma == 1.0:
        return log_term + largest
    scaled = gamma * log_term
    if math.isinf(scaled) and math.isfinite(log_term):
        return gamma * (largest / gamma + log_term)
    return largest + scaled


@kernel
def _logsumexp_rows_tempered(a: NDArray[np.float64], out: NDArray[np.float64], sign: NDArray[np.float64],
                             gamma: float) -> None:
    r""":math:`\gamma \log \sum_j \exp(a_{rj}/\gamma)` for each row r: the largest term taken out, log1p of the
    rest (as scipy does), computed as :math:`s + \gamma(\log n_s + \operatorname{log1p}(\dots))` after shifting by
    the largest entry s, so that no finite entry overflows when divided by :math:`\gamma`."""
    for r in range(a.shape[0]):
        row = a[r]
        largest = _row_max(row)
        if largest == np.inf or largest == -np.inf:
            if _has_nan(row):
                out[r] = np.nan
                sign[r] = np.nan
            else:
                out[r] = largest
                sign[r] = 1.0 if largest > 0 else 0.0
            continue
        if gamma == 1.0:
            rest, n_max = sum_exp_below(row, largest, 1.0)
        else:
            rest, n_max = _sum_exp_below_tempered(row, largest, gamma)
        out[r] = _add_tempered(largest, gamma, log_split_sum(n_max, rest))
        sign[r] = 1.0 if out[r] == out[r] else np.nan


@kernel
def _logsumexp_rows(a: NDArray[np.float64], out: NDArray[np.float64], sign: NDArray[np.float64]) -> None:
    """:func:`_logsumexp_rows_tempered` at temperature 1, for the 1-D fast path (one argument fewer to unbox).

    Called with writable C-contiguous arrays only (``flags.carray``): anything else takes the general path, which
    makes the rows contiguous. A version compiled for a strided row would vectorize :func:`sum_exp_below`
    differently and could round differently (1 ulp), so the bits would depend on the layout. (A fixed signature
    would say the same to the dispatcher, but numba compiles it at import: 2 s more for a cold cache.)
    """
    _logsumexp_rows_tempered(a, out, sign, 1.0)


@kernel(allocates=True)
def _logsumexp_rows_weighted(
    a: NDArray[np.float64], b: NDArray[np.float64], out: NDArray[np.float64], sign: NDArray[np.float64],
    gamma: float,
) -> None:
    """gamma log|sum(b[r] * exp(a[r] / gamma))| and its sign for each row r; a zero weight masks its entry, whatever
    a holds. Shifted by the largest unmasked entry before the division by gamma, as :func:`_logsumexp_rows_tempered`."""
    terms = np.empty(a.shape[1])
    for r in range(a.shape[0]):
        row = a[r]
        weights = b[r]
        largest = -np.inf
        for j in range(row.shape[0]):
            if weights[j] != 0.0 and row[j] > largest:
                largest = row[j]
        if largest == -np.inf:
            masked_nan = False
            for j in range(row.shape[0]):
                if weights[j] != 0.0 and (row[j] != row[j] or weights[j] != weights[j]):
                    masked_nan = True
            out[r] = np.nan if masked_nan else -np.inf
            sign[r] = np.nan if masked_nan else 0.0
            continue
        if largest == np.inf:
            total = 0.0
            for j in range(row.shape[0]):
                if weights[j] != 0.0:
                    total += weights[j] * math.exp(row[j] / gamma)
            out[r] = math.log(abs(total))
            sign[r] = _sign(total)
            continue
        half = _halving(gamma)
        weight_at_max = 0.0
        for j in range(row.shape[0]):
            if row[j] == largest and weights[j] != 0.0:
                weight_at_max += weights[j]
        if gamma == 1.0:
            for j in range(row.shape[0]):
                masked_or_max = weights[j] == 0.0 or row[j] == largest
                terms[j] = (0.0 if masked_or_max else weights[j]) * fast_exp(
                    -np.inf if masked_or_max else row[j] - largest)
        else:
            for j in range(row.shape[0]):
                masked_or_max = weights[j] == 0.0 or row[j] == largest
                terms[j] = (0.0 if masked_or_max else weights[j]) * fast_exp(
                    -np.inf if masked_or_max else _tempered_gap(row[j], largest, half, gamma))
        rest = lane_sum(terms)
        value = np.nan
        if weight_at_max != 0.0:
            ratio = rest / weight_at_max if rest != 0.0 else rest
            sign[r] = _sign(ratio + 1.0) * _sign(weight_at_max)
            if ratio < -1.0:
                ratio = -ratio - 2.0
            value = _add_tempered(largest, gamma, math.log1p(ratio) + math.log(abs(weight_at_max)))
        if not math.isfinite(value):
            total = weight_at_max + rest
            value = _add_tempered(largest, gamma, math.log(abs(total)))
            sign[r] = _sign(total)
        out[r] = value


@kernel
def _softmax_rows_tempered(x: NDArray[np.float64], out: NDArray[np.float64], gamma: float) -> None:
    """exp((x[r] - max x[r]) / gamma) / sum(...) for each row r, summed by :func:`lane_sum`; a row with nan, +inf or
    only -inf gives nan (as scipy). The shift comes before the division (:func:`_tempered_gap`)."""
    for r in range(x.shape[0]):
        row = x[r]
        result = out[r]
        largest = _row_max(row)
        if not math.isfinite(largest):
            result[:] = np.nan
            continue
        if gamma == 1.0:
            for j in range(row.shape[0]):
                result[j] = fast_exp(row[j] - largest)
        else:
            half = _halving(gamma)
            for j in range(row.shape[0]):
                result[j] = fast_exp(_tempered_gap(row[j], largest, half, gamma))
        scale = 1.0 / lane_sum(result)
        for j in range(row.shape[0]):
            result[j] *= scale


@kernel
def _softmax_rows(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    """:func:`_softmax_rows_tempered` at temperature 1, for the 1-D fast path (one argument fewer to unbox)."""
    _softmax_rows_tempered(x, out, 1.0)


@kernel(allocates=True)
def _softmax_columns(x: NDArray[np.float64], out: NDArray[np.float64], gamma: float) -> None:
    """softmax down each column of a C-contiguous (k, m) array, without transposing it.

    Every loop runs along a row, so it vectorizes across the columns. Each column is summed in the order of
    :func:`lane_sum` (eight interleaved lanes over the first k - k % 8 rows, combined in the same tree, then the
    remaining rows in order), so a column gives the same bits as :func:`_softmax_rows` on it: the result does not
    depend on the memory layout of the input. Columns holding nan, +inf or only -inf give nan (as scipy).
    """
    k, m = x.shape
    largest_key = np.full(m, order_key(-np.inf))
    for r in range(k):
        for c in range(m):
            key = order_key(x[r, c])
            largest_key[c] = key if key > largest_key[c] else largest_key[c]
    largest = np.empty(m)
    for c in range(m):
        largest[c] = from_order_key(largest_key[c])
    half = _halving(gamma)
    lanes = np.zeros((LANES, m))
    stop = k - k % LANES
    for r in range(stop):  # lane_sum's eight lanes: row r goes to lane r % 8, indexed (a view would be counted)
        lane = r % LANES
        if gamma == 1.0:
            for c in range(m):
                term = fast_exp(x[r, c] - largest[c])
                out[r, c] = term
                lanes[lane, c] += term
        else:
            for c in range(m):
                term = fast_exp(_tempered_gap(x[r, c], largest[c], half, gamma))
                out[r, c] = term
                lanes[lane, c] += term
    total = np.empty(m)
    for c in range(m):
        total[c] = ((lanes[0, c] + lanes[4, c]) + (lanes[2, c] + lanes[6, c])) + (
            (lanes[1, c] + lanes[5, c]) + (lanes[3, c] + lanes[7, c]))
    for r in range(stop, k):  # then the remaining rows in order, as lane_sum
        for c in range(m):
            term = fast_exp(_tempered_gap(x[r, c], largest[c], half, gamma))
            out[r, c] = term
            total[c] += term
    scale = np.empty(m)
    for c in range(m):
        scale[c] = 1.0 / total[c] if math.isfinite(largest[c]) else np.nan
    for r in range(k):
        for c in range(m):
            out[r, c] *= scale[c]


@kernel
def entropic_weights(cum_losses: NDArray[np.float64], eta: float, out: NDArray[np.float64]) -> None:
    r"""Write :math:`\operatorname{softmax}(-\eta L)` into ``out``: the negative-entropy FTRL argmin (the Hedge step).

    Shifted by the smallest loss, so every exponent is <= 0 and the leader's weight term is exactly 1.
    ``eta = 0`` gives the uniform distribution over the finite entries (the limit :math:`\eta \to 0^+`),
    ``eta = inf`` the uniform distribution over the minimizers (Follow the Leader). Entries of +inf get weight 0
    at every eta. Expects a 1-D row with at least one finite entry, no NaN, no -inf.
    """
    n = cum_losses.shape[0]
    if eta == 0.0:
        for j in range(n):
            out[j] = 1.0 if cum_losses[j] < np.inf else 0.0
    elif eta == np.inf:
        lowest = _row_min(cum_losses)
        for j in range(n):
            out[j] = 1.0 if cum_losses[j] == lowest else 0.0
    else:
        lowest = _row_min(cum_losses)
        for j in range(n):
            out[j] = exp_nonpositive(-eta * (cum_losses[j] - lowest))
    scale = 1.0 / lane_sum(out)
    for j in range(n):
        out[j] *= scale


@kernel
def entropic_value(cum_losses: NDArray[np.float64], eta: float) -> float:
    r"""The smooth minimum :math:`-\frac{1}{\eta}\log\sum_i e^{-\eta L_i}` of a 1-D row (its limits at 0 and inf).

    Computed as :math:`L_{\min} - \frac{1}{\eta}(\log m + \operatorname{log1p}(s/m))` with m the number of minimizers
    and s the sum of the other terms, so no term overflows and a dominant minimum keeps full relative accuracy.
    Entries of +inf add nothing to the sum, so the limit at :math:`\eta = 0` counts the finite entries only:
    :math:`L_{\min}` if one entry is finite, -inf if more are.
    """
    n = cum_losses.shape[0]
    lowest = _row_min(cum_losses)
    if eta == 0.0:
        n_finite = 0
        for j in range(n):
            n_finite += cum_losses[j] < np.inf
        return lowest if n_finite == 1 else -np.inf
    if eta == np.inf:
        return lowest
    rest, n_min = sum_exp_below(cum_losses, lowest, -eta)
    return lowest - log_split_sum(n_min, rest) / eta


@kernel
def log_split_sum(n_lowest: float, rest: float) -> float:
    r""":math:`\ln(n_m + s) = \ln n_m + \operatorname{log1p}(s / n_m)`: the log of a sum of exponentials split
    as by :func:`sum_exp_below` (:math:`n_m` terms equal to 1, the rest :math:`s`), so that
    :math:`-\frac1\eta\ln\sum_i e^{-\eta L_i} = m - \ln(n_m + s)/\eta` (:func:`entropic_value`)."""
    log_count = 0.0 if n_lowest == 1.0 else math.log(n_lowest)  # the same bits, one libm call fewer
    return log_count + math.log1p(rest / n_lowest)


@kernel
def _entropic_argmin_rows(cum_losses: NDArray[np.float64], eta: float, out: NDArray[np.float64]) -> None:
    for r in range(cum_losses.shape[0]):
        entropic_weights(cum_losses[r], eta, out[r])


@kernel
def _entropic_value_rows(cum_losses: NDArray[np.float64], eta: float, out: NDArray[np.float64]) -> None:
    for r in range(cum_losses.shape[0]):
        out[r] = entropic_value(cum_losses[r], eta)


def _as_rows(array: NDArray[np.float64], axes: tuple[int, ...]) -> tuple[NDArray[np.float64], tuple[int, ...]]:
    """Move ``axes`` last and flatten to a C-contiguous (rows, k) array; return it and the shape of the kept axes."""
    kept = tuple(ax for ax in range(array.ndim) if ax not in axes)
    moved = np.transpose(array, kept + axes)
    kept_shape = tuple(array.shape[ax] for ax in kept)
    k = int(np.prod([array.shape[ax] for ax in axes], dtype=np.int64))
    rows = np.ascontiguousarray(moved).reshape(int(np.prod(kept_shape, dtype=np.int64)), k)
    return rows, kept_shape


def _restore(rows_result: NDArray[np.float64], array_shape: tuple[int, ...], axes: tuple[int, ...]) -> NDArray:
    """Inverse of :func:`_as_rows` for an elementwise result of the same size as the input."""
    kept = tuple(ax for ax in range(len(array_shape)) if ax not in axes)
    order = kept + axes
    moved_shape = tuple(array_shape[ax] for ax in order)
    return np.transpose(rows_result.reshape(moved_shape), np.argsort(order))


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> tuple[int, ...]:
    if keepdims:
        return tuple(1 if ax in axes else size for ax, size in enumerate(shape))
    return tuple(size for ax, size in enumerate(shape) if ax not in axes)


def _check_temperature(temperature: Any, owner: str) -> float:
    return check_real(temperature, "temperature", owner, low=0.0, high=math.inf, low_open=True, high_open=True)


def logsumexp(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    b: ArrayLike | None = None,
    keepdims: bool = False,
    return_sign: bool = False,
    *,
    temperature: float = 1.0,
) -> Any:
    r"""Log of the sum of exponentials, :math:`\gamma \log \sum_i b_i \exp(a_i / \gamma)`, computed stably.

    Same meaning and results as :func:`scipy.special.logsumexp` for real input: the largest term is taken out and
    the rest enters through ``log1p``, so ``logsumexp([0, -40])`` is ``4.25e-18``, not 0, and
    ``logsumexp([1e308, 1e308])`` is ``1e308 + log 2`` without overflow. A zero weight in ``b`` masks its entry, even
    a +inf or nan one; negative weights are allowed with ``return_sign``. An empty reduction gives -inf.

    With ``temperature`` :math:`\gamma > 0` this is the entropy-smoothed maximum,
    :math:`\gamma\,\mathrm{lse}(a/\gamma) = \max_{q \in \Delta} \langle q, a\rangle + \gamma H(q)`, which lies in
    :math:`[\max a, \max a + \gamma \log n]`. It is computed as
    :math:`\max a + \gamma \log \sum_i b_i e^{(a_i - \max a)/\gamma}`, the shift before the division, so a finite
    input gives a finite result whenever the exact one is (``logsumexp([1e308], temperature=0.5)`` is 1e308); the
    infinities and nan mean what they mean for :math:`a/\gamma`. Integer input is converted to float64 first, as
    scipy does.

    Parameters
    ----------
    a : array_like
        Real input.
    axis : None, int or tuple of ints
        Axes to reduce, counted in the shape of ``a`` broadcast against ``b`` (as scipy); all by default.
    b : array_like, optional
        Weights broadcast against ``a``.
    keepdims : bool
        Keep the reduced axes with size one.
    return_sign : bool
        Also return the sign of the sum; otherwise a negative sum gives nan.
    temperature : float
        :math:`\gamma \in (0, \infty)`.

    Returns
    -------
    res : ndarray or float
        Always float64.
    sgn : ndarray or float
        +1, 0 or -1 (only with ``return_sign``).

    Examples
    --------
    >>> import numpy as np
    >>> from ftrl import logsumexp
    >>> float(logsumexp([0.0, -40.0]))
    4.248354255291589e-18
    >>> float(logsumexp([1e308, 1e308]) - 1e308)
    0.0
    >>> round(float(logsumexp([np.log(2.0), 5.0, np.log(3.0)], b=[1, 0, 1])), 12)  # log 5: the 5.0 is masked
    1.609437912434

    References
    ----------
    Blanchard, Higham & Higham, IMA J. Numer. Anal. 41(4), 2021; SciPy's ``scipy.special.logsumexp``.
    """
    # The fast path takes only what the general one would accept unchanged: a float temperature of 1, an int axis.
    if (b is None and type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 1 and keepdims is False
            and type(return_sign) is bool and type(temperature) is float and temperature == 1.0
            and (axis is None or (type(axis) is int and (axis == 0 or axis == -1)))):
        if a.shape[0] == 0:
            return (np.float64(-np.inf), np.float64(-1.0)) if return_sign else np.float64(-np.inf)
        if a.flags.carray:  # a strided or read-only vector takes the general path, which copies it
            out = np.empty(1)
            sign = np.empty(1)
            _logsumexp_rows(a.reshape(1, -1), out, sign)
            if return_sign:
                return out[0], sign[0]
            return np.float64(np.nan) if sign[0] < 0 else out[0]
    owner = "logsumexp"
    for name, flag in (("keepdims", keepdims), ("return_sign", return_sign)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"The '{name}' parameter of {owner} must be a bool. Got {flag!r} instead.")
    values = np.atleast_1d(as_real_array(a, "a", owner))
    gamma = _check_temperature(temperature, owner)
    weights = None
    if b is not None:
        weights = as_real_array(b, "b", owner)
        try:
            broadcast_values, broadcast_weights = np.broadcast_arrays(values, weights)
        except ValueError:
            raise ValueError(
                f"The 'b' parameter of logsumexp must broadcast against 'a' of shape {values.shape}. "
                f"Got shape {weights.shape} instead."
            ) from None
        # Numba must not see numpy's warn-on-write broadcast views: keep an original, or copy a broadcast one.
        if broadcast_values.shape != values.shape:
            values = np.array(broadcast_values)
        if broadcast_weights.shape != weights.shape:
            weights = np.array(broadcast_weights)
    axes = normalize_axes(axis, values.ndim, "axis", owner)  # after broadcasting, as scipy: b may add axes
    rows, _ = _as_rows(values, axes)
    out = np.empty(rows.shape[0])
    sign = np.empty(rows.shape[0])
    if rows.shape[1] == 0:
        out[:] = -np.inf
        sign[:] = 0.0
    elif weights is None:
        _logsumexp_rows_tempered(rows, out, sign, gamma)
    else:
        _logsumexp_rows_weighted(rows, _as_rows(weights, axes)[0], out, sign, gamma)
    if not return_sign:
        out[sign < 0] = np.nan
    elif rows.shape[1] == 0:
        sign[:] = -1.0  # scipy reports sign(-inf) for an empty reduction
    shape = _reduced_shape(values.shape, axes, keepdims)
    out = out.reshape(shape)[()]
    return (out, sign.reshape(shape)[()]) if return_sign else out


def _integer_gaps(values: NDArray[np.integer], axes: tuple[int, ...]) -> NDArray[np.float64]:
    """x - max x along ``axes`` for integer input, the difference taken exactly before it is rounded to a double.

    scipy's softmax subtracts the maximum in the input's integer type, so ``[2**62, 2**62 + 1]`` keeps its gap of 1,
    which a cast to float64 first would round away. Here the gap max - x, in [0, 2**64), is taken modulo 2**64 in
    uint64 (exact, and without the wrap-around of an int64 difference beyond 2**63 that makes scipy's
    ``softmax([-2**63, 2**63 - 1])`` wrong), then negated as a double: 0 at the maximum, <= 0 elsewhere.
    """
    top = values.max(axis=axes, keepdims=True)
    gaps = top.astype(np.uint64) - values.astype(np.uint64)
    return 0.0 - gaps.astype(np.float64)


def softmax(x: ArrayLike, axis: int | tuple[int, ...] | None = None, *, temperature: float = 1.0) -> Any:
    r"""The softmax :math:`\exp(x_i/\gamma) / \sum_j \exp(x_j/\gamma)` along ``axis``, the gradient of logsumexp.

    Same results as :func:`scipy.special.softmax` for real input, computed after shifting by the maximum:
    translation invariant, never nan for finite input (at any temperature: the shift comes before the division by
    :math:`\gamma`), exact zeros where an entry is -inf, and nan for a slice that holds +inf or nan (as scipy). With
    ``temperature`` :math:`\gamma` it is the argmax of :math:`\langle q, x\rangle + \gamma H(q)` over the simplex.
    For integer input the maximum is subtracted exactly, before the gaps are rounded to doubles, as scipy does in
    the integer type: ``softmax(np.array([2**62, 2**62 + 1]))`` is [0.269, 0.731]. Where scipy's int64 difference
    wraps around (gaps of 2**63 or more) or its uint64 one does (any gap), this gives the exact gap's result.
    Each slice is summed in one order whatever the memory layout, so the result has the same bits for a C-order,
    Fortran-order or strided array.

    Examples
    --------
    >>> from ftrl import softmax
    >>> softmax([0.0, 0.0, -float("inf")]).tolist()
    [0.5, 0.5, 0.0]
    >>> softmax([1000.0, 1000.0]).tolist()
    [0.5, 0.5]
    """
    # The fast path takes only what the general one would accept unchanged: a float temperature of 1, an int axis.
    if (type(x) is np.ndarray and x.dtype == np.float64 and x.ndim == 1
            and type(temperature) is float and temperature == 1.0
            and (axis is None or (type(axis) is int and (axis == 0 or axis == -1)))):
        out = np.empty_like(x)
        if x.shape[0]:
            _softmax_rows(x.reshape(1, -1), out.reshape(1, -1))
        return out
    owner = "softmax"
    values = as_real_array(x, "x", owner)
    gamma = _check_temperature(temperature, owner)
    scalar = values.ndim == 0
    values = np.atleast_1d(values)
    axes = normalize_axes(axis, values.ndim, "axis", owner)
    raw = x if isinstance(x, np.ndarray) else np.asarray(x)
    if raw.dtype.kind in "iu" and values.size:
        values = _integer_gaps(np.atleast_1d(raw), axes)
    leading = axes == tuple(range(len(axes))) and len(axes) < values.ndim
    if leading and values.flags.c_contiguous and values.size:
        # Reduced axes first: a (k, m) view with the sums running down the columns, no transposed copy.
        columns = values.reshape(-1, int(np.prod(values.shape[len(axes):])))
        out = np.empty_like(columns)
        _softmax_columns(columns, out, gamma)
        return out.reshape(values.shape)
    rows, _ = _as_rows(values, axes)
    out = np.empty_like(rows)
    if rows.size:
        _softmax_rows_tempered(rows, out, gamma)
    result = _restore(out, values.shape, axes)
    return result[0] if scalar else result


def _check_cum_losses(cum_losses: ArrayLike, owner: str) -> NDArray[np.float64]:
    losses = np.atleast_1d(as_real_array(cum_losses, "cum_losses", owner))
    if losses.shape[-1] == 0:
        raise ValueError(f"The 'cum_losses' parameter of {owner} must hold at least one expert. Got shape {losses.shape}.")
    if np.isnan(losses).any() or (losses == -np.inf).any():
        raise ValueError(
            f"The 'cum_losses' parameter of {owner} must not contain nan or -inf. Got {losses!r} instead."
        )
    if not np.isfinite(losses).any(axis=-1).all():
        raise ValueError(
            f"The 'cum_losses' parameter of {owner} needs a finite entry in every row (+inf means an excluded "
            f"expert). Got {losses!r} instead."
        )
    return losses


def _check_eta(eta: Any, owner: str) -> float:
    return check_real(eta, "eta", owner, low=0.0, high=math.inf)


def entropic_argmin(cum_losses: ArrayLike, eta: float) -> NDArray[np.float64]:
    r"""The FTRL step with the negative-entropy regularizer: :math:`\arg\min_{p\in\Delta}\langle p,L\rangle - H(p)/\eta`.

    Its closed form is :math:`p = \operatorname{softmax}(-\eta L)` (exponential weights, Hedge), computed along the
    last axis with the smallest loss shifted to 0. ``eta = inf`` gives Follow the Leader (uniform over the
    minimizers), ``eta = 0`` the uniform distribution over the finite entries (the limit :math:`\eta \to 0^+`).
    An entry of +inf gets weight 0 at every eta.

    Examples
    --------
    >>> from ftrl import entropic_argmin
    >>> entropic_argmin([1.0, 1.0, 3.0], float("inf")).tolist()
    [0.5, 0.5, 0.0]
    >>> entropic_argmin([1e12, 0.0], 1e8).tolist()
    [0.0, 1.0]

    References
    ----------
    Cesa-Bianchi & Lugosi, *Prediction, Learning, and Games*, 2006, sec. 2.1; Shalev-Shwartz, "Online Learning and
    Online Convex Optimization", FnT ML 4(2), 2012, sec. 2.7.
    """
    owner = "entropic_argmin"
    losses = _check_cum_losses(cum_losses, owner)
    rate = _check_eta(eta, owner)
    rows = np.ascontiguousarray(losses).reshape(-1, losses.shape[-1])
    out = np.empty_like(rows)
    _entropic_argmin_rows(rows, rate, out)
    return out.reshape(losses.shape)


def smooth_min(cum_losses: ArrayLike, eta: float) -> Any:
    r"""The value :math:`\min_{p\in\Delta}\langle p,L\rangle - H(p)/\eta = -\frac{1}{\eta}\mathrm{lse}(-\eta L)`.

    Along the last axis. It lies in :math:`[\min L - \log N/\eta, \min L]`; ``eta = inf`` gives :math:`\min L`.
    ``eta = 0`` gives the limit :math:`\eta \to 0^+`: entries of +inf add nothing to the sum, so with m finite
    entries the value tends to :math:`-\log(m)/\eta \to -\infty` if m > 1, and is :math:`\min L` if m = 1.

    Examples
    --------
    >>> from ftrl import smooth_min
    >>> float(smooth_min([0.0, 0.0], 1.0))  # -log 2
    -0.6931471805599453
    >>> float(smooth_min([3.0, float("inf")], 0.0)), float(smooth_min([3.0, 4.0], 0.0))
    (3.0, -inf)
    """
    owner = "smooth_min"
    losses = _check_cum_losses(cum_losses, owner)
    rate = _check_eta(eta, owner)
    rows = np.ascontiguousarray(losses).reshape(-1, losses.shape[-1])
    out = np.empty(rows.shape[0])
    _entropic_value_rows(rows, rate, out)
    return out.reshape(losses.shape[:-1])[()]
