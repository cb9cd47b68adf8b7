"""Helpers for the emulator conformance suite: a thin HTTP client per user."""

from __future__ import annotations

import pytest
import requests

VALID_METADATA = {
    "title": "Rose scent GC-MS",
    "upload_type": "dataset",
    "description": "<p>Volatile compounds of rose petals.</p>",
    "creators": [{"name": "Doe, Jane", "affiliation": "Somewhere"}],
}


class Api:
    """requests with one user's token; paths are relative to the emulator's /api base."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # -- flows used by many tests --
    def create(self, metadata: dict | None = None) -> dict:
        body = {} if metadata is None else {"metadata": metadata}
        response = self.post("/deposit/depositions", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def upload(self, deposition: dict, key: str, content: bytes) -> dict:
        response = self.put(
            f"{deposition['links']['bucket']}/{key}",
            data=content,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 201, response.text
        return response.json()

    def publish(self, record_id: int) -> dict:
        response = self.post(f"/deposit/depositions/{record_id}/actions/publish")
        assert response.status_code == 202, response.text
        return response.json()

    def published(self, metadata: dict | None = None, files: dict[str, bytes] | None = None) -> dict:
        deposition = self.create(metadata or VALID_METADATA)
        for key, content in (files or {"data.csv": b"a,b\n1,2\n"}).items():
            self.upload(deposition, key, content)
        return self.publish(deposition["id"])

    def deposit(self, record_id: int) -> dict:
        response = self.get(f"/deposit/depositions/{record_id}")
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def api(emulator) -> Api:
    """The owner (user 1)."""
    return Api(emulator.url, emulator.token)


@pytest.fixture
def other(emulator) -> Api:
    """Another user (user 2), with no rights on the owner's records."""
    return Api(emulator.url, emulator.other_token)


@pytest.fixture
def anonymous(emulator) -> Api:
    return Api(emulator.url, None)
