"""`zsync emulator` as a process: first stdout line, tokens, clean stop, restart after kill -9."""

from __future__ import annotations

import signal
from pathlib import Path

import requests

from tests.emulator.conftest import VALID_METADATA, Api


def test_prints_the_base_url_first_and_serves_the_default_token(emulator_process, tmp_path):
    proc = emulator_process(tmp_path / "data", "--profile", "fast")
    assert proc.url.startswith("http://127.0.0.1:") and proc.url.endswith("/api")
    # the first line is printed only once the server accepts connections: no retry needed
    response = requests.post(
        proc.url + "/deposit/depositions",
        json={},
        headers={"Authorization": "Bearer emulator-token"},
        timeout=10,
    )
    assert response.status_code == 201
    assert proc.stop(signal.SIGTERM) == 0
    assert proc.process.stdout.read() == ""  # quiet: nothing but the URL on stdout
    assert "emulator-token" in proc.process.stderr.read()


def test_given_tokens_map_to_users_in_order_and_are_not_printed(emulator_process, tmp_path):
    proc = emulator_process(
        tmp_path / "data", "--token", "alpha-secret", "--token", "beta-secret", "--profile", "fast"
    )
    alpha, beta = Api(proc.url, "alpha-secret"), Api(proc.url, "beta-secret")
    created = alpha.create()
    assert created["owner"] == 1
    assert beta.create()["owner"] == 2
    assert beta.get(f"/deposit/depositions/{created['id']}").status_code == 403
    assert Api(proc.url, "emulator-token").get("/deposit/depositions").status_code == 403
    assert proc.stop(signal.SIGINT) == 0
    err = proc.process.stderr.read()
    assert "alpha-secret" not in err and "beta-secret" not in err


def test_restart_after_sigkill_loses_nothing(emulator_process, tmp_path):
    data = tmp_path / "data"
    proc = emulator_process(data, "--profile", "fast")
    api = Api(proc.url, "emulator-token")
    record = api.published(files={"data.csv": b"kept\n"})
    draft = api.post(f"/deposit/depositions/{record['id']}/actions/newversion").json()
    api.put(f"/deposit/depositions/{draft['id']}", json={"metadata": {**VALID_METADATA, "version": "2"}})
    pending = api.create({**VALID_METADATA, "title": "Unpublished work"})
    api.upload(pending, "notes.txt", b"draft bytes")
    before = {i: api.deposit(i) for i in (record["id"], draft["id"], pending["id"])}
    proc.kill()

    again = emulator_process(data, "--profile", "fast")
    api = Api(again.url, "emulator-token")

    def strip_host(deposition: dict) -> dict:
        return json_without(deposition, proc.url.removesuffix("/api"), again.url.removesuffix("/api"))

    for record_id, old in before.items():
        assert api.deposit(record_id) == strip_host(old)
    assert api.get(f"/records/{record['id']}/files/data.csv/content").content == b"kept\n"
    assert api.get(f"{strip_host(pending)['links']['bucket']}/notes.txt").content == b"draft bytes"
    # the id counter carries on, no id is handed out twice
    assert api.create()["id"] > pending["id"]
    listed = {d["id"] for d in api.get("/deposit/depositions", params={"all_versions": "1"}).json()}
    assert {record["id"], draft["id"], pending["id"]} <= listed


def json_without(value, old: str, new: str):
    """The same JSON with the old server's base URL replaced by the new one (the port changed)."""
    if isinstance(value, dict):
        return {k: json_without(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [json_without(v, old, new) for v in value]
    if isinstance(value, str):
        return value.replace(old, new)
    return value


def test_default_data_dir_is_temporary(emulator_process, tmp_path):
    import re
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "zenodo_sync", "emulator", "--profile", "fast"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert Api(url, "emulator-token").create()["id"] > 0
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    data_dir = re.search(r"Data directory: (\S+)", err).group(1)
    assert not Path(data_dir).exists()


def test_bad_options_are_one_clear_error(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zenodo_sync",
            "emulator",
            "--data-dir",
            str(tmp_path),
            "--faults",
            "this is not a spec",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("Error: --faults:") and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_port_in_use_is_one_clear_error(emulator_process, tmp_path):
    import subprocess
    import sys
    from urllib.parse import urlsplit

    running = emulator_process(tmp_path / "a", "--profile", "fast")
    port = str(urlsplit(running.url).port)
    result = subprocess.run(
        [sys.executable, "-m", "zenodo_sync", "emulator", "--port", port, "--data-dir", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert f"Error: Port {port} on 127.0.0.1 is already in use." in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_dir_without_an_emulator_database_is_one_clear_error(tmp_path):
    import subprocess
    import sys

    (tmp_path / "emulator.sqlite3").write_text("not a database")
    result = subprocess.run(
        [sys.executable, "-m", "zenodo_sync", "emulator", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: --data-dir {tmp_path}: its emulator.sqlite3 is unusable")
    assert "Traceback" not in result.stderr
