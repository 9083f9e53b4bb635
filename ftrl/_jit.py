"""The one place where numba flags live.

Every kernel of the package is compiled with :func:`kernel`: ``cache=True`` so a second process does not pay the
compilation again, ``nogil=True`` so threads can share it, ``error_model="numpy"`` (division by zero gives inf/nan
as in numpy instead of raising), and a deliberately small fast-math set.

By default only ``contract`` (fused multiply-add) is allowed. ``nnan``/``ninf`` are never used, so that -inf
log-weights and NaN checks keep their IEEE meaning. ``reassoc`` is off by default: it would fold the
round-to-nearest shift ``(x + 1.5 * 2**52) - 1.5 * 2**52`` inside :func:`ftrl.ops.fast_exp` if that arithmetic
were compiled with it, and it lets LLVM choose the order of a sum, which can then depend on the kernel the loop
is inlined into when the loop also writes (LLVM may run a scalar copy of it after a run-time overlap check).
Sums are therefore taken either with :func:`ftrl.ops.lane_sum`, whose eight-lane order is written in the code
(eight independent scalar chains: LLVM does not vectorize them, but they run at two additions per cycle), or
with :func:`ftrl.ops.vector_sum` and :func:`ftrl.ops.vector_dot`, reassociating loops that only read, so that
there is no overlap check and the order depends on the length alone.

``kernel(reassociate=True)`` is used for those two, for the read-only exponential and power sums of ``ops`` and
``regularizers`` (``sum_exp_below``, ``_power_sums``, ``_sum_above``, ...), and for the few loops where a fused pass
with a vectorized sum matters for speed: the simulator's Hedge round, AdaHedge's ``_pay_and_accumulate`` and the
update passes of BOA, ML-Poly and the KT experts (these write too; their placement is tested).
There LLVM's vectorized loop runs for any non-overlapping arrays, so the order of the additions depends on N
alone and the numbers are reproducible; ``tests/test_determinism.py`` checks that they do not depend on where
the arrays lie in memory. Fast-math flags belong to each instruction, so a reassociating kernel that calls
``fast_exp`` leaves the exponential's own arithmetic exact.

Kernels are compiled without numba's reference counting (``_nrt=False``) unless they say ``allocates=True``.
With it, every array handed in from Python is wrapped in a new reference-counted record (an allocation per array
per call), and every array a kernel takes and every view it makes (a row, a slice) is counted by atomic, out-of-line
increments and decrements in each kernel along the way. Without it, one ``update()`` of NormalHedge or BOA from
Python (eight state arrays) took about 0.4 us less at N = 10 and 100 (1.7-1.9 -> 1.2-1.5 us;
``docs/learners.md``). A kernel that allocates (``np.empty``, or copying an array into a row or a slice, which
numba does through a temporary) needs it; a kernel without it cannot return a new array (numba refuses to compile
that), and no kernel of the package returns an array at all (``tests/test_jit.py`` reads their sources for both).

numba keys each cached kernel to its own source file, while a kernel has the kernels it calls from other files
compiled into it. Importing this module therefore compares a SHA-256 of every source file of the package (and of
``scripts/`` in a checkout) with the one stored beside the caches, and deletes the caches when it differs
(:func:`purge_stale_caches`): after a ``git pull`` or an edit, no kernel keeps an old callee.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from numba import config, njit

FASTMATH: frozenset[str] = frozenset({"contract"})
FASTMATH_REDUCTION: frozenset[str] = FASTMATH | {"reassoc"}

F = TypeVar("F", bound=Callable)


def kernel(
    function: F | None = None, *, reassociate: bool = False, allocates: bool = False, signature: str | None = None
) -> Any:
    """Compile ``function`` as a cached, GIL-free numba kernel with the package's flags.

    Use as ``@kernel`` or ``@kernel(reassociate=True)`` (for loops that sum, so that they vectorize);
    ``allocates=True`` for a kernel that allocates arrays (it is compiled with reference counting).
    ``@kernel(signature="...")`` compiles that one signature at import and no other: a call with other argument
    types raises ``TypeError`` instead of compiling a new version (a free type check for a caller that has a
    general path to fall back on).
    """
    flags = FASTMATH_REDUCTION if reassociate else FASTMATH

    def compile_(target: F) -> F:
        options = {"cache": True, "nogil": True, "fastmath": set(flags), "error_model": "numpy", "_nrt": allocates}
        return (njit(**options) if signature is None else njit(signature, **options))(target)

    return compile_ if function is None else compile_(function)


def uncached_kernel(function: F) -> F:
    """Compile ``function`` with the package's flags but without the on-disk cache.

    For drivers that take another kernel as an argument: numba cannot cache those (every process would add a new
    cache entry that is never reused), so they compile once per process and argument types instead.
    """
    return njit(cache=False, nogil=True, fastmath=set(FASTMATH), error_model="numpy", _nrt=False)(function)


_PACKAGE = Path(__file__).resolve().parent
_STAMP_NAME = "kernel-sources.sha256"


def kernel_source_dirs() -> list[Path]:
    """The directories whose kernels can call the package's: the package and, in a source checkout, ``scripts/``."""
    dirs = sorted({path.parent for path in _PACKAGE.rglob("*.py")})
    scripts = _PACKAGE.parent / "scripts"
    return dirs + ([scripts] if scripts.is_dir() else [])


