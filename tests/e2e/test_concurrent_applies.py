"""Two `zsync apply` runs at once, from two clones of one repository, must not duplicate.

A re-run CI job and a colleague's laptop both see "nothing on the server" and both plan a
create for every dataset. The guard in apply (before publishing a new concept) makes one
of them win per dataset and the other discard its draft and adopt the winner. Without a
namespace, a clone whose plan already saw the other's records by their marker alone stops
before sending anything and asks for --adopt: that is the "clear message" way out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.emulator import running_emulator
from zenodo_sync.engine.apply import Applier
from zenodo_sync.engine.identity import keys_marked, marker_for, markers_of, with_marker
from zenodo_sync.engine.state import LockFile
from zenodo_sync.errors import StateError
from zenodo_sync.model import Action, LocalFile, Plan, RemoteRecord
from zenodo_sync.run import RunOptions, plan_project

from .conftest import BOTH_BACKENDS, Project, Result, ServerView
from .test_safety import set_faults

DATASETS_PER_ROUND = 10
ROUNDS = 3


def clone(root: Path, server: str, namespace: str | None, backend: str) -> Project:
    """A clone of a repository whose zsync.yaml names `server`, so zsync.lock holds its state."""
    root.mkdir()
    config = f"server: {server}\nbackend: {backend}\n" + (f"namespace: {namespace}\n" if namespace else "")
    (root / "zsync.yaml").write_text(config, encoding="utf-8")
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
    full_env = {**os.environ, **env}
    running = [
        subprocess.Popen(
            command,
            cwd=project.root,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for project in clones
    ]
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


# The race takes ~15 s a run: the native API runs it once, with a namespace and search lag.
@pytest.mark.parametrize(
    "namespace, search_lag, backend",
    [(None, 0.0, "deposit"), ("lab", 0.3, "deposit"), ("lab", 0.3, "rdm")],
    ids=["no-namespace", "namespace-search-lag", "namespace-search-lag-rdm"],
    indirect=["backend"],
)
def test_two_applies_at_once_publish_one_concept_per_dataset(
    tmp_path, monkeypatch, cli, namespace, search_lag, backend
):
    with running_emulator(data_dir=tmp_path / "emu", search_lag=search_lag) as emu:
        env = {
            "ZENODO_TOKEN": emu.token,
            "ZSYNC_SERVER": emu.url,
            "ZSYNC_SEARCH_DELAY": "0.05",
            "ZSYNC_SEARCH_RETRIES": "5",
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)

        def plan_of(project: Project, *, adoption_pending: bool = False) -> dict[str, dict]:
            planned = cli(project, "plan", "--json", "--detailed-exitcode")
            # A pending adoption is a change (exit 2); otherwise the plan is empty (exit 0).
            assert planned.code == (2 if adoption_pending else 0), (planned.out, planned.err)
            return {change["key"]: change for change in json.loads(planned.out)["changes"]}

        clones = [clone(tmp_path / name, emu.url, namespace, backend) for name in ("ci", "laptop")]
        server = ServerView(emu)
        raced = 0
        for round_no in range(ROUNDS):
            keys = add_round(clones, round_no)
            results = apply_at_once(clones, env)
            assert any(r.returncode == 0 for r in results), [r.stderr for r in results]
            for result in results:
                assert "Traceback" not in result.stderr, result.stderr
                if result.returncode:
                    assert "zsync marker" in result.stderr and "Error: Refusing to adopt" in result.stderr
                raced += result.stdout.count("came first: discarding draft") + (result.returncode != 0)
            time.sleep(search_lag * 1.5)  # the server view below is a (lagging) listing

            concept_of = {}
            for key in keys:
                concepts = concepts_marked(server, key, namespace)
                assert len(concepts) == 1, f"round {round_no}, {key}: concepts {sorted(concepts)}"
                concept_of[key] = concepts.pop()
            assert [r.id for r in server.records() if r.is_draft] == []
            for project, result in zip(clones, results, strict=True):
                # Empty (exit 0) and about the same concept, whether or not the lock knows it yet
                # (a clone that stopped at an adoption has not recorded it).
                plan = plan_of(project, adoption_pending=result.returncode != 0)
                assert {key: plan[key]["concept_id"] for key in keys} == concept_of
                for _ in range(2):  # follow the hint: the records are this project's own
                    if not result.returncode:
                        break
                    hint = re.search(r"run again with (--adopt .*?)\. If not", result.stderr)
                    again = cli(project, "apply", "--auto-approve", *hint.group(1).split())
                    result = subprocess.CompletedProcess(again.err, again.code, again.out, again.err)
                    plan = plan_of(project)
                assert result.returncode == 0, result.stderr
                assert {plan[key]["operation"] for key in keys} == {"no-op"}
                lock = json.loads((project.root / "zsync.lock").read_text(encoding="utf-8"))["datasets"]
                assert {key: lock[key]["concept_id"] for key in keys} == concept_of
        assert raced > 0  # the applies really overlapped: some dataset was contested


# --- the guard's rule, one dataset at a time -----------------------------------------------------


def make_record(emulator, key: str, *, publish: bool) -> RemoteRecord:
    """What another clone's apply makes for `key`: a draft with the marker, published or not."""
    backend = ZenodoDepositBackend(emulator.url, emulator.token, retries=0)
    metadata = {
        "title": f"{key} from another clone",
        "upload_type": "dataset",
        "description": "Made elsewhere.",
        "creators": [{"name": "Doe, Jane"}],
        "license": "cc-by-4.0",
    }
    draft = backend.create(with_marker(metadata, key))
    if not publish:
        return draft
    local = LocalFile(
        "other.csv",
        Path(__file__),
        Path(__file__).stat().st_size,
        hashlib.md5(Path(__file__).read_bytes()).hexdigest(),
    )
    backend.upload(backend.get(draft.id), local)
    return backend.publish(draft.id)


