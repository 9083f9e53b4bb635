"""Experiments: a TOML config naming learners x environments x horizons x seeds, run cell by cell into a directory.

A config is read and validated in one pass (:func:`load_config`): every problem is collected and reported at once
in a :class:`ConfigError`. The grid expands into :class:`Cell` objects (one learner, one environment, one
horizon, all seeds); :func:`run_experiment` runs the cells that are not finished yet on an executor (local
processes or Dask) and writes one Parquet file per cell plus a JSON manifest (see :mod:`ftrl.store`).

Config format (see ``docs/experiments.md``)::

    [experiment]
    name = "ftl-vs-hedge"
    horizon = 100000          # or a list of horizons
    seeds = 20                # a count, or a list of distinct ints >= 0
    seed = 0                  # master seed from which a count of seeds is derived
    feedback = "full"         # or "bandit"
    record = "log"            # "all", "log" or an int k (every k-th round)
    ledger = false            # true: also dynamic, shifting and adaptive regret (simulate(ledger=True))
    switches = 3              # the shifting comparator's switches, with ledger = true

    [[learners]]
    name = "hedge"            # a registry name; every other key is a constructor parameter
    label = "hedge (tuned)"   # optional: tells apart two entries with the same name
    horizon = "$horizon"      # the string "$horizon" stands for the cell's horizon

    [[environments]]
    name = "bernoulli"
    means = [0.5, 0.4, 0.6]

    [sweep]                   # optional: final regret against one parameter
    parameter = "learners.eta"   # or "environments.<param>" (e.g. n_experts), or "horizon"
    values = [0.01, 0.1, 1.0]

Sweeps. ``parameter = "learners.<p>"`` gives every learner whose constructor takes ``p`` one cell per value (with
``p`` set to it; the learner's table must not set ``p`` itself); learners without ``p`` run once, as a reference.
``"environments.<p>"`` does the same for environments. ``"horizon"`` takes the horizons from ``values`` (then
``experiment.horizon`` must be left out). The cells carry ``sweep_parameter`` and ``sweep_value`` columns (NaN
for the reference cells); ``ftrl plot DIR --sweep`` draws the final regret against the value.

Seeds. ``seeds = n`` with master ``seed = s`` gives the n seeds
``np.random.SeedSequence(s).generate_state(n, np.uint64) >> 1`` (distinct 63-bit ints); a list is used as given.
Every cell uses the same seeds, so all learners face the same loss streams (common random numbers), and a cell's
result does not depend on which other cells exist or on the order in which they run.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
import numbers
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "HORIZON_PLACEHOLDER",
    "Cell",
    "Config",
    "ConfigError",
    "Entry",
    "RunSummary",
    "Sweep",
    "expand_cells",
    "load_config",
    "parse_config",
    "run_cell",
    "run_experiment",
]

HORIZON_PLACEHOLDER = "$horizon"
"""A parameter value replaced by the cell's horizon (e.g. ``horizon = "$horizon"`` tunes Hedge to T)."""

_EXPERIMENT_KEYS = ("name", "horizon", "seeds", "seed", "feedback", "record", "ledger", "switches")
_TOP_LEVEL_KEYS = ("experiment", "learners", "environments", "sweep")
_SWEEP_KEYS = ("parameter", "values")
_LEARNER_N_EXPERTS = "learners take n_experts from the environment"
_PROBE_N_EXPERTS = 2
"""The number of experts learners are built with when no environment of the config can be built."""


