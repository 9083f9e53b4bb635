"""Experiment configs (validation, labels, seeds, grid), running cells, resuming after kill -9, executors."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import environments
import ftrl
from ftrl._executors import ExecutorError
from ftrl.experiment import (
    ConfigError,
    derive_seeds,
    expand_cells,
    load_config,
    parse_config,
    run_cell,
    run_experiment,
)
from ftrl.store import DirectoryInUseError, load_results


def small_config(**experiment: object) -> dict:
    return {
        "experiment": {"name": "small", "horizon": 300, "seeds": 3, **experiment},
        "learners": [{"name": "hedge"}, {"name": "hedge", "horizon": "$horizon"}, {"name": "ftl"}],
        "environments": [{"name": "ftl-trap"}, {"name": "bernoulli", "means": [0.3, 0.6, 0.5]}],
    }


def test_defaults_are_filled_in():
    config = parse_config(
        {
            "experiment": {"horizon": 10},
            "learners": [{"name": "adahedge"}],
            "environments": [{"name": "ftl-trap"}],
        }
    )
    assert config.feedback == "full"
    assert config.record == "log"
    assert len(config.seeds) == 1
    assert config.horizons == (10,)


def test_default_labels_show_the_non_default_parameters():
    config = parse_config(small_config())
    labels = [entry.label for entry in config.learners]
    assert labels[0] == "hedge"
    assert labels[1] == "hedge(horizon=T)"
    assert [entry.label for entry in config.environments] == ["ftl-trap", "bernoulli(means=[0.3, 0.6, 0.5])"]


def test_every_problem_is_reported_at_once_with_its_key():
    bad = {
        "experiment": {"horizon": -5, "seeds": 0, "feedback": "partial", "colour": 3},
        "learners": [{"name": "hedge", "etta": 0.1}, {"name": "hedgee"}],
        "environments": [{"name": "bernouli"}],
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(bad)
    problems = caught.value.problems
    text = str(caught.value)
    assert any(problem.startswith("experiment.horizon:") and "-5" in problem for problem in problems)
    assert any(problem.startswith("experiment.seeds:") for problem in problems)
    assert any(problem.startswith("experiment.feedback:") for problem in problems)
    assert any(problem.startswith("experiment.colour:") for problem in problems)
    assert any(problem.startswith("learners[0].etta:") for problem in problems)
    unknown_learner = next(problem for problem in problems if problem.startswith("learners[1].name:"))
    assert "'hedgee'" in unknown_learner
    assert all(name in unknown_learner for name in ftrl.learner_names())
    unknown_env = next(problem for problem in problems if problem.startswith("environments[0].name:"))
    assert all(name in unknown_env for name in environments.names())
    assert isinstance(caught.value, ValueError)
    assert len(problems) == 7 and text.count("\n") == 7


def test_bad_parameter_values_and_feedback_mismatch_are_config_errors():
    bad = {
        "experiment": {"horizon": 100},
        "learners": [{"name": "hedge", "eta": -1.0}, {"name": "exp3"}],
        "environments": [{"name": "bernoulli", "means": [0.5, 1.5]}],
    }
    with pytest.raises(ConfigError) as caught:
        parse_config(bad)
    problems = caught.value.problems
    assert any(problem.startswith("learners[1].name:") and "bandit" in problem for problem in problems)
    fixed = dict(bad, learners=[{"name": "hedge", "eta": -1.0}])
    with pytest.raises(ConfigError) as caught:
        parse_config(fixed)
    assert any(problem.startswith("environments[0]") for problem in caught.value.problems)
    fixed_env = dict(fixed, environments=[{"name": "bernoulli", "means": [0.5, 0.6]}])
    with pytest.raises(ConfigError) as caught:
        parse_config(fixed_env)
    assert any(problem.startswith("learners[0]") and "eta" in problem for problem in caught.value.problems)


def test_value_problems_are_reported_with_every_other_problem():
    def problems_of(data: dict) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            parse_config(data)
        return caught.value.problems

    types = problems_of(
        {
            "experiment": {"horizon": 100, "seeds": 2.5},
            "learners": [{"name": "hedge", "eta": "fast"}],
            "environments": [{"name": "coin-flips"}],
        }
    )
    assert [problem.split(":")[0] for problem in types] == [
        "experiment.seeds", "learners[0] (hedge(eta=fast)) with n_experts=2"
    ]
    both = problems_of(
        {
            "experiment": {"horizon": 100},
            "learners": [{"name": "hedge", "eta": -1.0}],
            "environments": [{"name": "bernoulli", "means": [1.5, 0.2]}],
        }
    )
    assert [problem.split(" ")[0] for problem in both] == ["environments[0]", "learners[0]"]
    six = problems_of(
        {
            "experiment": {"horizon": 100},
            "learners": [
                {"name": "hedge", "eta": "fast"},
                {"name": "fixed-share", "eta": 0.1, "alpha": 2.0},
                {"name": "squint", "prior": [0.2, 0.3, 0.5]},  # its length must be N: unchecked without an N
                {"name": "hedge", "label": "", "eta": 0.0},
            ],
            "environments": [
                {"name": "bernoulli", "means": "0.5"},
                {"name": "gaussian", "means": [0.2, 0.3], "sigma": -1},
                {"name": "coin-flips", "n_experts": 0},
            ],
        }
    )
    assert sorted(problem.split(" ")[0] for problem in six) == [
        "environments[0]", "environments[1]", "environments[2]", "learners[0]", "learners[1]",
        "learners[3]", "learners[3].label:",
    ]
    assert any(problem.startswith("learners[3] (hedge(eta=0.0)) with n_experts=2:") for problem in six)


def test_problems_name_the_position_of_the_table_in_the_config():
    with pytest.raises(ConfigError) as caught:
        parse_config(dict(small_config(), learners=[{"name": "hedgee"}, {"name": "exp3"}]))
    assert [problem.split(":")[0] for problem in caught.value.problems] == ["learners[0].name", "learners[1].name"]
    assert "bandit" in caught.value.problems[1]


def test_a_learner_table_setting_n_experts_is_told_where_it_comes_from():
    with pytest.raises(ConfigError, match=r"learners\[0\]\.n_experts: learners take n_experts from the environment"):
        parse_config(dict(small_config(), learners=[{"name": "hedge", "n_experts": 3}]))


def test_parameters_equal_to_their_default_do_not_change_the_hash_or_the_cells(tmp_path):
    def flipflop_on_coins(learner: dict, environment: dict) -> dict:
        return {
            "experiment": {"name": "x", "horizon": 30, "seeds": 2},
            "learners": [{"name": "flipflop", **learner}],
            "environments": [{"name": "coin-flips", **environment}],
        }

    phi_default = inspect.signature(ftrl.learners.FlipFlop).parameters["phi"].default
    n_default = inspect.signature(environments.CoinFlips).parameters["n_experts"].default
    plain = parse_config(flipflop_on_coins({}, {}))
    spelled = parse_config(flipflop_on_coins({"phi": phi_default}, {"n_experts": n_default}))
    assert spelled.hash() == plain.hash()
    assert [cell.cell_id for cell in expand_cells(spelled)] == [cell.cell_id for cell in expand_cells(plain)]
    assert parse_config(flipflop_on_coins({"phi": phi_default + 1}, {})).hash() != plain.hash()
    assert parse_config(flipflop_on_coins({}, {"n_experts": n_default + 1})).hash() != plain.hash()
    run_experiment(plain, tmp_path, workers=1, progress="none")
    again = run_experiment(spelled, tmp_path, workers=1, progress="none")
    assert (again.skipped, again.completed) == (1, 0)


def test_duplicate_labels_are_refused_and_explicit_labels_fix_them():
    config = small_config()
    config["learners"] = [{"name": "adahedge"}, {"name": "adahedge"}]
    with pytest.raises(ConfigError, match=r"learners\[1\]\.label"):
        parse_config(config)
    config["learners"] = [{"name": "adahedge"}, {"name": "adahedge", "label": "again"}]
    assert [entry.label for entry in parse_config(config).learners] == ["adahedge", "again"]


def test_toml_file_and_broken_toml(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(
        '[experiment]\nhorizon = [50, 20]\nseeds = [4, 9]\n[[learners]]\nname = "ftl"\n'
        '[[environments]]\nname = "coin-flips"\nn_experts = 3\n'
    )
    config = load_config(path)
    assert config.name == "exp"
    assert config.horizons == (20, 50)
    assert config.seeds == (4, 9)
    path.write_text("[experiment\n")
    with pytest.raises(ConfigError, match="TOML"):
        load_config(path)


def test_derived_seeds_are_deterministic_distinct_and_depend_on_the_master_seed():
    first = derive_seeds(0, 50)
    assert first == derive_seeds(0, 50)
    assert len(set(first)) == 50 and all(0 <= seed < 2**63 for seed in first)
    assert set(first).isdisjoint(derive_seeds(1, 50))
    assert parse_config(small_config(seeds=4, seed=7)).seeds == derive_seeds(7, 4)


def test_grid_order_and_cell_ids():
    config = parse_config(small_config(horizon=[100, 200]))
    cells = expand_cells(config)
    assert len(cells) == 3 * 2 * 2
    assert [(cell.environment.label, cell.horizon) for cell in cells[:4]] == [
        ("ftl-trap", 100),
        ("ftl-trap", 100),
        ("ftl-trap", 100),
        ("ftl-trap", 200),
    ]
    assert len({cell.cell_id for cell in cells}) == len(cells)
    assert all("/" not in cell.cell_id and " " not in cell.cell_id for cell in cells)


def test_a_cell_is_one_simulate_call_with_the_horizon_placeholder_resolved():
    config = parse_config(small_config())
    cell = expand_cells(config)[4]  # bernoulli, tuned hedge
    assert cell.learner.label == "hedge(horizon=T)" and cell.environment.name == "bernoulli"
    frame, wall_time = run_cell(cell)
    expected = ftrl.simulate(
        ftrl.make_learner("hedge", 3, horizon=300),
        environments.Bernoulli([0.3, 0.6, 0.5]),
        300,
        seeds=list(config.seeds),
        record="log",
    )
    pd.testing.assert_frame_equal(frame[expected.columns].reset_index(drop=True), expected, check_like=False)
    assert json.loads(frame["learner_params"].iloc[0]) == {"horizon": 300}
    assert (frame["learner"] == "hedge(horizon=T)").all() and (frame["horizon"] == 300).all()
    assert wall_time > 0


def test_run_then_load_results(tmp_path):
    config = parse_config(small_config(record=100))
    summary = run_experiment(config, tmp_path / "out", workers=1, progress="none")
    assert (summary.n_cells, summary.completed, summary.skipped, summary.failed) == (6, 6, 0, {})
    df = load_results(tmp_path / "out")
    assert list(df.columns[:5]) == ["learner", "environment", "horizon", "seed", "t"]
    assert {
        "regret",
        "cum_loss",
        "best_cum_loss",
        "pseudo_regret",
        "learner_params",
        "environment_params",
    } <= set(df.columns)
    assert len(df) == 6 * 3 * 3  # cells x seeds x recorded rounds (100, 200, 300)
    assert sorted(df["seed"].unique()) == sorted(config.seeds)
    trap_ftl = df[(df.learner == "ftl") & (df.environment == "ftl-trap") & (df.t == 300)]
    assert np.allclose(trap_ftl["regret"], 300 / 2 - 0.25)  # FTL's regret on the trap, T even
    assert df[df.environment == "ftl-trap"]["pseudo_regret"].isna().all()
    again = run_experiment(config, tmp_path / "out", workers=1, progress="none")
    assert (again.completed, again.skipped) == (0, 6)


def test_a_changed_config_is_refused_unless_forced(tmp_path):
    run_experiment(small_config(), tmp_path, workers=1, progress="none")
    changed = small_config(horizon=200)
    with pytest.raises(DirectoryInUseError, match="--force"):
        run_experiment(changed, tmp_path, workers=1, progress="none")
    summary = run_experiment(changed, tmp_path, workers=1, progress="none", force=True)
    assert summary.completed == 6
    df = load_results(tmp_path)
    assert set(df["horizon"]) == {200}
    assert len(list((tmp_path / "cells").glob("*.parquet"))) == 6


def test_local_processes_give_the_same_results_as_one_process(tmp_path):
    config = small_config()
    run_experiment(config, tmp_path / "serial", workers=1, progress="none")
    run_experiment(config, tmp_path / "pool", workers=2, progress="none")
    pd.testing.assert_frame_equal(load_results(tmp_path / "serial"), load_results(tmp_path / "pool"))


def _slow_config(path: Path) -> Path:
    means = ", ".join(["0.5"] * 19 + ["0.45"])
    path.write_text(
        '[experiment]\nname = "slow"\nhorizon = 60000\nseeds = 2\n'
        '[[learners]]\nname = "adahedge"\n[[learners]]\nname = "hedge"\n'
        '[[learners]]\nname = "hedge"\nhorizon = "$horizon"\n[[learners]]\nname = "flipflop"\n'
        f'[[environments]]\nname = "bernoulli"\nmeans = [{means}]\n'
    )
    return path


def test_kill_9_loses_no_finished_cell_and_a_rerun_completes_identically(tmp_path):
    config = _slow_config(tmp_path / "slow.toml")
    out = tmp_path / "killed"
    command = [
        sys.executable,
        "-m",
        "ftrl.cli",
        "run",
        str(config),
        "--out",
        str(out),
        "--workers",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not list(out.glob("cells/*.parquet")):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = sorted((out / "cells").glob("*.parquet"))
    assert 1 <= len(finished) < 4, "the run was not killed mid-way"
    partial = load_results(out)  # every file present is whole and readable
    assert len(partial.attrs["missing"]) == 4 - len(finished)

    rerun = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert not [path for path in out.rglob("*") if path.name.endswith(".tmp")]
    run_experiment(config, tmp_path / "whole", workers=1, progress="none")
    pd.testing.assert_frame_equal(load_results(out), load_results(tmp_path / "whole"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert [cell["status"] for cell in manifest["cells"]] == ["done"] * 4


def test_dask_local_cluster_gives_the_same_results_as_local_processes(tmp_path):
    pytest.importorskip("distributed")
    config = small_config()
    run_experiment(config, tmp_path / "local", workers=1, progress="none")
    run_experiment(config, tmp_path / "dask", dask_local=True, workers=2, progress="none")
    pd.testing.assert_frame_equal(load_results(tmp_path / "local"), load_results(tmp_path / "dask"))


def test_an_unreachable_scheduler_fails_fast_with_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    start = time.monotonic()
    out = tmp_path / "o"
    with pytest.raises(ExecutorError, match="tcp://127.0.0.1:9"):
        run_experiment(small_config(), out, scheduler="tcp://127.0.0.1:9", progress="none")
    assert time.monotonic() - start < 20
    assert not out.exists()  # checked before the result directory is made


def test_an_existing_dask_cluster_is_reached_by_its_address(tmp_path):
    distributed = pytest.importorskip("distributed")
    config = small_config()
    run_experiment(config, tmp_path / "local", workers=1, progress="none")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        run_experiment(config, tmp_path / "remote", scheduler=cluster.scheduler_address, progress="none")
    pd.testing.assert_frame_equal(load_results(tmp_path / "local"), load_results(tmp_path / "remote"))


def test_progress_bar_and_lines(capsys):
    from ftrl._executors import Progress

    bar = Progress(total=3, initial=1, mode="bar")
    bar.advance("cell two")
    bar.close()
    assert "2/3" in capsys.readouterr().err
    lines = Progress(total=3, initial=1, mode="lines")
    lines.advance("cell two")
    assert capsys.readouterr().err.splitlines() == ["[1/3] already done, skipped", "[2/3] cell two"]
    quiet = Progress(total=3, mode="none")
    quiet.advance("cell one")
    assert capsys.readouterr().err == ""
