r"""Simulate prediction with expert advice: a learner against an environment, over seeds, as a tidy DataFrame.

The protocol, for :math:`t = 1, \dots, T`: the learner commits :math:`p_t \in \Delta_N` (under bandit feedback it
also draws an arm :math:`I_t \sim p_t`); the environment reveals :math:`\ell_t \in \mathbb{R}^N`; the learner pays
:math:`\langle p_t, \ell_t\rangle` (and :math:`\ell_{t, I_t}` when it sampled) and sees all of :math:`\ell_t`
(full information) or only :math:`\ell_{t, I_t}` (bandit). The bookkeeping is

.. math::

    \mathrm{Regret}_t = \sum_{s \le t} \langle p_s, \ell_s \rangle - \min_i L_{t,i}, \quad
    L_{t,i} = \sum_{s \le t} \ell_{s,i}, \qquad
    \text{pseudo-regret}_t = \sum_{s \le t} \langle p_s, \mu \rangle - t \min_i \mu_i .

Two paths compute it. The fast path (a built-in learner with a compiled block kernel, an oblivious environment)
asks the environment for blocks of losses and runs compiled kernels over each block; no Python runs per round (one
exception: pseudo-regret with a learner other than Hedge, which needs :math:`p_t` every round). The general path (adaptive environments, user-written learners or environments) is a plain Python loop over
``env.step``. Both give the same numbers. See ``docs/simulation.md``.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import numbers
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ftrl._ledger_kernels import LEDGER_COLUMNS, ledger_block
from ftrl._simulate_kernels import (
    FLOAT_COLUMNS,
    INT_COLUMNS,
    hedge_record_block,
    hedge_record_block_by_rows,
    largest_magnitude,
    means_block_bandit,
    means_block_full,
    record_block,
)
from ftrl._validation import check_choice, check_int, check_seeds
from ftrl.learners.base import BanditLearner, FullInformationLearner
from ftrl.learners.hedge import Hedge
from ftrl.ops import ordered_dot
from ftrl.schedules import ANYTIME, FIXED

__all__ = ["record_rounds", "simulate"]

BLOCK_BYTES = 2**21
"""Memory budget of one block of losses in the fast path (2 MiB: the block stays in L2/L3 cache)."""

_MIN_BLOCK_ROWS = 16
_ROWWISE_BELOW = 32
_COMPILED_MEANS_MIN_ROUNDS = 200_000
"""With ``means``, a run of at least this many rounds (horizon x seeds) books <p_t, mu> in a compiled driver
(compiled once per process and learner class, about half a second); shorter runs take one Python step per round
(about 3 us), which costs less than the compilation. Both give the same numbers."""
"""Fused Hedge with fewer experts than this runs in three passes per block (see ``hedge_record_block_by_rows``)."""
_LOG_RECORDS = 100
_OWNER = "simulate"
_EMPTY_FLOAT = np.zeros(0)
_EMPTY_INT = np.zeros(0, dtype=np.int64)


def default_block_rows(n_experts: int) -> int:
    """Rows per block of losses: :data:`BLOCK_BYTES` of them, at least :data:`_MIN_BLOCK_ROWS`."""
    return max(_MIN_BLOCK_ROWS, BLOCK_BYTES // (8 * n_experts))


def record_rounds(horizon: int, record: str | int) -> NDArray[np.int64]:
    """The rounds (1-based, increasing, distinct) at which :func:`simulate` keeps a row.

    Parameters
    ----------
    horizon : int
        T >= 1.
    record : "all", "log" or int
        ``"all"``: every round. An int k >= 1: rounds k, 2k, 3k, ... and always T. ``"log"``: min(100, T)
        distinct rounds spaced evenly in log scale, always including 1 and T.

    Examples
    --------
    >>> record_rounds(10, 4).tolist()
    [4, 8, 10]
    >>> record_rounds(5, "log").tolist()
    [1, 2, 3, 4, 5]
    """
    horizon = check_int(horizon, "horizon", "record_rounds", low=1)
    record = _check_record(record, "record_rounds")
    if record == "all":
        return np.arange(1, horizon + 1, dtype=np.int64)
    if record == "log":
        wanted = min(_LOG_RECORDS, horizon)
        count = wanted
        while True:
            rounds = np.unique(np.rint(np.geomspace(1, horizon, count)).astype(np.int64))
            if rounds.size >= wanted:
                return rounds
            count += wanted - rounds.size
    rounds = np.arange(record, horizon + 1, record, dtype=np.int64)
    if rounds.size == 0 or rounds[-1] != horizon:
        rounds = np.append(rounds, np.int64(horizon))
    return rounds


def _check_record(record: Any, owner: str) -> str | int:
    if isinstance(record, str):
        return check_choice(record, "record", ("all", "log"), owner)
    if isinstance(record, numbers.Integral) and not isinstance(record, (bool, np.bool_)):
        return check_int(record, "record", owner, low=1)
    raise ValueError(
        f"The 'record' parameter of {owner} must be 'all', 'log' or an int in the range [1, inf]. "
        f"Got {record!r} instead."
    )


def _is_learner(obj: Any) -> bool:
    return not isinstance(obj, type) and hasattr(obj, "n_experts") and hasattr(obj, "weights")


def _learner_feedback(learner: Any) -> str:
    declared = getattr(learner, "feedback", None)
    if declared in ("full", "bandit"):
        return declared
    return "bandit" if hasattr(learner, "update_arm") and not hasattr(learner, "update") else "full"


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays to Python numbers and lists, recursively; anything else not JSON-ready to str."""
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _describe(obj: Any) -> tuple[str, dict[str, Any]]:
    name = getattr(obj, "name", "") or type(obj).__name__
    get_params = getattr(obj, "get_params", None)
    params = get_params() if callable(get_params) else {}
    return str(name), _jsonable(params)


