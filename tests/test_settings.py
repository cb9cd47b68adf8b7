"""Server and token resolution (README, Connecting to Zenodo: --server > ZSYNC_SERVER > zsync.yaml > default)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from zenodo_sync.errors import ConfigError
from zenodo_sync.settings import (
    DEFAULT_SERVER,
    SHORTCUTS,
    load_settings,
    normalise_server,
    resolve_backend,
    resolve_server,
    token_from_env,
)

SECRET = "s3cr3t-TOKEN-value-1234567890"


def test_precedence_cli_then_env_then_config_then_default():
    env = {"ZSYNC_SERVER": "sandbox"}
    config = {"server": "https://inveniordm.example.org/api"}
    assert resolve_server("zenodo", config, env) == "https://zenodo.org/api"
    assert resolve_server(None, config, env) == "https://sandbox.zenodo.org/api"
    assert resolve_server(None, config, {}) == "https://inveniordm.example.org/api"
    assert resolve_server(None, None, {}) == SHORTCUTS[DEFAULT_SERVER]


def test_config_object_with_server_attribute_is_read():
    class Config:
        server = "sandbox"

    assert resolve_server(None, Config(), {}) == "https://sandbox.zenodo.org/api"


def test_blank_values_fall_through():
    assert resolve_server("", {"server": "  "}, {"ZSYNC_SERVER": ""}) == SHORTCUTS[DEFAULT_SERVER]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("ZENODO", "https://zenodo.org/api"),
        (" sandbox ", "https://sandbox.zenodo.org/api"),
        ("https://zenodo.org", "https://zenodo.org/api"),
        ("https://zenodo.org/api/", "https://zenodo.org/api"),
        ("http://127.0.0.1:5123/api", "http://127.0.0.1:5123/api"),
        ("http://localhost:8000/api/", "http://localhost:8000/api"),
    ],
)
def test_normalise_server(value, expected):
    assert normalise_server(value) == expected


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("zenodo.org", "neither a shortcut nor an http(s) URL"),
        ("ftp://zenodo.org/api", "neither a shortcut"),
        ("http://zenodo.org/api", "Refusing plain http for zenodo.org"),
        ("https://zenodo.org/api?access_token=abc", "must not carry a query"),
        ("https://user:pw@zenodo.org/api", "credentials"),
    ],
)
def test_bad_servers_name_the_source(value, fragment):
    with pytest.raises(ConfigError) as info:
        resolve_server(None, {"server": value}, {})
    assert fragment in info.value.message
    assert "zsync.yaml `server`" in info.value.message
    assert info.value.hint


def test_token_from_env_and_file(tmp_path):
    assert token_from_env({"ZENODO_TOKEN": f"  {SECRET}\n"}) == SECRET
    assert token_from_env({}) is None
    token_file = tmp_path / "token"
    token_file.write_text(SECRET + "\n")
    assert token_from_env({"ZENODO_TOKEN_FILE": str(token_file)}) == SECRET
    # The variable wins over the file.
    assert token_from_env({"ZENODO_TOKEN": "direct", "ZENODO_TOKEN_FILE": str(token_file)}) == "direct"


def test_unreadable_token_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="ZENODO_TOKEN_FILE"):
        token_from_env({"ZENODO_TOKEN_FILE": str(tmp_path / "missing")})


def test_missing_token_for_a_real_server_says_how_to_create_one():
    settings = load_settings("sandbox", None, env={})
    with pytest.raises(ConfigError) as info:
        settings.require_token()
    assert "ZENODO_TOKEN is not set" in info.value.message
    assert "https://sandbox.zenodo.org/api" in info.value.message
    assert "deposit:write" in info.value.hint and "deposit:actions" in info.value.hint
    assert "https://sandbox.zenodo.org" in info.value.hint


def test_missing_token_for_a_local_emulator_points_at_the_emulator():
    settings = load_settings("http://127.0.0.1:5000/api", None, env={})
    with pytest.raises(ConfigError) as info:
        settings.require_token()
    assert "zsync emulator" in info.value.hint and "emulator-token" in info.value.hint


def test_settings_repr_hides_the_token():
    settings = load_settings(None, None, env={"ZENODO_TOKEN": SECRET})
    assert settings.require_token() == SECRET
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert "<hidden>" in repr(settings)
    assert settings.server_source == "default"


def test_client_side_rate_cap_from_env():
    assert load_settings(None, None, env={}).requests_per_minute is None
    assert load_settings(None, None, env={"ZSYNC_REQUESTS_PER_MINUTE": "60"}).requests_per_minute == 60.0
    for bad in ("0", "-5", "fast"):
        with pytest.raises(ConfigError, match="ZSYNC_REQUESTS_PER_MINUTE must be a positive number"):
            load_settings(None, None, env={"ZSYNC_REQUESTS_PER_MINUTE": bad})


def test_backend_from_settings_carries_server_token_and_cap():
    from zenodo_sync.run import backend_from_settings

    settings = load_settings("sandbox", None, env={"ZENODO_TOKEN": SECRET, "ZSYNC_REQUESTS_PER_MINUTE": "30"})
    backend = backend_from_settings(settings)
    assert backend.server_url == "https://sandbox.zenodo.org/api"
    assert backend.limiter.per_minute == 30.0
    assert SECRET not in repr(backend) and SECRET not in repr(backend.http)
    with pytest.raises(ConfigError):
        backend_from_settings(load_settings("sandbox", None, env={}))


def test_backend_precedence_cli_then_config_then_deposit():
    assert resolve_backend("rdm", {"backend": "deposit"}) == "rdm"
    assert resolve_backend(None, {"backend": "rdm"}) == "rdm"
    assert resolve_backend(None, {}) == "deposit"
    assert resolve_backend(None, None) == "deposit"
    with pytest.raises(ConfigError, match=r"--backend is 'invenio'; it must be one of deposit, rdm"):
        resolve_backend("invenio", None)


def test_the_rdm_backend_is_built_from_settings_with_the_same_plumbing():
    from zenodo_sync.backends.rdm import InvenioRdmBackend
    from zenodo_sync.run import backend_from_settings

    env = {"ZENODO_TOKEN": SECRET, "ZSYNC_REQUESTS_PER_MINUTE": "30"}
    settings = load_settings("https://researchdata.example.org", None, env=env, cli_backend="rdm")
    assert settings.backend == "rdm" and "backend='rdm'" in repr(settings)
    backend = backend_from_settings(settings)
    assert isinstance(backend, InvenioRdmBackend)
    assert backend.server_url == "https://researchdata.example.org/api"
    assert backend.limiter.per_minute == 30.0
    assert SECRET not in repr(backend) and SECRET not in repr(settings)


def test_the_local_token_hint_does_not_import_the_emulator():
    # settings sits above the engine; only the CLI and tests may import the emulator.
    code = (
        "import sys\n"
        "from zenodo_sync.settings import load_settings\n"
        "try:\n"
        "    load_settings('http://127.0.0.1:5000/api', None, env={}).require_token()\n"
        "except Exception as exc:\n"
        "    print(exc.hint)\n"
        "print(sorted(m for m in sys.modules if m.startswith('zenodo_sync.emulator')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "emulator-token" in out
    assert out.strip().endswith("[]")
