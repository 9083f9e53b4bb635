"""ftrl.simulate with every registered learner, on both paths, against the naive reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from naive_simulate import hedge_weights, loss_matrix, naive_simulate

import environments
import ftrl
from ftrl._simulate_kernels import hedge_record_block, hedge_record_block_by_rows
from ftrl.simulate import _fusable_hedge_state, simulate

HORIZON = 150
PARAMS = {
    "hedge": [{"eta": 0.4}, {}, {"horizon": HORIZON}],
    "ftl": [{}],
    "adahedge": [{}],
    "flipflop": [{}],
    "fixed-share": [{"eta": 0.5, "alpha": 0.05}],
    "ftrl": [
        {"regularizer": "entropy"},
        {"regularizer": "euclidean", "eta": 0.3},
        {"regularizer": "tsallis", "horizon": HORIZON},
        {"regularizer": "log-barrier", "eta": 2.0},
    ],
    "exp3": [{}],
    "tsallis-inf": [{}],
    "squint": [{}],
    "normalhedge": [{}],
    "boa": [{}],
    "ml-poly": [{}],
    "kt-experts": [{}],
}
CASES = [(name, params) for name, variants in PARAMS.items() for params in variants]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in params.items())}" for name, params in CASES]
COLUMNS = ["loss", "cum_loss", "best_cum_loss", "best_expert", "regret", "pseudo_regret"]
BANDIT_COLUMNS = ["arm", "realized_loss", "realized_regret"]


class AdaptiveView:
    """Hides ``oblivious`` and ``block`` of an environment, so that simulate takes the general path."""

    def __init__(self, env) -> None:
        self.env = env
        self.n_experts = env.n_experts
        self.means = env.means

    def reset(self, *, seed=None):
        self.env.reset(seed=seed)
        return self

    def step(self, weights):
        return self.env.step(weights)


def test_every_registered_learner_is_in_the_table():
    assert set(PARAMS) == set(ftrl.learner_names())


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_matches_naive_reference_on_both_paths(name, params):
    env = environments.Bernoulli([0.35, 0.5, 0.4, 0.6, 0.45])

    def factory():
        return ftrl.make_learner(name, 5, **params)

    feedback = factory().feedback
    reference = naive_simulate(factory, env, HORIZON, seed=2, feedback=feedback)
    columns = COLUMNS + (BANDIT_COLUMNS if feedback == "bandit" else [])
    fast = simulate(factory, env, HORIZON, seeds=[2], feedback=feedback, _block_size=13)
    compiled = simulate(factory, env, HORIZON, seeds=[2], feedback=feedback, _block_size=13,
                        _compiled_means_min_rounds=0)
    general = simulate(factory, AdaptiveView(env), HORIZON, seeds=[2], feedback=feedback)
    assert fast.attrs["path"] == "fast" and general.attrs["path"] == "general"
    # Pseudo-regret booked by the compiled driver gives the very numbers of the per-round path.
    pd.testing.assert_frame_equal(compiled, fast, check_exact=True, check_like=False)
    for df in (fast, general):
        assert df.t.tolist() == reference.t.tolist()
        for column in columns:
            np.testing.assert_allclose(df[column], reference[column], rtol=0, atol=1e-9, err_msg=column)


@pytest.mark.parametrize("n_experts", [5, 37])
def test_fused_hedge_matches_reference_over_many_rounds(n_experts):
    """N not a multiple of the vector width, anytime rate, both fused kernels (by rows below 32 experts), 1e-9."""
    horizon = 3000
    env = environments.Beta(np.linspace(1.0, 3.0, n_experts), np.full(n_experts, 2.0))
    learner = ftrl.Hedge(n_experts)
    assert _fusable_hedge_state(learner) is not None
    df = simulate(learner, env, horizon, seeds=[1], record=7, _block_size=256)
    losses = loss_matrix(env, horizon, 1)
    rate = np.sqrt(8 * np.log(n_experts) / np.arange(1, horizon + 1))
    cum = np.vstack([np.zeros(n_experts), np.cumsum(losses, axis=0)[:-1]])
    shifted = -rate[:, None] * (cum - cum.min(axis=1, keepdims=True))
    weights = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    regret = np.cumsum((weights * losses).sum(axis=1)) - np.cumsum(losses, axis=0).min(axis=1)
    np.testing.assert_allclose(df.regret, regret[df.t - 1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(df.pseudo_regret, (np.cumsum(weights @ env.means) - np.arange(1, horizon + 1)
                                                  * env.means.min())[df.t - 1], rtol=0, atol=1e-9)


@pytest.mark.parametrize("by_rows", [False, True])
@pytest.mark.parametrize("params", [{"eta": 0.3}, {}])
def test_fused_kernel_leaves_the_learner_where_update_would(params, by_rows):
    losses = np.random.default_rng(3).random((40, 11))
    fused, stepped = ftrl.Hedge(11, **params), ftrl.Hedge(11, **params)
    n_records = 40
    out_float = np.zeros((n_records, 6))
    out_int = np.zeros((n_records, 3), dtype=np.int64)
    common = (losses[:25], 0, np.arange(1, 41), 0, np.zeros(3), out_float, out_int, np.zeros(0))
    if by_rows:
        pos = hedge_record_block_by_rows(*common, np.empty(losses.size), *_fusable_hedge_state(fused))
    else:
        pos = hedge_record_block(*common, *_fusable_hedge_state(fused))
    for row in losses[:25]:
        stepped.update(row)
    assert pos == 25 and fused.t == stepped.t == 25
    np.testing.assert_allclose(fused.weights, stepped.weights, rtol=1e-12)
    np.testing.assert_array_equal(fused.cum_losses, stepped.cum_losses)
    after_fused, after_stepped = np.empty(15), np.empty(15)
    fused.advance(losses[25:].copy(), after_fused)
    stepped.advance(losses[25:].copy(), after_stepped)
    np.testing.assert_allclose(after_fused, after_stepped, rtol=1e-12)
    best = np.cumsum(losses[:25], axis=0)
    np.testing.assert_array_equal(out_int[:25, 0], np.arange(1, 26))
    np.testing.assert_array_equal(out_int[:25, 1], best.argmin(axis=1))
    np.testing.assert_allclose(out_float[:25, 2], best.min(axis=1), rtol=1e-15)
    if "eta" in params:
        reference = (hedge_weights(losses, params["eta"]) * losses).sum(axis=1)
        np.testing.assert_allclose(out_float[:25, 0], reference[:25], rtol=1e-12)
        np.testing.assert_allclose(after_fused, reference[25:], rtol=1e-12)


def test_ftl_and_subclasses_do_not_take_the_fused_kernel():
    assert _fusable_hedge_state(ftrl.make_learner("ftl", 3)) is None
    assert _fusable_hedge_state(ftrl.Hedge(3, eta=float("inf"))) is None
    assert _fusable_hedge_state(ftrl.make_learner("adahedge", 3)) is None


def test_parallel_equals_serial_with_hedge():
    env = environments.Bernoulli(np.linspace(0.1, 0.9, 9))
    serial = simulate(ftrl.Hedge(9, eta=0.2), env, 5000, seeds=3, record="log", n_jobs=1)
    parallel = simulate(ftrl.Hedge(9, eta=0.2), env, 5000, seeds=3, record="log", n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial.attrs["n_jobs"] == 1 and parallel.attrs["n_jobs"] == 2


def test_bandit_block_size_and_seeds_with_exp3():
    env = environments.Bernoulli([0.2, 0.4, 0.6])
    frames = [simulate(ftrl.make_learner("exp3", 3), env, 400, seeds=2, feedback="bandit", record=50,
                       _block_size=size) for size in (1, 17, 400)]
    for frame in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], frame)
    seed0, seed1 = (frames[0][frames[0].seed == s].arm.to_numpy() for s in (0, 1))
    assert not np.array_equal(seed0, seed1)
