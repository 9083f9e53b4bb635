"""Time ``block()`` of the stochastic environments (and Replay) against drawing as many uniforms.

For N = 10, 100, 1000 experts and size * N = 1e6 losses per block, prints the best-of-repeats time (timed alternately with the baseline) of
``env.block(size)`` divided by the time of ``rng.random((size, N))`` on a numpy Generator (the target is <= 2),
and, for the environments whose sampler is not uniform, the ratio to the raw numpy sampler they wrap (the
overhead of the environment itself).

Run:  python scripts/bench_environments.py [--repeats 25]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit
from collections.abc import Callable
from functools import partial

import numpy as np

# Run from a checkout without (re)installing: the repository root comes first on the path.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import environments

TOTAL_LOSSES = 1_000_000


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo where available, else platform.processor()."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def paired_best_times(
    function: Callable[[], object], baseline: Callable[[], object], repeats: int
) -> tuple[float, float]:
    """Best times of ``function`` and ``baseline``, timed alternately so that machine load hits both alike."""
    function()
    baseline()
    function_times, baseline_times = [], []
    for _ in range(repeats):
        function_times.append(timeit.timeit(function, number=1))
        baseline_times.append(timeit.timeit(baseline, number=1))
    return min(function_times), min(baseline_times)


def block_function(env: object, size: int) -> Callable[[], object]:
    """A call of env.block(size); Replay is rewound before it would run past its data."""
    env.reset(seed=0)

    def one_block() -> object:
        if env.t + size > getattr(env, "horizon", np.inf):
            env.reset(seed=0)
        return env.block(size)

    return one_block


def cases(
    n_experts: int, size: int
) -> list[tuple[str, object, Callable[[np.random.Generator], object] | None]]:
    """(label, environment, raw numpy sampler of the same draws or None)."""
    spread = np.linspace(0.05, 0.95, n_experts)
    a, b = np.full(n_experts, 2.0), np.full(n_experts, 3.0)
    shape = (size, n_experts)
    return [
        ("bernoulli", environments.Bernoulli(spread), None),
        ("coin-flips", environments.CoinFlips(n_experts), None),
        ("gaussian", environments.Gaussian(spread, 0.2), lambda rng: rng.standard_normal(shape)),
        ("beta", environments.Beta(a, b), lambda rng: rng.beta(a, b, size=shape)),
        ("switching", environments.Switching([spread, spread[::-1]], [size // 2]), None),
        ("drifting (sinusoid)", environments.Drifting(n_experts, kind="sinusoid"), None),
        ("drifting (random walk)", environments.Drifting(n_experts), None),
        ("replay", environments.Replay(np.random.default_rng(0).random((2 * size, n_experts))), None),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=25)
    arguments = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    print(
        f"machine: {cpu_name()}, {os.cpu_count()} CPUs, {platform.system()}; "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    print(
        f"block of size * N = {TOTAL_LOSSES:.0e} losses; ratio = time(env.block(size)) / time(rng.random((size, N)))"
    )
    print()
    header = (
        f"{'environment':<24}"
        + "".join(f"{f'N={n}':>12}" for n in (10, 100, 1000))
        + "   ratio to the raw numpy sampler (N=10/100/1000)"
    )
    print(header)
    print("-" * len(header))
    rows: dict[str, list[str]] = {}
    raw_rows: dict[str, list[str]] = {}
    for n_experts in (10, 100, 1000):
        size = TOTAL_LOSSES // n_experts
        rng = np.random.Generator(np.random.PCG64(0))
        shape = (size, n_experts)
        uniform_times = []
        for label, env, raw_sampler in cases(n_experts, size):
            env_time, uniform_time = paired_best_times(
                block_function(env, size), partial(rng.random, shape), arguments.repeats
            )
            uniform_times.append(uniform_time)
            rows.setdefault(label, []).append(f"{env_time / uniform_time:>12.2f}")
            if raw_sampler is not None:
                env_time, raw_time = paired_best_times(
                    block_function(env, size), partial(raw_sampler, rng), arguments.repeats
                )
                raw_rows.setdefault(label, []).append(f"{env_time / raw_time:.2f}")
        rows.setdefault("rng.random itself (ms)", []).append(f"{min(uniform_times) * 1e3:>12.2f}")
    for label, cells in rows.items():
        raw = "/".join(raw_rows[label]) if label in raw_rows else ""
        print(f"{label:<24}" + "".join(cells) + f"   {raw}")


if __name__ == "__main__":
    main()
