"""Cost of one Hedge round from a Python loop: ``update(losses)`` then ``weights``.

Compared, at each N, with
- numpy Hedge: ``L += l; p = scipy.special.softmax(-eta * L)`` (a straightforward hand-written learner),
- the floor: a compiled no-op taking one array (the bare cost of a numba call from Python),
- one numpy pass over the vector: ``np.exp(l)`` over the same loss rows the learner is given (64 rows taken in
  turn, so that each round sees new losses; at N = 1e5 they take 51 MB, more than the L3 cache, and both the
  learner and this pass read them from memory), and ``np.exp`` of one vector that stays in cache.

Usage::

    python scripts/bench_learners.py [--sizes 10 1000 100000] [--repeats 7]

Prints the median time per round over ``repeats`` timed runs, with ratios to the floor and to ``np.exp``.

    python scripts/bench_learners.py --parameter-free [--sizes 100 1000] [--repeats 7]

measures instead the parameter-free learners (Squint, NormalHedge, BOA, ML-Poly, KT experts) in the
simulator's fast path: ``ftrl.simulate(learner, Replay(uniform (T, N) matrix), T, record=1000, n_jobs=1)``
with T * N = 2e7,
against Hedge with a fixed rate, the learners timed in turn within each repeat, and prints ns per round-expert (best
of ``repeats``) and the median over the repeats of the ratio to Hedge's time in the same repeat.

    python scripts/bench_learners.py --every-learner [--sizes 100 1000] [--repeats 7]

the same for every registered learner (the fixed-rate ones with eta = 0.1; Fixed Share with alpha = 0.01 and 0;
Exp3 and Tsallis-INF with bandit feedback on the same losses).

    python scripts/bench_learners.py --arithmetic

times the operations those learners' formulas need, each in a compiled loop over a cached vector of 1000 entries
(ns per entry, best of 5): the floor under their cost per round-expert.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import NDArray
from scipy.special import softmax

import environments
import ftrl
from ftrl import BOA, Hedge, KTExperts, MLPoly, NormalHedge, Squint
from ftrl._jit import kernel, uncached_kernel
from ftrl.learners.squint import _erfcx_series
from ftrl.ops import exp_nonpositive, fast_exp


@kernel
def _no_op(values: NDArray[np.float64]) -> None:  # the floor: the cost of calling a compiled function with an array
    return None


@kernel
def _fast_exp_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = fast_exp(x[i])


@kernel
def _exp_nonpositive_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = exp_nonpositive(x[i])


@kernel
def _sqrt_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = math.sqrt(x[i])


@kernel
def _division_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = 1.0 / x[i]


@kernel
def _reciprocal_sqrt_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = 1.0 / math.sqrt(x[i])


@kernel
def _erfcx_polynomial_pass(x: NDArray[np.float64], out: NDArray[np.float64]) -> None:
    for i in range(x.shape[0]):
        out[i] = _erfcx_series(x[i])


@uncached_kernel
def _repeat(
    operation: Callable[..., None], x: NDArray[np.float64], out: NDArray[np.float64], repeats: int
) -> None:  # takes a kernel: not cacheable (see ftrl._jit.uncached_kernel)
    for _ in range(repeats):
        operation(x, out)


def bench_arithmetic() -> None:
    """ns per entry of each operation the parameter-free learners need, over a cached vector of 1000 entries."""
    x = -np.random.default_rng(0).random(1000) * 30.0
    positive = -x + 0.05
    out = np.empty_like(x)
    operations = {"fast_exp": (_fast_exp_pass, x), "exp_nonpositive": (_exp_nonpositive_pass, x),
                  "sqrt": (_sqrt_pass, positive), "1 / x": (_division_pass, positive),
                  "1 / sqrt": (_reciprocal_sqrt_pass, positive),
                  "erfcx polynomial (24 FMA)": (_erfcx_polynomial_pass, positive / 31.0)}
    print("command:", " ".join([os.path.basename(sys.executable), *sys.argv]))
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus; numpy "
          f"{np.__version__}, numba {numba.__version__}; ns per entry, best of 5")
    print()
    repeats = 20_000
    for name, (operation, values) in operations.items():
        _repeat(operation, values, out, 1)
        best = math.inf
        for _ in range(5):
            start = time.perf_counter()
            _repeat(operation, values, out, repeats)
            best = min(best, time.perf_counter() - start)
        print(f"{name:>26} | {best / repeats / values.shape[0] * 1e9:6.3f}")


def median_seconds_per_call(step: Callable[[int], object], calls: int, repeats: int) -> float:
    """Median over ``repeats`` runs of the mean time of ``calls`` calls of ``step(i)``."""
    step(0)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(calls):
            step(i)
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def bench_size(n_experts: int, repeats: int) -> dict[str, float]:
    calls = max(20, min(20_000, 2_000_000 // n_experts))
    rng = np.random.default_rng(0)
    rows = rng.random((64, n_experts))
    eta = 0.5
    hedge = Hedge(n_experts, eta=eta)

    def ftrl_round(i: int) -> object:
        hedge.update(rows[i & 63])
        return hedge.weights

    cum_losses = np.zeros(n_experts)

    def numpy_round(i: int) -> object:
        cum_losses.__iadd__(rows[i & 63])
        return softmax(-eta * cum_losses)

    vector = rows[0].copy()
    return {
        "ftrl": median_seconds_per_call(ftrl_round, calls, repeats),
        "numpy": median_seconds_per_call(numpy_round, calls, repeats),
        "floor": median_seconds_per_call(lambda i: _no_op(vector), calls, repeats),
        "exp": median_seconds_per_call(lambda i: np.exp(rows[i & 63]), calls, repeats),
        "exp_cached": median_seconds_per_call(lambda i: np.exp(vector), calls, repeats),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="numbers of experts (default 10 1000 100000; with --parameter-free 100 1000)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--parameter-free", action="store_true",
                        help="time the parameter-free learners against Hedge in ftrl.simulate instead")
    parser.add_argument("--every-learner", action="store_true",
                        help="time every registered learner (bandits with bandit feedback) against Hedge in "
                             "ftrl.simulate instead")
    parser.add_argument("--arithmetic", action="store_true",
                        help="time the operations of the parameter-free learners' formulas instead")
    args = parser.parse_args(argv)
    if args.arithmetic:
        bench_arithmetic()
        return
    if args.parameter_free or args.every_learner:
        bench_in_simulator(EVERY_LEARNER if args.every_learner else PARAMETER_FREE, args.sizes or [100, 1_000],
                           args.repeats)
        return
    args.sizes = args.sizes or [10, 1_000, 100_000]

    print("command:", " ".join([os.path.basename(sys.executable), *sys.argv]))
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus, {platform.system()} "
          f"{platform.release()}; Python {platform.python_version()}, numpy {np.__version__}, numba "
          f"{numba.__version__}")
    print()
    header = (f"{'N':>8} | {'ftrl Hedge':>11} | {'numpy+softmax':>13} | {'numba floor':>11} | {'np.exp pass':>11} | "
              f"{'np.exp cached':>13} | {'vs numpy':>8} | {'vs floor':>8} | {'vs np.exp':>9} | {'vs cached':>9}")
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        r = bench_size(size, args.repeats)
        print(f"{size:>8} | {_us(r['ftrl'])} | {_us(r['numpy'], 13)} | {_us(r['floor'])} | {_us(r['exp'])} | "
              f"{_us(r['exp_cached'], 13)} | {r['numpy'] / r['ftrl']:>7.1f}x | {r['ftrl'] / r['floor']:>7.1f}x | "
              f"{r['ftrl'] / r['exp']:>8.2f}x | {r['ftrl'] / r['exp_cached']:>8.2f}x")
    print("\nTimes are per round (update + weights), median of the repeats; 'vs numpy' is the speed-up over the "
          "numpy learner,\n'vs floor' and 'vs np.exp' how many times the bare numba call and one np.exp pass over "
          "the same loss rows,\n'vs cached' how many times np.exp of one vector that stays in cache.")


SIMULATOR_CELLS = 20_000_000
"""T * N of each timed run of :func:`bench_in_simulator`."""

PARAMETER_FREE: dict[str, tuple[Callable[[int], object], str]] = {
    "squint": (Squint, "full"),
    "normalhedge": (NormalHedge, "full"),
    "boa": (BOA, "full"),
    "ml-poly": (MLPoly, "full"),
    "kt-experts": (KTExperts, "full"),
}
EVERY_LEARNER: dict[str, tuple[Callable[[int], object], str]] = {
    "ftl": (ftrl.FTL, "full"),
    "hedge (anytime)": (Hedge, "full"),
    "adahedge": (ftrl.AdaHedge, "full"),
    "flipflop": (ftrl.FlipFlop, "full"),
    "fixed-share (a=0.01)": (lambda n: ftrl.FixedShare(n, eta=0.1, alpha=0.01), "full"),
    "fixed-share (a=0)": (lambda n: ftrl.FixedShare(n, eta=0.1, alpha=0.0), "full"),
    "ftrl entropy": (lambda n: ftrl.FTRL(n, "entropy", eta=0.1), "full"),
    "ftrl euclidean": (lambda n: ftrl.FTRL(n, "euclidean", eta=0.1), "full"),
    "ftrl tsallis": (lambda n: ftrl.FTRL(n, "tsallis", eta=0.1), "full"),
    "ftrl log-barrier": (lambda n: ftrl.FTRL(n, "log-barrier", eta=0.1), "full"),
    **PARAMETER_FREE,
    "exp3": (ftrl.Exp3, "bandit"),
    "tsallis-inf": (ftrl.TsallisINF, "bandit"),
}


def bench_in_simulator(learners: dict[str, tuple[Callable[[int], object], str]], sizes: list[int],
                       repeats: int) -> None:
    """ns per round-expert of ``ftrl.simulate`` (fast path, one thread) and the ratio to fixed-rate Hedge.

    The learners are timed in turn within each repeat, so that the machine's drift (tens of percent on a shared
    machine) falls on all of them alike; the ratio is the median over the repeats of each learner's time over
    Hedge's time in the same repeat. Bandit learners run with ``feedback="bandit"`` on the same losses.
    """
    learners = {"hedge (eta=0.1)": (lambda n: Hedge(n, eta=0.1), "full"), **learners}
    print("command:", " ".join([os.path.basename(sys.executable), *sys.argv]))
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cpus; numpy "
          f"{np.__version__}, numba {numba.__version__}; T * N = {SIMULATOR_CELLS:.0e}, "
          f"{repeats} repeats, the learners in turn within each")
    print()
    width = max(len(name) for name in learners)
    header = f"{'learner':>{width}} | " + " | ".join(f"{f'N={n} ns':>10} | {'vs Hedge':>8}" for n in sizes)
    print(header)
    print("-" * len(header))
    best: dict[str, list[float]] = {name: [] for name in learners}
    ratio: dict[str, list[float]] = {name: [] for name in learners}
    for n_experts in sizes:
        horizon = SIMULATOR_CELLS // n_experts
        env = environments.Replay(np.random.default_rng(0).random((horizon, n_experts)))
        warm = environments.Replay(np.random.default_rng(1).random((50, n_experts)))
        seconds: dict[str, list[float]] = {name: [] for name in learners}
        for make, feedback in learners.values():
            ftrl.simulate(make(n_experts), warm, 50, record=10, n_jobs=1, feedback=feedback)
        for _ in range(repeats):
            for name, (make, feedback) in learners.items():
                start = time.perf_counter()
                ftrl.simulate(make(n_experts), env, horizon, record=1000, n_jobs=1, feedback=feedback)
                seconds[name].append(time.perf_counter() - start)
        for name, times in seconds.items():
            best[name].append(min(times) / SIMULATOR_CELLS * 1e9)
            hedge_times = seconds["hedge (eta=0.1)"]
            ratio[name].append(statistics.median(t / h for t, h in zip(times, hedge_times)))
    for name in learners:
        cells = " | ".join(f"{ns:>10.2f} | {r:>7.2f}x" for ns, r in zip(best[name], ratio[name]))
        print(f"{name:>{width}} | {cells}")
    print("\nns: best of the repeats; vs Hedge: median over the repeats of the time over Hedge's in the same repeat.")


def _us(seconds: float, width: int = 11) -> str:
    return f"{seconds * 1e6:>{width - 3}.2f} us"


if __name__ == "__main__":
    main()