def applier_for(project: Project, lines: list[str]) -> tuple[Applier, Plan]:
    planned = plan_project(RunOptions(root=project.root, targets=("alpha",)))
    assert [c.action for c in planned.plan.changes] == [Action.CREATE]
    return Applier(
        planned.backend,
        planned.lock,
        planned.desired,
        echo=lines.append,
        parallelism=1,
        sleep=lambda seconds: None,
    ), planned.plan


@BOTH_BACKENDS
def test_a_published_rival_wins_even_with_a_higher_id(project, zenv, emulator, server):
    """Published first means its DOI exists: a second concept must not follow, whatever the ids."""
    lines: list[str] = []
    applier, plan = applier_for(project, lines)
    rivals = []

    def echo(text: str) -> None:
        lines.append(text)
        if "draft" in text and text.endswith("created"):  # ours exists: the rival comes after it
            rivals.append(make_record(emulator, "alpha", publish=True))

    applier._echo = echo
    (outcome,) = applier.apply(plan).outcomes
    assert outcome.error is None and outcome.gave_way
    (rival,) = rivals
    assert outcome.record.id == rival.id
    assert LockFile.load(project.root).get("alpha").concept_id == rival.concept_id
    assert set(server.concepts_for("alpha")) == {rival.concept_id}
    assert any("came first: discarding draft" in line for line in lines)


@BOTH_BACKENDS
def test_a_rival_draft_never_published_is_adopted_into_the_lock_and_said(
    project, zenv, emulator, server, zsync
):
    """The lowest id wins; if its apply stopped, this one says so instead of waiting for ever."""
    lines: list[str] = []
    applier, plan = applier_for(project, lines)
    rival = make_record(emulator, "alpha", publish=False)  # made after our plan, before our draft
    (outcome,) = applier.apply(plan).outcomes
    assert isinstance(outcome.error, StateError)
    assert f"deposition {rival.id} (concept {rival.concept_id}) came first" in outcome.error.message
    assert "not published" in outcome.error.message
    entry = LockFile.load(project.root).get("alpha")
    assert entry.concept_id == rival.concept_id and entry.in_flight is None
    assert [r.id for r in server.records() if "alpha" in keys_marked(r.metadata)] == [rival.id]
    planned = json.loads(zsync("plan", "--json", "--target", "alpha").out)["changes"]
    assert [(c["operation"], c["draft_id"]) for c in planned] == [("resume-create", rival.id)]


