"""Delayed feedback and sleeping experts: the wrappers against naive references, their bounds, the environment."""

from __future__ import annotations

import copy
import json
import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from naive_wrappers import naive_delayed_hedge, naive_sleeping_hedge, naive_sleeping_regret

import environments
import ftrl
from ftrl import Delayed, FixedShare, Hedge, Sleeping, simulate, simulate_sleeping
from ftrl.learners.wrappers import _compiled_inner

SETTINGS = settings(max_examples=40, deadline=None)


def loss_matrices(max_rounds: int = 60, max_experts: int = 5, nan_fraction: bool = False):
    """Loss matrices in [0, 1]; with ``nan_fraction`` some entries are NaN (asleep), never a whole row."""

    @st.composite
    def build(draw):
        n_rounds = draw(st.integers(1, max_rounds))
        n_experts = draw(st.integers(1, max_experts))
        values = draw(st.lists(st.floats(0.0, 1.0), min_size=n_rounds * n_experts,
                               max_size=n_rounds * n_experts))
        losses = np.array(values).reshape(n_rounds, n_experts)
        if nan_fraction:
            asleep = np.array(draw(st.lists(st.booleans(), min_size=losses.size, max_size=losses.size)))
            asleep = asleep.reshape(losses.shape)
            keep = draw(st.lists(st.integers(0, n_experts - 1), min_size=n_rounds, max_size=n_rounds))
            asleep[np.arange(n_rounds), keep] = False
            losses[asleep] = np.nan
        return losses

    return build()


def advance_all(learner, losses: np.ndarray) -> np.ndarray:
    out = np.empty(losses.shape[0])
    learner.advance(np.ascontiguousarray(losses), out)
    return out


