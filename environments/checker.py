"""``check_env``: check that an environment (a user's own or a built-in) keeps the protocol, as Gymnasium's checker does."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import NDArray

from environments.base import is_oblivious


def _declares_sleeping_experts(env: object) -> bool:
    """True if ``env`` declares ``sleeping_experts = True``: a NaN loss then marks an asleep expert."""
    return getattr(env, "sleeping_experts", False) is True


class EnvironmentCheckError(ValueError):
    """An environment breaks the protocol; the message names the likely cause."""


def _weights_sequence(n_experts: int, n_rounds: int) -> NDArray[np.float64]:
    """Varied simplex weights (round 0 uniform, then Dirichlet draws) so adaptive environments are exercised."""
    generator = np.random.Generator(np.random.PCG64(20240601))
    weights = generator.dirichlet(np.ones(n_experts), size=n_rounds)
    weights[0] = 1.0 / n_experts
    return weights


def _play_steps(env: Any, seed: int, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    name = type(env).__name__
    try:
        env.reset(seed=seed)
    except TypeError as error:
        raise EnvironmentCheckError(
            f"{name}.reset(seed={seed}) failed ({error}): reset must accept the keyword-only argument seed."
        ) from error
    n_experts = env.n_experts
    low, high = getattr(env, "loss_range", None) or (-np.inf, np.inf)
    sleeping = _declares_sleeping_experts(env)
    announces = sleeping and hasattr(env, "next_awake")
    stream = np.empty((len(weights), n_experts))
    for round_index, round_weights in enumerate(weights):
        passed = round_weights.copy()
        announced = np.array(env.next_awake, dtype=bool) if announces else None
        losses = env.step(passed)
        if not np.array_equal(passed, round_weights):
            raise EnvironmentCheckError(
                f"{name}.step modified the weights passed to it in round {round_index}: an environment must "
                "treat them as read-only (copy them before writing)."
            )
        if not isinstance(losses, np.ndarray):
            raise EnvironmentCheckError(
                f"{name}.step returned {type(losses).__name__}, not a numpy array: return np.asarray(losses, "
                "dtype=np.float64)."
            )
        if losses.shape != (n_experts,):
            raise EnvironmentCheckError(
                f"{name}.step returned shape {losses.shape} in round {round_index}; expected ({n_experts},) "
                f"(one loss per expert, n_experts = {n_experts})."
            )
        if losses.dtype != np.float64:
            raise EnvironmentCheckError(
                f"{name}.step returned dtype {losses.dtype} in round {round_index}; expected float64."
            )
        awake = ~np.isnan(losses) if sleeping else np.ones(n_experts, dtype=bool)
        if not np.all(np.isfinite(losses[awake])):
            hint = (
                " (NaN marks an asleep expert only in an environment that declares sleeping_experts = True)"
                if not sleeping and np.any(np.isnan(losses))
                else ""
            )
            raise EnvironmentCheckError(
                f"{name}.step returned non-finite losses {losses} in round {round_index}{hint}."
            )
        if not np.any(awake):
            raise EnvironmentCheckError(
                f"{name}.step returned NaN for every expert in round {round_index}: an environment with "
                "sleeping_experts = True must keep at least one expert awake (a finite loss) in every round."
            )
        if announced is not None and not np.array_equal(announced, awake):
            raise EnvironmentCheckError(
                f"{name}.next_awake announced {announced} for round {round_index}, but step left awake (finite "
                f"losses) {awake}: the announced set must be the one played."
            )
        if np.any(losses[awake] < low) or np.any(losses[awake] > high):
            raise EnvironmentCheckError(
                f"{name}.step returned losses {losses} in round {round_index}, outside its loss_range "
                f"({low}, {high}): fix the losses or the declared loss_range."
            )
        stream[round_index] = losses
    return stream


def _same(first: NDArray[np.float64], second: NDArray[np.float64]) -> bool:
    """Equal streams, NaN (an asleep expert) matching NaN."""
    return first.shape == second.shape and bool(np.array_equal(first, second, equal_nan=True))


def _first_difference(first: NDArray[np.float64], second: NDArray[np.float64]) -> int:
    differ = (first != second) & ~(np.isnan(first) & np.isnan(second))
    return int(np.argwhere(np.any(differ, axis=1))[0, 0])


def _block_stream(env: Any, seed: int, sizes: list[int]) -> NDArray[np.float64]:
    env.reset(seed=seed)
    blocks = []
    for size in sizes:
        block = env.block(size)
        if (
            not isinstance(block, np.ndarray)
            or block.shape != (size, env.n_experts)
            or block.dtype != np.float64
        ):
            raise EnvironmentCheckError(
                f"{type(env).__name__}.block({size}) returned {type(block).__name__} of shape "
                f"{getattr(block, 'shape', None)} and dtype {getattr(block, 'dtype', None)}; expected a float64 "
                f"array of shape ({size}, {env.n_experts})."
            )
        blocks.append(block.copy())
    return np.concatenate(blocks)


def check_env(env: Any, *, seed: int = 0, n_rounds: int = 50) -> None:
    """Check that ``env`` keeps the environment protocol; raise :class:`EnvironmentCheckError` if not.

    Checks, in order: ``n_experts`` is a positive int; ``step`` returns float64 arrays of shape (N,), finite and
    within ``loss_range`` (if declared), and leaves the weights passed to it untouched; ``reset(seed=seed)``
    twice gives the same stream; ``means`` (if not None) has shape (N,) and lies in ``loss_range``; and for
    oblivious environments, ``block(n_rounds)`` equals the stream of ``n_rounds`` steps and blocks of sizes
    1, 7 and the rest give the same stream again (streams are compared with NaN matching NaN).

    An environment that declares ``sleeping_experts = True`` (such as :class:`environments.SleepingEnvironment`)
    may return NaN for asleep experts, but never for all of them in one round, and never an infinity; if it has
    ``next_awake``, the set it announces before each ``step`` must be the set of finite losses that step returns.
    NaN from any other environment is an error.

    Parameters
    ----------
    env : object
        The environment; left reset with ``seed`` and advanced.
    seed : int, default 0
        A nonnegative int.
    n_rounds : int, default 50
        Rounds played per check, >= 9 (so that the split 1 + 7 + rest is not empty).

    Examples
    --------
    >>> from environments import Bernoulli
    >>> check_env(Bernoulli([0.1, 0.9]))
    """
    if isinstance(n_rounds, bool) or not isinstance(n_rounds, numbers.Integral) or n_rounds < 9:
        raise ValueError(
            f"The 'n_rounds' parameter of check_env must be an int >= 9. Got {n_rounds!r} instead."
        )
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"The 'seed' parameter of check_env must be an int >= 0. Got {seed!r} instead.")
    name = type(env).__name__
    n_experts = getattr(env, "n_experts", None)
    if isinstance(n_experts, bool) or not isinstance(n_experts, numbers.Integral) or n_experts < 1:
        raise EnvironmentCheckError(
            f"{name}.n_experts must be a positive int. Got {n_experts!r}: set self.n_experts in __init__."
        )
    for method in ("reset", "step"):
        if not callable(getattr(env, method, None)):
            raise EnvironmentCheckError(f"{name} has no {method}() method.")
    weights = _weights_sequence(int(n_experts), n_rounds)
    first = _play_steps(env, seed, weights)
    second = _play_steps(env, seed, weights)
    if not _same(first, second):
        round_index = _first_difference(first, second)
        raise EnvironmentCheckError(
            f"reset(seed={seed}) twice gave different losses at round {round_index}: the environment probably "
            "draws from a global RNG (np.random.*, random.*) instead of self.np_random, or reset does not rewind "
            "its state."
        )
    means = getattr(env, "means", None)
    if means is not None:
        means = np.asarray(means)
        low, high = getattr(env, "loss_range", None) or (-np.inf, np.inf)
        if means.shape != (n_experts,):
            raise EnvironmentCheckError(
                f"{name}.means has shape {means.shape}; expected ({n_experts},) or None."
            )
        if not np.all(np.isfinite(means)) or np.any(means < low) or np.any(means > high):
            raise EnvironmentCheckError(
                f"{name}.means = {means} is not finite and within loss_range ({low}, {high})."
            )
    if not is_oblivious(env):
        return
    if not callable(getattr(env, "block", None)):
        raise EnvironmentCheckError(f"{name} declares oblivious = True but has no block(size) method.")
    whole = _block_stream(env, seed, [n_rounds])
    if not _same(whole, first):
        round_index = _first_difference(whole, first)
        raise EnvironmentCheckError(
            f"block({n_rounds}) after reset(seed={seed}) differs from {n_rounds} step() calls at round "
            f"{round_index}: block must produce exactly the stream of successive steps (draw in the same order, "
            "one row per round)."
        )
    split = _block_stream(env, seed, [1, 7, n_rounds - 8])
    if not _same(split, first):
        round_index = _first_difference(split, first)
        raise EnvironmentCheckError(
            f"blocks of sizes 1, 7, {n_rounds - 8} differ from one block of {n_rounds} at round {round_index}: "
            "the stream must not depend on the block sizes (draw row by row, in C order)."
        )
