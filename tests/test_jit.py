"""The kernels' compile flags: which kernels run without numba's reference counting, and that they may.

A kernel compiled without reference counting (the default of :func:`ftrl._jit.kernel`) must not allocate an
array: numba refuses to compile that (an array copied into a row or a slice included), but only when the kernel is
first called. Nor does any kernel return an array, the rule that keeps references out of the question. These tests
read the source of every kernel of the package and of its scripts, so that a kernel no test calls is checked too:
for numpy constructors, ``.copy()``, copies into a slice and array return annotations. A copy into a row
(``a[i] = b`` with a 2-D ``a``) is not told from a scalar store by the source: that one shows when the kernel is
first compiled.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np
import pytest

import ftrl
from ftrl._jit import (
    kernel,
    kernel_source_dirs,
    numba_cache_subdir,
    purge_stale_caches,
    purge_stale_package_caches,
)

_PACKAGE = Path(ftrl.__file__).resolve().parent
_ALLOCATING_CALLS = frozenset({
    "empty", "zeros", "ones", "full", "empty_like", "zeros_like", "ones_like", "full_like", "array", "asarray",
    "arange", "linspace", "sort", "argsort", "concatenate", "cumsum", "where", "copy",
})


def _kernels() -> list[tuple[str, ast.FunctionDef, bool]]:
    """(location, function, allocates) for every function decorated with ``kernel``/``uncached_kernel``."""
    found = []
    for path in sorted(p for source in kernel_source_dirs() for p in source.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                name = ast.unparse(call.func if call else decorator)
                if name in ("kernel", "uncached_kernel"):
                    allocates = any(
                        k.arg == "allocates" and ast.literal_eval(k.value) for k in (call.keywords if call else [])
                    )
                    where = f"{path.relative_to(_PACKAGE.parent)}:{node.lineno} {node.name}"
                    found.append((where, node, allocates))
    return found


def _allocations(function: ast.FunctionDef) -> list[str]:
    """The statements of ``function`` that allocate: numpy constructors, ``.copy()``, and an array copied into a
    slice (``a[:] = b``, which numba does through a temporary); a slice filled with a number does not."""
    hits = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = ast.unparse(node.func.value)
            if node.func.attr in _ALLOCATING_CALLS and (owner in ("np", "numpy") or node.func.attr == "copy"):
                hits.append((node.lineno, node.col_offset, ast.unparse(node)))
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Slice) for t in node.targets
        ):
            value = node.value
            is_number = isinstance(value, (ast.Constant, ast.BinOp, ast.UnaryOp)) or (
                isinstance(value, ast.Attribute) and ast.unparse(value) in ("np.nan", "np.inf", "math.inf")
            )
            if not is_number:
                hits.append((node.lineno, node.col_offset, ast.unparse(node)))
    return [text for _, _, text in sorted(hits)]


KERNELS = _kernels()


def test_the_scan_finds_the_kernels():
    names = {where.rsplit(" ", 1)[1] for where, _, _ in KERNELS}
    assert {"fast_exp", "normalhedge_block", "pack_positive_scalar", "entropic_value", "delayed_block"} <= names
    assert len(KERNELS) > 100


@pytest.mark.parametrize(("where", "function", "allocates"), KERNELS, ids=[k[0] for k in KERNELS])
def test_kernel_without_reference_counting_neither_allocates_nor_returns_arrays(where, function, allocates):
    allocations = _allocations(function)
    if allocates:
        assert allocations, f"{where} is compiled with reference counting (allocates=True) but allocates nothing"
        return
    assert not allocations, f"{where} allocates ({allocations}) without allocates=True"
    returned = ast.unparse(function.returns) if function.returns is not None else ""
    assert function.returns is not None, f"{where} has no return annotation"
    assert "NDArray" not in returned and "ndarray" not in returned, f"{where} returns an array: {returned}"


def test_the_scan_sees_an_allocation_and_a_slice_copy():
    source = "def f(a, b):\n    c = np.empty(3)\n    a[:] = b\n    a[:] = 0.0\n    a[1:] = -1.0\n"
    function = ast.parse(source).body[0]
    assert _allocations(function) == ["np.empty(3)", "a[:] = b"]


@kernel
def _allocate(n: int) -> float:
    return np.empty(n).sum()


@kernel
def _scale_into(values: np.ndarray, factor: float, out: np.ndarray) -> float:
    total = 0.0
    for i in range(values.shape[0]):
        out[i] = factor * values[i]
        total += out[i]
    return total


@kernel
def _scale_rows(source: np.ndarray, out: np.ndarray) -> float:
    total = 0.0
    for r in range(source.shape[0]):
        total += _scale_into(source[r, 1:], 2.0, out[r, : source.shape[1] - 1])
    return total


def test_a_kernel_without_reference_counting_refuses_to_allocate():
    with pytest.raises(Exception, match="NRT required|returning of array"):
        _allocate(3)


def test_views_made_and_passed_between_kernels_without_reference_counting():
    """Rows and slices handed from one kernel to another, read and written, with no reference counting."""
    values = np.arange(12.0).reshape(3, 4)
    out = np.zeros((3, 4))
    assert _scale_rows(values, out) == pytest.approx(2.0 * values[:, 1:].sum())
    np.testing.assert_array_equal(out[:, :3], 2.0 * values[:, 1:])
    np.testing.assert_array_equal(out[:, 3], 0.0)


def test_caches_are_purged_when_any_kernel_source_changes(tmp_path):
    """numba keys a cached kernel to its own file; a change in another file (a callee) must drop the caches too."""
    first, second = tmp_path / "pkg", tmp_path / "pkg" / "sub"
    second.mkdir(parents=True)
    (first / "a.py").write_text("x = 1\n")
    (second / "b.py").write_text("y = 2\n")
    caches = [first / "__pycache__" / "a.f-1.py311.nbi", second / "__pycache__" / "b.g-1.py311.1.nbc"]

    def write_caches():
        for path in caches:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(b"cached")

    write_caches()
    stamp_dirs = [first / "__pycache__"]
    assert purge_stale_caches([first, second], stamp_dirs)  # no stamp yet: purge
    assert not any(path.exists() for path in caches) and (first / "__pycache__" / "kernel-sources.sha256").is_file()
    write_caches()
    assert not purge_stale_caches([first, second], stamp_dirs)  # sources unchanged: caches kept
    assert all(path.exists() for path in caches)
    (second / "b.py").write_text("y = 3\n")  # the callee's file changes: every cache goes
    assert purge_stale_caches([first, second], stamp_dirs)
    assert not any(path.exists() for path in caches)
    assert (second / "b.py").read_text() == "y = 3\n"


@pytest.mark.skipif(not os.access(_PACKAGE, os.W_OK), reason="an installed, read-only package keeps no stamp")
def test_the_package_stamp_matches_its_sources():
    """Importing ftrl wrote the stamp for the package's own sources, so a second check purges nothing."""
    assert not purge_stale_package_caches()


def test_numba_cache_subdir_is_numbas_own(tmp_path):
    """The purge finds the caches under NUMBA_CACHE_DIR by numba's naming, which it reimplements (the locator class
    is private in numba 0.60, public in 0.68)."""
    from numba.core import caching

    locator = getattr(caching, "UserProvidedCacheLocator", None) or caching._UserProvidedCacheLocator
    assert numba_cache_subdir(tmp_path) == locator.get_suitable_cache_subpath(str(tmp_path / "module.py"))
