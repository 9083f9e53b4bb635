"""The numerical core against scipy, against a generic constrained solver, and against the identities of the theory."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal

import numpy as np
import pytest
import scipy.optimize
import scipy.special
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from naive import naive_logsumexp, naive_softmax, negative_entropy

from ftrl import entropic_argmin, logsumexp, smooth_min, softmax
from ftrl._simulate_kernels import _exp_in_place
from ftrl.ops import exp_nonpositive, fast_exp

SETTINGS = settings(max_examples=150, deadline=None)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
special = st.sampled_from([np.inf, -np.inf, np.nan, 0.0, -0.0, 1e308, -1e308, 5e-324])
mixed = st.one_of(finite, finite, finite, special)


@st.composite
def array_and_axis(draw, elements=finite, min_dims=1, max_dims=3):
    array = draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0,
                                                         max_side=5), elements=elements))
    choice = draw(st.sampled_from(["none", "int", "tuple"]))
    if choice == "none" or array.ndim == 0:
        return array, None
    if choice == "int":
        return array, draw(st.integers(-array.ndim, array.ndim - 1))
    axes = draw(st.lists(st.integers(0, array.ndim - 1), min_size=1, max_size=array.ndim, unique=True))
    return array, tuple(axes)


def scipy_logsumexp(a, axis=None, keepdims=False, **kwargs):
    """scipy's logsumexp, except for empty input where scipy 1.17 fails on axis=None with ndim > 1: there the
    definition (a sum over nothing is 0, whose log is -inf) is the reference."""
    if kwargs.get("b") is not None:
        a = np.broadcast_arrays(a, kwargs["b"])[0]
    if a.size == 0:
        shape = np.sum(np.zeros(a.shape), axis=axis, keepdims=keepdims).shape
        out = np.full(shape, -np.inf)[()]
        return (out, np.full(shape, -1.0)[()]) if kwargs.get("return_sign") else out
    return scipy.special.logsumexp(a, axis=axis, keepdims=keepdims, **kwargs)


_EXACT = decimal.Context(prec=60, Emin=-10**6, Emax=10**6)


def decimal_tempered(x, gamma):
    """gamma lse(x / gamma) and softmax(x / gamma) of a finite 1-D array, in 60-digit decimal arithmetic (the gaps
    x - max x and their quotients by gamma taken in decimal, so nothing overflows), rounded to doubles at the end."""
    top = Decimal(float(np.max(x)))
    gaps = [_EXACT.divide(_EXACT.subtract(Decimal(float(v)), top), Decimal(float(gamma))) for v in x]
    terms = [_EXACT.exp(g) if g > -1000 else Decimal(0) for g in gaps]  # below e^-1000: 0 in double anyway
    total = sum(terms, Decimal(0))
    value = _EXACT.add(top, _EXACT.multiply(Decimal(float(gamma)), _EXACT.ln(total)))
    return float(value), np.array([float(_EXACT.divide(t, total)) for t in terms])


def assert_same(ours, theirs, rtol=1e-13, atol=1e-13):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float), rtol=rtol, atol=atol,
                               equal_nan=True)
    assert np.shape(ours) == np.shape(theirs)


class TestFastExp:
    def test_matches_numpy_over_the_whole_double_range(self):
        rng = np.random.default_rng(0)
        x = np.concatenate([rng.uniform(-708.3, 709.7, 200_000), rng.uniform(-1, 1, 50_000),
                            np.linspace(-708.3, -700, 1000), [0.0, -0.0, 709.78, 1e-300]])
        np.testing.assert_allclose(np.vectorize(fast_exp)(x), np.exp(x), rtol=8e-16, atol=0)

    def test_subnormal_range_and_limits(self):
        x = np.linspace(-745.0, -708.4, 500)
        ours = np.vectorize(fast_exp)(x)
        np.testing.assert_allclose(ours, np.exp(x), rtol=1e-12, atol=5e-324 * 4)
        assert fast_exp(-np.inf) == 0.0 and fast_exp(-746.0) == 0.0
        assert fast_exp(np.inf) == np.inf and fast_exp(710.0) == np.inf
        assert math.isnan(fast_exp(np.nan))
        assert fast_exp(709.78) == pytest.approx(math.exp(709.78), rel=1e-15)


    def test_nonpositive_variant_gives_the_same_bits(self):
        rng = np.random.default_rng(1)
        x = np.concatenate([-rng.uniform(0, 760, 300_000), -np.logspace(-320, 3, 20_000),
                            np.linspace(-745.2, -708.3, 5000), [0.0, -0.0, -np.inf, -745.13, -1e300, -5e-324]])
        expected = np.vectorize(fast_exp)(x).view(np.int64)
        ours = np.vectorize(exp_nonpositive)(x)
        np.testing.assert_array_equal(ours.view(np.int64), expected)
        in_a_vector_loop = x.copy()
        _exp_in_place(in_a_vector_loop)  # the simulator's flat loop over it
        np.testing.assert_array_equal(in_a_vector_loop.view(np.int64), expected)
        assert ((ours > 0) & (ours < np.finfo(float).tiny)).sum() > 1000  # subnormal results were covered

    def test_nonpositive_variant_gives_the_same_bits_up_to_665(self):
        """NormalHedge's moments (x <= 1 + ln N) and BOA's weights (x <= 64) rely on it above 0 too."""
        rng = np.random.default_rng(2)
        x = np.concatenate([rng.uniform(0, 665, 200_000), np.logspace(-320, np.log10(665), 20_000), [665.0]])
        ours = np.vectorize(exp_nonpositive)(x)
        np.testing.assert_array_equal(ours.view(np.int64), np.vectorize(fast_exp)(x).view(np.int64))


class TestLogsumexpAgainstScipy:
    @SETTINGS
    @given(array_and_axis(), st.booleans())
    def test_finite(self, case, keepdims):
        a, axis = case
        assert_same(logsumexp(a, axis=axis, keepdims=keepdims), scipy_logsumexp(a, axis=axis, keepdims=keepdims))

    @SETTINGS
    @given(array_and_axis(elements=mixed))
    def test_with_infinities_and_nan(self, case):
        a, axis = case
        with np.errstate(all="ignore"):
            expected = scipy_logsumexp(a, axis=axis, return_sign=True)
        ours = logsumexp(a, axis=axis, return_sign=True)
        assert_same(ours[0], expected[0])
        assert_same(ours[1], expected[1])

    @SETTINGS
    @given(st.data())
    def test_weights_broadcast_and_signs(self, data):
        a, axis = data.draw(array_and_axis(min_dims=1, max_dims=3))
        b_shape = data.draw(hnp.broadcastable_shapes(a.shape, max_dims=a.ndim, min_side=0))
        b = data.draw(hnp.arrays(np.float64, b_shape, elements=st.one_of(st.floats(-3, 3), st.just(0.0))))
        with np.errstate(all="ignore"):
            value, sign = scipy_logsumexp(a, axis=axis, b=b, return_sign=True)
            magnitude = scipy_logsumexp(a, axis=axis, b=np.abs(b))
        ours_value, ours_sign = logsumexp(a, axis=axis, b=b, return_sign=True)
        ours_plain = logsumexp(a, axis=axis, b=b)
        assert np.shape(ours_value) == np.shape(value) == np.shape(ours_plain)
        # Where the signed sum nearly cancels, log|sum| is ill-conditioned: compare where it does not.
        well = np.isfinite(value) & (np.asarray(value) > np.asarray(magnitude) - 20)
        np.testing.assert_allclose(np.asarray(ours_value)[well], np.asarray(value)[well], rtol=1e-9, atol=1e-9)
        np.testing.assert_array_equal(np.asarray(ours_sign)[well], np.asarray(sign)[well])
        positive = well & (np.asarray(sign) > 0)
        np.testing.assert_allclose(np.asarray(ours_plain)[positive], np.asarray(value)[positive], rtol=1e-9,
                                   atol=1e-9)
        assert np.all(np.isnan(np.asarray(ours_plain)[well & (np.asarray(sign) < 0)]))
        all_masked = np.asarray(magnitude) == -np.inf
        assert np.all(np.asarray(ours_value)[all_masked] == -np.inf)

    def test_axis_counts_the_axes_that_b_adds(self):
        expected = scipy.special.logsumexp(np.zeros(3), axis=1, b=np.ones((2, 3)))
        assert_same(logsumexp(np.zeros(3), axis=1, b=np.ones((2, 3))), expected)
        assert_same(expected, [math.log(3.0)] * 2, rtol=1e-15)

    @SETTINGS
    @given(st.data())
    def test_b_with_more_dimensions_than_a(self, data):
        """scipy broadcasts a against b first, then reads axis against the broadcast shape."""
        b_shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4))
        a_shape = data.draw(hnp.broadcastable_shapes(b_shape, min_dims=0, max_dims=len(b_shape) - 1, min_side=1))
        a = data.draw(hnp.arrays(np.float64, a_shape, elements=finite))
        b = data.draw(hnp.arrays(np.float64, b_shape, elements=st.floats(1e-3, 3)))
        axis = data.draw(st.one_of(st.none(), st.integers(-len(b_shape), len(b_shape) - 1)))
        keepdims = data.draw(st.booleans())
        with np.errstate(all="ignore"):
            expected = scipy_logsumexp(a, axis=axis, b=b, keepdims=keepdims)
        assert_same(logsumexp(a, axis=axis, b=b, keepdims=keepdims), expected, rtol=1e-12, atol=1e-12)

    @pytest.mark.parametrize(
        "a, b, expected",
        [
            ([0.0, -40.0], None, math.log1p(math.exp(-40.0))),
            ([1e308, 1e308], None, 1e308 + math.log(2.0)),
            ([-np.inf, -np.inf], None, -np.inf),
            ([np.inf, 1.0], None, np.inf),
            ([np.nan, 1.0], None, np.nan),
            ([np.inf, 1.0], [0.0, 1.0], 1.0),  # a zero weight masks even +inf
            ([np.nan, 2.0], [0.0, 1.0], 2.0),
            ([np.inf, -np.inf], [0.0, 1.0], -np.inf),
            ([], None, -np.inf),
            ([3, 4, 5], None, math.log(math.exp(3) + math.exp(4) + math.exp(5))),
            ([np.log(2.0), 5.0, np.log(3.0)], [1, 0, 1], math.log(5.0)),
            ([-1000.0, -1000.0], None, -1000.0 + math.log(2.0)),
        ],
    )
    def test_documented_cases(self, a, b, expected):
        result = logsumexp(a, b=b)
        assert result == pytest.approx(expected, rel=1e-15, nan_ok=True) or (np.isnan(expected) and np.isnan(result))

    def test_dominant_entry_keeps_relative_accuracy(self):
        result = float(logsumexp([0.0, -40.0]))
        assert result != 0.0
        assert result == pytest.approx(4.248354255291589e-18, rel=1e-14)  # log1p(exp(-40)), by hand

    def test_integer_input_and_scalar_output(self):
        result = logsumexp(np.arange(5))
        assert isinstance(result, np.floating) and result.dtype == np.float64
        assert result == pytest.approx(naive_logsumexp(np.arange(5.0)), rel=1e-15)

    def test_signs(self):
        value, sign = logsumexp([1.0, 2.0], b=[1.0, -1.0], return_sign=True)
        assert sign == -1.0 and value == pytest.approx(math.log(math.e**2 - math.e), rel=1e-14)
        assert np.isnan(logsumexp([1.0, 2.0], b=[1.0, -1.0]))
        value, sign = logsumexp([1.0, 1.0], b=[1.0, -1.0], return_sign=True)
        assert sign == 0.0 and value == -np.inf

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 30), elements=finite), st.floats(0.01, 100.0))
    def test_temperature_is_the_smoothed_maximum(self, a, gamma):
        expected = gamma * scipy.special.logsumexp(a / gamma)
        assert logsumexp(a, temperature=gamma) == pytest.approx(expected, rel=1e-12, abs=1e-12)

    @pytest.mark.parametrize(
        "a, gamma, expected",
        [
            ([1e308], 0.5, 1e308),  # 1e308 / 0.5 overflows: the shift must come first
            ([1.0, 2.0], 1e-308, 2.0),  # 2 + 1e-308 log(1 + exp(-1e308)) rounds to 2
            ([-1e308, 1e308], 0.5, 1e308),
            ([1e308, 1e308], 2.0, 1e308 + 2.0 * math.log(2.0)),
            # gamma log 8 = 2.08e308 overflows, the result 3.8e307 does not
            ([-1.7e308] * 8, 1e308, 1e308 * (math.log(8.0) - 1.7)),
            # x - max overflows, (x - max) / gamma is -2 (the far entry keeps its weight e^-2)
            ([1.5e308, -1.5e308], 1.5e308, 1.5e308 * (1.0 + math.log1p(math.exp(-2.0)))),
        ],
    )
    def test_temperature_never_overflows_for_finite_input(self, a, gamma, expected):
        assert logsumexp(a, temperature=gamma) == pytest.approx(expected, rel=1e-15)
        assert logsumexp(np.array([a]), axis=1, temperature=gamma)[0] == pytest.approx(expected, rel=1e-15)
        assert logsumexp(a, b=np.ones(len(a)), temperature=gamma) == pytest.approx(expected, rel=1e-15)

    @settings(max_examples=300, deadline=None)
    @given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.one_of(
               st.floats(-1.7e308, 1.7e308), st.floats(-10, 10), st.sampled_from([1e308, -1e308, 0.0]))),
           st.builds(lambda m, e: m * 10.0**e, st.floats(1, 9.99), st.integers(-308, 307)))
    def test_temperature_against_exact_arithmetic(self, a, gamma):
        """gamma lse(a / gamma) and softmax(a / gamma) over the whole double range of a and gamma, against the
        decimal computation: finite wherever the exact value is, within [max a, max a + gamma log n]."""
        value, weights = decimal_tempered(a, gamma)
        scale = abs(float(np.max(a))) + gamma * math.log(a.size) + 1e-300
        for ours in (logsumexp(a, temperature=gamma), logsumexp(a, b=np.ones(a.size), temperature=gamma)):
            if math.isinf(value):
                assert ours == value
            else:
                assert abs(ours - value) <= 4e-16 * scale
                assert np.max(a) <= ours
        p = softmax(a, temperature=gamma)
        assert np.all(np.isfinite(p))
        np.testing.assert_allclose(p, weights, rtol=1e-12, atol=1e-300)

    def test_input_is_not_written(self):
        a = np.array([[1.0, 2.0], [3.0, np.inf]])
        b = np.array([1.0, 0.0])
        a0, b0 = a.copy(), b.copy()
        logsumexp(a, axis=1, b=b, temperature=2.0)
        softmax(a, axis=0, temperature=3.0)
        entropic_argmin(a[:, :1], 2.0)
        np.testing.assert_array_equal(a, a0)
        np.testing.assert_array_equal(b, b0)


class TestSoftmaxAgainstScipy:
    @SETTINGS
    @given(array_and_axis(elements=mixed))
    def test_any_values(self, case):
        x, axis = case
        with np.errstate(all="ignore"):
            expected = scipy.special.softmax(x, axis=axis) if x.size else x  # scipy refuses empty input
        assert_same(softmax(x, axis=axis), expected, rtol=1e-14, atol=1e-300)

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-1e300, 1e300)), st.floats(-1e6, 1e6))
    def test_finite_input_never_gives_nan_and_is_shift_invariant(self, x, shift):
        p = softmax(x)
        assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0, abs=1e-12)
        assume(np.all(np.abs(x) < 1e6))
        np.testing.assert_allclose(softmax(x + shift), p, atol=1e-8)

    def test_minus_inf_gives_exact_zeros_and_plus_inf_gives_nan(self):
        p = softmax([0.0, -np.inf, 1.0])
        assert p[1] == 0.0 and p.sum() == pytest.approx(1.0)
        assert np.all(np.isnan(softmax([0.0, np.inf])))

    def test_scalar(self):
        assert softmax(3.0) == 1.0

    @pytest.mark.parametrize(
        "x, gamma, expected",
        [
            ([1e308, -1e308], 0.5, [1.0, 0.0]),
            ([1.0, 2.0], 1e-308, [0.0, 1.0]),
            ([1e308, 1e308], 0.25, [0.5, 0.5]),
            ([1.5e308, -1.5e308], 1.5e308, [1 / (1 + math.exp(-2.0)), math.exp(-2.0) / (1 + math.exp(-2.0))]),
        ],
    )
    def test_temperature_never_gives_nan_for_finite_input(self, x, gamma, expected):
        np.testing.assert_allclose(softmax(x, temperature=gamma), expected, rtol=1e-15, atol=0)
        np.testing.assert_allclose(softmax(np.array(x)[:, None], axis=0, temperature=gamma)[:, 0], expected,
                                   rtol=1e-15, atol=0)  # the column kernel

    @pytest.mark.parametrize("temperature", [1.0, 0.3])
    @pytest.mark.parametrize("shape, axis", [((9, 11), 0), ((9, 11), 1), ((17, 5), 0), ((3, 20, 4), (0, 1)),
                                             ((6, 7), None), ((40, 3), 0), ((8, 2), 0), ((2, 9, 3), 1)])
    def test_same_bits_whatever_the_memory_layout(self, shape, axis, temperature):
        """The README's contract: one fixed summation order, whichever kernel the layout sends the array to (the
        C-order array with leading axes reduced goes down the columns, the others along rows)."""
        rng = np.random.default_rng(sum(shape))
        a = rng.normal(size=shape) * 5
        reference = softmax(a, axis=axis, temperature=temperature)
        big = np.zeros(tuple(2 * n for n in shape))
        strided = big[tuple(slice(None, None, 2) for _ in shape)]
        strided[...] = a
        for layout in (np.asfortranarray(a), strided, np.ascontiguousarray(a.T).T):
            ours = softmax(layout, axis=axis, temperature=temperature)
            np.testing.assert_array_equal(ours.view(np.int64), reference.view(np.int64))
            np.testing.assert_array_equal(logsumexp(layout, axis=axis, temperature=temperature).view(np.int64),
                                          logsumexp(a, axis=axis, temperature=temperature).view(np.int64))

    def test_same_bits_for_vectors_in_any_layout(self):
        """The 1-D fast paths against strided and read-only views and against the 2-D kernels (rows, columns)."""
        rng = np.random.default_rng(3)
        for n in (1, 7, 8, 33, 100, 1001):
            for _ in range(30):
                backing = rng.normal(size=2 * n) * 10
                v = backing[::2]
                dense = v.copy()
                frozen = v.copy()
                frozen.flags.writeable = False
                expected = logsumexp(dense).view(np.int64)
                for other in (logsumexp(v), logsumexp(frozen), logsumexp(dense[None, :], axis=1)[0],
                              logsumexp(dense[:, None], axis=0)[0]):
                    assert np.float64(other).view(np.int64) == expected
                p = softmax(dense).view(np.int64)
                for other in (softmax(v), softmax(frozen), softmax(dense[None, :], axis=1)[0],
                              softmax(dense[:, None], axis=0)[:, 0]):
                    np.testing.assert_array_equal(other.view(np.int64), p)


class TestIntegerInput:
    """scipy's softmax subtracts the maximum in the integer type, before anything is rounded to a double."""

    def test_gap_of_one_between_huge_integers_is_kept(self):
        x = np.array([2**62, 2**62 + 1])
        expected = [1 / (1 + math.e), math.e / (1 + math.e)]
        np.testing.assert_allclose(softmax(x), expected, rtol=1e-15)
        np.testing.assert_allclose(softmax(x), scipy.special.softmax(x), rtol=1e-15)
        np.testing.assert_allclose(softmax(x.reshape(2, 1), axis=0)[:, 0], expected, rtol=1e-15)
        np.testing.assert_allclose(softmax(x.tolist()), expected, rtol=1e-15)
        np.testing.assert_allclose(softmax(x, temperature=2.0), naive_softmax(np.array([0.0, 0.5])), rtol=1e-15)

    def test_extreme_integers_do_not_wrap_around(self):
        np.testing.assert_array_equal(softmax(np.array([-2**63, 2**63 - 1])), [0.0, 1.0])
        x = np.array([2**64 - 1, 2**64 - 2, 0], dtype=np.uint64)
        np.testing.assert_allclose(softmax(x), [math.e / (1 + math.e), 1 / (1 + math.e), 0.0], rtol=1e-15)
        np.testing.assert_allclose(softmax(np.array([-3, 100], dtype=np.int8)), naive_softmax(np.array([-103.0, 0.0])),
                                   rtol=1e-15)

    @SETTINGS
    @given(st.data())
    def test_against_scipy(self, data):
        """Entries a few units apart near 2**61 (where doubles are 512 apart) keep their gaps, as in scipy."""
        x = data.draw(hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), elements=st.one_of(
            st.integers(-2**61, 2**61), st.integers(2**61 - 30, 2**61), st.integers(-30, 30))))
        axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
        np.testing.assert_allclose(softmax(x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-14,
                                   atol=1e-300)


class TestEntropicArgmin:
    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 1e3)), st.floats(1e-3, 1e3))
    def test_is_softmax_of_minus_eta_losses(self, cum_losses, eta):
        # The reference exponent is -eta (L - min L): the same numbers as -eta L up to a constant shift, but rounded
        # once instead of twice. Rounding -eta L at |eta L| ~ 1e4 alone moves a tiny weight by 1e-12 relative.
        shifted = -eta * (cum_losses - cum_losses.min())
        np.testing.assert_allclose(entropic_argmin(cum_losses, eta), naive_softmax(shifted), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(entropic_argmin(cum_losses, eta), naive_softmax(-eta * cum_losses), rtol=1e-9,
                                   atol=1e-300)
        assert smooth_min(cum_losses, eta) == pytest.approx(-naive_logsumexp(-eta * cum_losses) / eta, rel=1e-12,
                                                            abs=1e-12)

    def test_limits(self):
        losses = np.array([2.0, 1.0, 1.0, 5.0])
        np.testing.assert_array_equal(entropic_argmin(losses, np.inf), [0.0, 0.5, 0.5, 0.0])
        np.testing.assert_array_equal(entropic_argmin(losses, 0.0), [0.25] * 4)
        assert smooth_min(losses, np.inf) == 1.0
        assert smooth_min(losses, 0.0) == -np.inf
        assert smooth_min([7.0], 0.0) == 7.0

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.one_of(st.floats(0, 1e3), st.just(np.inf))))
    def test_eta_zero_is_the_limit_with_excluded_experts(self, cum_losses):
        """eta = 0 is the limit eta -> 0+: uniform over the finite entries (an entry at +inf has weight 0 at every
        eta), and a smooth minimum of -inf if two or more entries are finite, else the finite entry."""
        finite = np.isfinite(cum_losses)
        assume(finite.any())
        m = int(finite.sum())
        p = entropic_argmin(cum_losses, 0.0)
        np.testing.assert_array_equal(p, np.where(finite, 1.0 / m, 0.0))
        np.testing.assert_array_equal(p, entropic_argmin(cum_losses, 1e-300))  # exp(-1e-300 L) is 1 in double
        expected = float(cum_losses[finite][0]) if m == 1 else -np.inf
        assert smooth_min(cum_losses, 0.0) == expected
        if m == 1:
            assert smooth_min(cum_losses, 1e-300) == expected
        else:
            assert smooth_min(cum_losses, 1e-300) < -1e299  # -log(m) / eta

    def test_eta_zero_with_excluded_experts(self):
        np.testing.assert_array_equal(entropic_argmin([0.0, np.inf], 0.0), [1.0, 0.0])
        np.testing.assert_array_equal(entropic_argmin([[0.0, np.inf, 3.0], [1.0, 2.0, 3.0]], 0.0),
                                      [[0.5, 0.0, 0.5], [1 / 3, 1 / 3, 1 / 3]])
        assert smooth_min([0.0, np.inf], 0.0) == 0.0
        assert smooth_min([np.inf, 5.0, np.inf], 0.0) == 5.0
        assert smooth_min([0.0, 1.0, np.inf], 0.0) == -np.inf
        np.testing.assert_array_equal(smooth_min([[np.inf, 2.0], [1.0, 2.0]], 0.0), [2.0, -np.inf])

    @pytest.mark.parametrize("eta", [1e-8, 1.0, 1e4, 1e8])
    @pytest.mark.parametrize("scale", [1.0, 1e6, 1e12])
    def test_huge_losses_and_rates_stay_finite(self, eta, scale):
        rng = np.random.default_rng(1)
        losses = rng.uniform(0, scale, size=50)
        p = entropic_argmin(losses, eta)
        assert np.all(np.isfinite(p)) and p.sum() == pytest.approx(1.0, abs=1e-12) and np.all(p >= 0)
        assert np.isfinite(smooth_min(losses, eta))

    def test_huge_eta_equals_follow_the_leader(self):
        losses = np.array([3.0, 1.0, 1.0 + 1e-6, 2.0])
        np.testing.assert_array_equal(entropic_argmin(losses, 1e12), entropic_argmin(losses, np.inf))

    def test_plus_inf_entries_are_excluded(self):
        np.testing.assert_array_equal(entropic_argmin([np.inf, 0.0], 1.0), [0.0, 1.0])

    def test_batch_along_last_axis(self):
        losses = np.random.default_rng(2).uniform(0, 10, (3, 4, 5))
        p = entropic_argmin(losses, 0.7)
        for index in np.ndindex(3, 4):
            np.testing.assert_allclose(p[index], naive_softmax(-0.7 * losses[index]), rtol=1e-13)
        assert smooth_min(losses, 0.7).shape == (3, 4)


