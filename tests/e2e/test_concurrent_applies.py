"""Two `zsync apply` runs at once, from two clones of one repository, must not duplicate.

A re-run CI job and a colleague's laptop both see "nothing on the server" and both plan a
create for every dataset. The guard in apply (before publishing a new concept) makes one
of them win per dataset and the other discard its draft and adopt the winner. Without a
namespace, a clone whose plan already saw the other's records by their marker alone stops
before sending anything and asks for --adopt: that is the "clear message" way out.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zenodo_sync.emulator import running_emulator
from zenodo_sync.engine.identity import marker_for, markers_of

from .conftest import Project, Result, ServerView

DATASETS_PER_ROUND = 10
ROUNDS = 3


def clone(root: Path, namespace: str | None) -> Project:
    root.mkdir()
    if namespace:
        (root / "zsync.yaml").write_text(f"namespace: {namespace}\n", encoding="utf-8")
    return Project(root)


def add_round(clones: list[Project], round_no: int) -> list[str]:
    """The same ten new manifests in every clone (as after a `git pull`)."""
    keys = [f"r{round_no}-d{n}" for n in range(DATASETS_PER_ROUND)]
    for project in clones:
        for key in keys:
            project.write_manifest(key, f"Dataset {key} of round {round_no}", {"data.csv": f"{key}\n1,2\n"})
    return keys


def apply_at_once(clones: list[Project], env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    command = [sys.executable, "-m", "zenodo_sync", "apply", "--auto-approve"]
    running = [subprocess.Popen(command, cwd=project.root, env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for project in clones]
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def concepts_marked(server: ServerView, key: str, namespace: str | None) -> set[str]:
    marker = marker_for(key, namespace)
    return {r.concept_id for r in server.records() if marker in markers_of(r.metadata)}


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `zsync ARGS` in-process in a clone (cheaper than a third and fourth process)."""
    from zenodo_sync.cli import main

    def run(project: Project, *args: str) -> Result:
        monkeypatch.chdir(project.root)
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.mark.parametrize("namespace, search_lag", [(None, 0.0), ("lab", 0.3)],
                         ids=["no-namespace", "namespace-search-lag"])
def test_two_applies_at_once_publish_one_concept_per_dataset(tmp_path, monkeypatch, cli, namespace, search_lag):
    with running_emulator(data_dir=tmp_path / "emu", search_lag=search_lag) as emu:
        env = {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url,
               "ZSYNC_SEARCH_DELAY": "0.05", "ZSYNC_SEARCH_RETRIES": "5"}
        for name, value in env.items():
            monkeypatch.setenv(name, value)

        def plan_of(project: Project) -> dict[str, dict]:
            planned = cli(project, "plan", "--json", "--detailed-exitcode")
            assert planned.code == 0, (planned.out, planned.err)
            return {change["key"]: change for change in json.loads(planned.out)["changes"]}

        clones = [clone(tmp_path / name, namespace) for name in ("ci", "laptop")]
        server = ServerView(emu)
        raced = 0
        for round_no in range(ROUNDS):
            keys = add_round(clones, round_no)
            results = apply_at_once(clones, env)
            assert any(r.returncode == 0 for r in results), [r.stderr for r in results]
            for result in results:
                assert "Traceback" not in result.stderr, result.stderr
                if result.returncode:
                    assert "Error: Refusing to adopt record(s) found only by their zsync marker" in result.stderr
                raced += result.stdout.count("came first: discarding draft") + (result.returncode != 0)
            time.sleep(search_lag * 1.5)  # the server view below is a (lagging) listing

            concept_of = {}
            for key in keys:
                concepts = concepts_marked(server, key, namespace)
                assert len(concepts) == 1, f"round {round_no}, {key}: concepts {sorted(concepts)}"
                concept_of[key] = concepts.pop()
            assert [r.id for r in server.records() if r.is_draft] == []
            for project in clones:
                # Empty (exit 0) and about the same concept, whether or not the lock knows it yet.
                plan = plan_of(project)
                assert {key: plan[key]["concept_id"] for key in keys} == concept_of
            for project, result in zip(clones, results):
                for _ in range(2):  # follow the hint (the records are this project's own)
                    if not result.returncode:
                        break
                    adopt = re.search(r"run again with (--adopt .*?)\. If not", result.stderr).group(1).split()
                    again = cli(project, "apply", "--auto-approve", *adopt)
                    result = subprocess.CompletedProcess(adopt, again.code, again.out, again.err)
                assert result.returncode == 0, result.stderr
            for project in clones:
                lock = json.loads((project.root / "zsync.lock").read_text(encoding="utf-8"))["datasets"]
                assert {key: lock[key]["concept_id"] for key in keys} == concept_of
                assert {plan_of(project)[key]["operation"] for key in keys} == {"no-op"}
        assert raced > 0  # the applies really overlapped: some dataset was contested