@dataclass(frozen=True)
class _Plan:
    """Everything one seed's run needs, decided and validated once before any work."""

    make_learner: Callable[[], Any]
    env: Any
    horizon: int
    feedback: str
    rounds: NDArray[np.int64]
    path: str
    block_rows: int
    means: NDArray[np.float64] | None
    switches: int | None = None
    """None: no ledger; an int m >= 0: dynamic, shifting (at most m switches) and adaptive regret columns."""
    compiled_means: bool = False
    """Book <p_t, mu> through the compiled drivers (long runs) rather than one Python step per round."""


class _Ledger:
    """The carried state of :func:`ftrl._ledger_kernels.ledger_block` for one seed."""

    def __init__(self, n_experts: int, switches: int, rounds: NDArray[np.int64]) -> None:
        self.rounds = rounds
        self.scalars = np.zeros(3)
        self.cum_expert = np.zeros(n_experts)
        self.lowest = np.zeros(n_experts)
        self.paths = np.zeros((switches + 1, n_experts))
        self.path_mins = np.zeros(switches + 1)
        self.out = np.full((rounds.shape[0], len(LEDGER_COLUMNS)), np.nan)
        self.pos = 0

    def advance(self, losses: NDArray[np.float64], expected: NDArray[np.float64], first_round: int) -> None:
        """Book the rounds ``first_round + 1, ...`` (one per row of ``losses``)."""
        self.pos = ledger_block(
            losses, expected, first_round, self.rounds, self.pos, self.scalars, self.cum_expert, self.lowest,
            self.paths, self.path_mins, self.out,
        )


_FUSED_HEDGE_STATE = ("counter", "weights", "cum_losses", "lowest", "rate_code", "rate_params")