@BOTH_BACKENDS
def test_a_plan_refuses_a_second_published_concept_even_when_the_lock_knows_one(
    project, zenv, zsync, emulator
):
    assert zsync("apply", "--auto-approve").code == 0
    known = project.lock["datasets"]["alpha"]["concept_id"]
    other = make_record(emulator, "alpha", publish=True)
    result = zsync("plan")
    assert result.code == 1
    assert f"concept {known} (in zsync.lock) and concept {other.concept_id} (record {other.id}" in result.err
    assert "remove the related identifier urn:zsync:alpha" in result.err
    assert "Traceback" not in result.err


@BOTH_BACKENDS
def test_a_refused_adoption_names_the_plans_new_datasets_too(project, zenv, zsync, emulator, server):
    """The other clone may be creating them now: following the hint once must be enough."""
    other = make_record(emulator, "alpha", publish=True)  # the other clone got to alpha first
    refused = zsync("apply", "--auto-approve")
    assert (
        refused.code == 1
        and "Refusing to adopt a record found only by its zsync marker: alpha " in refused.err
    )
    assert "which may be creating beta now too" in refused.err
    hint = re.search(r"run again with (--adopt .*?)\. If not", refused.err)
    assert hint.group(1).split() == ["--adopt", "alpha", "--adopt", "beta"]
    later = make_record(emulator, "beta", publish=True)  # ... then beta, before the hint is followed
    assert zsync("apply", "--auto-approve", *hint.group(1).split()).code == 0
    assert zsync("plan", "--detailed-exitcode").code == 0
    lock = project.lock["datasets"]
    assert (lock["alpha"]["concept_id"], lock["beta"]["concept_id"]) == (other.concept_id, later.concept_id)
    server.assert_exactly({"alpha": 2, "beta": 2})  # adopted, then brought to the manifests


# --- a refused create ----------------------------------------------------------------------------


@BOTH_BACKENDS
def test_a_create_refused_with_400_leaves_no_intent_and_no_wait(
    project, zenv, zsync, emulator, server, routes
):
    set_faults(emulator, f"{routes['create']}=400:1")
    refused = zsync("apply", "--auto-approve", "--target", "alpha")
    assert refused.code == 1 and "Zenodo rejected" in refused.err
    assert "alpha" not in project.lock["datasets"]  # the intent went with the refusal
    planned = zsync("plan", "--target", "alpha")
    assert planned.code == 0 and "Waiting" not in planned.err
    assert zsync("apply", "--auto-approve").code == 0
    server.assert_exactly({"alpha": 1, "beta": 1})


@BOTH_BACKENDS
def test_a_create_without_an_answer_keeps_its_intent_and_the_wait_is_said(
    project, zenv, zsync, emulator, server, routes
):
    set_faults(emulator, f"{routes['create']}=drop-before:1")
    lost = zsync("apply", "--auto-approve", "--target", "alpha")
    assert lost.code == 1
    assert project.lock["datasets"]["alpha"]["in_flight"]["operation"] == "create"
    planned = zsync("plan", "--target", "alpha")
    waits = [line for line in planned.err.splitlines() if "search index" in line]
    assert len(waits) == 1 and waits[0].startswith("Waiting up to ") and "alpha" in waits[0]
    assert zsync("apply", "--auto-approve").code == 0
    server.assert_exactly({"alpha": 1, "beta": 1})
