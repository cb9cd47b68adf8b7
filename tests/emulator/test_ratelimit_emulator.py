"""Rate limits on the real emulator in the "zenodo" profile (docs/zenodo-behaviour.md §5)."""

from __future__ import annotations

import requests

from zenodo_sync.emulator import running_emulator

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After")


def test_zenodo_profile_limits_users_at_100_per_minute_with_headers_everywhere():
    with running_emulator(profile="zenodo") as emu:
        auth = {"Authorization": f"Bearer {emu.token}"}
        created = requests.post(emu.url + "/deposit/depositions", json={}, headers=auth)
        assert created.status_code == 201
        assert all(name in created.headers for name in HEADERS)
        assert created.headers["X-RateLimit-Limit"] == "100"
        missing = requests.get(emu.url + "/deposit/depositions/999999", headers=auth)
        assert missing.status_code == 404 and missing.headers["X-RateLimit-Remaining"] == "98"
        with requests.Session() as session:
            statuses = [
                session.get(emu.url + "/deposit/depositions", headers=auth).status_code for _ in range(99)
            ]
        assert statuses.count(200) == 98 and statuses[-1] == 429
        # Zenodo keys by User-Agent + IP: another token from this client shares the spent budget,
        # another tool (User-Agent) does not, and guests are counted against their own limit.
        other = {"Authorization": f"Bearer {emu.other_token}"}
        assert requests.get(emu.url + "/deposit/depositions", headers=other).status_code == 429
        other_tool = requests.get(
            emu.url + "/deposit/depositions", headers={**other, "User-Agent": "other-tool/1"}
        )
        assert other_tool.status_code == 200
        guest = requests.get(emu.url + "/records/1")
        assert guest.status_code == 404 and guest.headers["X-RateLimit-Limit"] == "133"


def test_zenodo_profile_search_is_30_per_minute():
    with running_emulator(profile="zenodo") as emu:
        with requests.Session() as session:
            statuses = [session.get(emu.url + "/records", params={"q": "x"}).status_code for _ in range(31)]
        assert statuses[:30] == [200] * 30 and statuses[30] == 429
        refused = requests.get(emu.url + "/records")
        assert refused.json()["status"] == 429 and int(refused.headers["Retry-After"]) >= 1


def test_fast_profile_has_no_limits(emulator):
    response = requests.get(emulator.url + "/records")
    assert response.ok and "X-RateLimit-Limit" not in response.headers
