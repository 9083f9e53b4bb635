"""Stream compaction (ftrl._compress) against numpy's boolean indexing, in this process and for a CPU without
AVX-512, where LLVM lowers the vector compress without ``vcompresspd``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ftrl._compress import HAS_VECTOR_COMPRESS, pack_positive, pack_positive_scalar

entries = st.one_of(
    st.floats(-10.0, 10.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e308, -1e308]),
)
PACKERS = [pack_positive, pack_positive_scalar]


def expected_packing(values):
    (indices,) = np.nonzero(values > 0.0)
    return values[indices], indices


@pytest.mark.parametrize("pack", PACKERS, ids=["pack_positive", "scalar"])
@settings(max_examples=200, deadline=None)
@given(values=hnp.arrays(np.float64, st.integers(0, 70), elements=entries))
def test_packs_the_positive_entries_and_their_indices_in_order(pack, values):
    n = values.shape[0]
    packed_values = np.full(n + 3, -7.0)
    packed_indices = np.full(n + 3, -7, dtype=np.int64)
    count = pack(values, packed_values, packed_indices)
    want_values, want_indices = expected_packing(values)
    assert count == want_indices.shape[0]
    np.testing.assert_array_equal(packed_indices[:count], want_indices)
    assert packed_values[:count].tobytes() == want_values.tobytes()
    assert np.all(packed_values[n:] == -7.0) and np.all(packed_indices[n:] == -7)  # nothing past len(values)


@pytest.mark.parametrize("pack", PACKERS, ids=["pack_positive", "scalar"])
def test_every_group_pattern_of_eight(pack):
    patterns = np.arange(256)
    values = np.where((patterns[:, None] >> np.arange(8)) & 1, 1.0 + np.arange(8), -1.0 - np.arange(8)).ravel()
    packed_values, packed_indices = np.empty(values.shape[0]), np.empty(values.shape[0], dtype=np.int64)
    count = pack(values, packed_values, packed_indices)
    want_values, want_indices = expected_packing(values)
    assert count == want_indices.shape[0] == 256 * 4
    np.testing.assert_array_equal(packed_indices[:count], want_indices)
    np.testing.assert_array_equal(packed_values[:count], want_values)


@pytest.mark.parametrize("pack", PACKERS, ids=["pack_positive", "scalar"])
def test_packed_arrays_shorter_than_values_raise(pack):
    values = np.ones(16)
    with pytest.raises(ValueError, match="at least as long"):
        pack(values, np.empty(15), np.empty(16, dtype=np.int64))
    with pytest.raises(ValueError, match="at least as long"):
        pack(values, np.empty(16), np.empty(15, dtype=np.int64))


@pytest.mark.skipif(not HAS_VECTOR_COMPRESS, reason="the vector compress needs LLVM 19 or later")
def test_vector_compress_without_avx512_matches_numpy(tmp_path):
    script = textwrap.dedent("""
        import numpy as np
        from ftrl._compress import pack_positive
        rng = np.random.default_rng(3)
        for n in list(range(0, 40)) + [1000, 1003]:
            values = rng.normal(size=n)
            values[rng.random(n) < 0.1] = 0.0
            packed, at = np.empty(n), np.empty(n, dtype=np.int64)
            count = pack_positive(values, packed, at)
            (want,) = np.nonzero(values > 0)
            assert count == want.shape[0], (n, count)
            assert np.array_equal(at[:count], want) and np.array_equal(packed[:count], values[want]), n
        print("ok")
    """)
    env = dict(os.environ, NUMBA_CPU_NAME="x86-64", NUMBA_CPU_FEATURES="", NUMBA_CACHE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