def random_losses(n_rounds: int, n_experts: int, seed: int, asleep_probability: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    losses = rng.random((n_rounds, n_experts))
    if asleep_probability:
        asleep = rng.random(losses.shape) < asleep_probability
        asleep[np.arange(n_rounds), rng.integers(0, n_experts, n_rounds)] = False
        losses[asleep] = np.nan
    return losses


class PublicOnly:
    """A learner seen only through its public protocol (no kernel to fuse): the wrappers' Python path."""

    feedback = "full"

    def __init__(self, learner) -> None:
        self.inner = learner
        self.n_experts = learner.n_experts

    @property
    def weights(self) -> np.ndarray:
        return self.inner.weights

    def update(self, losses) -> None:
        self.inner.update(losses)

    def reset(self) -> None:
        self.inner.reset()


LEARNERS = {
    "hedge": lambda: Hedge(4, eta=0.7),
    "hedge-anytime": lambda: Hedge(4),
    "ftl": lambda: ftrl.FTL(4),
    "adahedge": lambda: ftrl.AdaHedge(4),
    "fixed-share": lambda: FixedShare(4, eta=0.5, alpha=0.1),
    "ftrl": lambda: ftrl.FTRL(4),
}


@pytest.mark.parametrize("make", LEARNERS.values(), ids=LEARNERS.keys())
def test_compiled_and_python_paths_agree_for_every_learner(make) -> None:
    """The wrapper kernels read p_t from the inner state's weights array: the same numbers as the public API."""
    losses = random_losses(120, 4, seed=6)
    asleep = random_losses(120, 4, seed=7, asleep_probability=0.5)
    for wrap, data in ((lambda inner: Delayed(inner, 3), losses), (Sleeping, asleep)):
        compiled, python = wrap(make()), wrap(PublicOnly(make()))
        assert compiled._compiled and not python._compiled
        assert np.array_equal(advance_all(compiled, data), advance_all(python, data))
        assert np.array_equal(compiled.weights, python.weights)


@pytest.mark.parametrize("make", LEARNERS.values(), ids=LEARNERS.keys())
def test_compiled_wrappers_leave_held_inner_weights_alone(make) -> None:
    """The wrapper kernels write the inner state in place: a held ``inner.weights`` must keep its values."""
    losses = random_losses(40, 4, seed=8)
    asleep = random_losses(40, 4, seed=9, asleep_probability=0.5)
    for wrap, data in ((lambda inner: Delayed(inner, 2), losses), (Sleeping, asleep)):
        inner, twin = make(), make()
        wrapped, twin_wrapped = wrap(inner), wrap(twin)  # wrapping resets the inner learner
        assert wrapped._compiled
        advance_all(wrapped, data[:20])
        advance_all(twin_wrapped, data[:20])
        held = inner.weights
        values = held.copy()
        advance_all(wrapped, data[20:])
        advance_all(twin_wrapped, data[20:])
        np.testing.assert_array_equal(held, values)
        np.testing.assert_array_equal(inner.weights, twin.weights)


# -- Delayed -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: Hedge(4, eta=0.7), lambda: Hedge(4), lambda: FixedShare(4, eta=0.5, alpha=0.1)])
def test_delay_zero_is_the_inner_learner_exactly(make) -> None:
    losses = random_losses(200, 4, seed=1)
    inner, delayed = make(), Delayed(make(), 0)
    assert np.array_equal(advance_all(inner, losses), advance_all(delayed, losses))
    assert np.array_equal(inner.weights, delayed.weights)
    inner.update(losses[0])
    delayed.update(losses[0])
    assert np.array_equal(inner.weights, delayed.weights) and delayed.t == 201


@pytest.mark.parametrize("delay", [1, 2, 3, 7])
def test_delayed_hedge_matches_the_naive_reference(delay: int) -> None:
    losses = random_losses(150, 5, seed=delay)
    played, paid = naive_delayed_hedge(losses, 0.4, delay)
    compiled = Delayed(Hedge(5, eta=0.4), delay)
    assert _compiled_inner(compiled.learner)
    python = Delayed(Delayed(Hedge(5, eta=0.4), 0), delay)  # Hedge inside a wrapper, driven through update()
    assert not _compiled_inner(python.learner)
    stepped = Delayed(Hedge(5, eta=0.4), delay)
    for t in range(losses.shape[0]):
        np.testing.assert_allclose(stepped.weights, played[t], rtol=0, atol=1e-12)
        stepped.update(losses[t])
    np.testing.assert_allclose(advance_all(compiled, losses), paid, rtol=0, atol=1e-12)
    np.testing.assert_allclose(advance_all(python, losses), paid, rtol=0, atol=1e-12)
    assert np.array_equal(compiled.weights, stepped.weights)
    np.testing.assert_allclose(compiled.pending, losses[-delay:], rtol=0, atol=0)


def test_delayed_blocks_do_not_matter() -> None:
    losses = random_losses(100, 3, seed=5)
    whole = Delayed(Hedge(3, eta=0.9), 4)
    pieces = Delayed(Hedge(3, eta=0.9), 4)
    out = np.concatenate([advance_all(pieces, losses[a:b]) for a, b in ((0, 1), (1, 3), (3, 50), (50, 100))])
    assert np.array_equal(advance_all(whole, losses), out)
    assert np.array_equal(whole.weights, pieces.weights)


@SETTINGS
@given(losses=loss_matrices(), delay=st.integers(0, 6), eta=st.floats(0.05, 3.0))
def test_delayed_hedge_regret_bound(losses: np.ndarray, delay: int, eta: float) -> None:
    """Fixed-eta Hedge, delay d, losses in [0, 1]: R_T <= ln N / eta + eta T / 8 + d T tanh(eta / 4).

    Cesa-Bianchi & Lugosi (2006) Thm 2.2 for the undelayed iterates q_t, plus <q_{t-d} - q_t, l_t> <= d tanh(eta/4)
    (one Hedge step moves the weights by at most tanh(eta/4) in total variation); derivation in
    docs/delays_and_sleeping.md.
    """
    n_rounds, n_experts = losses.shape
    paid = advance_all(Delayed(Hedge(n_experts, eta=eta), delay), losses)
    regret = paid.sum() - losses.sum(axis=0).min()
    bound = math.log(n_experts) / eta + eta * n_rounds / 8 + delay * n_rounds * math.tanh(eta / 4)
    assert regret <= bound + 1e-9


@pytest.mark.parametrize("path", ["fast", "general"])
def test_simulate_delayed_matches_the_naive_reference(path: str) -> None:
    env = environments.Bernoulli([0.3, 0.5, 0.6, 0.7])
    df = simulate(Delayed(Hedge(4, eta=0.3), 3), env, 400, seeds=[0, 1], _path=path)
    assert df.attrs["path"] == path and df.attrs["learner"] == "delayed"
    for seed, frame in df.groupby("seed"):
        losses = copy.deepcopy(env).reset(seed=seed).block(400)
        _, paid = naive_delayed_hedge(losses, 0.3, 3)
        np.testing.assert_allclose(frame.loss, paid, rtol=0, atol=1e-12)
        np.testing.assert_allclose(frame.cum_loss, np.cumsum(paid), rtol=0, atol=1e-9)
        best = np.cumsum(losses, axis=0).min(axis=1)
        np.testing.assert_allclose(frame.regret, np.cumsum(paid) - best, rtol=0, atol=1e-9)


def test_delayed_protocol_pickle_reset_params() -> None:
    losses = random_losses(30, 3, seed=2)
    delayed = Delayed(Hedge(3, eta=0.5), 2)
    advance_all(delayed, losses[:10])
    clone = pickle.loads(pickle.dumps(delayed))
    deep = copy.deepcopy(delayed)
    rest = [advance_all(learner, losses[10:]) for learner in (delayed, clone, deep)]
    assert np.array_equal(rest[0], rest[1]) and np.array_equal(rest[0], rest[2])
    assert np.array_equal(delayed.weights, clone.weights)
    assert delayed.name == "delayed" and delayed.feedback == "full" and delayed.t == 30
    assert json.loads(json.dumps(delayed.get_params())) == {
        "n_experts": 3, "learner": {"name": "hedge", "params": {"n_experts": 3, "eta": 0.5, "horizon": None}},
        "delay": 2}
    assert repr(delayed) == "Delayed(Hedge(n_experts=3, eta=0.5, horizon=None), delay=2)"
    assert delayed.predict(np.array([1.0, 2.0, 3.0])) == pytest.approx(float(delayed.weights @ [1, 2, 3]))
    delayed.reset()
    assert delayed.t == 0 and delayed.pending.shape == (0, 3) and np.array_equal(delayed.weights, np.full(3, 1 / 3))
    assert np.array_equal(advance_all(delayed, losses), np.concatenate([advance_all(Delayed(Hedge(3, eta=0.5), 2),
                                                                                        losses)]))


@pytest.mark.parametrize(("delay", "error"), [(-1, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)])
def test_delayed_rejects_bad_delay(delay, error) -> None:
    with pytest.raises(error, match=r"'delay' parameter of Delayed .*Got"):
        Delayed(Hedge(2), delay)


def test_delayed_rejects_bad_learners_and_losses_without_changing_state() -> None:
    with pytest.raises(ValueError, match="'learner' parameter of Delayed must be a full-information"):
        Delayed(ftrl.Exp3(3), 1)
    with pytest.raises(TypeError, match="'learner' parameter of Delayed"):
        Delayed(Hedge, 1)
    with pytest.raises(ValueError, match=r"must not be a sleeping-experts learner.*Sleeping\(Delayed\(learner, 1\)\)"):
        Delayed(Sleeping(Hedge(3, eta=1.0)), 1)
    spec = {"name": "sleeping", "params": Sleeping(Hedge(3, eta=1.0)).get_params()}  # the same, as get_params says it
    with pytest.raises(ValueError, match=r"must not be a sleeping-experts learner"):
        Delayed(spec, 1, n_experts=3)
    delayed = Delayed(Hedge(3, eta=1.0), 1)
    delayed.update([1.0, 0.0, 0.5])
    delayed.update([0.0, 1.0, 0.5])
    before = (delayed.weights, delayed.pending, delayed.t)
    for bad in ([1.0, np.nan, 0.0], [1.0, np.inf, 0.0], [1.0, 0.0], np.zeros((1, 3))):
        with pytest.raises(ValueError, match="'losses' parameter of Delayed"):
            delayed.update(bad)
        assert np.array_equal(delayed.weights, before[0]) and np.array_equal(delayed.pending, before[1])
        assert delayed.t == before[2]


# -- Sleeping ------------------------------------------------------------------------------------------------------


def test_sleeping_with_everybody_awake_is_the_inner_learner() -> None:
    losses = random_losses(200, 4, seed=3)
    inner, sleeping = Hedge(4, eta=0.6), Sleeping(Hedge(4, eta=0.6))
    np.testing.assert_allclose(advance_all(sleeping, losses), advance_all(inner, losses), rtol=0, atol=1e-14)
    assert np.array_equal(sleeping.weights, inner.weights)  # the inner learner saw exactly the same losses
    np.testing.assert_allclose(sleeping.weights_for(np.ones(4, dtype=bool)), inner.weights, rtol=0, atol=1e-15)


@SETTINGS
@given(losses=loss_matrices(nan_fraction=True), eta=st.floats(0.05, 3.0))
def test_sleeping_hedge_matches_the_naive_reference_and_its_bound(losses: np.ndarray, eta: float) -> None:
    """Sleeping regret bound: R_{T,i} <= ln N / eta + eta T / 8 for every expert i (losses in [0, 1]).

    Hedge's bound (Cesa-Bianchi & Lugosi 2006, Thm 2.2) on the charged losses, which lie in [0, 1], since
    <w_t, charged_t> = <p_t, l_t> (Freund, Schapire, Singer & Warmuth 1997; Gaillard, Stoltz & van Erven 2014).
    """
    n_rounds, n_experts = losses.shape
    played, paid, _ = naive_sleeping_hedge(losses, eta)
    compiled = Sleeping(Hedge(n_experts, eta=eta))
    python = Sleeping(Delayed(Hedge(n_experts, eta=eta), 0))  # no kernel to fuse: the Python loop
    stepped = Sleeping(Hedge(n_experts, eta=eta))
    for t in range(n_rounds):
        np.testing.assert_allclose(stepped.weights_for(~np.isnan(losses[t])), played[t], rtol=0, atol=1e-9)
        stepped.update(losses[t])
    out = advance_all(compiled, losses)
    np.testing.assert_allclose(out, paid, rtol=0, atol=1e-9)
    assert np.array_equal(advance_all(python, losses), out)
    assert np.array_equal(compiled.weights, stepped.weights)
    regret = naive_sleeping_regret(losses, out)
    assert regret.max() <= math.log(n_experts) / eta + eta * n_rounds / 8 + 1e-9


def test_asleep_experts_keep_their_ratio_and_move_with_the_mixture() -> None:
    eta = 0.8
    sleeping = Sleeping(Hedge(4, eta=eta))
    sleeping.update([0.9, 0.1, 0.3, 0.6])
    before = sleeping.weights
    played = sleeping.weights_for(np.array([True, True, False, False]))
    assert played[2] == 0.0 and played[3] == 0.0
    np.testing.assert_allclose(played[:2], before[:2] / before[:2].sum(), rtol=1e-15)
    losses = np.array([1.0, 0.0, np.nan, np.nan])
    mixture = float(played @ np.nan_to_num(losses))
    sleeping.update(losses)
    after = sleeping.weights
    np.testing.assert_allclose(after[2] / after[3], before[2] / before[3], rtol=1e-12)
    # Hedge: w_{t+1,i} / w_{t,i} = exp(-eta * charged_i) / Z; an asleep expert is charged the mixture's loss
    ratio = after / before
    charged = np.where(np.isnan(losses), mixture, losses)
    np.testing.assert_allclose(ratio / ratio[0], np.exp(-eta * (charged - charged[0])), rtol=1e-12)


@pytest.mark.parametrize(
    ("make", "kept"),
    [
        (lambda: Hedge(4, eta=0.5), True),
        (lambda: ftrl.BOA(4), True),
        (lambda: ftrl.Squint(4), True),
        (lambda: ftrl.MLPoly(4), True),
        (lambda: Hedge(4), False),  # the anytime rate changes every round
        (lambda: ftrl.AdaHedge(4), False),  # so does AdaHedge's
    ],
)
def test_which_learners_keep_the_ratio_of_two_asleep_experts(make, kept) -> None:
    """An asleep expert's instantaneous regret is 0 under every wrapped learner; the ratio of two asleep experts'
    weights is kept when each weight depends on the expert's own statistics, and moves with a shared rate."""
    rng = np.random.default_rng(5)
    sleeping = Sleeping(make())
    for _ in range(30):
        sleeping.update(rng.uniform(0.2, 0.7, 4) - [0.0, 0.0, 0.12, 0.12])  # experts 2 and 3 gain positive regrets
    before = sleeping.weights
    for _ in range(5):
        sleeping.update(np.concatenate([rng.random(2), [np.nan, np.nan]]))
    after = sleeping.weights
    assert before[3] > 0 and after[3] > 0
    ratio_moved = abs(after[2] / after[3] / (before[2] / before[3]) - 1)
    assert ratio_moved < 1e-13 if kept else ratio_moved > 1e-9  # kept up to rounding, or moved beyond it


def test_sleeping_predict_uses_the_awake_experts() -> None:
    sleeping = Sleeping(Hedge(3, eta=1.0))
    sleeping.update([0.0, 1.0, 0.0])
    weights = sleeping.weights
    expected = (weights[0] * 2.0 + weights[1] * 4.0) / (weights[0] + weights[1])
    assert sleeping.predict([2.0, 4.0, np.nan]) == pytest.approx(expected)
    vector = sleeping.predict(np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]]))
    np.testing.assert_allclose(vector, (weights[[0, 2]] / weights[[0, 2]].sum()) @ [[1.0, 2.0], [5.0, 6.0]])
    with pytest.raises(ValueError, match="'expert_predictions' parameter of Sleeping must have at least one"):
        sleeping.predict([np.nan, np.nan, np.nan])