def _fusable_hedge_state(learner: Any) -> tuple[Any, ...] | None:
    """The state a fused Hedge + bookkeeping kernel can play from, or None for the learner's own kernel.

    Only the exact class :class:`ftrl.Hedge` with a finite fixed, horizon-tuned or anytime rate (not FTL, not
    subclasses, whose kernels may differ). The state arrays are found by name: ``Hedge.block_kernel`` takes the
    learner's state after its two data arguments, and its parameter names say which array is which. The fused
    kernel reads and writes back ``counter``, ``weights`` (normalized :math:`p_{t+1}`), ``cum_losses`` and ``lowest``; if
    the names or shapes ever differ, the learner's own kernel is used.
    """
    if type(learner) is not Hedge:
        return None
    names = list(inspect.signature(Hedge.block_kernel.py_func).parameters)[2:]
    arrays = learner._writable_state()
    state = dict(zip(names, arrays))
    if len(names) != len(arrays) or not set(_FUSED_HEDGE_STATE) <= set(state):
        return None
    counter, weights, cum_losses, lowest, rate_code, rate_params = (state[name] for name in _FUSED_HEDGE_STATE)
    shape = (learner.n_experts,)
    if weights.shape != shape or cum_losses.shape != shape or counter.shape != (1,) or lowest.shape != (1,):
        return None
    if rate_code not in (FIXED, ANYTIME) or not np.all(np.isfinite(rate_params)):
        return None
    return counter, weights, cum_losses, lowest, rate_code, rate_params