class ConfigError(ValueError):
    """An invalid experiment config; ``problems`` lists every problem as ``"key: message"``."""

    def __init__(self, problems: Sequence[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the experiment config{where}:\n{lines}")


@dataclass(frozen=True)
class Entry:
    """One learner or environment of the grid: a registry name, its constructor parameters and a label."""

    name: str
    params: dict[str, Any]
    label: str

    def resolved_params(self, horizon: int) -> dict[str, Any]:
        """The parameters with every ``"$horizon"`` value replaced by ``horizon``."""
        return {key: horizon if value == HORIZON_PLACEHOLDER else value for key, value in self.params.items()}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready description: name, label and params."""
        return {"name": self.name, "label": self.label, "params": self.params}


@dataclass(frozen=True)
class Sweep:
    """A ``[sweep]`` table: ``parameter`` ("horizon", "learners.<p>" or "environments.<p>"), its ``values``, and
    the labels of the entries that take the parameter (``targets``; empty for a horizon sweep)."""

    parameter: str
    values: tuple[Any, ...]
    targets: frozenset[str] = frozenset()

    @property
    def section(self) -> str:
        """"horizon", "learners" or "environments"."""
        return self.parameter.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The constructor parameter swept ("horizon" for a horizon sweep)."""
        return self.parameter.split(".", 1)[-1]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: parameter and values."""
        return {"parameter": self.parameter, "values": list(self.values)}


@dataclass(frozen=True)
class Config:
    """A validated experiment config (every default filled in)."""

    name: str
    horizons: tuple[int, ...]
    seeds: tuple[int, ...]
    feedback: str
    record: str | int
    learners: tuple[Entry, ...]
    environments: tuple[Entry, ...]
    master_seed: int | None = None
    ledger: bool = False
    switches: int = 3
    sweep: Sweep | None = None

    def as_dict(self) -> dict[str, Any]:
        """The normalized config as JSON-ready data (what the config hash is computed from).

        The ledger and sweep keys appear only when used, so configs written before they existed keep their hash.
        """
        data = {
            "experiment": {
                "name": self.name,
                "horizons": list(self.horizons),
                "seeds": list(self.seeds),
                "feedback": self.feedback,
                "record": self.record,
            },
            "learners": [entry.as_dict() for entry in self.learners],
            "environments": [entry.as_dict() for entry in self.environments],
        }
        if self.ledger:
            data["experiment"]["ledger"] = True
            data["experiment"]["switches"] = self.switches
        if self.sweep is not None:
            data["sweep"] = self.sweep.as_dict()
        return data

    def hash(self) -> str:
        """SHA-256 of the normalized config (:meth:`as_dict`).

        Comments, key order, and defaults left out or spelled out (experiment keys, and learner or environment
        parameters equal to the constructor's default) do not change it; the experiment name (by default the
        config file's stem), the labels and every other value do.
        """
        return hashlib.sha256(_canonical_json(self.as_dict()).encode()).hexdigest()


@dataclass(frozen=True)
class Cell:
    """One unit of work: a learner against an environment at one horizon, over all the experiment's seeds."""

    learner: Entry
    environment: Entry
    horizon: int
    seeds: tuple[int, ...]
    feedback: str
    record: str | int
    index: int = field(default=0, compare=False)
    ledger: bool = False
    switches: int = 3
    sweep_parameter: str | None = None
    sweep_value: Any = None

    @property
    def cell_id(self) -> str:
        """A file-name-safe id: readable labels, the horizon, and a hash of everything that defines the cell."""
        content: dict[str, Any] = {
            "learner": self.learner.as_dict(),
            "environment": self.environment.as_dict(),
            "horizon": self.horizon,
            "seeds": list(self.seeds),
            "feedback": self.feedback,
            "record": self.record,
        }
        if self.ledger:
            content["ledger"] = {"switches": self.switches}
        if self.sweep_parameter is not None:
            content["sweep"] = [self.sweep_parameter, self.sweep_value]
        digest = hashlib.sha256(_canonical_json(content).encode()).hexdigest()[:10]
        swept = "" if self.sweep_value is None else f"__{self.sweep_parameter}={self.sweep_value}"
        slug = _slug(f"{self.learner.label}__{self.environment.label}__T{self.horizon}{swept}")
        return f"{slug}-{digest}"

    def describe(self) -> str:
        """``"learner x environment, T=horizon"``, for progress lines."""
        swept = "" if self.sweep_value is None else f", {self.sweep_parameter}={self.sweep_value}"
        return f"{self.learner.label} x {self.environment.label}, T={self.horizon}{swept}"


@dataclass
class RunSummary:
    """What :func:`run_experiment` did: cell counts by outcome and the failures' messages."""

    out_dir: Path
    n_cells: int
    skipped: int = 0
    completed: int = 0
    failed: dict[str, str] = field(default_factory=dict)


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", text).strip("_")[:80]


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        content = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"file: no such file {str(path)!r}"], str(path)) from None
    except OSError as error:  # a directory, say
        raise ConfigError([f"file: cannot read it ({error.strerror})"], str(path)) from None
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"file: not UTF-8 text (byte {content[error.start]:#04x} at offset {error.start}); TOML is UTF-8"
        raise ConfigError([problem], str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"file: not valid TOML ({error})"], str(path)) from None