def test_sleeping_rejects_bad_input_without_changing_state() -> None:
    sleeping = Sleeping(Hedge(3, eta=1.0))
    sleeping.update([1.0, np.nan, 0.0])
    before, t = sleeping.weights, sleeping.t
    for bad, message in (([np.nan, np.nan, np.nan], "at least one expert awake"), ([1.0, np.inf, 0.0], "finite"),
                         ([1.0, 0.0], "shape"), (np.zeros((3, 1)), "shape")):
        with pytest.raises(ValueError, match=f"'losses' parameter of Sleeping.*{message}"):
            sleeping.update(bad)
        assert np.array_equal(sleeping.weights, before) and sleeping.t == t
    for mask in (np.zeros(3, dtype=bool), np.ones(2, dtype=bool), np.array([1, 0, 1])):
        with pytest.raises(ValueError, match="'awake' parameter of Sleeping"):
            sleeping.weights_for(mask)
    with pytest.raises(ValueError, match="'learner' parameter of Sleeping"):
        Sleeping(ftrl.Exp3(2))


def test_sleeping_pickles_and_describes_itself() -> None:
    losses = random_losses(40, 3, seed=4, asleep_probability=0.4)
    sleeping = Sleeping(Hedge(3, eta=0.5))
    advance_all(sleeping, losses[:20])
    clone = pickle.loads(pickle.dumps(sleeping))
    assert np.array_equal(advance_all(sleeping, losses[20:]), advance_all(clone, losses[20:]))
    assert sleeping.name == "sleeping" and sleeping.t == 40 and json.dumps(sleeping.get_params())
    assert repr(sleeping) == "Sleeping(Hedge(n_experts=3, eta=0.5, horizon=None))"
    sleeping.reset()
    assert sleeping.t == 0 and np.array_equal(sleeping.weights, np.full(3, 1 / 3))


