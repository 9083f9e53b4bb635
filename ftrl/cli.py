"""The ``ftrl`` command line: ``ftrl demo | run | report | plot | list``.

Errors the user can fix (an invalid config, a used output directory, an unreachable scheduler, a missing result
directory) are printed without a traceback; the exit status is 2 for invalid input, 1 for failed cells or an
executor that could not start. Ctrl-C and SIGTERM stop the run (and its worker processes), keep the finished
cells, and exit with 130 and 143.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ftrl.regret import MIN_RESAMPLES

__all__ = ["DEMO_CONFIG", "build_parser", "main"]

DEMO_CONFIG: dict[str, Any] = {
    "experiment": {"name": "demo", "horizon": 2000, "seeds": 5, "feedback": "full", "record": "log"},
    "learners": [
        {"name": "hedge", "label": "hedge (anytime)"},
        {"name": "adahedge"},
        {"name": "ftl"},
    ],
    "environments": [
        {"name": "ftl-trap", "label": "FTL trap"},
        {"name": "bernoulli", "label": "Bernoulli, gap 0.1", "means": [0.4, 0.5, 0.5]},
    ],
}
"""The built-in experiment of ``ftrl demo``: FTL is linear on the trap and best on the stochastic instance."""

REGRET_COLUMNS = (
    "regret", "pseudo_regret", "realized_regret", "dynamic_regret", "shifting_regret", "adaptive_regret",
    "suffix_regret",
)
"""The columns ``report`` and ``plot`` accept; the last four need ``ledger = true`` in the config."""

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
_EPILOG = """examples:
  ftrl demo                                   # a small built-in experiment: results, table, plot
  ftrl run scripts/experiments/ftl_vs_hedge.toml --out results/ftl
  ftrl report results/ftl --format markdown
  ftrl plot results/ftl -o results/ftl.png --log --bounds
  ftrl report results/ftl --interval bootstrap --column adaptive_regret
  ftrl plot results/ftl --final -o results/ftl_final.png
  ftrl plot results/eta_sweep --sweep -o results/eta_sweep.png
  ftrl list
"""


def _int_at_least(low: int, wording: str) -> Callable[[str], int]:
    """An argparse type: an int >= ``low``, refused as "must be ``wording``, got ..."."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {wording}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {wording}, got {value}")
        return value

    return parse


_positive_int = _int_at_least(1, "a positive int")
_resample_count = _int_at_least(MIN_RESAMPLES, f"an int >= {MIN_RESAMPLES}")


