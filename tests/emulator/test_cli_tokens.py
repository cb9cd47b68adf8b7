"""`zsync emulator` takes its tokens from a file or the environment, out of sight of `ps`."""

from __future__ import annotations

from pathlib import Path

import requests

SECRET = "s3cret-emulator-token-0001"
SECOND = "s3cret-emulator-token-0002"


def _status(url: str, token: str) -> int:
    return requests.get(
        f"{url}/deposit/depositions", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).status_code


def _command_line(process) -> str:
    return Path(f"/proc/{process.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_token_from_the_environment_is_accepted_and_not_on_the_command_line(
    emulator_process, tmp_path, monkeypatch
):
    monkeypatch.setenv("ZSYNC_EMULATOR_TOKEN", SECRET)
    running = emulator_process(tmp_path / "emu", "--profile", "fast")
    assert _status(running.url, SECRET) == 200
    assert _status(running.url, "emulator-token") in (401, 403)
    assert SECRET not in _command_line(running.process)
    running.stop()
    err = running.process.stderr.read()
    assert "$ZSYNC_EMULATOR_TOKEN" in err and SECRET not in err and "Warning" not in err


def test_tokens_from_a_file_one_a_line(emulator_process, tmp_path, monkeypatch):
    monkeypatch.delenv("ZSYNC_EMULATOR_TOKEN", raising=False)
    token_file = tmp_path / "tokens"
    token_file.write_text(f"{SECRET}\n\n{SECOND}\n", encoding="utf-8")
    running = emulator_process(tmp_path / "emu", "--profile", "fast", "--token-file", str(token_file))
    assert _status(running.url, SECRET) == 200
    assert _status(running.url, SECOND) == 200
    assert SECRET not in _command_line(running.process)
    running.stop()
    err = running.process.stderr.read()
    assert "Accepting 2 tokens given with --token-file" in err and SECRET not in err


def test_token_on_the_command_line_still_works_with_a_warning(emulator_process, tmp_path, monkeypatch):
    monkeypatch.delenv("ZSYNC_EMULATOR_TOKEN", raising=False)
    running = emulator_process(tmp_path / "emu", "--profile", "fast", "--token", SECRET)
    assert _status(running.url, SECRET) == 200
    running.stop()
    err = running.process.stderr.read()
    assert "visible to every local user in `ps`" in err
    assert err.count("Warning") == 1