def simulate(
    learner: Any,
    env: Any,
    horizon: int,
    *,
    seeds: int | Sequence[int] = 1,
    feedback: str = "full",
    record: str | int = "all",
    n_jobs: int | None = None,
    ledger: bool = False,
    switches: int = 3,
    _compiled_means_min_rounds: int = _COMPILED_MEANS_MIN_ROUNDS,
    _block_size: int | None = None,
    _path: str = "auto",
) -> pd.DataFrame:
    r"""Run ``learner`` against ``env`` for ``horizon`` rounds, once per seed, and return the regret curves.

    For each round the learner commits :math:`p_t`, the environment reveals :math:`\ell_t`, and the learner pays
    :math:`\langle p_t, \ell_t\rangle`; the regret is :math:`\sum_{s\le t}\langle p_s, \ell_s\rangle - \min_i L_{t,i}`
    with :math:`L_{t,i} = \sum_{s \le t}\ell_{s,i}`. Under bandit feedback the learner also draws
    :math:`I_t \sim p_t` and sees only :math:`\ell_{t,I_t}`.

    Parameters
    ----------
    learner : learner or callable
        A learner instance (deep-copied and reset for each seed; the object passed is never touched) or a
        factory, a callable with no arguments returning a fresh learner.
    env : environment
        Deep-copied for each seed, then reset with ``reset(seed=s)``.
    horizon : int
        Number of rounds T >= 1.
    seeds : int or sequence of int
        A count n (seeds 0, ..., n-1) or a list of distinct ints >= 0.
    feedback : {"full", "bandit"}
        Must match the learner: a bandit learner (``feedback == "bandit"``, with ``sample``/``update_arm``)
        under full information would ignore what it sees, and a full-information learner cannot learn from one
        coordinate of the loss, so a mismatch is a ValueError.
    record : "all", int or "log"
        Which rounds get a row: every round; rounds k, 2k, ... and T; or about 100 log-spaced rounds including 1
        and T (see :func:`record_rounds`). The bookkeeping runs every round whatever is recorded.
    n_jobs : int or None
        Seeds run in this many threads (None: ``os.cpu_count()``). The compiled kernels release the GIL, so
        the fast path scales with the cores; results are identical to a serial run.
    ledger : bool
        Add the columns ``dynamic_regret``, ``shifting_regret``, ``adaptive_regret`` and ``suffix_regret``
        (see Returns), booked
        every round by a compiled kernel in :math:`O(N (m + 2))` per round and :math:`O(N m)` memory (no loss
        matrix is kept). Off by default: it roughly doubles the cost of a Hedge round (1-3 ns per expert and
        round). The other columns are the same with or without it.
    switches : int
        m >= 0, the number of switches allowed to the comparator of ``shifting_regret`` (used with ``ledger``).
        m = 0 gives the external regret; the default 3 costs 4 extra passes over the experts per round.

    Returns
    -------
    pandas.DataFrame
        One row per (seed, recorded round), sorted by seed then t, with columns ``seed``, ``t`` (1-based),
        ``loss`` (:math:`\langle p_t, \ell_t\rangle`), ``cum_loss``, ``best_cum_loss`` (:math:`\min_i L_{t,i}`),
        ``best_expert`` (its index, the lowest on ties) and ``regret`` (``cum_loss - best_cum_loss``). Bandit runs
        add ``arm`` (:math:`I_t`), ``realized_loss`` (:math:`\ell_{t,I_t}`) and ``realized_regret``
        (:math:`\sum_{s\le t}\ell_{s,I_s} - \min_i L_{t,i}`). Environments with ``means`` add ``pseudo_regret``
        (:math:`\sum_{s\le t}\langle p_s,\mu\rangle - t\min_i\mu_i`). With ``ledger=True``: ``dynamic_regret``
        (:math:`\sum_{s\le t} h_s - \sum_{s \le t}\min_i \ell_{s,i}`, :math:`h_s = \langle p_s, \ell_s\rangle`),
        ``shifting_regret`` (:math:`\sum_{s\le t} h_s` minus the loss of the best sequence of experts with at most
        m switches over rounds 1..t) and ``adaptive_regret``
        (:math:`\max_{1\le r\le s\le t} \sum_{u=r}^{s} h_u - \min_i \sum_{u=r}^{s}\ell_{u,i}`, the worst interval
        inside the first t rounds, computed exactly: see ``ftrl._ledger_kernels``) and ``suffix_regret`` (the
        worst interval ending at t, :math:`\max_{r\le t} \sum_{u=r}^{t} h_u - \min_i \sum_{u=r}^{t}\ell_{u,i}`;
        ``adaptive_regret`` is its running maximum), all on expected losses;
        ``attrs["switches"]`` = m. ``df.attrs`` describes the run with
        JSON-ready values: learner and environment names and parameters, horizon, feedback, record, seeds, path
        ("fast" or "general"), versions of ftrl, numpy and numba, and the wall time in seconds.

    Raises
    ------
    TypeError
        A learner, factory result or environment without the needed attributes, or a parameter of the wrong type.
    ValueError
        Before any round is played: horizon < 1, unknown feedback or record, record < 1, bad seeds or n_jobs,
        a learner and an environment with different numbers of experts, or a feedback mismatch.

    Notes
    -----
    Seeding: for seed s the environment is reset with ``seed=s``. Under bandit feedback the arms are drawn by
    the learner from uniforms of a separate Generator, ``PCG64(np.random.SeedSequence(s).spawn(1)[0])``, one
    ``random()`` double per round, so the environment's stream and the sampling never share a generator. Both
    are consumed in the same order whatever the block size or the number of workers.

    Examples
    --------
    >>> import environments
    >>> from ftrl import make_learner, simulate
    >>> env = environments.Bernoulli([0.3, 0.5, 0.7])
    >>> df = simulate(make_learner("hedge", 3, eta=0.1), env, 1000, seeds=2, record=500)
    >>> df[["seed", "t"]].values.tolist()
    [[0, 500], [0, 1000], [1, 500], [1, 1000]]
    >>> bool((df.regret == df.cum_loss - df.best_cum_loss).all())
    True
    """
    start = time.perf_counter()
    horizon = check_int(horizon, "horizon", _OWNER, low=1)
    feedback = check_choice(feedback, "feedback", ("full", "bandit"), _OWNER)
    record = _check_record(record, _OWNER)
    seed_list = check_seeds(seeds, _OWNER)
    workers = (os.cpu_count() or 1) if n_jobs is None else check_int(n_jobs, "n_jobs", _OWNER, low=1)
    path_choice = check_choice(_path, "_path", ("auto", "fast", "general"), _OWNER)
    if not isinstance(ledger, (bool, np.bool_)):
        raise TypeError(f"The 'ledger' parameter of {_OWNER} must be a bool. Got {ledger!r} instead.")
    switches = check_int(switches, "switches", _OWNER, low=0)

    if _is_learner(learner):
        template = learner

        def make_learner() -> Any:
            fresh = copy.deepcopy(template)
            fresh.reset()
            return fresh

    elif callable(learner):
        make_learner = learner
    else:
        raise TypeError(
            f"The 'learner' parameter of {_OWNER} must be a learner (with n_experts and weights) or a callable "
            f"returning one. Got {learner!r} instead."
        )
    probe = make_learner()
    if not _is_learner(probe):
        raise TypeError(
            f"The 'learner' factory passed to {_OWNER} must return a learner (with n_experts and weights). "
            f"Got {probe!r} instead."
        )
    n_experts = getattr(env, "n_experts", None)
    if not (hasattr(env, "reset") and hasattr(env, "step")) or n_experts is None:
        raise TypeError(
            f"The 'env' parameter of {_OWNER} must be an environment with n_experts, reset(*, seed) and "
            f"step(weights). Got {env!r} instead."
        )
    if int(probe.n_experts) != int(n_experts):
        raise ValueError(
            f"The learner and the environment passed to {_OWNER} must have the same number of experts. "
            f"Got {probe.n_experts} for the learner and {n_experts} for the environment."
        )
    learner_feedback = _learner_feedback(probe)
    if learner_feedback != feedback:
        raise ValueError(
            f"The 'feedback' parameter of {_OWNER} must match the learner: {type(probe).__name__} learns from "
            f"{learner_feedback!r} feedback, so pass feedback={learner_feedback!r} (for bandit feedback use a "
            f"bandit learner such as Exp3). Got {feedback!r} instead."
        )
    if ledger and hasattr(probe, "weights_for"):
        raise ValueError(
            f"The 'ledger' parameter of {_OWNER} is not available for sleeping experts (a learner with "
            "weights_for); pass ledger=False."
        )
    if hasattr(probe, "weights_for"):  # sleeping experts (NaN losses): sleeping regret, see simulate_sleeping
        from ftrl.learners.wrappers import simulate_sleeping

        return simulate_sleeping(make_learner, env, horizon, seeds=seed_list, record=record, _path=path_choice)
    block_rows = _block_size
    if block_rows is None:
        block_rows = default_block_rows(int(n_experts))
    else:
        block_rows = check_int(block_rows, "_block_size", _OWNER, low=1)
    means = getattr(env, "means", None)
    means = None if means is None else np.ascontiguousarray(means, dtype=np.float64)

    kernel_method = "advance" if feedback == "full" else "advance_bandit"
    fast_ok = bool(getattr(env, "oblivious", False)) and hasattr(env, "block") and hasattr(probe, kernel_method)
    if path_choice == "fast" and not fast_ok:
        raise ValueError(
            f"The fast path of {_OWNER} needs an oblivious environment with block() and a learner with "
            f"{kernel_method}(); got {type(env).__name__} and {type(probe).__name__}."
        )
    path = "fast" if fast_ok and path_choice != "general" else "general"

    plan = _Plan(
        make_learner, env, horizon, feedback, record_rounds(horizon, record), path, block_rows, means,
        switches if ledger else None, horizon * len(seed_list) >= _compiled_means_min_rounds,
    )
    n_workers = min(workers, len(seed_list))
    if n_workers == 1:
        frames = [_run_seed(plan, seed) for seed in seed_list]
    else:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            frames = list(pool.map(lambda seed: _run_seed(plan, seed), seed_list))
    df = pd.concat(frames, ignore_index=True)

    learner_name, learner_params = _describe(probe)
    env_name, env_params = _describe(env)
    import numba

    import ftrl

    df.attrs = {
        "learner": learner_name,
        "learner_params": learner_params,
        "environment": env_name,
        "environment_params": env_params,
        "n_experts": int(n_experts),
        "horizon": horizon,
        "feedback": feedback,
        "record": record,
        "seeds": seed_list,
        "path": path,
        "n_jobs": n_workers,
        "versions": {"ftrl": ftrl.__version__, "numpy": np.__version__, "numba": numba.__version__},
        "wall_time": time.perf_counter() - start,
    }
    if ledger:
        df.attrs["switches"] = switches
    json.dumps(df.attrs)  # every value must be JSON-ready; a TypeError here is a bug, not a user error
    return df


