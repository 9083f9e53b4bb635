"""Where the cells of an experiment run: in this process, in local worker processes, or on a Dask cluster.

:func:`execute` yields ``(cell, outcome)`` as cells finish, ``outcome`` being the function's return value or the
exception it raised; the caller writes results (so remote Dask workers need no shared file system). A cell is a
pure function of its description, so every executor gives identical results.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ftrl._validation import check_choice

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

__all__ = ["ExecutorError", "Progress", "check_scheduler", "execute"]

CellT = TypeVar("CellT")

_CONNECT_TIMEOUT = "5s"


class ExecutorError(RuntimeError):
    """The executor could not start (e.g. an unreachable Dask scheduler)."""


def execute(
    cells: Sequence[CellT],
    function: Callable[[CellT], Any],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: bool = False,
) -> Iterator[tuple[CellT, Any]]:
    """Run ``function`` on every cell and yield ``(cell, result or exception)`` in completion order.

    Parameters
    ----------
    cells : sequence
        Picklable work items.
    function : callable
        A module-level (picklable) function of one cell.
    workers : int, optional
        Local processes (default ``os.cpu_count()``; 1 runs in this process), or the LocalCluster's workers with
        ``dask_local`` (default 2).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:port``).
    dask_local : bool
        Start a Dask LocalCluster on 127.0.0.1 (worker processes, one thread each) for this call.

    Raises
    ------
    ExecutorError
        The scheduler cannot be reached within 5 seconds, or dask.distributed is not installed.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"The 'workers' parameter of execute must be an int >= 1. Got {workers!r} instead.")
    if scheduler is not None and dask_local:
        raise ValueError("Pass either a scheduler address or dask_local=True, not both.")
    if not cells:
        return
    if scheduler is not None or dask_local:
        yield from _execute_dask(cells, function, scheduler=scheduler, workers=workers)
        return
    n_workers = min(workers or os.cpu_count() or 1, len(cells))
    if n_workers == 1:
        for cell in cells:
            yield cell, _call(function, cell)
        return
    yield from _execute_processes(cells, function, n_workers)


def _call(function: Callable[[CellT], Any], cell: CellT) -> Any:
    try:
        return function(cell)
    except Exception as error:  # noqa: BLE001 - a failing cell is reported, the others go on
        return error


def _execute_processes(
    cells: Sequence[CellT], function: Callable[[CellT], Any], n_workers: int
) -> Iterator[tuple[CellT, Any]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: numba's threading layers and fork do not mix; every worker imports ftrl afresh (numba cache warm).
    context = multiprocessing.get_context("spawn")
    # The workers exit as soon as this write end closes: when the caller stops early (Ctrl-C, SIGTERM turned
    # into an exception, an error) and when this process dies, even by SIGKILL.
    lifeline, lifeline_end = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context, initializer=_exit_when_closed, initargs=(lifeline,)
    )
    try:
        futures = {pool.submit(_call, function, cell): cell for cell in cells}
        for future in as_completed(futures):
            yield futures[future], future.result()
    except BaseException:
        lifeline_end.close()  # stop the running cells now rather than wait for them
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        lifeline_end.close()
        lifeline.close()


def _exit_when_closed(lifeline: Connection) -> None:
    """Worker initializer: end this process as soon as the parent closes (or loses) the other end of
    ``lifeline``."""

    def watch() -> None:
        lifeline.poll(None)  # returns at end of file: the parent closed its end or died
        os._exit(1)

    threading.Thread(target=watch, name="ftrl-lifeline", daemon=True).start()


def check_scheduler(address: str) -> None:
    """Connect to the Dask scheduler at ``address`` and disconnect; ExecutorError if it cannot be reached (or
    dask.distributed is not installed). Lets a caller fail before it writes anything."""
    _connect(address).close()


def _distributed() -> Any:
    """The ``distributed`` module; ExecutorError if it is not installed."""
    try:
        import distributed
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise ExecutorError(
            "The Dask executor needs dask.distributed: pip install 'ftrl[distributed]'."
        ) from error
    return distributed


def _connect(address: str) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``; ExecutorError if it is unreachable."""
    try:
        return _distributed().Client(address, timeout=_CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise ExecutorError(
            f"Could not connect to the Dask scheduler at {address!r} within {_CONNECT_TIMEOUT}: {error}. "
            "Is `dask scheduler` running there, and is the address tcp://HOST:PORT?"
        ) from None


def _execute_dask(
    cells: Sequence[CellT], function: Callable[[CellT], Any], *, scheduler: str | None, workers: int | None
) -> Iterator[tuple[CellT, Any]]:
    distributed = _distributed()
    cluster = None
    try:
        if scheduler is None:
            cluster = distributed.LocalCluster(
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            address = cluster.scheduler_address
        else:
            address = scheduler
        with _connect(address) as client:
            futures = {client.submit(_call, function, cell, pure=False): cell for cell in cells}
            for future in distributed.as_completed(futures):
                yield futures[future], future.result()
    finally:
        if cluster is not None:
            cluster.close()


class Progress:
    """Progress over cells: a tqdm bar on a terminal, one plain line per cell otherwise, or nothing.

    Parameters
    ----------
    total : int
        Number of cells.
    initial : int
        Cells already done (skipped).
    mode : {"auto", "bar", "lines", "none"}
        ``"auto"``: a bar when stderr is a terminal and tqdm is installed, else lines.
    """

    def __init__(self, total: int, initial: int = 0, mode: str = "auto") -> None:
        check_choice(mode, "mode", ("auto", "bar", "lines", "none"), "Progress")
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() and _has_tqdm() else "lines"
        self.mode = mode
        self.total = total
        self.done = initial
        self._bar = None
        if mode == "bar":
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=initial, unit="cell", dynamic_ncols=True)
        elif mode == "lines" and initial:
            print(f"[{initial}/{total}] already done, skipped", file=sys.stderr, flush=True)

    def advance(self, message: str) -> None:
        """One more cell finished (or failed), described by ``message``."""
        self.done += 1
        if self._bar is not None:
            self._bar.set_postfix_str(message[:60])
            self._bar.update(1)
        elif self.mode == "lines":
            print(f"[{self.done}/{self.total}] {message}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Close the bar, if any."""
        if self._bar is not None:
            self._bar.close()


def _has_tqdm() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True