def load_config(source: str | os.PathLike[str] | Mapping[str, Any]) -> Config:
    """Read and validate an experiment config from a TOML file (or an already parsed mapping).

    Parameters
    ----------
    source : path or mapping
        A ``.toml`` file, or the mapping ``tomllib`` would return for one.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        Listing every problem found, each with its key (``experiment.horizon``, ``learners[1].name``, ...).
    """
    if isinstance(source, Mapping):
        return parse_config(source)
    path = Path(source)
    return parse_config(_read_toml(path), source=str(path), default_name=path.stem)


def parse_config(
    data: Mapping[str, Any], *, source: str | None = None, default_name: str = "experiment"
) -> Config:
    """Validate a parsed config mapping; see :func:`load_config`."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise ConfigError([f"config: must be a table, got {type(data).__name__}"], source)
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            problems.append(f"{key}: unknown section (known: {', '.join(_TOP_LEVEL_KEYS)})")
    experiment = data.get("experiment", {})
    if not isinstance(experiment, Mapping):
        problems.append(f"experiment: must be a table, got {type(experiment).__name__}")
        experiment = {}
    for key in experiment:
        if key not in _EXPERIMENT_KEYS:
            problems.append(f"experiment.{key}: unknown key (known: {', '.join(_EXPERIMENT_KEYS)})")

    name = experiment.get("name", default_name)
    if not isinstance(name, str) or not name:
        problems.append(f"experiment.name: must be a non-empty string, got {name!r}")
        name = default_name
    sweep_table = data.get("sweep")
    horizon_sweep = isinstance(sweep_table, Mapping) and sweep_table.get("parameter") == "horizon"
    if horizon_sweep:
        if "horizon" in experiment:
            problems.append("experiment.horizon: leave it out when [sweep] sweeps 'horizon' (the values are the "
                            "horizons)")
        horizons = _parse_horizons(sweep_table.get("values"), problems, key="sweep.values")
    else:
        horizons = _parse_horizons(experiment.get("horizon"), problems)
    ledger = experiment.get("ledger", False)
    if not isinstance(ledger, bool):
        problems.append(f"experiment.ledger: must be true or false, got {ledger!r}")
        ledger = False
    switches = experiment.get("switches", 3)
    if not (_is_int(switches) and switches >= 0):
        problems.append(f"experiment.switches: must be an int >= 0, got {switches!r}")
        switches = 3
    elif "switches" in experiment and not ledger:
        problems.append("experiment.switches: only used with ledger = true; add it or drop switches")
    master_seed, seeds = _parse_seeds(experiment.get("seeds", 1), experiment.get("seed", 0), problems)
    feedback = experiment.get("feedback", "full")
    if feedback not in ("full", "bandit"):
        problems.append(f"experiment.feedback: must be 'full' or 'bandit', got {feedback!r}")
        feedback = "full"
    record = experiment.get("record", "log")
    if not (record in ("all", "log") or (_is_int(record) and record >= 1)):
        problems.append(f"experiment.record: must be 'all', 'log' or an int >= 1, got {record!r}")
        record = "log"

    learners = _parse_learners(data.get("learners"), feedback, problems)
    environments = _parse_entries(data.get("environments"), "environments", problems)
    sweep = None
    if sweep_table is not None:
        sweep = _parse_sweep(sweep_table, learners, environments, horizons, problems)
    _probe_entries(learners, environments, horizons, sweep, problems)
    if problems:
        raise ConfigError(problems, source)
    return Config(
        name=name,
        horizons=horizons,
        seeds=seeds,
        feedback=feedback,
        record=record,
        learners=tuple(table.without_defaults() for table in learners),
        environments=tuple(table.without_defaults() for table in environments),
        master_seed=master_seed,
        ledger=ledger,
        switches=int(switches),
        sweep=sweep,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _parse_horizons(value: Any, problems: list[str], key: str = "experiment.horizon") -> tuple[int, ...]:
    if value is None:
        problems.append(f"{key}: missing (a positive int or a list of them)")
        return (1,)
    values = value if isinstance(value, list) else [value]
    bad = [item for item in values if not (_is_int(item) and item >= 1)]
    if bad or not values:
        problems.append(
            f"{key}: must be a positive int or a non-empty list of them, got {value!r}"
        )
        return (1,)
    if len(set(values)) != len(values):
        problems.append(f"{key}: repeats a horizon, got {value!r}")
    return tuple(sorted({int(item) for item in values}))


def derive_seeds(master_seed: int, count: int) -> tuple[int, ...]:
    """``count`` distinct seeds (63-bit ints) derived from ``master_seed`` by ``numpy.random.SeedSequence``.

    Examples
    --------
    >>> derive_seeds(0, 3) == derive_seeds(0, 5)[:3]
    True
    """
    state = np.random.SeedSequence(master_seed).generate_state(count, np.uint64) >> np.uint64(1)
    seeds = tuple(int(value) for value in state)
    if len(set(seeds)) != count:  # probability about count**2 / 2**64
        raise ValueError(
            f"derive_seeds({master_seed}, {count}) produced a repeated seed; choose another seed."
        )
    return seeds


def _parse_seeds(value: Any, master: Any, problems: list[str]) -> tuple[int | None, tuple[int, ...]]:
    if not (_is_int(master) and master >= 0):
        problems.append(f"experiment.seed: must be an int >= 0, got {master!r}")
        master = 0
    if _is_int(value):
        if value < 1:
            problems.append(f"experiment.seeds: a count must be a positive int, got {value!r}")
            return master, (0,)
        return master, derive_seeds(master, int(value))
    if isinstance(value, list) and value and all(_is_int(item) and item >= 0 for item in value):
        if len(set(value)) != len(value):
            problems.append(f"experiment.seeds: the listed seeds must be distinct, got {value!r}")
        return None, tuple(int(item) for item in value)
    problems.append(
        f"experiment.seeds: must be a positive int (a count) or a list of distinct ints >= 0, got {value!r}"
    )
    return master, (0,)


def _entries(value: Any, section: str, problems: list[str]) -> list[tuple[int, Mapping[str, Any]]]:
    if value is None:
        problems.append(f"{section}: missing (at least one [[{section}]] table)")
        return []
    if not isinstance(value, list) or not value:
        problems.append(f"{section}: must be a non-empty array of tables ([[{section}]]), got {value!r}")
        return []
    tables = []
    for position, table in enumerate(value):
        if not isinstance(table, Mapping):
            problems.append(f"{section}[{position}]: must be a table, got {table!r}")
        else:
            tables.append((position, table))
    return tables


def _registry_classes(section: str) -> dict[str, Callable[..., Any]]:
    if section == "learners":
        from ftrl.learners import _REGISTRY

        return dict(_REGISTRY)
    import environments.registry

    return {name: environments.registry._REGISTRY[name] for name in environments.registry.names()}


def constructor_parameters(factory: Callable[..., Any]) -> dict[str, Any]:
    """Keyword parameters of a learner or environment constructor, with their defaults (``inspect.Parameter.empty``
    when required); a learner's include ``n_experts``, which comes from the environment (see
    :func:`_config_parameters`)."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        return {}
    return {
        name: parameter.default
        for name, parameter in signature.parameters.items()
        if parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        and name != "self"
    }