# -- SleepingEnvironment -------------------------------------------------------------------------------------------


def test_sleeping_environment_stream() -> None:
    base = environments.Bernoulli([0.2, 0.4, 0.6, 0.8])
    env = environments.SleepingEnvironment(base, awake_probability=[0.9, 0.5, 0.1, 0.0])
    whole = env.reset(seed=3).block(4000)
    env.reset(seed=3)
    uniform = np.full(4, 0.25)
    parts = [env.block(10), env.step(uniform)[None, :]]
    announced = env.next_awake
    parts.append(env.block(5))
    assert np.array_equal(announced, ~np.isnan(parts[-1][0]))
    parts.append(env.block(4000 - 16))
    assert np.array_equal(whole, np.vstack(parts), equal_nan=True)
    assert np.array_equal(whole, env.reset(seed=3).block(4000), equal_nan=True)
    awake = ~np.isnan(whole)
    assert awake.any(axis=1).all()
    assert not np.array_equal(awake, ~np.isnan(env.reset(seed=4).block(4000)))
    plain = copy.deepcopy(base).reset(seed=3).block(4000)
    assert np.array_equal(whole[awake], plain[awake])  # awake losses are the wrapped environment's own
    frequency = awake.mean(axis=0)
    np.testing.assert_allclose(frequency[:3], [0.9, 0.5, 0.1], atol=0.03)
    assert env.means is None and env.oblivious and env.loss_range == (0.0, 1.0)
    assert json.dumps(env.get_params())


