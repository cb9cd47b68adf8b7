"""Bad inputs and bad luck as a user meets them, through the real CLI in a subprocess.

Every case checks the same promise: one clear message naming where and what, a non-zero
exit code, no traceback, the token nowhere (not in stdout/stderr, not in any file zsync
wrote), and nothing the user had is lost.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV, ServerView, name_server, run_subprocess


def check_failure(result, root: Path, token: str, *, code: int = 1, says: tuple[str, ...] = ()) -> str:
    """Assert the common promise of a failed command (a subprocess or an in-process Result)."""
    if isinstance(result, subprocess.CompletedProcess):
        output, returncode = result.stdout + result.stderr, result.returncode
    else:
        output, returncode = result.out + result.err, result.code
    assert returncode == code, output
    assert "Traceback" not in output
    assert "zsync hit a bug" not in output, output
    assert token not in output
    for path in root.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), f"token written to {path}"
    for word in says:
        assert word in output, f"{word!r} not in:\n{output}"
    return output


def env_for(emu, **extra: str) -> dict[str, str]:
    return {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV, **extra}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_during_apply_stops_before_publishing_and_rerun_finishes(project, signum):
    # The upload answers slowly, so the interrupt lands while a request is in flight.
    with running_emulator(data_dir=project.root.parent / "emu", faults="PUT /api/files/*=latency:1.5") as emu:
        name_server(project.root, emu.url)
        env = {**os.environ, **env_for(emu)}
        process = subprocess.Popen(
            [sys.executable, "-m", "zenodo_sync", "apply", "--auto-approve", "--target", "alpha"],
            cwd=project.root,
            env=env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        seen = ""
        while "uploading" not in seen:
            line = process.stdout.readline()
            assert line, f"apply ended before uploading:\n{seen}"
            seen += line
        time.sleep(0.3)
        process.send_signal(signum)
        rest, _ = process.communicate(timeout=30)
        result = subprocess.CompletedProcess(process.args, process.returncode, seen + rest, "")
        check_failure(
            result, project.root, emu.token, code=130, says=("Interrupted", "run `zsync apply` again")
        )

        server = ServerView(emu)
        assert [r.is_draft for r in server.records()] == [True], "published after Ctrl-C"
        lock = project.lock["datasets"]["alpha"]
        assert lock["in_flight"]["draft_id"] == server.records()[0].id  # the lock knows the draft

        requests.delete(f"{emu.url}/_emulator/faults", timeout=10).raise_for_status()
        rerun = run_subprocess(["apply", "--auto-approve", "--target", "alpha"], project.root, env_for(emu))
        assert rerun.returncode == 0, rerun.stderr
        server.assert_exactly({"alpha": 1})


# --- saved plans ---------------------------------------------------------------------------


def test_saved_plan_from_another_server_is_refused_before_any_request(project, tmp_path):
    with (
        running_emulator(data_dir=tmp_path / "configured") as configured,
        running_emulator(data_dir=tmp_path / "elsewhere", token=configured.token) as elsewhere,
    ):
        made = run_subprocess(
            ["plan", "--server", elsewhere.url, "-out", "plan.zplan"], project.root, env_for(configured)
        )
        assert made.returncode == 0, made.stderr
        # ZSYNC_SERVER names `configured`; the plan file names `elsewhere`: the plan file loses.
        result = run_subprocess(["apply", "plan.zplan"], project.root, env_for(configured))
        check_failure(
            result,
            project.root,
            configured.token,
            says=("plan.zplan was made for " + elsewhere.url, configured.url, "ZSYNC_SERVER"),
        )
        assert ServerView(elsewhere).records() == [] and ServerView(configured).records() == []


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda data: data["plan"]["changes"][0].update(basis=[1]), "basis"),
        (lambda data: data.update(targets="alpha"), "targets"),
        (lambda data: data["plan"].update(changes=[{"key": "alpha", "action": "explode"}]), "explode"),
        (lambda data: data.update(plan="x"), "plan"),
    ],
)
def test_damaged_saved_plan_names_the_file_and_the_damage(project, zenv, zsync, damage, says):
    assert zsync("plan", "-out", "plan.zplan").code == 0
    path = project.root / "plan.zplan"
    data = json.loads(path.read_text())
    damage(data)
    path.write_text(json.dumps(data))
    check_failure(
        zsync("apply", "plan.zplan"), project.root, zenv["ZENODO_TOKEN"], says=("plan.zplan: ", says)
    )


# --- zsync.lock ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda lock: "{not json", "cannot read the lock file"),
        (lambda lock: {**lock, "format_version": "7"}, "format_version '7'"),
        (lambda lock: {k: v for k, v in lock.items() if k != "format_version"}, "format_version"),
        (lambda lock: {**lock, "datasets": [1, 2]}, "`datasets` must be an object"),
        (lambda lock: {**lock, "datasets": {"alpha": "x"}}, "`datasets.alpha` must be an object"),
        (
            lambda lock: {**lock, "datasets": {"alpha": {**lock["datasets"]["alpha"], "files": [1]}}},
            "`datasets.alpha.files`",
        ),
        (
            lambda lock: {**lock, "datasets": {"alpha": {**lock["datasets"]["alpha"], "record_id": "abc"}}},
            "`datasets.alpha.record_id`",
        ),
        (
            lambda lock: {
                **lock,
                "datasets": {"alpha": {**lock["datasets"]["alpha"], "in_flight": {"operation": "create"}}},
            },
            "`datasets.alpha.in_flight`",
        ),
    ],
)
def test_hand_edited_lock_is_one_message_naming_the_field(project, zenv, zsync, damage, says):
    assert zsync("apply", "--auto-approve", "--target", "alpha").code == 0
    path = project.root / "zsync.lock"
    damaged = damage(project.lock)
    path.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
    before = path.read_bytes()
    check_failure(zsync("plan"), project.root, zenv["ZENODO_TOKEN"], says=("zsync.lock", says))
    assert path.read_bytes() == before  # the user's file is left as it was


def test_lock_naming_a_record_the_server_does_not_have_is_refused_not_recreated(project, zenv, zsync, server):
    assert zsync("apply", "--auto-approve", "--target", "alpha").code == 0
    lock = project.lock
    lock["datasets"]["alpha"].update(record_id=999, concept_id="998")
    (project.root / "zsync.lock").write_text(json.dumps(lock))
    result = zsync("apply", "--auto-approve", "--target", "alpha")
    check_failure(result, project.root, zenv["ZENODO_TOKEN"], says=("alpha", "record 999", "no such record"))
    server.assert_exactly({"alpha": 1})  # no second concept beside the real one


def test_token_of_another_account_names_the_dataset_and_the_lock(project, emulator, zenv, zsync, monkeypatch):
    assert zsync("apply", "--auto-approve", "--target", "alpha").code == 0
    monkeypatch.setenv("ZENODO_TOKEN", emulator.other_token)
    result = zsync("plan", "--target", "alpha")
    check_failure(
        result,
        project.root,
        emulator.other_token,
        says=("alpha: zsync.lock points at record", "may not read"),
    )
    assert emulator.token not in result.out + result.err


def test_apply_when_the_lock_cannot_be_written_changes_nothing_on_the_server(project, emulator, server):
    # A read-only checkout: chmod stops ordinary users; a file-size limit of 0 stops root too.
    def unwritable() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    project.root.chmod(0o555)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "zenodo_sync", "apply", "--auto-approve"],
            cwd=project.root,
            env={**os.environ, **env_for(emulator)},
            preexec_fn=unwritable,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        project.root.chmod(0o755)
    check_failure(result, project.root, emulator.token, says=("zsync.lock", "cannot write it"))
    assert server.records() == []  # the intent could not be journaled, so nothing was sent
    assert not (project.root / "zsync.lock").exists()


# --- the server address ----------------------------------------------------------------------


class _FixedAnswer(http.server.BaseHTTPRequestHandler):
    """A web server that is not Zenodo: every GET gets the same 200 body."""

    body = b""
    content_type = "text/html"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def not_zenodo():
    """Start a non-Zenodo server answering (content type, body); yields its /api URL."""
    servers = []

    def start(content_type: str, body: bytes) -> str:
        handler = type("Answer", (_FixedAnswer,), {"body": body, "content_type": content_type})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/api"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", ["404", "html", "json", "refused"])
def test_wrong_server_address_is_named_with_what_it_answered(project, emulator, not_zenodo, kind):
    if kind == "404":
        url, says = emulator.url.replace("/api", "/nope"), "answered 404"
    elif kind == "html":
        url, says = not_zenodo("text/html", b"<html><body>Welcome</body></html>"), "not JSON"
    elif kind == "json":
        url, says = not_zenodo("application/json", b'{"hello": "world"}'), "not a list of depositions"
    else:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            url = f"http://127.0.0.1:{probe.getsockname()[1]}/api"
        says = "Connection refused"
    env = {**env_for(emulator), "ZSYNC_SERVER": url}
    result = run_subprocess(["plan"], project.root, {**env, "ZSYNC_RETRIES": "0"})
    check_failure(result, project.root, emulator.token, says=(url, says))


@pytest.mark.parametrize(
    "name, value",
    [
        ("ZSYNC_RETRIES", "many"),
        ("ZSYNC_RETRIES", "-1"),
        ("ZSYNC_REQUESTS_PER_MINUTE", "fast"),
        ("ZSYNC_SERVER", "ftp://x/api"),
        ("ZENODO_TOKEN_FILE", "/nonexistent/token"),
    ],
)
def test_bad_environment_values_name_the_variable(project, emulator, name, value):
    env = {**env_for(emulator), name: value}
    if name == "ZENODO_TOKEN_FILE":
        env["ZENODO_TOKEN"] = ""
    result = run_subprocess(["plan"], project.root, env)
    check_failure(result, project.root, emulator.token, says=(name,))


def test_lock_pointing_one_dataset_at_another_datasets_record_is_refused(project, zenv, zsync, server):
    assert zsync("apply", "--auto-approve").code == 0
    lock = project.lock
    lock["datasets"]["alpha"] = dict(lock["datasets"]["beta"])  # a bad merge or a slip of the hand
    (project.root / "zsync.lock").write_text(json.dumps(lock))
    result = zsync("apply", "--auto-approve")
    check_failure(
        result,
        project.root,
        zenv["ZENODO_TOKEN"],
        says=("alpha: zsync.lock points at concept", "urn:zsync:beta", "another dataset"),
    )
    titles = sorted(r.metadata["title"] for r in server.records())
    assert titles == ["Colour reflectance of IODP 374 cores", "Rose scent GC-MS data"]  # beta not rewritten


def test_lock_with_merge_conflict_markers_says_so(project, zenv, zsync):
    assert zsync("apply", "--auto-approve", "--target", "alpha").code == 0
    text = (project.root / "zsync.lock").read_text()
    (project.root / "zsync.lock").write_text(
        "<<<<<<< HEAD\n" + text + "=======\n" + text + ">>>>>>> branch\n"
    )
    check_failure(zsync("plan"), project.root, zenv["ZENODO_TOKEN"], says=("zsync.lock", "merge conflict"))


def test_plan_in_a_directory_without_manifests_says_so_instead_of_no_changes(tmp_path, emulator):
    empty = tmp_path / "not-a-project"
    empty.mkdir()
    result = run_subprocess(["plan"], empty, env_for(emulator))
    check_failure(result, empty, emulator.token, says=("No manifests found", str(empty), "datasets/**"))
    assert "No changes" not in result.stdout


# --- the token itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, says",
    [
        ("secretpart1\nsecretpart2", "space or line break"),
        ("Bearer secretpart1", "starts with `Bearer `"),
        ("sécretpart1", "printable ASCII"),
    ],
)
def test_a_malformed_token_is_refused_without_showing_it(project, emulator, token, says):
    env = {**env_for(emulator), "ZENODO_TOKEN": token}
    result = run_subprocess(["plan"], project.root, env)
    output = check_failure(result, project.root, token, says=("ZENODO_TOKEN", says))
    assert "secretpart" not in output and "sécret" not in output


def test_the_last_line_of_defence_hides_the_token_in_every_quoted_form(monkeypatch):
    from zenodo_sync.cli import redact

    monkeypatch.setenv("ZENODO_TOKEN", "abcdef123456\nghijkl7890")
    assert redact("header b'Bearer abcdef123456\\nghijkl7890' refused") == "header b'Bearer <hidden>' refused"
    assert redact("part abcdef123456 and ghijkl7890") == "part <hidden> and <hidden>"


def test_a_damaged_md5_cache_entry_is_hashed_again_not_trusted(project, zenv, zsync):
    assert zsync("apply", "--auto-approve", "--target", "alpha").code == 0
    cache_path = project.root / ".zsync" / "md5-cache.json"
    cache = json.loads(cache_path.read_text())
    for entry in cache["entries"].values():
        entry["md5"] = "not an md5"
    cache_path.write_text(json.dumps(cache))
    result = zsync("plan", "--detailed-exitcode", "--target", "alpha")
    assert result.code == 0, result.out + result.err  # the files are unchanged: no phantom replace


@pytest.mark.parametrize(
    "token, says",
    [("", "No token for the local server"), ("wrong-token-0123456789", "Zenodo refused list depositions")],
)
def test_no_token_or_a_wrong_one_names_the_server(project, emulator, token, says):
    result = run_subprocess(["plan"], project.root, {**env_for(emulator), "ZENODO_TOKEN": token})
    check_failure(result, project.root, token or emulator.token, says=(says, emulator.url, "ZENODO_TOKEN"))