def _default_label(name: str, params: Mapping[str, Any], defaults: Mapping[str, Any]) -> str:
    shown = []
    for key, value in _non_default(params, defaults).items():
        text = (
            "T"
            if value == HORIZON_PLACEHOLDER
            else json.dumps(value)
            if not isinstance(value, str)
            else value
        )
        shown.append(f"{key}={text}")
    return f"{name}({', '.join(shown)})" if shown else name


def _non_default(params: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` without those equal to their constructor default (they do not change a cell or its label)."""
    return {key: value for key, value in params.items()
            if not (key in defaults and _same_value(defaults[key], value))}


def _same_value(default: Any, value: Any) -> bool:
    try:
        return bool(default == value) and type(default) is type(value)
    except Exception:  # noqa: BLE001 - arrays and odd objects: treat as different
        return False


def _config_parameters(factory: Callable[..., Any], section: str) -> list[str]:
    """The constructor parameters a ``section`` table may set: all of them, except a learner's ``n_experts``."""
    return [param for param in constructor_parameters(factory) if param != "n_experts" or section == "environments"]


@dataclass(frozen=True)
class _Table:
    """A [[learners]] or [[environments]] table with a known name: its key (``"learners[2]"``), entry and
    constructor, and whether the constructor accepts all its parameters (only then is it built as a check)."""

    key: str
    entry: Entry
    factory: Callable[..., Any]
    buildable: bool

    def without_defaults(self) -> Entry:
        """The entry without the parameters equal to their constructor default (they do not change a cell)."""
        return Entry(self.entry.name, _non_default(self.entry.params, constructor_parameters(self.factory)),
                     self.entry.label)


def _parse_entries(value: Any, section: str, problems: list[str]) -> list[_Table]:
    registry = _registry_classes(section)
    kind = "learner" if section == "learners" else "environment"
    parsed: list[_Table] = []
    labels: dict[str, int] = {}
    for position, table in _entries(value, section, problems):
        key = f"{section}[{position}]"
        name = table.get("name")
        if name is None:
            problems.append(f"{key}.name: missing ({kind} registry name; known: {', '.join(registry)})")
            continue
        if name not in registry:
            problems.append(f"{key}.name: unknown {kind} {name!r} (known: {', '.join(registry)})")
            continue
        factory = registry[name]
        defaults = constructor_parameters(factory)
        params = {param: item for param, item in table.items() if param not in ("name", "label")}
        accepted = _config_parameters(factory, section)
        unknown = [param for param in params if param not in accepted]
        for param in unknown:
            learner_n_experts = section == "learners" and param == "n_experts"
            hint = f"{_LEARNER_N_EXPERTS} (set it in [[environments]]); " if learner_n_experts else ""
            problems.append(
                f"{key}.{param}: {hint}unknown parameter of {kind} {name!r} (accepted: {', '.join(accepted) or 'none'})"
            )
        default_label = _default_label(name, params, defaults)
        label = table.get("label", default_label)
        if not isinstance(label, str) or not label:
            problems.append(f"{key}.label: must be a non-empty string, got {label!r}")
            label = default_label
        elif label in labels:
            problems.append(
                f"{key}.label: {label!r} is also the label of {section}[{labels[label]}]; add a distinct 'label' key"
            )
        else:
            labels[label] = position
        parsed.append(_Table(key, Entry(name=name, params=dict(params), label=label), factory, not unknown))
    return parsed


def _parse_learners(value: Any, feedback: str, problems: list[str]) -> list[_Table]:
    learners = _parse_entries(value, "learners", problems)
    for table in learners:
        learner_feedback = getattr(table.factory, "feedback", "full")
        if learner_feedback != feedback:
            problems.append(
                f"{table.key}.name: {table.entry.name!r} learns from {learner_feedback!r} feedback but "
                f"experiment.feedback is {feedback!r}"
            )
    return learners


def _parse_sweep(
    table: Any,
    learners: list[_Table],
    environments: list[_Table],
    horizons: tuple[int, ...],
    problems: list[str],
) -> Sweep | None:
    if not isinstance(table, Mapping):
        problems.append(f"sweep: must be a table ([sweep]), got {table!r}")
        return None
    for key in table:
        if key not in _SWEEP_KEYS:
            problems.append(f"sweep.{key}: unknown key (known: {', '.join(_SWEEP_KEYS)})")
    parameter = table.get("parameter")
    if parameter == "horizon":
        return Sweep("horizon", horizons)
    section, _, name = parameter.partition(".") if isinstance(parameter, str) else ("", "", "")
    if section not in ("learners", "environments") or not name:
        problems.append(
            "sweep.parameter: must be 'horizon', 'learners.<parameter>' or 'environments.<parameter>', "
            f"got {parameter!r}"
        )
        return None
    values = table.get("values")
    numeric = isinstance(values, list) and values and all(
        isinstance(item, (int, float)) and not isinstance(item, bool) for item in values
    )
    if not numeric:
        problems.append(f"sweep.values: must be a non-empty list of numbers, got {values!r}")
        values = []
    elif len(set(values)) != len(values):
        problems.append(f"sweep.values: repeats a value, got {values!r}")
    if section == "learners" and name == "n_experts":
        problems.append(f"sweep.parameter: {_LEARNER_N_EXPERTS}; sweep 'environments.n_experts' instead")
        return None
    targets = []
    for entry_table in learners if section == "learners" else environments:
        if name in _config_parameters(entry_table.factory, section):
            if name in entry_table.entry.params:
                problems.append(
                    f"{entry_table.key}.{name}: also swept by [sweep]; remove it from the {section} table"
                )
            targets.append(entry_table.entry.label)
    if not targets:
        problems.append(f"sweep.parameter: no entry of [[{section}]] takes the parameter {name!r}")
    return Sweep(parameter, tuple(values), frozenset(targets))


def _probe_overrides(table: _Table, sweep: Sweep | None, section: str) -> list[dict[str, Any]]:
    """The parameters a table is built with on top of its own: one per swept value if the sweep targets it."""
    return [{} if value is None else {sweep.name: value} for _, value in _swept(table.entry, sweep, section)]


def _probe_entries(
    learners: list[_Table],
    environments: list[_Table],
    horizons: tuple[int, ...],
    sweep: Sweep | None,
    problems: list[str],
) -> None:
    """Build every buildable environment (with each swept value), then every buildable learner (with each swept
    value) for each N those environments have, to report the values the constructors refuse.

    When no environment builds, learners are built with ``_PROBE_N_EXPERTS`` experts, except those given a list
    (such as a prior, whose length must be N): they are checked once the environments build.
    """
    horizon = horizons[-1]
    sizes: set[int] = set()
    for table in (table for table in environments if table.buildable):
        for override in _probe_overrides(table, sweep, "environments"):
            try:
                env = table.factory(**{**table.entry.resolved_params(horizon), **override})
                sizes.add(int(env.n_experts))
            except Exception as error:  # noqa: BLE001 - any constructor error is the user's config problem
                problems.append(f"{_probe_subject(table, override)}: {error}")
    for table in (table for table in learners if table.buildable):
        if sizes:
            learner_sizes = sorted(sizes)
        elif any(isinstance(value, list) for value in table.entry.params.values()):
            continue
        else:
            learner_sizes = [_PROBE_N_EXPERTS]
        for override in _probe_overrides(table, sweep, "learners"):
            for size in learner_sizes:
                try:
                    table.factory(size, **{**table.entry.resolved_params(horizon), **override})
                except Exception as error:  # noqa: BLE001
                    problems.append(f"{_probe_subject(table, override, size)}: {error}")
                    break


def _probe_subject(table: _Table, override: Mapping[str, Any], size: int | None = None) -> str:
    """``"learners[0] (hedge) with n_experts=2"``; with a swept value ``"sweep.values: ... with eta=0.1, ..."``."""
    settings = [f"{key}={value!r}" for key, value in override.items()]
    if size is not None:
        settings.append(f"n_experts={size}")
    where = "sweep.values: " if override else ""
    with_settings = f" with {', '.join(settings)}" if settings else ""
    return f"{where}{table.key} ({table.entry.label}){with_settings}"


def _swept(entry: Entry, sweep: Sweep | None, section: str) -> list[tuple[Entry, Any]]:
    """(entry, sweep value) for each value when ``entry`` takes the swept parameter, else [(entry, None)]."""
    if sweep is None or sweep.section != section or entry.label not in sweep.targets:
        return [(entry, None)]
    return [(Entry(entry.name, {**entry.params, sweep.name: value}, entry.label), value) for value in sweep.values]


def expand_cells(config: Config) -> list[Cell]:
    """The grid in a fixed order: environments (each swept value in turn), then horizons, then learners (each
    swept value in turn). Without a sweep, cells carry no sweep value; with one, entries that do not take the
    swept parameter appear once per (environment, horizon), with ``sweep_value`` None."""
    cells: list[Cell] = []
    sweep = config.sweep
    parameter = None if sweep is None else sweep.parameter
    seen: set[str] = set()
    for base_environment in config.environments:
        for environment, env_value in _swept(base_environment, sweep, "environments"):
            for horizon in config.horizons:
                for base_learner in config.learners:
                    for learner, learner_value in _swept(base_learner, sweep, "learners"):
                        value = horizon if parameter == "horizon" else (
                            env_value if env_value is not None else learner_value)
                        cell = Cell(
                            learner,
                            environment,
                            horizon,
                            config.seeds,
                            config.feedback,
                            config.record,
                            len(cells),
                            config.ledger,
                            config.switches,
                            parameter,
                            value,
                        )
                        if cell.cell_id not in seen:
                            seen.add(cell.cell_id)
                            cells.append(cell)
    return cells


def run_cell(cell: Cell) -> tuple[pd.DataFrame, float]:
    """Run one cell: one :func:`ftrl.simulate` call over all seeds, in this process (``n_jobs=1``).

    Returns
    -------
    (DataFrame, float)
        The simulate() frame with the cell's descriptive columns in front (see :func:`ftrl.load_results`), and
        the wall time in seconds.
    """
    import environments
    from ftrl.learners import make_learner
    from ftrl.simulate import simulate

    start = time.perf_counter()
    env = environments.make(cell.environment.name, **cell.environment.resolved_params(cell.horizon))
    learner = make_learner(
        cell.learner.name, int(env.n_experts), **cell.learner.resolved_params(cell.horizon)
    )
    frame = simulate(
        learner,
        env,
        cell.horizon,
        seeds=list(cell.seeds),
        feedback=cell.feedback,
        record=cell.record,
        n_jobs=1,
        ledger=cell.ledger,
        switches=cell.switches,
    )
    wall_time = time.perf_counter() - start
    front = {
        "learner": cell.learner.label,
        "environment": cell.environment.label,
        "horizon": np.int64(cell.horizon),
    }
    if cell.sweep_parameter is not None:
        front["sweep_parameter"] = cell.sweep_parameter
        front["sweep_value"] = np.nan if cell.sweep_value is None else float(cell.sweep_value)
    described = pd.DataFrame({key: [value] * len(frame) for key, value in front.items()})
    tail = pd.DataFrame(
        {
            "learner_name": [cell.learner.name] * len(frame),
            "learner_params": [_canonical_json(cell.learner.resolved_params(cell.horizon))] * len(frame),
            "environment_name": [cell.environment.name] * len(frame),
            "environment_params": [_canonical_json(cell.environment.resolved_params(cell.horizon))]
            * len(frame),
            "n_experts": np.full(len(frame), int(env.n_experts), dtype=np.int64),
            "feedback": [cell.feedback] * len(frame),
        }
    )
    result = pd.concat([described, frame.reset_index(drop=True), tail], axis=1)
    result.attrs = copy.deepcopy(frame.attrs)
    return result, wall_time


def run_experiment(
    config: Config | str | os.PathLike[str] | Mapping[str, Any],
    out_dir: str | os.PathLike[str],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dask_local: bool = False,
    force: bool = False,
    progress: str = "auto",
) -> RunSummary:
    """Run every unfinished cell of an experiment and write its results into ``out_dir``.

    Parameters
    ----------
    config : Config, path or mapping
        The experiment (a TOML path is read with :func:`load_config`).
    out_dir : path
        Created if needed. Holds ``manifest.json`` and ``cells/<cell id>.parquet``.
    workers : int, optional
        Local worker processes (default: all cores); with ``dask_local``, the LocalCluster's workers.
    scheduler : str, optional
        Address ``tcp://host:port`` of a running Dask scheduler to send the cells to.
    dask_local : bool
        Start a Dask ``LocalCluster`` on loopback for this run.
    force : bool
        Start over in a directory used by a different config (its cell files and manifest are deleted).
    progress : {"auto", "bar", "lines", "none"}
        A tqdm bar over the cells on a terminal, plain lines otherwise (``"auto"``), or nothing.

    Returns
    -------
    RunSummary

    Raises
    ------
    ConfigError
        For an invalid config.
    ftrl.store.DirectoryInUseError
        ``out_dir`` holds the results of a different config and ``force`` is False.
    """
    from ftrl import store
    from ftrl._executors import Progress, check_scheduler, execute

    if not isinstance(config, Config):
        config = load_config(config)
    cells = expand_cells(config)
    if scheduler is not None:
        check_scheduler(scheduler)  # before the result directory is created
    directory = store.ResultDirectory(out_dir)
    directory.prepare(config, cells, force=force)
    todo = [cell for cell in cells if not directory.is_done(cell)]
    summary = RunSummary(out_dir=Path(out_dir), n_cells=len(cells), skipped=len(cells) - len(todo))
    directory.write_manifest()
    reporter = Progress(total=len(cells), initial=summary.skipped, mode=progress)
    try:
        for cell, outcome in execute(
            todo, run_cell, workers=workers, scheduler=scheduler, dask_local=dask_local
        ):
            if isinstance(outcome, BaseException):
                message = f"{type(outcome).__name__}: {outcome}"
                summary.failed[cell.cell_id] = message
                directory.mark_failed(cell, message)
                reporter.advance(f"FAILED {cell.describe()}: {message}")
                continue
            frame, wall_time = outcome
            directory.write_cell(cell, frame, wall_time)
            summary.completed += 1
            reporter.advance(f"{cell.describe()} ({wall_time:.2f} s)")
    finally:
        reporter.close()
    return summary
