"""The result directory of an experiment: one Parquet file per cell, a JSON manifest, crash-safe writes.

Layout::

    DIR/manifest.json            config hash, normalized config, package versions, per-cell status and wall time
    DIR/cells/<cell id>.parquet  the tidy frame of one cell (learner x environment x horizon, all seeds)

Every file is written to a temporary name in its final directory, flushed, fsync'd and ``os.replace``'d over the
final name, then the directory is fsync'd: a run killed at any moment leaves whole files only. A cell is finished
exactly when its Parquet file exists (the manifest is rewritten after each cell, and rebuilt from the files), so
a rerun skips finished cells and runs the rest. Each cell file also carries its cell description and wall time in
its Parquet metadata, so it stands alone.

Needs ``pyarrow`` (the ``store`` extra), imported only when a file is read or written.
"""

from __future__ import annotations

import json
import os
import platform
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ftrl.experiment import Cell, Config

__all__ = [
    "CELLS",
    "MANIFEST",
    "DirectoryInUseError",
    "ManifestError",
    "ResultDirectory",
    "load_results",
    "read_manifest",
]

MANIFEST = "manifest.json"
CELLS = "cells"
_METADATA_KEY = b"ftrl"
_TEMP_SUFFIX = ".tmp"
_CELL_FILE = re.compile(rf"{CELLS}/[^/\\]+\.parquet")
"""How a manifest names a cell file: a ``.parquet`` file directly in ``cells/``."""
_COLUMN_ORDER = (
    "learner",
    "environment",
    "horizon",
    "sweep_parameter",
    "sweep_value",
    "seed",
    "t",
    "loss",
    "cum_loss",
    "best_cum_loss",
    "best_expert",
    "regret",
    "arm",
    "realized_loss",
    "realized_regret",
    "pseudo_regret",
    "dynamic_regret",
    "shifting_regret",
    "adaptive_regret",
    "suffix_regret",
    "learner_name",
    "learner_params",
    "environment_name",
    "environment_params",
    "n_experts",
    "feedback",
)


class DirectoryInUseError(ValueError):
    """The output directory cannot take the results: it holds those of a different config, holds a
    ``manifest.json`` ftrl did not write, or is not a directory."""


class ManifestError(ValueError):
    """A ``manifest.json`` that is not one written by ftrl (unreadable, not JSON, or not shaped like one)."""


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise ImportError(
            "Reading and writing experiment results needs pyarrow: pip install 'ftrl[store]'."
        ) from error
    return pa, pq


