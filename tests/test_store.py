"""The result store: crash-safe writes, the manifest, load_results."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ftrl import load_results
from ftrl.experiment import expand_cells, parse_config, run_experiment
from ftrl.store import (
    MANIFEST,
    DirectoryInUseError,
    ManifestError,
    ResultDirectory,
    atomic_write_bytes,
    read_manifest,
)

CONFIG = {
    "experiment": {"name": "store", "horizon": [50, 80], "seeds": [3, 11], "record": "all"},
    "learners": [{"name": "adahedge"}, {"name": "hedge", "eta": 0.2}],
    "environments": [{"name": "coin-flips", "n_experts": 3}],
}


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("store")
    run_experiment(CONFIG, directory, workers=1, progress="none")
    return directory


def test_atomic_write_replaces_whole_files_and_cleans_up_after_a_failure(tmp_path):
    target = tmp_path / "file.bin"
    atomic_write_bytes(target, lambda handle: handle.write(b"first"))
    atomic_write_bytes(target, lambda handle: handle.write(b"second"))
    assert target.read_bytes() == b"second"

    def fail_halfway(handle):
        handle.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write_bytes(target, fail_halfway)
    assert target.read_bytes() == b"second"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["file.bin"]


def test_manifest_records_hash_versions_and_every_cell(result_dir):
    manifest = read_manifest(result_dir)
    config = parse_config(CONFIG)
    assert manifest["config_hash"] == config.hash()
    assert {"python", "ftrl", "numpy", "numba", "pandas", "pyarrow"} <= set(manifest["versions"])
    assert [cell["id"] for cell in manifest["cells"]] == [cell.cell_id for cell in expand_cells(config)]
    assert all(cell["status"] == "done" and cell["wall_time"] > 0 for cell in manifest["cells"])
    assert all((result_dir / cell["file"]).is_file() for cell in manifest["cells"])


def test_cell_files_describe_themselves(result_dir):
    manifest = read_manifest(result_dir)
    entry = manifest["cells"][1]
    metadata = json.loads(pq.read_schema(result_dir / entry["file"]).metadata[b"ftrl"])
    assert metadata["cell"]["id"] == entry["id"]
    assert metadata["cell"]["learner"]["params"] == {"eta": 0.2}
    assert metadata["cell"]["seeds"] == [3, 11]
    assert metadata["wall_time"] == pytest.approx(entry["wall_time"])


def test_load_results_columns_and_rows(result_dir):
    df = load_results(result_dir)
    assert list(df.columns[:5]) == ["learner", "environment", "horizon", "seed", "t"]
    assert len(df) == 2 * 2 * (50 + 80)  # learners x seeds x rounds, summed over horizons
    assert list(dict.fromkeys(df["learner"])) == ["adahedge", "hedge(eta=0.2)"]
    assert set(df["environment"]) == {"coin-flips(n_experts=3)"}
    params = df[df.learner == "hedge(eta=0.2)"]["learner_params"].map(json.loads)
    assert (params == {"eta": 0.2}).all()
    assert (df["environment_params"].map(json.loads) == {"n_experts": 3}).all()
    assert (df["n_experts"] == 3).all() and (df["feedback"] == "full").all()
    pd.testing.assert_series_equal(df["regret"], df["cum_loss"] - df["best_cum_loss"], check_names=False)
    assert df.attrs["missing"] == [] and df.attrs["experiment"] == "store"


def test_a_manifest_lost_after_the_cells_were_written_is_rebuilt_from_the_files(tmp_path):
    run_experiment(CONFIG, tmp_path, workers=1, progress="none")
    before = load_results(tmp_path)
    (tmp_path / MANIFEST).unlink()
    summary = run_experiment(CONFIG, tmp_path, workers=1, progress="none")
    assert summary.skipped == 4 and summary.completed == 0
    assert all(cell["wall_time"] > 0 for cell in read_manifest(tmp_path)["cells"])
    pd.testing.assert_frame_equal(load_results(tmp_path), before)


def test_stale_temporary_files_are_removed_and_missing_cells_reported(tmp_path):
    config = parse_config(CONFIG)
    cells = expand_cells(config)
    directory = ResultDirectory(tmp_path)
    directory.prepare(config, cells)
    stale = tmp_path / "cells" / ".x.parquet.123.tmp"
    stale.write_bytes(b"half a file")
    directory.prepare(config, cells)
    assert not stale.exists()
    directory.write_manifest()
    df = load_results(tmp_path)
    assert df.empty and len(df.attrs["missing"]) == 4


def test_load_results_without_a_manifest_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="ftrl run"):
        load_results(tmp_path)


def test_force_deletes_the_old_cells_and_manifest_and_nothing_else(tmp_path):
    run_experiment(CONFIG, tmp_path, workers=1, progress="none")
    old_files = {tmp_path / cell["file"] for cell in read_manifest(tmp_path)["cells"]}
    notes = [tmp_path / "notes.txt", tmp_path / "cells" / "notes.txt"]
    for note in notes:
        note.write_text("precious")
    changed = {**CONFIG, "experiment": {**CONFIG["experiment"], "horizon": 60}}
    summary = run_experiment(changed, tmp_path, workers=1, progress="none", force=True)
    assert summary.completed == 2
    assert not any(path.exists() for path in old_files)
    assert all(note.read_text() == "precious" for note in notes)
    assert set(load_results(tmp_path)["horizon"]) == {60}


def test_force_without_a_manifest_deletes_nothing(tmp_path):
    (tmp_path / "cells").mkdir()
    notes = tmp_path / "cells" / "notes.txt"
    notes.write_text("precious")
    summary = run_experiment(CONFIG, tmp_path, workers=1, progress="none", force=True)
    assert summary.completed == 4 and notes.read_text() == "precious"


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2]",
        b"not json",
        b"\xff{}",
        b'{"cells": []}',
        b'{"config_hash": "x", "cells": [{"id": "a", "file": "../a"}]}',
    ],
    ids=["list", "not-json", "not-utf8", "no-hash", "file-outside-cells"],
)
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_manifest_ftrl_did_not_write_is_named_and_never_overwritten(tmp_path, content, force):
    (tmp_path / MANIFEST).write_bytes(content)
    named = re.escape(f"{str(tmp_path / MANIFEST)!r} is not an ftrl manifest")
    with pytest.raises(ManifestError, match=named):
        read_manifest(tmp_path)
    with pytest.raises(DirectoryInUseError, match=named):
        run_experiment(CONFIG, tmp_path, workers=1, progress="none", force=force)
    assert (tmp_path / MANIFEST).read_bytes() == content
    assert sorted(path.name for path in tmp_path.iterdir()) == [MANIFEST]


def test_an_output_path_that_is_a_file_is_refused_by_name(tmp_path):
    out = tmp_path / "afile"
    out.write_text("not a directory")
    with pytest.raises(DirectoryInUseError, match=re.escape(f"{str(out)!r} is not a directory")):
        run_experiment(CONFIG, out, workers=1, progress="none")
    with pytest.raises(DirectoryInUseError, match="Cannot create the result directory"):
        run_experiment(CONFIG, out / "sub", workers=1, progress="none")
    assert out.read_text() == "not a directory"
