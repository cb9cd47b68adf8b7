"""Faults against the real emulator: lost responses after a commit, and the admin endpoint."""

from __future__ import annotations

import hashlib
import time

import pytest
import requests

from zenodo_sync.emulator import running_emulator


def auth(emu) -> dict:
    return {"Authorization": f"Bearer {emu.token}"}


def new_publishable(emu) -> dict:
    created = requests.post(
        emu.url + "/deposit/depositions",
        headers=auth(emu),
        json={
            "metadata": {
                "title": "Fault drill",
                "upload_type": "dataset",
                "description": "d",
                "creators": [{"name": "Doe, Jane"}],
            }
        },
    )
    assert created.status_code == 201, created.text
    assert (
        requests.put(created.json()["links"]["bucket"] + "/a.txt", data=b"a\n", headers=auth(emu)).status_code
        == 201
    )
    return created.json()


def test_publish_committed_although_the_client_saw_the_connection_drop():
    spec = "POST /api/deposit/depositions/*/actions/publish=drop-after-commit:1"
    with running_emulator(faults=spec) as emu:
        draft = new_publishable(emu)
        with pytest.raises(requests.ConnectionError):
            requests.post(draft["links"]["publish"], headers=auth(emu), timeout=10)
        # The server did publish: re-reading (never blindly re-POSTing) shows it.
        again = requests.get(f"{emu.url}/deposit/depositions/{draft['id']}", headers=auth(emu))
        assert again.json()["state"] == "done" and again.json()["submitted"] is True
        assert requests.get(f"{emu.url}/records/{draft['id']}").status_code == 200


def test_create_dropped_before_leaves_nothing_behind():
    with running_emulator(faults="POST /api/deposit/depositions=drop-before:1") as emu:
        with pytest.raises(requests.ConnectionError):
            requests.post(emu.url + "/deposit/depositions", json={}, headers=auth(emu), timeout=10)
        assert requests.get(emu.url + "/deposit/depositions", headers=auth(emu)).json() == []


def test_admin_endpoint_switches_faults_on_a_running_emulator(emulator):
    base = emulator.url + "/_emulator/faults"
    assert requests.get(base).json() == {"spec": "", "rules": []}
    assert requests.post(base, json={"spec": "GET /api/deposit/depositions=504-html:1"}).ok
    gateway = requests.get(emulator.url + "/deposit/depositions", headers=auth(emulator))
    assert gateway.status_code == 504 and gateway.headers["Content-Type"].startswith("text/html")
    assert requests.get(emulator.url + "/deposit/depositions", headers=auth(emulator)).ok
    assert requests.post(base, json={"spec": "PUT /api/files/*=500"}).ok
    draft = requests.post(emulator.url + "/deposit/depositions", json={}, headers=auth(emulator)).json()
    failed = requests.put(draft["links"]["bucket"] + "/x.bin", data=b"x", headers=auth(emulator))
    assert failed.status_code == 500 and "error_id" in failed.json()
    assert requests.delete(base).ok
    assert (
        requests.put(draft["links"]["bucket"] + "/x.bin", data=b"x", headers=auth(emulator)).status_code
        == 201
    )


def test_fault_env_variable_reaches_the_emulator(monkeypatch):
    monkeypatch.setenv("ZSYNC_EMULATOR_FAULTS", "GET /api/records=503:1")
    with running_emulator() as emu:
        assert requests.get(emu.url + "/records").status_code == 503
        assert requests.get(emu.url + "/records").status_code == 200


def test_slow_upload_still_stores_the_exact_bytes():
    payload = bytes(range(256)) * 400  # 100 kB
    with running_emulator(faults="PUT /api/files/*=slow:250000;POST */files=slow:250000") as emu:
        draft = requests.post(emu.url + "/deposit/depositions", json={}, headers=auth(emu)).json()
        started = time.monotonic()
        put = requests.put(draft["links"]["bucket"] + "/blob.bin", data=payload, headers=auth(emu))
        assert time.monotonic() - started >= 0.35  # 100 kB at 250 kB/s
        assert put.status_code == 201
        assert put.json()["checksum"] == "md5:" + hashlib.md5(payload).hexdigest()
        posted = requests.post(draft["links"]["files"], files={"file": ("b.bin", payload)}, headers=auth(emu))
        assert posted.status_code == 201 and posted.json()["checksum"] == hashlib.md5(payload).hexdigest()
