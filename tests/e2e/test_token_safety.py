"""The token stays with its owner: masked in every message, sent to no other server.

Issue #8 ("Trust in the first hour"): a short token was printed in full, and the token
travelled to whatever host a server response named as the file bucket.
"""

from __future__ import annotations

import re

import pytest

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.emulator import running_emulator

from .conftest import FAST_ENV

SHORT_TOKEN = "k3y9"


@pytest.fixture
def short_token_env(tmp_path, monkeypatch):
    with running_emulator(data_dir=tmp_path / "emu", token=SHORT_TOKEN) as emu:
        env = {"ZENODO_TOKEN": SHORT_TOKEN, "ZSYNC_SERVER": emu.url, **FAST_ENV}
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield emu


def test_a_short_token_is_masked_in_a_bug_report_and_its_crash_log(short_token_env, zsync, monkeypatch):
    def buggy_listing(self, query=None, all_versions=False):
        raise RuntimeError(f"header Authorization: Bearer {SHORT_TOKEN} could not be sent")

    monkeypatch.setattr(ZenodoDepositBackend, "list_own", buggy_listing)
    result = zsync("-v", "plan")

    assert result.code == 3, result.err
    assert "Bearer <hidden> could not be sent" in result.err
    assert SHORT_TOKEN not in result.out + result.err
    log_path = re.search(r"crash log was written to (\S+);", result.err).group(1)
    with open(log_path, encoding="utf-8") as log:
        assert SHORT_TOKEN not in log.read()