def test_sleeping_environment_rejects_bad_input() -> None:
    base = environments.Bernoulli([0.2, 0.8])
    for probability in (1.5, -0.1, [0.5, 0.5, 0.5], np.nan):
        with pytest.raises(ValueError, match="'awake_probability' parameter of SleepingEnvironment"):
            environments.SleepingEnvironment(base, awake_probability=probability)
    with pytest.raises(TypeError, match="'env' parameter of SleepingEnvironment"):
        environments.SleepingEnvironment(environments.Bernoulli, 0.5)
    adaptive = environments.SleepingEnvironment(environments.GreedyAdversary(3), 0.5).reset(seed=0)
    with pytest.raises(TypeError, match="has no block"):
        adaptive.block(2)
    assert np.isnan(adaptive.step(np.full(3, 1 / 3))).sum() <= 2


# -- simulate_sleeping ---------------------------------------------------------------------------------------------


def test_simulate_sleeping_paths_agree_and_match_the_naive_reference() -> None:
    env = environments.SleepingEnvironment(environments.Bernoulli([0.3, 0.5, 0.7]), awake_probability=0.6)
    fast = simulate_sleeping(Sleeping(Hedge(3, eta=0.3)), env, 500, seeds=[0, 2])
    general = simulate_sleeping(Sleeping(Hedge(3, eta=0.3)), env, 500, seeds=[0, 2], _path="general")
    through_simulate = simulate(Sleeping(Hedge(3, eta=0.3)), env, 500, seeds=[0, 2])
    assert fast.attrs["path"] == "fast" and general.attrs["path"] == "general"
    assert fast.equals(general) and fast.equals(through_simulate)
    for seed, frame in fast.groupby("seed"):
        losses = copy.deepcopy(env).reset(seed=seed).block(500)
        _, paid, charged = naive_sleeping_hedge(losses, 0.3)
        np.testing.assert_allclose(frame.loss, paid, rtol=0, atol=1e-12)
        np.testing.assert_allclose(frame.sleeping_regret.iloc[-1], naive_sleeping_regret(losses, paid).max(),
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(frame.best_cum_loss, np.cumsum(charged, axis=0).min(axis=1), rtol=0, atol=1e-9)
        assert np.array_equal(frame.n_awake, (~np.isnan(losses)).sum(axis=1))


def test_simulate_sleeping_with_an_adaptive_environment_and_bad_input() -> None:
    env = environments.SleepingEnvironment(environments.GreedyAdversary(3), awake_probability=0.5)
    df = simulate_sleeping(Sleeping(Hedge(3, eta=0.5)), env, 200, seeds=2, record="log")
    assert df.attrs["path"] == "general" and np.isfinite(df.sleeping_regret).all()
    assert (df.sleeping_regret <= math.log(3) / 0.5 + 0.5 * df.t / 8 + 1e-9).all()
    with pytest.raises(TypeError, match="sleeping-aware learner"):
        simulate_sleeping(Hedge(3), env, 10)
    with pytest.raises(ValueError, match="same number of experts"):
        simulate_sleeping(Sleeping(Hedge(2)), env, 10)

    class AllAsleep(environments.Bernoulli):
        def _block(self, size):
            return np.full((size, self.n_experts), np.nan)

    with pytest.raises(ValueError, match="at least one expert awake in every round. Got .* in round 1"):
        simulate_sleeping(Sleeping(Hedge(2)), AllAsleep([0.5, 0.5]), 10)


@pytest.mark.parametrize("wrap", [lambda inner: Delayed(inner, 1), lambda inner: Sleeping(inner)])
def test_wrappers_apply_the_inner_loss_limit_on_every_path(wrap) -> None:
    """Squint refuses losses above 1e100 in magnitude (its squared regrets would overflow); through a wrapper the
    same losses once went in unchecked and left NaN weights, played as uniform."""
    wrapper = wrap(ftrl.Squint(3))
    assert wrapper.loss_limit == ftrl.Squint.loss_limit
    wrapper.update([0.2, 0.5, 0.1])
    before = (wrapper.t, np.array(wrapper.weights))
    with pytest.raises(ValueError, match=rf"'losses' parameter of {type(wrapper).__name__} must lie in "
                                         r"\[-1e\+100, 1e\+100\] for the wrapped Squint"):
        wrapper.update([1e200, 0.0, 0.5])
    assert wrapper.t == before[0] and np.array_equal(wrapper.weights, before[1])
    losses = random_losses(40, 3, seed=1)
    losses[20, 0] = 1e200
    run = simulate_sleeping if isinstance(wrapper, Sleeping) else simulate
    for path in ("fast", "general"):
        with pytest.raises(ValueError, match=r"1e\+100"):
            run(wrap(ftrl.Squint(3)), environments.Replay(losses), 40, _path=path)


def test_rows_are_sorted_by_seed_whatever_the_order_of_the_seeds() -> None:
    env = environments.Bernoulli([0.3, 0.5])
    for run, learner in ((simulate, Hedge(2, eta=0.3)), (simulate_sleeping, Sleeping(Hedge(2, eta=0.3)))):
        given_order = run(learner, env, 5, seeds=[4, 2, 7], record=2)
        assert given_order[["seed", "t"]].values.tolist() == [[s, t] for s in (2, 4, 7) for t in (2, 4, 5)]
        sorted_order = run(learner, env, 5, seeds=[2, 4, 7], record=2)
        assert given_order.drop(columns=[]).equals(sorted_order)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Delayed(Hedge(3, eta=0.5), 2),
        lambda: Sleeping(ftrl.Squint(3, prior=[0.5, 0.3, 0.2])),
        lambda: Sleeping(Delayed(ftrl.AdaHedge(3), 1)),
        lambda: Delayed(Delayed(FixedShare(3, eta=0.4, alpha=0.1), 1), 2),
    ],
)
def test_get_params_rebuilds_the_wrapper(make) -> None:
    """docs/learners.md: ``type(l)(**l.get_params())`` rebuilds a learner; wrappers included (nested too)."""
    original = make()
    params = json.loads(json.dumps(original.get_params()))  # JSON-ready, and a copy
    rebuilt = type(original)(**params)
    assert rebuilt.get_params() == original.get_params()
    losses = random_losses(30, 3, seed=2, asleep_probability=0.3 if isinstance(original, Sleeping) else 0.0)
    np.testing.assert_array_equal(advance_all(rebuilt, losses), advance_all(original, losses))
    assert np.array_equal(rebuilt.weights, original.weights)


