"""Shared helpers of the benchmark scripts: the machine description and a robust timer."""

from __future__ import annotations

import os
import platform
import shlex
import sys
import timeit
from collections.abc import Callable

import numpy as np


def machine() -> str:
    """One line naming the CPU, core count and library versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import numba

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
            f"numba {numba.__version__}, {platform.system()} {platform.release()}")


def command() -> str:
    """The command line that reproduces this run."""
    return "python " + " ".join(shlex.quote(arg) for arg in sys.argv)


def median_time(function: Callable[[], object], min_total: float = 0.2, repeats: int = 7) -> float:
    """Median seconds per call over ``repeats`` batches, each batch long enough to be timed reliably."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    number = max(1, int(number * min_total / 0.2))
    return float(np.median(timer.repeat(repeat=repeats, number=number)) / number)