def numba_cache_subdir(source_dir: Path) -> str:
    """The directory under ``NUMBA_CACHE_DIR`` where numba caches the kernels of ``source_dir``: its name and the
    SHA-1 of its absolute path, as numba's ``get_suitable_cache_subpath`` builds it (checked in the tests)."""
    path = os.path.abspath(source_dir)
    return f"{os.path.basename(path)}_{hashlib.sha1(path.encode()).hexdigest()}"


def _cache_dirs(source_dir: Path) -> Iterator[Path]:
    """Where numba caches the kernels of ``source_dir``: beside it, or under ``NUMBA_CACHE_DIR`` when that is set."""
    yield source_dir / "__pycache__"
    if config.CACHE_DIR:
        yield Path(config.CACHE_DIR) / numba_cache_subdir(source_dir)


def purge_stale_caches(source_dirs: Iterable[Path], stamp_dirs: Iterable[Path]) -> bool:
    """Delete the cached kernels of ``source_dirs`` if any of their sources changed since the caches were written.

    numba keys a cached kernel to its own source file only. A kernel that calls a kernel of another file has that
    callee compiled into it, and keeps the old one after the other file changes (a ``git pull`` on an editable
    install, an edit while developing): stale code, with no error. So the SHA-256 of every source file is kept
    beside the caches (``kernel-sources.sha256`` in each of ``stamp_dirs``); when it differs, every ``.nbi`` /
    ``.nbc`` file of ``source_dirs`` is deleted and numba compiles afresh. Returns whether it purged. Directories
    that cannot be written are left alone.
    """
    source_dirs = list(source_dirs)
    digest = hashlib.sha256()
    for directory in source_dirs:
        for path in sorted(directory.glob("*.py")):
            digest.update(str(path).encode())
            digest.update(path.read_bytes())
    expected = digest.hexdigest()
    stamps = [directory / _STAMP_NAME for directory in stamp_dirs]
    if all(_read(stamp) == expected for stamp in stamps):
        return False
    for directory in source_dirs:
        for cache_dir in _cache_dirs(directory):
            for path in list(cache_dir.glob("*.nbi")) + list(cache_dir.glob("*.nbc")):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
    for stamp in stamps:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(expected)
        except OSError:
            pass
    return True


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def purge_stale_package_caches() -> bool:
    """:func:`purge_stale_caches` for the package (run once, when this module is imported)."""
    return purge_stale_caches(kernel_source_dirs(), _cache_dirs(_PACKAGE))


purge_stale_package_caches()
