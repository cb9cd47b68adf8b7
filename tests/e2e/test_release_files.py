"""What a release attaches besides the git archive (--asset, --download-assets from a loopback
stand-in for the GitHub API), where the GitHub token goes, and the plan's version-label warning."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import FAST_ENV, ServerView, name_server, run_in
from tests.e2e.test_release import (
    CITATION,
    MANIFEST,
    commit_all,
    downloaded_zip,
    make_repository,
    read_outputs,
    release_event,
)
from zenodo_sync.emulator import running_emulator

GITHUB_TOKEN = "ghs_release-test-token-0123456789"


class GitHubStandIn:
    """Serves release assets as GitHub's API does (octet-stream on request), noting each request."""

    def __init__(self, assets: dict[str, bytes]):
        self.assets = assets
        self.requests: list[dict[str, str]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stand_in.requests.append(
                    {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
                )
                body = stand_in.assets.get(self.path)
                if body is None or self.headers.get("Accept") != "application/octet-stream":
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def github_api() -> Iterator[GitHubStandIn]:
    stand_in = GitHubStandIn({"/repos/lab/roses/releases/assets/7": b"rose,scent\n1,2\n"})
    yield stand_in
    stand_in.close()


@pytest.fixture
def elsewhere() -> Iterator[GitHubStandIn]:
    stand_in = GitHubStandIn({"/files/notes.txt": b"notes\n"})
    yield stand_in
    stand_in.close()


def published_files(emulator, record_id: str) -> dict[str, bytes]:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    record = requests.get(
        f"{emulator.url}/deposit/depositions/{record_id}", headers=headers, timeout=30
    ).json()
    return {
        entry["filename"]: requests.get(
            f"{emulator.url}/records/{record_id}/files/{entry['filename']}/content",
            headers=headers,
            timeout=30,
        ).content
        for entry in record["files"]
    }


def test_download_assets_sends_the_token_to_the_github_api_only(
    tmp_path, emulator, github_env, capsys, monkeypatch, github_api, elsewhere
):
    root = tmp_path / "roses"
    repository = make_repository(
        root, {"datasets/rose/zenodo.yaml": MANIFEST, "datasets/rose/data.csv": "a\n"}
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v1.0")
    assets = [
        {"name": "scent.csv", "url": f"{github_api.url}/repos/lab/roses/releases/assets/7"},
        {"name": "notes.txt", "url": f"{elsewhere.url}/files/notes.txt"},
    ]
    monkeypatch.setenv(
        "GITHUB_EVENT_PATH", str(release_event(tmp_path / "event.json", "v1.0", assets=assets))
    )
    monkeypatch.setenv("GITHUB_API_URL", github_api.url)
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_TOKEN)
    result = run_in(root, capsys, "release", "--download-assets")
    assert result.code == 0, result.err + result.out
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    assert published_files(emulator, outputs["record-id"]) == {
        "scent.csv": b"rose,scent\n1,2\n",
        "notes.txt": b"notes\n",
    }
    assert github_api.requests[0]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert "authorization" not in elsewhere.requests[0]
    for text in (result.out, result.err, Path(github_env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")):
        assert GITHUB_TOKEN not in text and emulator.token not in text


def test_a_missing_asset_fails_the_release_before_anything_is_made(
    tmp_path, emulator, github_env, capsys, monkeypatch, github_api
):
    root = tmp_path / "roses"
    repository = make_repository(
        root, {"datasets/rose/zenodo.yaml": MANIFEST, "datasets/rose/data.csv": "a\n"}
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    assets = [{"name": "gone.csv", "url": f"{github_api.url}/repos/lab/roses/releases/assets/404"}]
    monkeypatch.setenv(
        "GITHUB_EVENT_PATH", str(release_event(tmp_path / "event.json", "v1.0", assets=assets))
    )
    result = run_in(root, capsys, "release", "--download-assets")
    assert result.code == 1
    assert "Downloading the release asset gone.csv failed: HTTP 404." in result.err
    assert "Traceback" not in result.err
    assert (
        requests.get(
            f"{emulator.url}/deposit/depositions",
            headers={"Authorization": f"Bearer {emulator.token}"},
            timeout=30,
        ).json()
        == []
    )


def test_asset_globs_are_attached_instead_of_the_archive(tmp_path, emulator, github_env, capsys):
    root = tmp_path / "roses"
    repository = make_repository(
        root,
        {
            "datasets/rose/zenodo.yaml": MANIFEST,
            "datasets/rose/data.csv": "a\n",
            "dist/roses-1.0.tar.gz": "tar",
        },
    )
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v1.0")
    result = run_in(root, capsys, "release", "--tag", "v1.0", "--asset", "dist/*.tar.gz")
    assert result.code == 0, result.err
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    assert published_files(emulator, outputs["record-id"]) == {"roses-1.0.tar.gz": b"tar"}
    missing = run_in(root, capsys, "release", "--tag", "v1.0", "--asset", "dist/*.whl")
    assert missing.code == 1 and "--asset dist/*.whl: no file matches it" in missing.err


def test_release_outside_git_or_without_the_tag_says_what_to_do(tmp_path, emulator, github_env, capsys):
    root = tmp_path / "plain"
    (root / "datasets" / "rose").mkdir(parents=True)
    (root / "datasets/rose/zenodo.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "datasets/rose/data.csv").write_text("a\n", encoding="utf-8")
    name_server(root, emulator.url)
    outside = run_in(root, capsys, "release", "--tag", "v1.0")
    assert outside.code == 1 and "is not in a git repository" in outside.err
    repository = make_repository(root, {})
    del repository
    untagged = run_in(root, capsys, "release", "--tag", "v9.9")
    assert untagged.code == 1 and "Tag 'v9.9' is not in the git repository" in untagged.err
    notes = run_in(root, capsys, "release", "--tag", "v9.9", "--notes-from-release")
    assert notes.code == 1 and "--notes-from-release: the release v9.9 has no notes" in notes.err


def test_new_files_under_the_same_version_label_warn_and_fail_plan_strict(
    tmp_path, emulator, github_env, capsys
):
    root = tmp_path / "roses"
    manifest = MANIFEST.replace('"{release.version}"', '"1.0"')
    make_repository(root, {"datasets/rose/zenodo.yaml": manifest, "datasets/rose/data.csv": "a\n"})
    name_server(root, emulator.url)
    assert run_in(root, capsys, "apply", "--auto-approve").code == 0
    (root / "datasets/rose/data.csv").write_text("a\nb\n", encoding="utf-8")
    plan = run_in(root, capsys, "plan")
    assert plan.code == 0
    assert "version-unchanged: the files change but version stays '1.0'" in plan.out + plan.err
    strict = run_in(root, capsys, "plan", "--strict")
    assert strict.code == 1 and "--strict: the plan has warnings for rose" in strict.err
    (root / "datasets/rose/zenodo.yaml").write_text(manifest.replace('"1.0"', '"1.1"'), encoding="utf-8")
    assert run_in(root, capsys, "plan", "--strict").code == 0


def test_a_release_stopped_before_publishing_is_finished_by_running_it_again(tmp_path, capsys, monkeypatch):
    """The first publish is refused once: the draft stays, and the next run publishes it, with
    the archive citing its DOI, and makes no second record."""
    publish_refused_once = "POST /api/deposit/depositions/*/actions/publish=503:1"
    with running_emulator(data_dir=tmp_path / "emu", faults=publish_refused_once) as emu:
        for name, value in {
            "ZENODO_TOKEN": emu.token,
            "ZSYNC_SERVER": emu.url,
            "ZSYNC_RETRIES": "0",
            **FAST_ENV,
        }.items():
            monkeypatch.setenv(name, value)
        for name in ("GITHUB_EVENT_PATH", "GITHUB_REF_NAME", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
            monkeypatch.delenv(name, raising=False)
        root = tmp_path / "rose-tools"
        repository = make_repository(root, {"CITATION.cff": CITATION, "tool.py": "x = 1\n"})
        name_server(root, emu.url)
        commit_all(repository, "zsync.yaml")
        repository.create_tag("v1.0.0")
        failed = run_in(root, capsys, "release", "--tag", "v1.0.0")
        assert failed.code == 1, failed.out + failed.err
        finished = run_in(root, capsys, "release", "--tag", "v1.0.0")
        assert finished.code == 0, finished.out + finished.err
        server = ServerView(emu)
        server.assert_exactly({"repository": 1})
        (record,) = server.records()
        assert record.metadata["version"] == "1.0.0"
        cited = downloaded_zip(emu, record.id).read("rose-tools-v1.0.0/CITATION.cff").decode()
        assert f'doi: "{record.doi}"' in cited


def test_a_project_in_a_subfolder_of_the_repository_cites_in_its_own_citation_cff(
    tmp_path, emulator, github_env, capsys
):
    top = tmp_path / "monorepo"
    repository = make_repository(top, {"tools/rose/CITATION.cff": CITATION, "tools/rose/tool.py": "x = 1\n"})
    root = top / "tools" / "rose"
    name_server(root, emulator.url)
    commit_all(repository, "zsync.yaml")
    repository.create_tag("v1.0.0")
    result = run_in(root, capsys, "release", "--tag", "v1.0.0")
    assert result.code == 0, result.err + result.out
    outputs = read_outputs(Path(github_env["GITHUB_OUTPUT"]))
    archive = downloaded_zip(emulator, int(outputs["record-id"]))
    cited = archive.read("rose-v1.0.0/tools/rose/CITATION.cff").decode()
    assert f'doi: "{outputs["doi"]}"' in cited