def test_a_wrapper_spec_needs_a_valid_mapping_and_the_number_of_experts() -> None:
    spec = Delayed(Hedge(3, eta=0.5), 2).get_params()["learner"]
    with pytest.raises(TypeError, match="'n_experts' parameter of Delayed must be given"):
        Delayed(spec, 1)
    with pytest.raises(TypeError, match="'learner' parameter of Sleeping must be a learner or a mapping"):
        Sleeping({"nom": "hedge"}, n_experts=3)
    with pytest.raises(ValueError, match="'n_experts' parameter of Sleeping must match the wrapped learner's 3"):
        Sleeping(Hedge(3), n_experts=4)


@pytest.mark.parametrize("wrap", [lambda inner: Delayed(inner, 0), lambda inner: Sleeping(inner)])
def test_wrapping_keeps_the_state_of_a_warm_learner(wrap) -> None:
    """The docs say the wrappers work "without touching the learner": wrapping once reset it silently."""
    warm = Hedge(3, eta=0.7)
    for row in random_losses(10, 3, seed=3):
        warm.update(row)
    expected = np.array(warm.weights)
    wrapper = wrap(warm)
    assert warm.t == 10 and np.array_equal(wrapper.weights, expected)
    wrapper.reset()
    assert warm.t == 0  # an explicit reset still resets it


