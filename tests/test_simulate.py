"""Tests of ftrl.simulate against the naive reference in tests/naive_simulate.py."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
from naive_simulate import hedge_weights, loss_matrix, naive_simulate

import environments
import ftrl
from ftrl.simulate import record_rounds, simulate


class TinyWeights:
    """Exponential weights over cumulative (estimated) losses, the state shared by the two test doubles."""

    def __init__(self, n_experts: int, eta: float = 0.5) -> None:
        self.n_experts = n_experts
        self.eta = eta
        self.reset()

    def reset(self) -> None:
        self.cum_losses = np.zeros(self.n_experts)
        self.t = 0

    def get_params(self) -> dict:
        return {"n_experts": self.n_experts, "eta": self.eta}

    @property
    def weights(self) -> np.ndarray:
        shifted = -self.eta * (self.cum_losses - self.cum_losses.min())
        weights = np.exp(shifted)
        return weights / weights.sum()

    def _add(self, losses: np.ndarray) -> None:
        self.cum_losses = self.cum_losses + np.asarray(losses, dtype=float)
        self.t += 1


class TinyHedge(TinyWeights):
    """A test double with the learner shape: Hedge with a fixed rate, block method in plain Python."""

    name = "tiny-hedge"
    feedback = "full"

    def update(self, losses: np.ndarray) -> None:
        self._add(losses)

    def advance(self, losses: np.ndarray, expected_loss_out: np.ndarray) -> None:
        for r in range(losses.shape[0]):
            expected_loss_out[r] = self.weights @ losses[r]
            self.update(losses[r])


class TinyExp3(TinyWeights):
    """A bandit test double: importance-weighted loss estimates fed to the same exponential weights."""

    name = "tiny-exp3"
    feedback = "bandit"

    def sample(self, rng: np.random.Generator) -> int:
        cdf = np.cumsum(self.weights)
        return int(min(np.searchsorted(cdf, rng.random(), side="right"), self.n_experts - 1))

    def update_arm(self, arm: int, loss: float) -> None:
        estimate = np.zeros(self.n_experts)
        estimate[arm] = loss / self.weights[arm]
        self._add(estimate)

    def advance_bandit(self, losses, uniforms, expected_out, realized_out, arms_out) -> None:
        for r in range(losses.shape[0]):
            weights = self.weights
            cdf = np.cumsum(weights)
            arm = int(min(np.searchsorted(cdf, uniforms[r], side="right"), self.n_experts - 1))
            expected_out[r] = weights @ losses[r]
            realized_out[r] = losses[r, arm]
            arms_out[r] = arm
            self.update_arm(arm, losses[r, arm])


class AdaptiveView:
    """Wraps an environment and hides ``oblivious``/``block``: forces the general path."""

    def __init__(self, env) -> None:
        self.env = env
        self.n_experts = env.n_experts
        self.means = getattr(env, "means", None)

    def reset(self, *, seed=None):
        self.env.reset(seed=seed)
        return self

    def step(self, weights):
        return self.env.step(weights)


REFERENCE_COLUMNS = ["t", "loss", "cum_loss", "best_cum_loss", "best_expert", "regret"]


def _compare(df: pd.DataFrame, reference: pd.DataFrame, columns: list[str]) -> None:
    merged = df.merge(reference, on="t", suffixes=("", "_ref"))
    assert len(merged) == len(df)
    for column in columns:
        if column == "t":
            continue
        np.testing.assert_allclose(merged[column], merged[f"{column}_ref"], rtol=0, atol=1e-9, err_msg=column)


@pytest.mark.parametrize("path", ["fast", "general"])
def test_full_information_matches_reference(path):
    env = environments.Bernoulli([0.2, 0.5, 0.55, 0.9])
    df = simulate(TinyHedge(4, eta=0.3), env, 300, seeds=[3], _path=path, _block_size=7)
    reference = naive_simulate(lambda: TinyHedge(4, eta=0.3), env, 300, seed=3)
    _compare(df, reference, REFERENCE_COLUMNS + ["pseudo_regret"])
    assert (df.seed == 3).all()
    assert df.t.tolist() == list(range(1, 301))


@pytest.mark.parametrize("path", ["fast", "general"])
def test_bandit_matches_reference(path):
    env = environments.Bernoulli([0.1, 0.6, 0.7])
    df = simulate(TinyExp3(3, eta=0.05), env, 200, seeds=[1], feedback="bandit", _path=path, _block_size=11)
    reference = naive_simulate(lambda: TinyExp3(3, eta=0.05), env, 200, seed=1, feedback="bandit")
    _compare(df, reference, REFERENCE_COLUMNS + ["arm", "realized_loss", "realized_regret", "pseudo_regret"])
    assert (df.seed == 1).all()
    assert df.t.tolist() == list(range(1, 201))
    assert df.arm.between(0, 2).all()


@pytest.mark.parametrize("learner", ["hedge", "mlpoly"])
@pytest.mark.parametrize("n", [3, 31, 32, 300])
@pytest.mark.parametrize("record", ["all", 7])
def test_best_expert_is_the_lowest_index_on_ties(learner, n, record):
    """0/1 losses, so that cumulative losses tie all the time; against numpy's argmin (first index of the minimum),
    through the fused Hedge kernels (row-wise below 32 experts, one pass from 32 on) and the separate bookkeeping
    of another learner."""
    losses = np.random.default_rng(n).integers(0, 2, (60, n)).astype(float)
    make = {"hedge": lambda: ftrl.Hedge(n, eta=0.2), "mlpoly": lambda: ftrl.MLPoly(n)}[learner]
    df = simulate(make(), environments.Replay(losses), 60, record=record, _block_size=16)
    cum = losses.cumsum(axis=0)[df.t.to_numpy() - 1]
    np.testing.assert_array_equal(df.best_expert, cum.argmin(axis=1))
    np.testing.assert_array_equal(df.best_cum_loss, cum.min(axis=1))


def test_hedge_reference_is_softmax_of_cumulative_losses():
    losses = np.random.default_rng(0).random((50, 5))
    weights = hedge_weights(losses, 0.7)
    learner = TinyHedge(5, eta=0.7)
    for t in range(50):
        np.testing.assert_allclose(learner.weights, weights[t], atol=1e-14)
        learner.update(losses[t])


def test_regret_definition_by_hand():
    """Two experts, losses chosen so every quantity is known in closed form."""
    losses = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    df = simulate(TinyHedge(2, eta=np.log(3.0)), environments.Replay(losses), 3)
    # p_1 = (1/2, 1/2); p_2 = (1/4, 3/4); p_3 = (1/2, 1/2)
    np.testing.assert_allclose(df.loss, [0.5, 0.75, 0.5])
    np.testing.assert_allclose(df.cum_loss, [0.5, 1.25, 1.75])
    np.testing.assert_allclose(df.best_cum_loss, [0.0, 1.0, 1.0])
    assert df.best_expert.tolist() == [1, 0, 1]
    np.testing.assert_allclose(df.regret, [0.5, 0.25, 0.75])


def test_fast_and_general_paths_agree_with_adaptive_wrapper():
    env = environments.Gaussian([0.3, 0.4, 0.5, 0.6, 0.7], sigma=0.2)
    fast = simulate(TinyHedge(5, 0.2), env, 250, seeds=2, record=10)
    general = simulate(TinyHedge(5, 0.2), AdaptiveView(env), 250, seeds=2, record=10)
    assert fast.attrs["path"] == "fast" and general.attrs["path"] == "general"
    pd.testing.assert_frame_equal(fast, general, check_exact=False, rtol=0, atol=1e-12)


def test_block_size_does_not_matter():
    env = environments.Bernoulli([0.3, 0.5, 0.8])
    frames = [
        simulate(TinyExp3(3, 0.1), env, 120, seeds=2, feedback="bandit", record=7, _block_size=size)
        for size in (1, 5, 64, 1000)
    ]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], frame)


def test_identical_seeds_identical_frames_and_different_seeds_differ():
    env = environments.Bernoulli([0.4, 0.5, 0.6])
    first = simulate(TinyHedge(3), env, 100, seeds=[5, 6])
    second = simulate(TinyHedge(3), env, 100, seeds=[5, 6])
    pd.testing.assert_frame_equal(first, second)
    five, six = (first[first.seed == seed].reset_index(drop=True) for seed in (5, 6))
    assert not np.allclose(five.cum_loss, six.cum_loss)


def test_record_modes_agree_at_shared_rounds():
    env = environments.Bernoulli([0.2, 0.5])
    full = simulate(TinyHedge(2), env, 1000, record="all")
    for record in (1, 37, "log", 1000, 5000):
        part = simulate(TinyHedge(2), env, 1000, record=record)
        assert part.t.iloc[-1] == 1000
        expected = full[full.t.isin(part.t)].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, expected)


def test_record_rounds():
    assert record_rounds(10, "all").tolist() == list(range(1, 11))
    assert record_rounds(10, 3).tolist() == [3, 6, 9, 10]
    assert record_rounds(9, 3).tolist() == [3, 6, 9]
    assert record_rounds(1, "log").tolist() == [1]
    rounds = record_rounds(10**7, "log")
    assert rounds.size == 100 and rounds[0] == 1 and rounds[-1] == 10**7
    assert (np.diff(rounds) > 0).all()
    ratios = np.diff(np.log(rounds[40:]))
    assert ratios.max() < 1.5 * ratios.min()


def test_parallel_equals_serial():
    env = environments.Bernoulli([0.3, 0.5, 0.8])
    serial = simulate(TinyHedge(3), env, 200, seeds=4, n_jobs=1)
    parallel = simulate(TinyHedge(3), env, 200, seeds=4, n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial.seed.unique().tolist() == [0, 1, 2, 3]


def test_learner_factory_and_instance_untouched():
    env = environments.Bernoulli([0.3, 0.5])
    learner = TinyHedge(2)
    before = copy.deepcopy(learner.cum_losses)
    from_instance = simulate(learner, env, 50, seeds=2)
    from_factory = simulate(lambda: TinyHedge(2), env, 50, seeds=2)
    pd.testing.assert_frame_equal(from_instance, from_factory)
    np.testing.assert_array_equal(learner.cum_losses, before)
    assert learner.t == 0


def test_adaptive_environment_runs_general_path():
    env = environments.GreedyAdversary(3)
    df = simulate(TinyHedge(3, 0.5), env, 60, seeds=[2])
    assert df.attrs["path"] == "general"
    fresh = copy.deepcopy(env).reset(seed=2)
    learner = TinyHedge(3, 0.5)
    rows = []
    for _ in range(60):
        weights = learner.weights
        losses = fresh.step(weights)
        rows.append((weights, losses))
        learner.update(losses)
    weights, losses = map(np.array, zip(*rows))
    expected_loss = np.einsum("tn,tn->t", weights, losses)
    np.testing.assert_allclose(df.loss, expected_loss, atol=1e-12)
    np.testing.assert_allclose(df.regret, np.cumsum(expected_loss) - np.cumsum(losses, 0).min(1), atol=1e-9)


def test_columns_and_attrs():
    env = environments.Bernoulli([0.3, 0.5])
    full = simulate(TinyHedge(2), env, 20, seeds=2, record=5)
    assert list(full.columns) == ["seed", "t", "loss", "cum_loss", "best_cum_loss", "best_expert", "regret",
                                  "pseudo_regret"]
    bandit = simulate(TinyExp3(2), environments.Replay(np.ones((20, 2))), 20, feedback="bandit")
    assert {"arm", "realized_loss", "realized_regret"} <= set(bandit.columns)
    assert "pseudo_regret" not in bandit.columns
    attrs = json.loads(json.dumps(full.attrs))
    assert attrs["learner"] == "tiny-hedge" and attrs["learner_params"] == {"n_experts": 2, "eta": 0.5}
    assert attrs["environment"] == "bernoulli" and attrs["environment_params"]["means"] == [0.3, 0.5]
    assert attrs["horizon"] == 20 and attrs["seeds"] == [0, 1] and attrs["record"] == 5
    assert attrs["feedback"] == "full" and attrs["wall_time"] > 0
    assert set(attrs["versions"]) == {"ftrl", "numpy", "numba"}


def test_pseudo_regret_matches_definition():
    env = environments.Bernoulli([0.25, 0.75])
    df = simulate(TinyHedge(2, 0.1), env, 40)
    losses = loss_matrix(env, 40, 0)
    weights = hedge_weights(losses, 0.1)
    expected = np.cumsum(weights @ np.array([0.25, 0.75])) - 0.25 * np.arange(1, 41)
    np.testing.assert_allclose(df.pseudo_regret, expected, atol=1e-12)


class Exploding:
    """An environment whose every method fails: proves validation happens before any work."""

    n_experts = 3
    oblivious = True

    def reset(self, *, seed=None):
        raise AssertionError("reset called")

    def step(self, weights):
        raise AssertionError("step called")

    def block(self, size):
        raise AssertionError("block called")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, "The 'horizon' parameter of simulate must be an int in the range [1, inf]. Got 0 instead."),
        ({"feedback": "partial"}, "The 'feedback' parameter of simulate must be one of"),
        ({"record": "some"}, "The 'record' parameter of simulate must be one of"),
        ({"record": 0}, "The 'record' parameter of simulate must be an int in the range [1, inf]. Got 0"),
        ({"record": 2.5}, "The 'record' parameter of simulate must be 'all', 'log' or an int"),
        ({"seeds": 0}, "The 'seeds' parameter of simulate must be an int in the range [1, inf]"),
        ({"seeds": [1, 1]}, "distinct"),
        ({"seeds": [-1]}, "The 'seeds' parameter of simulate must be an int in the range [0, inf]"),
        ({"n_jobs": 0}, "The 'n_jobs' parameter of simulate must be an int in the range [1, inf]"),
        ({"feedback": "bandit"}, "must match the learner"),
    ],
)
def test_bad_input_raises_before_any_work(kwargs, message):
    arguments = {"horizon": 10, **kwargs}
    horizon = arguments.pop("horizon")
    with pytest.raises(ValueError) as info:
        simulate(TinyHedge(3), Exploding(), horizon, **arguments)
    assert message in str(info.value)


class OneBadRound:
    """Oblivious uniform losses with ``bad`` in expert 1's loss at round ``at`` (1-based)."""

    n_experts = 3
    oblivious = True

    def __init__(self, bad: float, at: int) -> None:
        self.bad, self.at = bad, at

    def reset(self, *, seed=None):
        self.rng, self.t = np.random.default_rng(seed), 0
        return self

    def block(self, size):
        losses = self.rng.random((size, 3))
        if self.t < self.at <= self.t + size:
            losses[self.at - self.t - 1, 1] = self.bad
        self.t += size
        return losses

    def step(self, weights):
        return self.block(1)[0]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize(
    ("make", "kwargs"),
    [
        (lambda: ftrl.Hedge(3, eta=0.5), {}),  # the fused Hedge kernel
        (lambda: ftrl.Hedge(3, eta=0.5), {"ledger": True}),
        (lambda: ftrl.NormalHedge(3), {}),  # a learner's own block kernel
        (lambda: ftrl.Exp3(3), {"feedback": "bandit"}),
    ],
)
def test_a_non_finite_loss_is_an_error_on_the_fast_path_as_on_the_general(bad, make, kwargs):
    """The fast path hands blocks to the kernels unchecked; a NaN or infinite loss must still be an error there (not
    silently NaN regret), as on the general path, also where a bandit learner never sees the bad entry."""
    env = OneBadRound(bad, at=150)
    message = r"'env' parameter of simulate must give finite losses. {} gave .* in {}"
    with pytest.raises(ValueError, match=message.format("OneBadRound", "rounds 129 to 192")):
        simulate(make(), env, 300, _path="fast", _block_size=64, **kwargs)
    with pytest.raises(ValueError, match=message.format("AdaptiveView", "round 150;")):
        simulate(make(), AdaptiveView(env), 300, _path="general", **kwargs)
    assert np.isfinite(simulate(make(), OneBadRound(bad, at=301), 300, _path="fast", **kwargs).regret).all()


def test_seeds_of_the_wrong_type():
    with pytest.raises(TypeError, match="must be a count"):
        simulate(TinyHedge(3), Exploding(), 10, seeds="0")
    with pytest.raises(TypeError, match="The 'seeds' parameter of simulate must be an int"):
        simulate(TinyHedge(3), Exploding(), 10, seeds=[0.5])


def test_bandit_learner_under_full_information_is_an_error():
    with pytest.raises(ValueError, match="must match the learner"):
        simulate(TinyExp3(3), Exploding(), 10)


def test_expert_count_mismatch():
    with pytest.raises(ValueError, match="same number of experts. Got 2 for the learner and 3"):
        simulate(TinyHedge(2), Exploding(), 10)


def test_non_learner_or_environment_is_an_error():
    with pytest.raises(TypeError, match="must be a learner"):
        simulate(42, Exploding(), 10)
    with pytest.raises(TypeError, match="factory passed to simulate must return a learner"):
        simulate(lambda: 42, Exploding(), 10)
    with pytest.raises(TypeError, match="The 'env' parameter of simulate must be an environment"):
        simulate(TinyHedge(3), object(), 10)


def test_simulate_is_exported():
    assert ftrl.simulate is simulate
