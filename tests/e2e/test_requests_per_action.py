"""The requests each apply action sends (README, "Requests per action"): zenodo.org allows 100
a minute, so they are what a large apply costs. Counted by the emulator itself (a fault rule
that matches every request and only counts it)."""

from __future__ import annotations

import requests

from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, name_server, run_subprocess

COUNT_EVERY_REQUEST = "*=latency:0.0001"


def _requests_so_far(emu) -> int:
    rules = requests.get(f"{emu.url}/_emulator/faults", timeout=10).json()["rules"]
    return rules[0]["fired"]


def _apply(project, emu) -> int:
    before = _requests_so_far(emu)
    env = {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}
    done = run_subprocess(["apply", "--auto-approve"], project.root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return _requests_so_far(emu) - before


def test_creates_send_two_requests_and_one_per_file_and_unchanged_datasets_none(project):
    project.write_manifest("alpha", "Rose scent GC-MS data", {"data.csv": "a,b\n1,2\n"})
    project.write_manifest("beta", "Rose petal volatiles", {"data.csv": "a,b\n3,4\n", "readme.txt": "hi\n"})
    project.write_manifest("gamma", "Rose leaf colour", {"data.csv": "a,b\n5,6\n"})
    with running_emulator(data_dir=project.root.parent / "emu", faults=COUNT_EVERY_REQUEST) as emu:
        name_server(project.root, emu.url)
        listing = 1  # one page of the account's depositions, for the plan
        rival_check = 1  # one more page, shared by the three new datasets before they are published
        files = 4
        assert _apply(project, emu) == listing + rival_check + 3 * 2 + files
        assert _apply(project, emu) == listing  # nothing changed: the listing and nothing else

        path = project.root / "datasets" / "alpha" / "zenodo.yaml"
        path.write_text(path.read_text().replace("Rose scent GC-MS data", "Rose scent GC-MS data (fixed)"))
        assert _apply(project, emu) == listing + 3  # edit, the metadata, publish

        (project.root / "datasets" / "gamma" / "data.csv").write_text("a,b\n5,6\n7,8\n")
        # read the record, newversion, the changed file (its upload replaces it), the metadata, publish
        assert _apply(project, emu) == listing + 4 + 1