def test_simulate_sleeping_keeps_its_blocks_within_the_memory_budget() -> None:
    from ftrl.simulate import BLOCK_BYTES

    sizes = []

    class Recording(environments.SleepingEnvironment):
        def block(self, size):
            sizes.append(size)
            return super().block(size)

    n_experts = 3000
    env = Recording(environments.Bernoulli(np.linspace(0.1, 0.9, n_experts)), awake_probability=0.5)
    simulate_sleeping(Sleeping(Hedge(n_experts, eta=0.1)), env, 400, record="log")
    assert sizes and max(sizes) * n_experts * 8 <= BLOCK_BYTES


def test_simulate_sleeping_needs_only_the_documented_methods() -> None:
    """``weights_for``, ``update``, ``reset`` (and ``n_experts``): no ``weights``, with an environment that does not
    announce its awake set."""

    class Minimal:
        def __init__(self) -> None:
            self.inner = Sleeping(Hedge(3, eta=0.5))
            self.n_experts = 3

        def weights_for(self, awake):
            return self.inner.weights_for(awake)

        def update(self, losses):
            self.inner.update(losses)

        def reset(self):
            self.inner.reset()

    class Unannounced:
        n_experts = 3

        def __init__(self) -> None:
            self.env = environments.SleepingEnvironment(environments.Bernoulli([0.2, 0.5, 0.8]), 0.6)

        def reset(self, *, seed=None):
            self.env.reset(seed=seed)
            return self

        def step(self, weights):
            return self.env.step(weights)

    minimal = simulate_sleeping(Minimal(), Unannounced(), 50, record=10)
    reference = simulate_sleeping(Sleeping(Hedge(3, eta=0.5)), Unannounced(), 50, record=10)
    np.testing.assert_allclose(minimal.regret, reference.regret, rtol=0, atol=1e-12)
