"""Benchmark of ftrl.simulate: Hedge (fixed rate, full information) on the fast path against a C loop and numpy.

For N in {10, 100, 1e3, 1e4} with T * N = 2e7, uniform [0, 1] losses replayed with ``environments.Replay``,
record every 1000 rounds, one seed, best of 5 interleaved runs:

* ``simulate``: ``ftrl.simulate(Hedge(N, eta), Replay(X), T, record=1000, n_jobs=1)``, warm (compiled);
* ``C``: ``scripts/hedge_loop.c`` compiled now with ``gcc -O3 -march=native -ffast-math`` and called through
  ctypes on the same matrix (the same one-pass arithmetic, libm/libmvec ``exp``);
* ``numpy``: a per-round loop as a user would write it (softmax of the shifted cumulative losses, dot, cumsum),
  timed on the first ``--numpy-rounds`` rounds and reported per round-expert.

Then: numba compile time from a cold cache (fresh ``NUMBA_CACHE_DIR``) and a warm one, each in a fresh process;
the peak RSS of a T = 1e7, N = 100, record="log" run on Bernoulli losses (in a subprocess, ``resource.getrusage``);
and 2 seeds with n_jobs=2 against n_jobs=1.

Run: ``python scripts/bench_simulate.py`` (a few minutes on a 2-core machine; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from _bench_common import machine

TOTAL = 20_000_000
RECORD = 1000


def build_c_loop(directory: Path) -> ctypes.CDLL:
    library = directory / "libhedge_loop.so"
    command = ["gcc", "-O3", "-march=native", "-ffast-math", "-shared", "-fPIC", str(HERE / "hedge_loop.c"),
               "-o", str(library), "-lm"]
    subprocess.run(command, check=True)
    handle = ctypes.CDLL(str(library))
    handle.hedge_loop.restype = ctypes.c_long
    pointer = np.ctypeslib.ndpointer
    handle.hedge_loop.argtypes = [pointer(np.float64, flags="C"), ctypes.c_long, ctypes.c_long, ctypes.c_double,
                                  ctypes.c_long, pointer(np.float64, flags="C"), pointer(np.float64, flags="C"),
                                  pointer(np.int64, flags="C")]
    return handle


def run_c(handle: ctypes.CDLL, losses: np.ndarray, eta: float) -> tuple[float, np.ndarray]:
    horizon, n_experts = losses.shape
    n_records = horizon // RECORD + 1
    regret = np.zeros(n_records)
    best = np.zeros(n_records, dtype=np.int64)
    start = time.perf_counter()
    written = handle.hedge_loop(losses, horizon, n_experts, eta, RECORD, np.zeros(n_experts), regret, best)
    return time.perf_counter() - start, regret[:written]


def run_numpy(losses: np.ndarray, eta: float, rounds: int) -> float:
    """The loop a user would write: weights from the cumulative losses, pay, accumulate; time per round."""
    n_experts = losses.shape[1]
    cum_losses = np.zeros(n_experts)
    cum_loss = 0.0
    regrets = []
    start = time.perf_counter()
    for t in range(rounds):
        weights = np.exp(-eta * (cum_losses - cum_losses.min()))
        weights /= weights.sum()
        cum_loss += weights @ losses[t]
        cum_losses += losses[t]
        if (t + 1) % RECORD == 0:
            regrets.append(cum_loss - cum_losses.min())
    return (time.perf_counter() - start) / rounds


def time_simulate(learner, env, horizon: int):
    import ftrl

    start = time.perf_counter()
    frame = ftrl.simulate(learner, env, horizon, record=RECORD, n_jobs=1)
    return time.perf_counter() - start, frame


def time_blocks(losses: np.ndarray) -> float:
    """The environment's share: Replay copies each block out of the matrix (the C loop reads the matrix in place)."""
    import environments
    from ftrl.simulate import BLOCK_BYTES

    horizon, n_experts = losses.shape
    replay = environments.Replay(losses).reset(seed=0)
    rows = max(16, BLOCK_BYTES // (8 * n_experts))
    start = time.perf_counter()
    for first in range(0, horizon, rows):
        replay.block(min(rows, horizon - first))
    return time.perf_counter() - start


def speed_table(quick: bool, numpy_rounds: int, repeats: int) -> list[str]:
    import environments
    import ftrl

    sizes = [10, 100, 1000, 10000]
    total = TOTAL // 20 if quick else TOTAL
    lines = [("| N | T | simulate (s) | ns/round-expert | of which env.block | C loop (s) | ns/round-expert | "
              "simulate / C | numpy ns/round-expert | numpy / simulate | max abs regret diff vs C |"),
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)  # the header first; each row as soon as it is measured
    with tempfile.TemporaryDirectory() as directory:
        handle = build_c_loop(Path(directory))
        for n_experts in sizes:
            horizon = total // n_experts
            losses = np.random.default_rng(n_experts).random((horizon, n_experts))
            eta = float(np.sqrt(8 * np.log(n_experts) / horizon))
            env = environments.Replay(losses)
            learner = ftrl.Hedge(n_experts, eta=eta)
            ftrl.simulate(learner, environments.Replay(losses[:100]), 100, record=RECORD, n_jobs=1)  # compile
            # interleaved, best of each: the machine may be shared, and a load change then hits all three alike
            seconds, block_seconds, c_seconds = np.inf, np.inf, np.inf
            for _ in range(repeats):
                elapsed, frame = time_simulate(learner, env, horizon)
                seconds = min(seconds, elapsed)
                c_seconds = min(c_seconds, run_c(handle, losses, eta)[0])
                block_seconds = min(block_seconds, time_blocks(losses))
            c_regret = run_c(handle, losses, eta)[1]
            difference = float(np.abs(frame.regret.to_numpy() - c_regret).max())
            per_round = run_numpy(losses, eta, min(numpy_rounds, horizon))
            scale = 1e9 / (horizon * n_experts)
            numpy_ns = per_round * 1e9 / n_experts
            lines.append(
                f"| {n_experts} | {horizon} | {seconds:.3f} | {seconds * scale:.2f} | {block_seconds * scale:.2f} | "
                f"{c_seconds:.3f} | "
                f"{c_seconds * scale:.2f} | {seconds / c_seconds:.2f}x | {numpy_ns:.1f} | "
                f"{numpy_ns / (seconds * scale):.0f}x | {difference:.1e} |"
            )
            print(lines[-1], flush=True)
    return lines


def in_subprocess(code: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                               check=True, cwd=REPO, env={**os.environ, **(env or {})})
    return completed.stdout.strip()


COMPILE_PROBE = """
    import time
    start = time.perf_counter()
    import numpy as np, environments, ftrl
    imported = time.perf_counter()
    X = np.random.default_rng(0).random((50, 4))
    ftrl.simulate(ftrl.Hedge(4, eta=0.1), environments.Replay(X), 50, record=10, n_jobs=1)
    ftrl.simulate(ftrl.Hedge(4, eta=0.1), environments.Bernoulli([0.1, 0.2, 0.3, 0.4]), 50, n_jobs=1)
    first = time.perf_counter()
    ftrl.simulate(ftrl.Hedge(4, eta=0.1), environments.Replay(X), 50, record=10, n_jobs=1)
    ftrl.simulate(ftrl.Hedge(4, eta=0.1), environments.Bernoulli([0.1, 0.2, 0.3, 0.4]), 50, n_jobs=1)
    second = time.perf_counter()
    print(f"{imported - start:.2f} {first - imported - (second - first):.2f}")
"""

MEMORY_PROBE = """
    import resource, time
    import numpy as np, environments, ftrl
    means = np.random.default_rng(0).uniform(0.2, 0.8, 100)
    start = time.perf_counter()
    df = ftrl.simulate(ftrl.Hedge(100, eta=0.01), environments.Bernoulli(means), {horizon}, record="log", n_jobs=1)
    elapsed = time.perf_counter() - start
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{{int(status) / 1024:.0f}} {{rusage / 1024:.0f}} {{elapsed:.1f}} {{len(df)}}")
"""


def compile_times() -> list[str]:
    cache = tempfile.mkdtemp(prefix="ftrl-numba-cache-")
    try:
        cold = in_subprocess(COMPILE_PROBE, {"NUMBA_CACHE_DIR": cache}).split()
        warm = in_subprocess(COMPILE_PROBE, {"NUMBA_CACHE_DIR": cache}).split()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return [f"import ftrl + environments: {cold[0]} s (cold), {warm[0]} s (warm)",
            (f"first simulate (Hedge fused + generic kernels, Replay and Bernoulli) minus a second one: "
             f"{cold[1]} s from a cold cache, {warm[1]} s from a warm cache")]


def memory(horizon: int) -> str:
    """Peak RSS of a fresh process: VmHWM, and getrusage's ru_maxrss (Linux carries the parent's peak at fork
    over into the child's ru_maxrss across exec, so it is only meaningful while this parent is still small)."""
    hwm, rusage, elapsed, rows = in_subprocess(MEMORY_PROBE.format(horizon=horizon)).split()
    return (f"peak RSS, Hedge N=100 on Bernoulli losses, T={horizon:.0e}, record='log' ({rows} rows): {hwm} MB "
            f"(VmHWM), {rusage} MB (getrusage ru_maxrss); run {elapsed} s")


def parallel(horizon: int, repeats: int) -> list[str]:
    import environments
    import ftrl

    means = np.random.default_rng(1).uniform(0.2, 0.8, 100)
    cases = {"Bernoulli": environments.Bernoulli(means),
             "Replay": environments.Replay(np.random.default_rng(2).random((horizon, 100)))}
    learner = ftrl.Hedge(100, eta=0.01)
    lines = []
    for label, env in cases.items():
        ftrl.simulate(learner, env, 100, seeds=2, n_jobs=2)
        timings, frames = {}, {}
        for n_jobs in (1, 2):
            timings[n_jobs] = np.inf
            for _ in range(repeats):
                start = time.perf_counter()
                frames[n_jobs] = ftrl.simulate(learner, env, horizon, seeds=2, record="log", n_jobs=n_jobs)
                timings[n_jobs] = min(timings[n_jobs], time.perf_counter() - start)
        identical = frames[1].equals(frames[2])
        lines.append(f"2 seeds, Hedge N=100, {label}, T={horizon:.0e}: n_jobs=1 {timings[1]:.2f} s, n_jobs=2 "
                     f"{timings[2]:.2f} s, speed-up {timings[1] / timings[2]:.2f}x, identical results: {identical}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="T * N = 1e6 and a short memory run")
    parser.add_argument("--numpy-rounds", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    print("command: python " + " ".join(sys.argv))
    print("machine: " + machine())
    print(memory(10**5 if arguments.quick else 10**7))
    for line in compile_times():
        print(line)
    print()
    speed_table(arguments.quick, arguments.numpy_rounds // (10 if arguments.quick else 1), arguments.repeats)
    print()
    for line in parallel(10**5 if arguments.quick else 10**6, arguments.repeats):
        print(line)


if __name__ == "__main__":
    main()