class TestTheory:
    """Identities of the theory, each checked numerically against an independent computation."""

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(-20, 20)), st.data())
    def test_softmax_is_the_gradient_of_logsumexp(self, x, data):
        step = 1e-6
        gradient = np.empty_like(x)
        for i in range(x.size):
            e = np.zeros_like(x)
            e[i] = step
            gradient[i] = (logsumexp(x + e) - logsumexp(x - e)) / (2 * step)
        np.testing.assert_allclose(gradient, softmax(x), atol=1e-7)

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 50), elements=finite))
    def test_bounds_max_and_max_plus_log_n(self, x):
        value = logsumexp(x)
        assert np.max(x) <= value <= np.max(x) + math.log(x.size) + 1e-12

    @SETTINGS
    @given(hnp.arrays(np.float64, st.integers(1, 30), elements=finite), finite)
    def test_shift_invariance(self, x, c):
        assert logsumexp(x + c) == pytest.approx(logsumexp(x) + c, rel=1e-12, abs=1e-9)

    @SETTINGS
    @given(st.integers(1, 10).flatmap(lambda n: st.tuples(
        hnp.arrays(np.float64, n, elements=st.floats(-50, 50)), hnp.arrays(np.float64, n, elements=st.floats(-50, 50)),
        st.floats(0, 1))))
    def test_convex_along_segments(self, case):
        x, y, theta = case
        mid = logsumexp(theta * x + (1 - theta) * y)
        assert mid <= theta * logsumexp(x) + (1 - theta) * logsumexp(y) + 1e-9

    @settings(max_examples=25, deadline=None)
    @given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-3, 3)), st.floats(0.2, 5.0))
    def test_conjugate_identity_against_a_generic_solver(self, x, gamma):
        """max_{q in simplex} <q, x> + gamma H(q) = gamma lse(x / gamma), attained at softmax(x / gamma)."""
        n = x.size

        def objective(q):
            return -(q @ x - gamma * negative_entropy(np.clip(q, 1e-300, None)))

        best = None
        for start in (np.full(n, 1.0 / n), np.eye(n)[np.argmax(x)] * 0.9 + 0.1 / n):
            solution = scipy.optimize.minimize(
                objective, start, method="SLSQP", bounds=[(0.0, 1.0)] * n,
                constraints=[{"type": "eq", "fun": lambda q: q.sum() - 1.0}], options={"ftol": 1e-14, "maxiter": 500})
            if best is None or solution.fun < best.fun:
                best = solution
        assert -best.fun == pytest.approx(logsumexp(x, temperature=gamma), abs=1e-6)
        np.testing.assert_allclose(best.x, softmax(x, temperature=gamma), atol=1e-4)

    @settings(max_examples=25, deadline=None)
    @given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(0, 10)), st.floats(0.1, 5.0))
    def test_ftrl_argmin_against_a_generic_solver(self, cum_losses, eta):
        """argmin_{p in simplex} <p, L> + R(p)/eta is softmax(-eta L) and its value the smooth minimum."""
        n = cum_losses.size
        solution = scipy.optimize.minimize(
            lambda p: p @ cum_losses + negative_entropy(np.clip(p, 1e-300, None)) / eta, np.full(n, 1.0 / n),
            method="SLSQP", bounds=[(0.0, 1.0)] * n, constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1.0}],
            options={"ftol": 1e-14, "maxiter": 500})
        assert solution.fun == pytest.approx(smooth_min(cum_losses, eta), abs=1e-6)
        np.testing.assert_allclose(solution.x, entropic_argmin(cum_losses, eta), atol=1e-4)