def _sampling_generator(seed: int) -> np.random.Generator:
    """The Generator of the bandit sampling uniforms for ``seed``: independent of the environment's stream."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed).spawn(1)[0]))


def _fresh_copy(obj: Any) -> Any:
    """A deep copy of ``obj`` that shares its read-only numpy arrays (a replayed loss matrix is not copied).

    An array whose ``writeable`` flag is off cannot be changed through the copy, so sharing it is safe; it keeps
    a per-seed copy of ``environments.Replay`` from duplicating the whole loss matrix in memory.
    """
    attributes = getattr(obj, "__dict__", {})
    memo = {id(value): value for value in attributes.values()
            if isinstance(value, np.ndarray) and not value.flags.writeable}
    return copy.deepcopy(obj, memo)


def _run_seed(plan: _Plan, seed: int) -> pd.DataFrame:
    learner = plan.make_learner()
    env = _fresh_copy(plan.env)
    env.reset(seed=seed)
    n_records = plan.rounds.shape[0]
    out_float = np.full((n_records, len(FLOAT_COLUMNS)), np.nan)
    out_int = np.zeros((n_records, len(INT_COLUMNS)), dtype=np.int64)
    sampler = _sampling_generator(seed) if plan.feedback == "bandit" else None
    book = None if plan.switches is None else _Ledger(int(learner.n_experts), plan.switches, plan.rounds)
    if plan.path == "fast":
        _run_fast(plan, learner, env, sampler, out_float, out_int, book)
    else:
        _run_general(plan, learner, env, sampler, out_float, out_int, book)
    return _frame(plan, seed, out_float, out_int, book)


def _run_fast(
    plan: _Plan,
    learner: Any,
    env: Any,
    sampler: np.random.Generator | None,
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
    book: _Ledger | None = None,
) -> None:
    n_experts = int(learner.n_experts)
    cum_expert = np.zeros(n_experts)
    totals = np.zeros(3)
    means = _EMPTY_FLOAT if plan.means is None else plan.means
    hedge_state = _fusable_hedge_state(learner) if plan.feedback == "full" else None
    loss_limit = float(getattr(learner, "loss_limit", math.inf))
    rowwise = hedge_state is not None and n_experts < _ROWWISE_BELOW
    scratch = np.empty(plan.block_rows * n_experts) if rowwise else _EMPTY_FLOAT

    def fused(losses: NDArray[np.float64], first: int, rounds: NDArray[np.int64], start: int,
              floats: NDArray[np.float64], ints: NDArray[np.int64]) -> int:
        if rowwise:
            return hedge_record_block_by_rows(
                losses, first, rounds, start, totals, floats, ints, means, scratch, *hedge_state
            )
        return hedge_record_block(losses, first, rounds, start, totals, floats, ints, means, *hedge_state)

    if book is not None and hedge_state is not None:
        # the ledger needs <p_t, l_t> every round: the fused kernel records every round of the block into
        # scratch rows (its arithmetic does not depend on what it records), and the wanted rows are copied out
        block_floats = np.full((plan.block_rows, out_float.shape[1]), np.nan)
        block_ints = np.zeros((plan.block_rows, out_int.shape[1]), dtype=np.int64)
    expected = np.empty(plan.block_rows)
    realized = np.empty(plan.block_rows) if sampler is not None else _EMPTY_FLOAT
    arms = np.empty(plan.block_rows, dtype=np.int64) if sampler is not None else _EMPTY_INT
    mean_losses = np.empty(plan.block_rows) if plan.means is not None else _EMPTY_FLOAT
    done = 0
    pos = 0
    while done < plan.horizon:
        rows = min(plan.block_rows, plan.horizon - done)
        losses = np.ascontiguousarray(env.block(rows), dtype=np.float64)
        largest = largest_magnitude(losses.reshape(-1)) if loss_limit < math.inf else 0.0
        if not largest <= loss_limit:
            _check_finite(losses, env, done + 1, done + rows)  # a NaN or inf gets the usual message first
            raise ValueError(
                f"The 'env' parameter of {_OWNER} must give losses of at most {loss_limit:g} in magnitude for "
                f"{type(learner).__name__} (it squares them; it assumes losses in [0, 1]). Got one of "
                f"{largest:g} in rounds {done + 1} to {done + rows}."
            )
        if hedge_state is not None and book is not None:
            every = np.arange(done + 1, done + rows + 1, dtype=np.int64)
            fused(losses, done, every, 0, block_floats, block_ints)
            book.advance(losses, block_floats[:rows, 0], done)
            stop = int(np.searchsorted(plan.rounds, done + rows, side="right"))
            wanted = plan.rounds[pos:stop] - done - 1
            out_float[pos:stop] = block_floats[wanted]
            out_int[pos:stop] = block_ints[wanted]
            pos = stop
        elif hedge_state is not None:
            pos = fused(losses, done, plan.rounds, pos, out_float, out_int)
        else:
            if plan.means is not None:
                _advance_with_means(learner, losses, means, sampler, expected, realized, arms, mean_losses,
                                    plan.compiled_means)
            elif sampler is None:
                learner.advance(losses, expected[:rows])
            else:
                learner.advance_bandit(losses, sampler.random(rows), expected[:rows], realized[:rows], arms[:rows])
            pos = record_block(
                losses,
                expected[:rows],
                realized[:rows],
                arms[:rows],
                mean_losses[:rows],
                done,
                plan.rounds,
                pos,
                cum_expert,
                totals,
                out_float,
                out_int,
            )
            if book is not None:
                book.advance(losses, expected[:rows], done)
        # a NaN or infinite loss stays in the experts' cumulative losses: one O(N) check per block finds it
        _check_finite(cum_expert if hedge_state is None else hedge_state[2], env, done + 1, done + rows)
        if hedge_state is None and not np.isfinite(expected[:rows]).all():
            raise ValueError(
                f"The 'env' parameter of {_OWNER} must give losses that {type(learner).__name__} can take: it "
                f"computed a non-finite expected loss in rounds {done + 1} to {done + rows} (losses whose sums "
                "overflow?)."
            )
        done += rows


def _check_finite(values: NDArray[np.float64], env: Any, first: int, last: int) -> None:
    """Raise if ``values`` (the losses of rounds ``first``..``last``, or sums of them) are not all finite."""
    if not np.isfinite(values).all():
        rounds = f"round {first}" if first == last else f"rounds {first} to {last}"
        raise ValueError(
            f"The 'env' parameter of {_OWNER} must give finite losses. {type(env).__name__} gave a NaN or infinite "
            f"loss (or losses whose sum overflows) in {rounds}; for experts that sleep (NaN losses) wrap the "
            "learner in ftrl.Sleeping."
        )


def _advance_with_means(
    learner: Any,
    losses: NDArray[np.float64],
    means: NDArray[np.float64],
    sampler: np.random.Generator | None,
    expected: NDArray[np.float64],
    realized: NDArray[np.float64],
    arms: NDArray[np.int64],
    mean_losses: NDArray[np.float64],
    compiled: bool,
) -> None:
    r"""Advance one round at a time, reading :math:`p_t` to add :math:`\langle p_t, \mu\rangle` (pseudo-regret).

    The learners' block kernels report :math:`\langle p_t, \ell_t\rangle` only, so with ``means`` (and no fused
    kernel) the block is fed to them row by row. With ``compiled`` and a learner that uses the base class's
    ``advance``/``advance_bandit`` (its state's second array is :math:`p_t`), a compiled driver does it
    (:func:`ftrl._simulate_kernels.means_block_full`); otherwise one Python step per round, same numbers.
    """
    rows = losses.shape[0]
    if compiled and sampler is None and type(learner).advance is FullInformationLearner.advance:
        means_block_full(losses, means, expected[:rows], mean_losses[:rows], learner.block_kernel,
                         learner._writable_state())
        return
    if compiled and sampler is not None and type(learner).advance_bandit is BanditLearner.advance_bandit:
        means_block_bandit(losses, sampler.random(rows), means, expected[:rows], realized[:rows], arms[:rows],
                           mean_losses[:rows], learner.block_kernel, learner._writable_state())
        return
    for r in range(rows):
        mean_losses[r] = ordered_dot(learner.weights, means)
        row = losses[r : r + 1]
        if sampler is None:
            learner.advance(row, expected[r : r + 1])
        else:
            learner.advance_bandit(row, sampler.random(1), expected[r : r + 1], realized[r : r + 1], arms[r : r + 1])


def _run_general(
    plan: _Plan,
    learner: Any,
    env: Any,
    sampler: np.random.Generator | None,
    out_float: NDArray[np.float64],
    out_int: NDArray[np.int64],
    book: _Ledger | None = None,
) -> None:
    n_experts = int(learner.n_experts)
    cum_expert = np.zeros(n_experts)
    cum_loss = cum_realized = cum_mean = 0.0
    one_expected = np.zeros(1)
    rounds = plan.rounds
    pos = 0
    for t in range(1, plan.horizon + 1):
        weights = np.asarray(learner.weights, dtype=np.float64)
        realized_loss = math.nan
        arm = -1
        if sampler is not None:
            arm = int(learner.sample(sampler))
        losses = np.asarray(env.step(weights), dtype=np.float64)
        _check_finite(losses, env, t, t)
        expected = float(np.dot(weights, losses))
        if sampler is None:
            learner.update(losses)
        else:
            realized_loss = float(losses[arm])
            learner.update_arm(arm, realized_loss)
            cum_realized += realized_loss
        cum_expert += losses
        cum_loss += expected
        if book is not None:
            one_expected[0] = expected
            book.advance(losses.reshape(1, -1), one_expected, t - 1)
        if plan.means is not None:
            cum_mean += float(np.dot(weights, plan.means))
        if pos < rounds.shape[0] and rounds[pos] == t:
            best = int(np.argmin(cum_expert))
            out_float[pos] = (expected, cum_loss, cum_expert[best], realized_loss, cum_realized, cum_mean)
            out_int[pos] = (t, best, arm)
            pos += 1


def _frame(
    plan: _Plan, seed: int, out_float: NDArray[np.float64], out_int: NDArray[np.int64], book: _Ledger | None = None
) -> pd.DataFrame:
    n_records = out_int.shape[0]
    floats = dict(zip(FLOAT_COLUMNS, out_float.T))
    ints = dict(zip(INT_COLUMNS, out_int.T))
    columns: dict[str, Any] = {
        "seed": np.full(n_records, seed, dtype=np.int64),
        "t": ints["t"],
        "loss": floats["loss"],
        "cum_loss": floats["cum_loss"],
        "best_cum_loss": floats["best_cum_loss"],
        "best_expert": ints["best_expert"],
        "regret": floats["cum_loss"] - floats["best_cum_loss"],
    }
    if plan.feedback == "bandit":
        columns["arm"] = ints["arm"]
        columns["realized_loss"] = floats["realized_loss"]
        columns["realized_regret"] = floats["cum_realized_loss"] - floats["best_cum_loss"]
    if plan.means is not None:
        columns["pseudo_regret"] = floats["cum_mean_loss"] - ints["t"] * float(plan.means.min())
    if book is not None:
        columns.update(zip(LEDGER_COLUMNS, book.out.T))
    return pd.DataFrame({name: np.ascontiguousarray(values) for name, values in columns.items()})
