"""The command line: demo, run, report, plot, list, --help, and errors without tracebacks."""

from __future__ import annotations

import inspect
import subprocess
import sys

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
