r"""Stream compaction: the positive entries of a vector, and their indices, packed to the front of two arrays.

A scalar loop has to carry the write position from one entry to the next (one entry per two to three cycles,
measured 0.83 ns per entry in NormalHedge's update). :func:`pack_positive` takes the entries eight at a time
with LLVM's ``llvm.experimental.vector.compress`` (LLVM 19 on): a vector compare, the compress of the values and
of their indices within registers (``vcompresspd``/``vpcompressq`` with AVX-512; generic shuffles elsewhere), two
full-width stores at the write position and a population count to advance it. The compress that stores to memory
directly (``llvm.masked.compressstore``) is microcoded on AMD Zen 4 and took 5.4 ns per entry there. With an
older LLVM the scalar loop is used; both give the same arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from llvmlite.binding import llvm_version_info
from numba.core import cgutils, types
from numba.extending import intrinsic
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.ops import LANES

__all__ = ["pack_positive", "pack_positive_scalar"]

HAS_VECTOR_COMPRESS = llvm_version_info >= (19, 0, 0)
"""Whether numba's LLVM has ``llvm.experimental.vector.compress`` (added in LLVM 19)."""


@intrinsic
def _compress_positive_group(
    typingctx: Any, values: Any, start: Any, packed_values: Any, packed_indices: Any, count: Any
) -> Any:
    """Pack the entries > 0 of ``values[start:start + 8]`` and their indices, in order, at
    ``packed_values[count:]`` and ``packed_indices[count:]``; return ``count`` plus their number.

    Writes all eight slots from ``count`` on (those past the new count hold leftovers): the caller guarantees
    ``count <= start`` and ``start + 8 <= len(values) <= len(packed_*)``. No bounds checks.
    """
    if not (
        isinstance(values, types.Array) and values.dtype == types.float64 and values.layout == "C"
        and isinstance(packed_values, types.Array) and packed_values.dtype == types.float64
        and packed_values.layout == "C"
        and isinstance(packed_indices, types.Array) and packed_indices.dtype == types.int64
        and packed_indices.layout == "C"
        and isinstance(start, types.Integer) and isinstance(count, types.Integer)
    ):
        return None
    signature = types.int64(values, types.int64, packed_values, packed_indices, types.int64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        source, first, value_out, index_out, written = args
        double, int64, int32 = ir.DoubleType(), ir.IntType(64), ir.IntType(32)
        double_group, index_group = ir.VectorType(double, LANES), ir.VectorType(int64, LANES)
        mask_group = ir.VectorType(ir.IntType(1), LANES)
        source_data = context.make_array(sig.args[0])(context, builder, source).data
        value_data = context.make_array(sig.args[2])(context, builder, value_out).data
        index_data = context.make_array(sig.args[3])(context, builder, index_out).data

        group = builder.load(builder.bitcast(builder.gep(source_data, [first]), double_group.as_pointer()),
                             align=8)
        positive = builder.fcmp_ordered(">", group, ir.Constant(double_group, [0.0] * LANES))
        first_lane = builder.insert_element(ir.Constant(index_group, ir.Undefined), first, ir.Constant(int32, 0))
        broadcast = builder.shuffle_vector(first_lane, ir.Constant(index_group, ir.Undefined),
                                           ir.Constant(ir.VectorType(int32, LANES), [0] * LANES))
        indices = builder.add(broadcast, ir.Constant(index_group, list(range(LANES))))

        module = builder.module
        compress_values = cgutils.get_or_insert_function(
            module, ir.FunctionType(double_group, [double_group, mask_group, double_group]),
            f"llvm.experimental.vector.compress.v{LANES}f64")
        compress_indices = cgutils.get_or_insert_function(
            module, ir.FunctionType(index_group, [index_group, mask_group, index_group]),
            f"llvm.experimental.vector.compress.v{LANES}i64")
        packed = builder.call(compress_values, [group, positive, ir.Constant(double_group, ir.Undefined)])
        packed_at = builder.call(compress_indices, [indices, positive, ir.Constant(index_group, ir.Undefined)])
        builder.store(packed, builder.bitcast(builder.gep(value_data, [written]), double_group.as_pointer()),
                      align=8)
        builder.store(packed_at, builder.bitcast(builder.gep(index_data, [written]), index_group.as_pointer()),
                      align=8)

        population = cgutils.get_or_insert_function(module, ir.FunctionType(int64, [int64]), "llvm.ctpop.i64")
        bits = builder.zext(builder.bitcast(positive, ir.IntType(LANES)), int64)
        return builder.add(written, builder.call(population, [bits]))

    return signature, codegen


@kernel
def _check_room(values: NDArray[np.float64], packed_values: NDArray[np.float64],
                packed_indices: NDArray[np.int64]) -> None:
    n = values.shape[0]
    if packed_values.shape[0] < n or packed_indices.shape[0] < n:
        raise ValueError("pack_positive: the packed arrays must be at least as long as values")


@kernel
def _pack_positive_from(
    values: NDArray[np.float64], first: int, packed_values: NDArray[np.float64],
    packed_indices: NDArray[np.int64], count: int
) -> int:
    """Pack ``values[first:]`` one entry at a time after the ``count`` already packed, branch free: each entry is
    written at the next free slot, which advances only if it is positive. Returns the new count."""
    for i in range(first, values.shape[0]):
        value = values[i]
        packed_values[count] = value
        packed_indices[count] = i
        count += 1 if value > 0.0 else 0
    return count


@kernel
def pack_positive_scalar(
    values: NDArray[np.float64], packed_values: NDArray[np.float64], packed_indices: NDArray[np.int64]
) -> int:
    """The entries > 0 of ``values`` and their indices, in order, at the front of ``packed_values`` and
    ``packed_indices`` (at least as long as ``values``; what lies past the returned count is scratch); returns
    their number. One entry at a time."""
    _check_room(values, packed_values, packed_indices)
    return _pack_positive_from(values, 0, packed_values, packed_indices, 0)


@kernel
def _pack_positive_vector(
    values: NDArray[np.float64], packed_values: NDArray[np.float64], packed_indices: NDArray[np.int64]
) -> int:
    """:func:`pack_positive_scalar` eight entries at a time (:func:`_compress_positive_group`), the last
    ``len(values) % 8`` one at a time."""
    _check_room(values, packed_values, packed_indices)
    stop = values.shape[0] - values.shape[0] % LANES
    count = 0
    for start in range(0, stop, LANES):
        count = _compress_positive_group(values, start, packed_values, packed_indices, count)
    return _pack_positive_from(values, stop, packed_values, packed_indices, count)


pack_positive = _pack_positive_vector if HAS_VECTOR_COMPRESS else pack_positive_scalar