class TestBadInput:
    @pytest.mark.parametrize("function", [logsumexp, softmax])
    def test_complex_is_refused(self, function):
        with pytest.raises(TypeError, match="complex numbers are not supported"):
            function(np.array([1 + 1j, 2.0]))

    @pytest.mark.parametrize("function", [logsumexp, softmax])
    def test_non_numeric_is_refused(self, function):
        with pytest.raises(TypeError, match="'(a|x)' parameter"):
            function(["a", "b"])

    def test_b_that_does_not_broadcast(self):
        with pytest.raises(ValueError, match=r"'b' parameter of logsumexp must broadcast.*\(3,\).*\(2,\)"):
            logsumexp([1.0, 2.0, 3.0], b=[1.0, 2.0])

    @pytest.mark.parametrize("axis", [2, -3, (0, 0)])
    def test_axis_out_of_range(self, axis):
        with pytest.raises(ValueError, match="'axis' parameter"):
            logsumexp(np.ones((2, 2)), axis=axis)
        with pytest.raises(ValueError, match="'axis' parameter"):
            softmax(np.ones((2, 2)), axis=axis)

    def test_axis_of_wrong_type(self):
        with pytest.raises(TypeError, match="'axis' parameter"):
            logsumexp(np.ones(3), axis=1.5)

    @pytest.mark.parametrize("value", [-1.0, np.nan, 0.0, np.inf])
    def test_temperature(self, value):
        with pytest.raises(ValueError, match=rf"'temperature' parameter of logsumexp .* Got {value!r}"):
            logsumexp([1.0], temperature=value)
        with pytest.raises(ValueError, match="'temperature' parameter of softmax"):
            softmax([1.0], temperature=value)

    @pytest.mark.parametrize("kwargs", [{"axis": False}, {"axis": 0.0}, {"axis": np.True_}, {"temperature": True},
                                        {"temperature": np.True_}, {"temperature": np.array(1.0)}])
    @pytest.mark.parametrize("function", [logsumexp, softmax])
    @pytest.mark.parametrize("as_array", [True, False])
    def test_fast_paths_validate_axis_and_temperature(self, function, kwargs, as_array):
        """A float64 vector takes a fast path; it refuses what the general path refuses, with the same error."""
        x = np.array([1.0, 2.0]) if as_array else [1.0, 2.0]
        name = next(iter(kwargs))
        with pytest.raises(TypeError, match=f"The '{name}' parameter of {function.__name__} must be"):
            function(x, **kwargs)

    @pytest.mark.parametrize("kwargs", [{"keepdims": 0}, {"keepdims": "no"}, {"return_sign": 1},
                                        {"return_sign": None}])
    @pytest.mark.parametrize("as_array", [True, False])
    def test_logsumexp_flags_must_be_bools(self, kwargs, as_array):
        """keepdims and return_sign were used as truth values, whatever they were (on either path)."""
        x = np.array([1.0, 2.0]) if as_array else [1.0, 2.0]
        with pytest.raises(TypeError, match=f"The '{next(iter(kwargs))}' parameter of logsumexp must be a bool"):
            logsumexp(x, **kwargs)
        assert logsumexp(x, keepdims=np.True_).shape == (1,)

    @pytest.mark.parametrize("kwargs", [{"temperature": 1}, {"temperature": np.float64(1.0)}, {"axis": np.int64(0)},
                                        {"axis": (0,)}, {"axis": -1}])
    @pytest.mark.parametrize("function", [logsumexp, softmax])
    def test_equivalent_arguments_give_the_fast_path_bits(self, function, kwargs):
        x = np.random.default_rng(4).normal(size=37)
        np.testing.assert_array_equal(np.asarray(function(x, **kwargs)).view(np.int64),
                                      np.asarray(function(x)).view(np.int64))

    @pytest.mark.parametrize("eta", [-1.0, np.nan, "1"])
    def test_eta(self, eta):
        with pytest.raises((ValueError, TypeError), match="'eta' parameter of entropic_argmin"):
            entropic_argmin([1.0, 2.0], eta)
        with pytest.raises((ValueError, TypeError), match="'eta' parameter of smooth_min"):
            smooth_min([1.0, 2.0], eta)

    @pytest.mark.parametrize("losses", [[np.nan, 1.0], [-np.inf, 1.0], [np.inf, np.inf], []])
    def test_cum_losses(self, losses):
        with pytest.raises(ValueError, match="'cum_losses' parameter of entropic_argmin"):
            entropic_argmin(losses, 1.0)
