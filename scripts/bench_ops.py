"""Benchmark ftrl.logsumexp and ftrl.softmax against scipy.special and a plain numpy expression.

Run from the project root::

    python scripts/bench_ops.py

Prints the machine, the command, and per case the time of ftrl and the ratios scipy/ftrl and numpy/ftrl
(above 1 means ftrl is faster). Times are medians of repeated batches after a warm-up call (compilation excluded).
"""

from __future__ import annotations

import argparse
import functools

import numpy as np
import scipy.special
from _bench_common import command, machine, median_time

import ftrl


def numpy_logsumexp(a, axis=None):
    largest = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(largest, axis=axis) + np.log(np.sum(np.exp(a - largest), axis=axis))


def numpy_softmax(a, axis=None):
    shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def main() -> None:
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    rng = np.random.default_rng(0)
    cases = [("1-D", (10,), None), ("1-D", (1000,), None), ("1-D", (1_000_000,), None),
             ("matrix", (1000, 1000), 1), ("matrix", (1000, 1000), 0), ("matrix", (100_000, 10), 1)]
    print(f"machine: {machine()}")
    print(f"command: {command()}")
    print()
    print("| function | input | axis | ftrl | scipy / ftrl | numpy / ftrl |")
    print("|---|---|---|---|---|---|")
    for name, ours, scipys, numpys in [
        ("logsumexp", ftrl.logsumexp, scipy.special.logsumexp, numpy_logsumexp),
        ("softmax", ftrl.softmax, scipy.special.softmax, numpy_softmax),
    ]:
        for kind, shape, axis in cases:
            a = rng.normal(scale=10.0, size=shape)
            np.testing.assert_allclose(ours(a, axis=axis), scipys(a, axis=axis), rtol=1e-10, atol=1e-300)
            t_ours, t_scipy, t_numpy = (median_time(functools.partial(function, a, axis=axis))
                                        for function in (ours, scipys, numpys))
            print(f"| {name} | {kind} {'x'.join(map(str, shape))} | {axis} | {t_ours * 1e6:.1f} us "
                  f"| {t_scipy / t_ours:.1f}x | {t_numpy / t_ours:.1f}x |")


if __name__ == "__main__":
    main()