def _fsync_directory(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write_bytes(path: Path, write: Any) -> None:
    """Write a file crash-safely: ``write(handle)`` fills a temporary file next to ``path``, which is flushed,
    fsync'd and renamed over ``path``; the directory is fsync'd after the rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")
    try:
        with open(temporary, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a result directory as a dict.

    Raises
    ------
    FileNotFoundError
        ``directory`` has no manifest (the message says how to make one).
    ManifestError
        The manifest cannot be read, is not UTF-8 JSON, or is not shaped like the manifests ftrl writes.
    """
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise FileNotFoundError(
            f"{str(directory)!r} is not an experiment result directory (no {MANIFEST}); "
            "create one with `ftrl run CONFIG --out DIR`."
        )
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
    except OSError as error:  # a directory, say
        raise ManifestError(f"Cannot read the manifest {str(path)!r}: {error.strerror}") from None
    except ValueError as error:  # not UTF-8, not JSON
        raise ManifestError(f"{str(path)!r} is not an ftrl manifest: not UTF-8 JSON ({error})") from None
    problem = _manifest_problem(manifest)
    if problem is not None:
        raise ManifestError(f"{str(path)!r} is not an ftrl manifest: {problem}")
    return manifest


def _manifest_problem(manifest: Any) -> str | None:
    """What makes ``manifest`` unlike the manifests ftrl writes, or None."""
    if not isinstance(manifest, dict):
        return f"it holds a JSON {type(manifest).__name__}, not an object"
    if not isinstance(manifest.get("config_hash"), str):
        return "it has no 'config_hash' string"
    cells = manifest.get("cells")
    if not isinstance(cells, list) or not all(
        isinstance(entry, dict)
        and isinstance(entry.get("id"), str)
        and isinstance(entry.get("file"), str)
        and _CELL_FILE.fullmatch(entry["file"])
        for entry in cells
    ):
        return f"its 'cells' is not a list of {{'id': ..., 'file': '{CELLS}/<id>.parquet'}} entries"
    return None


def _versions() -> dict[str, str]:
    import numba
    import numpy

    import ftrl

    versions = {
        "python": platform.python_version(),
        "ftrl": ftrl.__version__,
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "pandas": pd.__version__,
    }
    try:
        import pyarrow

        versions["pyarrow"] = pyarrow.__version__
    except ImportError:  # pragma: no cover
        pass
    return versions


class ResultDirectory:
    """The on-disk state of one experiment run; see the module docstring for the layout.

    Parameters
    ----------
    path : path
        The output directory (created by :meth:`prepare`).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.cells_path = self.path / CELLS
        self._manifest: dict[str, Any] = {}

    def cell_file(self, cell: Cell) -> Path:
        """Where the result of ``cell`` lives."""
        return self.cells_path / f"{cell.cell_id}.parquet"

    def prepare(self, config: Config, cells: Sequence[Cell], *, force: bool = False) -> None:
        """Create the directory, refuse (or with ``force`` delete) results of another config, drop stale temporary
        files, and build the manifest from the cell files already present.

        ``force`` deletes only what the previous manifest lists (its cell files) and the manifest itself: other
        files are kept, and without a manifest there is nothing to delete (cell files whose id matches a cell
        are reused, as in any rerun).

        Raises
        ------
        DirectoryInUseError
            The manifest's config hash differs from ``config``'s and ``force`` is False; or ``manifest.json``
            exists but was not written by ftrl (even with ``force``: it is not ftrl's to delete); or the path,
            or its ``cells`` entry, is not a directory.
        """
        config_hash = config.hash()
        if self.path.exists() and not self.path.is_dir():
            raise DirectoryInUseError(f"{str(self.path)!r} is not a directory; choose another --out.")
        previous = self._previous_manifest()
        if previous is not None and previous["config_hash"] != config_hash:
            if not force:
                raise DirectoryInUseError(
                    f"{str(self.path)!r} holds results of a different config (experiment "
                    f"{previous.get('experiment')!r}, hash {previous['config_hash'][:12]} != "
                    f"{config_hash[:12]}). Pass --force to delete them and start over, or choose another --out."
                )
            self._wipe(previous)
            previous = None
        try:
            self.cells_path.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as error:
            raise DirectoryInUseError(
                f"Cannot create the result directory {str(self.cells_path)!r}: {error.strerror}; "
                "choose another --out."
            ) from None
        for stale in self.cells_path.glob(f".*{_TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)
        for stale in self.path.glob(f".*{_TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)
        previous_cells = {entry["id"]: entry for entry in previous["cells"]} if previous is not None else {}
        entries = []
        for cell in cells:
            entry = {
                "id": cell.cell_id,
                "learner": cell.learner.label,
                "environment": cell.environment.label,
                "horizon": cell.horizon,
                "sweep_value": cell.sweep_value,
                "file": f"{CELLS}/{cell.cell_id}.parquet",
                "status": "pending",
                "wall_time": None,
                "error": None,
            }
            if self.cell_file(cell).is_file():
                entry["status"] = "done"
                entry["wall_time"] = previous_cells.get(cell.cell_id, {}).get("wall_time")
                if entry["wall_time"] is None:
                    entry["wall_time"] = self._stored_wall_time(cell)
            entries.append(entry)
        self._manifest = {
            "format": 1,
            "experiment": config.name,
            "config_hash": config_hash,
            "config": config.as_dict(),
            "versions": _versions(),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "cells": entries,
        }

    def _previous_manifest(self) -> dict[str, Any] | None:
        """The manifest already in the directory, None when there is none; DirectoryInUseError for a
        ``manifest.json`` that ftrl did not write."""
        try:
            return read_manifest(self.path)
        except FileNotFoundError:
            return None
        except ManifestError as error:
            raise DirectoryInUseError(
                f"{error}. ftrl does not overwrite it, not even with --force: move it away or choose another --out."
            ) from None

    def _wipe(self, previous: dict[str, Any]) -> None:
        """Delete the cell files ``previous`` (an ftrl manifest) lists, then the manifest; nothing else."""
        for entry in previous["cells"]:
            (self.path / entry["file"]).unlink(missing_ok=True)
        (self.path / MANIFEST).unlink(missing_ok=True)

    def _stored_wall_time(self, cell: Cell) -> float | None:
        _, pq = _pyarrow()
        metadata = pq.read_schema(self.cell_file(cell)).metadata or {}
        return json.loads(metadata.get(_METADATA_KEY, b"{}")).get("wall_time")

    def is_done(self, cell: Cell) -> bool:
        """True when the cell's result file exists (it is then whole: files appear only by atomic rename)."""
        return self.cell_file(cell).is_file()

    def _entry(self, cell: Cell) -> dict[str, Any]:
        for entry in self._manifest["cells"]:
            if entry["id"] == cell.cell_id:
                return entry
        raise KeyError(cell.cell_id)

    def write_manifest(self) -> None:
        """Write the manifest crash-safely."""
        self._manifest["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        text = json.dumps(self._manifest, indent=2).encode()
        atomic_write_bytes(self.path / MANIFEST, lambda handle: handle.write(text))

    def write_cell(self, cell: Cell, frame: pd.DataFrame, wall_time: float) -> None:
        """Write one cell's frame (Parquet, with the cell description in its metadata), then the manifest."""
        pa, pq = _pyarrow()
        table = pa.Table.from_pandas(frame, preserve_index=False)
        described = {
            "cell": {
                "id": cell.cell_id,
                "learner": cell.learner.as_dict(),
                "environment": cell.environment.as_dict(),
                "horizon": cell.horizon,
                "seeds": list(cell.seeds),
                "feedback": cell.feedback,
                "record": cell.record,
                "ledger": {"switches": cell.switches} if cell.ledger else None,
                "sweep": None if cell.sweep_parameter is None else [cell.sweep_parameter, cell.sweep_value],
            },
            "wall_time": wall_time,
            "attrs": frame.attrs,
        }
        metadata = dict(table.schema.metadata or {})
        metadata[_METADATA_KEY] = json.dumps(described, default=str).encode()
        table = table.replace_schema_metadata(metadata)
        atomic_write_bytes(self.cell_file(cell), lambda handle: pq.write_table(table, handle))
        entry = self._entry(cell)
        entry.update(status="done", wall_time=wall_time, error=None)
        self.write_manifest()

    def mark_failed(self, cell: Cell, message: str) -> None:
        """Record a cell's failure in the manifest (a rerun tries it again)."""
        self._entry(cell).update(status="failed", error=message)
        self.write_manifest()


def load_results(directory: str | os.PathLike[str]) -> pd.DataFrame:
    """Every finished cell of an experiment directory as one tidy DataFrame.

    Parameters
    ----------
    directory : path
        Written by ``ftrl run`` / :func:`ftrl.run_experiment`.

    Returns
    -------
    pandas.DataFrame
        One row per (cell, seed, recorded round), cells in the manifest's order (environments, horizons,
        learners), with columns ``learner`` and ``environment`` (the labels), ``horizon``, ``seed``, ``t``, the
        columns of :func:`ftrl.simulate` (``loss``, ``cum_loss``, ``best_cum_loss``, ``best_expert``, ``regret``
        and, where defined, ``arm``, ``realized_loss``, ``realized_regret``, ``pseudo_regret``, and with
        ``ledger = true`` ``dynamic_regret``, ``shifting_regret``, ``adaptive_regret``; NaN in cells where
        they are not; a sweep adds ``sweep_parameter`` and ``sweep_value`` after ``horizon``), then ``learner_name``, ``learner_params``, ``environment_name``, ``environment_params``
        (the parameters as JSON strings, with ``"$horizon"`` resolved), ``n_experts`` and ``feedback``.
        ``attrs`` holds ``experiment``, ``config``, ``config_hash``, ``versions``, ``cells`` (the manifest's
        per-cell entries: status, wall time) and ``missing`` (ids of cells not finished).

    Raises
    ------
    FileNotFoundError
        ``directory`` has no manifest.
    ManifestError
        Its ``manifest.json`` is not one ftrl wrote (unreadable, not JSON, or not shaped like ftrl's).
    """
    manifest = read_manifest(directory)
    _, pq = _pyarrow()
    root = Path(directory)
    frames, missing = [], []
    for entry in manifest["cells"]:
        path = root / entry["file"]
        if not path.is_file():
            missing.append(entry["id"])
            continue
        frames.append(pq.read_table(path).to_pandas())
    if frames:
        df = pd.concat(frames, ignore_index=True, sort=False)
        known = [column for column in _COLUMN_ORDER if column in df.columns]
        df = df[known + [column for column in df.columns if column not in known]]
    else:
        df = pd.DataFrame(columns=["learner", "environment", "horizon", "seed", "t", "regret"])
    df.attrs = {
        "experiment": manifest.get("experiment"),
        "config": manifest.get("config"),
        "config_hash": manifest.get("config_hash"),
        "versions": manifest.get("versions"),
        "cells": manifest["cells"],
        "missing": missing,
    }
    return df