def _add_executor_options(parser: argparse.ArgumentParser) -> None:
    executor = parser.add_argument_group("executor (default: local processes)")
    executor.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes (default: all cores; 1 runs in this process); with --dask-local, "
        "the LocalCluster's workers (default 2)",
    )
    where = executor.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="send the cells to a running Dask distributed scheduler (needs ftrl[distributed])",
    )
    where.add_argument(
        "--dask-local", action="store_true", help="start a Dask LocalCluster on 127.0.0.1 for this run"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="if DIR holds results of a different config, delete them and start over",
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ftrl`` (one subparser per subcommand)."""
    parser = argparse.ArgumentParser(
        prog="ftrl",
        description="Prediction with expert advice: run regret experiments (learners x environments x horizons "
        "x seeds) and report, plot and list them.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from ftrl import __version__

    parser.add_argument("--version", action="version", version=f"ftrl {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="run a small built-in experiment, print its regret table, write its plot",
        description="Hedge (anytime), AdaHedge and FTL on the FTL trap and on a Bernoulli instance with a gap "
        "(T = 2000, 5 seeds): writes the results to DIR, prints the regret table, and writes "
        "DIR/regret.png. Rerunning reuses finished cells.",
    )
    demo.add_argument(
        "--out", default="ftrl-demo", metavar="DIR", help="output directory (default: ./ftrl-demo)"
    )
    _add_executor_options(demo)

    run = commands.add_parser(
        "run",
        help="run an experiment config (TOML) into a result directory",
        description="Expand the config's grid into cells (learner x environment x horizon, all seeds in each), "
        "run the unfinished ones, and write one Parquet file per cell plus DIR/manifest.json. "
        "A killed run loses no finished cell; rerunning the same command completes it. "
        "See docs/experiments.md for the config format.",
    )
    run.add_argument("config", metavar="CONFIG", help="experiment config (.toml)")
    run.add_argument("--out", "-o", required=True, metavar="DIR", help="result directory (created if needed)")
    _add_executor_options(run)

    report = commands.add_parser(
        "report",
        help="print the regret table of a result directory",
        description="Per environment and horizon, each learner's final regret: mean and 95% interval across "
        "seeds (Student t, percentile bootstrap or BCa), regret / sqrt(T), the theoretical bound where one "
        "applies (from ftrl.regret.bound) and the ratio to it, and the cell's wall time.",
    )
    report.add_argument("directory", metavar="DIR", help="result directory written by `ftrl run`")
    report.add_argument(
        "--format",
        "-f",
        choices=("table", "markdown", "csv"),
        default="table",
        help="output format (default: table)",
    )
    report.add_argument(
        "--column",
        choices=REGRET_COLUMNS,
        default="regret",
        help="which regret (default: regret against the best expert in hindsight; dynamic, shifting and "
        "adaptive regret need ledger = true in the config)",
    )
    report.add_argument(
        "--interval",
        choices=("t", "bootstrap", "bca"),
        default="t",
        help="confidence interval for the mean across seeds: Student t (default), percentile bootstrap, or "
        "bias-corrected and accelerated bootstrap",
    )
    report.add_argument(
        "--resamples",
        type=_resample_count,
        default=2000,
        metavar="B",
        help=f"bootstrap resamples, at least {MIN_RESAMPLES} (default 2000)",
    )
    report.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")

    plot = commands.add_parser(
        "plot",
        help="plot the regret curves of a result directory",
        description="One panel per environment (at its largest horizon), one line per learner: the mean regret "
        "with a shaded 95% band across seeds. --final draws the distribution of the final regret across "
        "seeds instead (a violin per learner); --sweep draws the final regret against the parameter of the "
        "config's [sweep] table.",
    )
    plot.add_argument("directory", metavar="DIR", help="result directory written by `ftrl run`")
    plot.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="output image; the suffix chooses the format (.png, .pdf, .svg)",
    )
    kind = plot.add_mutually_exclusive_group()
    kind.add_argument("--final", action="store_true", help="violins of the final regret across seeds")
    kind.add_argument("--sweep", action="store_true", help="final regret against the swept parameter")
    plot.add_argument("--log", action="store_true", help="log-log axes (with --sweep: log y axis)")
    plot.add_argument("--bounds", action="store_true", help="overlay the theoretical bounds (dashed)")
    plot.add_argument(
        "--column",
        choices=REGRET_COLUMNS,
        default="regret",
        help="which regret to draw (default: regret)",
    )
    plot.add_argument(
        "--interval",
        choices=("t", "bootstrap", "bca"),
        default="t",
        help="with --sweep: the band's confidence interval (default t)",
    )

    listing = commands.add_parser(
        "list",
        help="list the learners and environments with their parameters",
        description="The registry names usable in a config's [[learners]] and [[environments]] tables, with "
        "their constructor parameters and defaults (learners get n_experts from the environment).",
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _describe_parameters(factory: Any, skip: tuple[str, ...]) -> list[str]:
    from ftrl.experiment import constructor_parameters

    described = []
    for name, default in constructor_parameters(factory).items():
        if name in skip:
            continue
        described.append(name if default is inspect.Parameter.empty else f"{name}={default!r}")
    return described


def _summary_line(factory: Any) -> str:
    doc = inspect.getdoc(factory) or ""
    return doc.splitlines()[0] if doc else ""


def _command_list(arguments: argparse.Namespace) -> int:
    from ftrl.experiment import _registry_classes

    listing: dict[str, list[dict[str, Any]]] = {}
    for section, skip in (("learners", ("n_experts",)), ("environments", ())):
        listing[section] = [
            {
                "name": name,
                "parameters": _describe_parameters(factory, skip),
                "feedback": getattr(factory, "feedback", None) if section == "learners" else None,
                "summary": _summary_line(factory),
            }
            for name, factory in _registry_classes(section).items()
        ]
    if arguments.json:
        print(json.dumps(listing, indent=2))
        return 0
    for section, entries in listing.items():
        print(f"{section}:")
        width = max(len(entry["name"]) for entry in entries)
        for entry in entries:
            parameters = ", ".join(entry["parameters"]) or "(no parameters)"
            feedback = f" [{entry['feedback']}]" if entry["feedback"] else ""
            print(f"  {entry['name']:<{width}}  {parameters}{feedback}")
            if entry["summary"]:
                print(f"  {'':<{width}}  {entry['summary']}")
        print()
    print(
        'Learners get n_experts from the environment. In a config, "$horizon" stands for the cell\'s horizon.'
    )
    return 0


def _run(config: Any, out: str, arguments: argparse.Namespace) -> int:
    from ftrl.experiment import run_experiment

    summary = run_experiment(
        config,
        out,
        workers=arguments.workers,
        scheduler=arguments.scheduler,
        dask_local=arguments.dask_local,
        force=arguments.force,
        progress="none" if arguments.quiet else "auto",
    )
    if not arguments.quiet:
        print(
            f"{summary.n_cells} cells in {out}: {summary.completed} run, {summary.skipped} already done, "
            f"{len(summary.failed)} failed",
            file=sys.stderr,
        )
    for cell_id, message in summary.failed.items():
        print(f"ftrl: cell {cell_id} failed: {message}", file=sys.stderr)
    return EXIT_FAILED if summary.failed else 0


def _command_run(arguments: argparse.Namespace) -> int:
    return _run(arguments.config, arguments.out, arguments)


def _command_report(arguments: argparse.Namespace) -> int:
    from ftrl.report import format_table, regret_table

    table = regret_table(
        arguments.directory,
        column=arguments.column,
        interval=arguments.interval,
        n_resamples=arguments.resamples,
        seed=arguments.seed,
    )
    print(format_table(table, arguments.format, column=arguments.column))
    return 0


def _command_plot(arguments: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from ftrl.plot import plot_final, plot_results, plot_sweep

    if arguments.final:
        figure = plot_final(arguments.directory, arguments.output, column=arguments.column)
    elif arguments.sweep:
        figure = plot_sweep(
            arguments.directory,
            arguments.output,
            column=arguments.column,
            interval=arguments.interval,
            log_y=arguments.log,
            bounds=arguments.bounds,
        )
    else:
        figure = plot_results(
            arguments.directory,
            arguments.output,
            log=arguments.log,
            bounds=arguments.bounds,
            column=arguments.column,
        )
    plt.close(figure)
    print(f"wrote {arguments.output}", file=sys.stderr)
    return 0


def _command_demo(arguments: argparse.Namespace) -> int:
    import matplotlib.pyplot as plt

    from ftrl.plot import plot_results
    from ftrl.report import format_table, regret_table

    status = _run(DEMO_CONFIG, arguments.out, arguments)
    if status:
        return status
    print(format_table(regret_table(arguments.out)))
    image = Path(arguments.out) / "regret.png"
    figure = plot_results(arguments.out, image, bounds=True)
    plt.close(figure)
    print(f"\nresults: {arguments.out}/ (ftrl.load_results({str(arguments.out)!r}))\nplot:    {image}")
    return 0


_COMMANDS = {
    "demo": _command_demo,
    "run": _command_run,
    "report": _command_report,
    "plot": _command_plot,
    "list": _command_list,
}


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds (and stops the workers) like Ctrl-C."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`_Terminated` (signal handlers can be set in the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``ftrl`` console script; returns the exit status."""
    from ftrl._executors import ExecutorError
    from ftrl.experiment import ConfigError
    from ftrl.store import DirectoryInUseError

    arguments = build_parser().parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            return _COMMANDS[arguments.command](arguments)
    except (ConfigError, DirectoryInUseError, FileNotFoundError) as error:
        print(f"ftrl {arguments.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"ftrl {arguments.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ExecutorError as error:
        print(f"ftrl {arguments.command}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt as interrupt:
        print(
            f"ftrl {arguments.command}: interrupted; finished cells are kept, rerun to complete.",
            file=sys.stderr,
        )
        return EXIT_TERMINATED if isinstance(interrupt, _Terminated) else EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
