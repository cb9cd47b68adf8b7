"""Against the real sandbox.zenodo.org: only with ZENODO_SANDBOX_TOKEN (never in CI by default).

Creates one draft, uploads a tiny file, reads it back and deletes the draft again;
nothing is published (a published record cannot be removed).
"""

from __future__ import annotations

import os

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.engine.files import hash_files
from zenodo_sync.errors import NotFoundError
from zenodo_sync.model import LocalFile
from zenodo_sync.settings import SHORTCUTS

pytestmark = pytest.mark.live

TOKEN = os.environ.get("ZENODO_SANDBOX_TOKEN")


@pytest.mark.skipif(not TOKEN, reason="needs ZENODO_SANDBOX_TOKEN")
def test_draft_round_trip_on_the_sandbox(tmp_path):
    backend = ZenodoDepositBackend(SHORTCUTS["sandbox"], TOKEN)
    path = tmp_path / "hello.txt"
    path.write_bytes(b"zsync live test\n")
    local = hash_files([LocalFile(name="hello.txt", path=path, size=path.stat().st_size)], None)[0]
    draft = backend.create(
        {
            "title": "zsync live test (deleted at once)",
            "upload_type": "other",
            "creators": [{"name": "Test, Zsync"}],
        }
    )
    try:
        assert draft.links.get("bucket")
        remote = backend.upload(draft, local)
        assert remote.md5 == local.md5
        read = backend.get(draft.id)
        assert [(f.name, f.md5) for f in read.files] == [("hello.txt", local.md5)]
    finally:
        backend.discard(draft.id)
    with pytest.raises(NotFoundError):
        backend.get(draft.id)
