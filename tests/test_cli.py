"""The command line: demo, run, report, plot, list, --help, and errors without tracebacks."""

from __future__ import annotations

import inspect
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import environments
import ftrl
from ftrl.cli import build_parser, main
from ftrl.learners import _REGISTRY as LEARNERS

GOOD = """
[experiment]
name = "cli"
horizon = 100
seeds = 2

[[learners]]
name = "hedge"
[[learners]]
name = "ftl"

[[environments]]
name = "ftl-trap"
"""


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    config = root / "cli.toml"
    config.write_text(GOOD)
    assert main(["run", str(config), "--out", str(root / "out"), "--workers", "1", "--quiet"]) == 0
    return root / "out"


@pytest.mark.parametrize("command", ["demo", "run", "report", "plot", "list"])
def test_every_subcommand_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: ftrl {command}")
    assert len(text.splitlines()) > 5
    assert "%%" not in text


def test_top_level_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert all(name in text for name in ("demo", "run", "report", "plot", "list"))


def test_an_invalid_config_prints_every_problem_without_a_traceback(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(
        '[experiment]\nhorizon = -5\n[[learners]]\nname = "hedgee"\n[[environments]]\nname = "ftl-trap"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "ftrl.cli", "run", str(config), "--out", str(tmp_path / "o")],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "experiment.horizon:" in done.stderr and "-5" in done.stderr
    assert "learners[0].name: unknown learner 'hedgee'" in done.stderr and "adahedge" in done.stderr
    assert not (tmp_path / "o").exists()


def test_a_missing_config_and_a_missing_directory_exit_2(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o")]) == 2
    assert main(["report", str(tmp_path)]) == 2
    assert "ftrl run" in capsys.readouterr().err


def _bad_config_directory(tmp_path):
    path = tmp_path / "config_dir"
    path.mkdir()
    return ["run", str(path), "--out", str(tmp_path / "o")], str(path)


def _non_utf8_config(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(GOOD.replace('"cli"', '"caf\xe9"').encode("latin-1"))
    return ["run", str(path), "--out", str(tmp_path / "o")], str(path)


def _out_is_a_file(tmp_path):
    config = tmp_path / "cli.toml"
    config.write_text(GOOD)
    out = tmp_path / "afile"
    out.touch()
    return ["run", str(config), "--out", str(out)], str(out)


def _foreign_manifest(content: bytes):
    def arguments(tmp_path):
        config = tmp_path / "cli.toml"
        config.write_text(GOOD)
        (tmp_path / "o").mkdir()
        manifest = tmp_path / "o" / "manifest.json"
        manifest.write_bytes(content)
        return ["run", str(config), "--out", str(tmp_path / "o"), "--force"], str(manifest)

    return arguments


def _report_of_a_foreign_manifest(tmp_path):
    (tmp_path / "o").mkdir()
    manifest = tmp_path / "o" / "manifest.json"
    manifest.write_text("[1, 2]")
    return ["report", str(tmp_path / "o")], str(manifest)


@pytest.mark.parametrize(
    "bad_input",
    [
        _bad_config_directory,
        _non_utf8_config,
        _out_is_a_file,
        _foreign_manifest(b"[1, 2]"),
        _foreign_manifest(b"not json"),
        _foreign_manifest(b'{"cells": []}'),
        _report_of_a_foreign_manifest,
    ],
    ids=[
        "config-is-a-directory",
        "config-not-utf8",
        "out-is-a-file",
        "manifest-a-list",
        "manifest-not-json",
        "manifest-not-ftrls",
        "report-manifest-a-list",
    ],
)
def test_bad_paths_are_errors_naming_the_path(bad_input, tmp_path, capsys):
    arguments, path = bad_input(tmp_path)
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"ftrl {arguments[0]}: error: ") and path in error


def test_a_foreign_manifest_is_kept_and_named_as_not_ftrls(tmp_path, capsys):
    arguments, path = _foreign_manifest(b'{"cells": []}')(tmp_path)
    assert main(arguments) == 2
    assert f"{path!r} is not an ftrl manifest" in capsys.readouterr().err
    assert json.loads((tmp_path / "o" / "manifest.json").read_text()) == {"cells": []}
    assert not (tmp_path / "o" / "cells").exists()


def test_resamples_below_100_is_refused_by_the_option(result_dir, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["report", str(result_dir), "--interval", "bootstrap", "--resamples", "50"])
    assert exited.value.code == 2
    assert "argument --resamples: must be an int >= 100, got 50" in capsys.readouterr().err
    assert main(["report", str(result_dir), "--interval", "bootstrap", "--resamples", "100"]) == 0


LONG = """
[experiment]
name = "long"
horizon = 4000000
seeds = 8
record = "log"

[[learners]]
name = "adahedge"
[[learners]]
name = "normalhedge"

[[environments]]
name = "bernoulli"
means = [0.5, 0.5, 0.5, 0.45]
"""


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_a_run_stops_its_worker_processes(stop, tmp_path):
    psutil = pytest.importorskip("psutil")
    config = tmp_path / "long.toml"
    config.write_text(LONG)
    out = tmp_path / "o"
    command = [sys.executable, "-m", "ftrl.cli", "run", str(config), "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parent = psutil.Process(process.pid)
    children = []
    try:
        deadline = time.monotonic() + 60
        while sum("spawn_main" in " ".join(child.cmdline()) for child in parent.children()) < 2:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.05)
        time.sleep(1)  # let the workers start their cells
        children = parent.children(recursive=True)
        os.kill(process.pid, stop)
        process.wait(timeout=30)
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        if stop == signal.SIGTERM:
            assert process.returncode == 128 + signal.SIGTERM
            assert "interrupted; finished cells are kept" in process.stderr.read()
    finally:  # whatever happened, leave no process behind
        if process.poll() is None:
            children += parent.children(recursive=True)
            process.kill()
        for child in children:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        process.wait()


def test_run_twice_skips_and_a_changed_config_needs_force(result_dir, tmp_path, capsys):
    config = tmp_path / "cli.toml"
    config.write_text(GOOD)
    assert main(["run", str(config), "--out", str(result_dir), "--workers", "1"]) == 0
    assert "0 run, 2 already done" in capsys.readouterr().err
    config.write_text(GOOD.replace("horizon = 100", "horizon = 120"))
    assert main(["run", str(config), "--out", str(result_dir), "--workers", "1", "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


def test_plain_progress_lines_when_not_a_terminal(tmp_path, capsys):
    config = tmp_path / "cli.toml"
    config.write_text(GOOD)
    assert main(["run", str(config), "--out", str(tmp_path / "o"), "--workers", "1"]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("[1/2] hedge x ftl-trap, T=100") and lines[1].startswith(
        "[2/2] ftl x ftl-trap"
    )


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_report_formats(result_dir, fmt, capsys):
    assert main(["report", str(result_dir), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "hedge" in out and "ftl" in out
    assert ("|" in out) == (fmt == "markdown") and ("," in out.splitlines()[0]) == (fmt == "csv")


def test_plot_writes_the_file(result_dir, tmp_path):
    path = tmp_path / "p.png"
    assert main(["plot", str(result_dir), "-o", str(path), "--log", "--bounds"]) == 0
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_list_shows_every_learner_and_environment_with_parameters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ftrl.learner_names() + environments.names():
        assert f"  {name} " in out
    hedge_line = next(line for line in out.splitlines() if line.startswith("  hedge "))
    assert "eta=None" in hedge_line and "horizon=None" in hedge_line and "n_experts" not in hedge_line
    assert "[bandit]" in next(line for line in out.splitlines() if line.startswith("  exp3 "))
    signature = inspect.signature(LEARNERS["flipflop"])
    assert f"phi={signature.parameters['phi'].default!r}" in out


def test_demo_writes_results_prints_the_table_and_draws_the_plot(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "FTL trap" in printed and "adahedge" in printed
    df = ftrl.load_results(out)
    final = df[(df.t == 2000) & (df.environment == "FTL trap")].groupby("learner")["regret"].mean()
    assert final["ftl"] > 900 and final["adahedge"] < 100  # FTL is linear on its trap, AdaHedge is not
    assert (out / "regret.png").read_bytes()[:4] == b"\x89PNG"


def test_console_script_is_wired():
    parser = build_parser()
    assert parser.prog == "ftrl"
    done = subprocess.run(
        [sys.executable, "-m", "ftrl.cli", "--version"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.strip() == f"ftrl {ftrl.__version__}"
