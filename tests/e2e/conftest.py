"""End-to-end helpers: a temporary zsync project, the CLI run in-process or as a subprocess,
and a direct view of the emulator's depositions (through the deposit-API backend) to check
what really exists on the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.identity import keys_marked

# Short waits for the search index in tests (the emulator's search lag is 0 unless set).
FAST_ENV = {"ZSYNC_SEARCH_DELAY": "0.02", "ZSYNC_SEARCH_RETRIES": "3"}

# The two APIs zsync speaks (zsync.yaml `backend`). A suite runs on both with
# `pytestmark = BOTH_BACKENDS`: every test then runs twice, the `backend` fixture (and so the
# zsync.yaml that `zenv` writes) saying which; the emulator serves both APIs over one store.
BACKENDS = ("deposit", "rdm")
BOTH_BACKENDS = pytest.mark.parametrize("backend", BACKENDS, indirect=True)
# The request each backend sends for one step, for faults aimed at that step (faults.py globs).
ROUTES = {
    "deposit": {
        "create": "POST /api/deposit/depositions",
        "newversion": "POST /api/deposit/depositions/*/actions/newversion",
        "edit": "POST /api/deposit/depositions/*/actions/edit",
        "publish": "POST /api/deposit/depositions/*/actions/publish",
        "delete-file": "DELETE /api/files/*",
    },
    "rdm": {
        "create": "POST /api/records",
        "newversion": "POST /api/records/*/versions",
        "edit": "POST /api/records/*/draft",
        "publish": "POST /api/records/*/draft/actions/publish",
        "delete-file": "DELETE /api/records/*/draft/files/*",
    },
}


@pytest.fixture
def backend(request) -> str:
    """The backend zsync.yaml names: "deposit" unless the test is parametrised (BOTH_BACKENDS)."""
    return getattr(request, "param", "deposit")


@pytest.fixture
def routes(backend) -> dict[str, str]:
    return ROUTES[backend]


def manifest(
    key: str,
    title: str,
    files: list[str],
    *,
    version: str = "1.0",
    description: str = "Measurements of rose petal volatiles.",
    publish: bool = True,
) -> str:
    lines = "\n".join(f"  - {name}" for name in files)
    return (
        textwrap.dedent(f"""\
        id: {key}
        publish: {"true" if publish else "false"}
        metadata:
          title: {title}
          upload_type: dataset
          description: {description}
          creators:
            - name: Doe, Jane
              affiliation: University of Somewhere
          license: cc-by-4.0
          keywords: [roses, GC-MS]
          version: "{version}"
        files:
        """)
        + lines
        + "\n"
    )


@dataclass
class Project:
    root: Path

    def write_manifest(self, key: str, title: str, files: dict[str, str], **options) -> Path:
        folder = self.root / "datasets" / key
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
        path = folder / "zenodo.yaml"
        path.write_text(manifest(key, title, sorted(files), **options), encoding="utf-8")
        return path

    def manifest_path(self, key: str) -> Path:
        return self.root / "datasets" / key / "zenodo.yaml"

    def edit_manifest(self, key: str, old: str, new: str) -> None:
        path = self.manifest_path(key)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write_file(self, key: str, name: str, content: str) -> None:
        (self.root / "datasets" / key / name).write_text(content, encoding="utf-8")

    @property
    def lock(self) -> dict:
        return json.loads((self.root / "zsync.lock").read_text(encoding="utf-8"))


@pytest.fixture
def project(tmp_path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    proj = Project(root)
    proj.write_manifest("alpha", "Rose scent GC-MS data", {"data.csv": "a,b\n1,2\n", "readme.txt": "hello\n"})
    proj.write_manifest("beta", "Colour reflectance of IODP 374 cores", {"reflectance.csv": "x,y\n3,4\n"})
    return proj


def name_server(root: Path, url: str, backend: str = "deposit") -> None:
    """zsync.yaml names `url`, so zsync.lock holds that server's state (never the case for an
    emulator tried beside another server: see test_server_identity.py), and the backend."""
    text = f"server: {url}\n" + ("" if backend == "deposit" else f"backend: {backend}\n")
    (root / "zsync.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def zenv(emulator, project, monkeypatch, backend):
    """Point zsync at the test emulator, through zsync.yaml and the environment as a user would."""
    name_server(project.root, emulator.url, backend)
    env = {"ZENODO_TOKEN": emulator.token, "ZSYNC_SERVER": emulator.url, **FAST_ENV}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return env


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def zsync(project, capsys):
    """Run `zsync ARGS` in-process in the project directory; returns exit code and output."""
    return lambda *args: run_in(project.root, capsys, *args)


def run_in(folder: Path, capsys, *args: str) -> Result:
    """`zsync ARGS` in-process, as if typed in `folder`: the exit code and what it printed."""
    from zenodo_sync.cli import main

    previous = os.getcwd()
    os.chdir(folder)
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_subprocess(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "zenodo_sync", *args],
        check=False,
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class ServerView:
    """What the emulator holds for the owner, read straight from its deposit API."""

    def __init__(self, emulator):
        self.backend = ZenodoDepositBackend(emulator.url, emulator.token, retries=0)

    def records(self):
        return list(self.backend.list_own(all_versions=True))

    def concepts_for(self, key: str) -> dict[str, list]:
        concepts: dict[str, list] = {}
        for record in self.records():
            if key in keys_marked(record.metadata):
                concepts.setdefault(record.concept_id, []).append(record)
        return concepts

    def assert_exactly(self, expected_versions: dict[str, int]) -> None:
        """One concept per key with that many published versions, and no draft anywhere."""
        records = self.records()
        drafts = [(r.id, r.state) for r in records if r.is_draft]
        assert drafts == [], f"drafts left behind: {drafts}"
        for key, versions in expected_versions.items():
            concepts = self.concepts_for(key)
            assert len(concepts) == 1, f"{key}: {len(concepts)} concepts: {sorted(concepts)}"
            (records_of_key,) = concepts.values()
            assert len(records_of_key) == versions, (
                f"{key}: {len(records_of_key)} versions, expected {versions}: {[r.id for r in records_of_key]}"
            )


@pytest.fixture
def server(emulator) -> ServerView:
    return ServerView(emulator)


@pytest.fixture
def github_env(tmp_path, emulator, monkeypatch):
    """The environment of a GitHub Actions job, pointed at the emulator."""
    outputs, summary = tmp_path / "github-output", tmp_path / "step-summary"
    env = {
        "ZENODO_TOKEN": emulator.token,
        "ZSYNC_SERVER": emulator.url,
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        **FAST_ENV,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("GITHUB_EVENT_PATH", "GITHUB_REF_NAME", "GITHUB_REF_TYPE"):
        monkeypatch.delenv(name, raising=False)
    return env
