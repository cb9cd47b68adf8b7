"""Settings of one emulator instance (shared with the middleware of faults and rate limits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zenodo_sync.zenodo.tokens import EMULATOR_DEFAULT_TOKEN

DATACITE_TEST_PREFIX = "10.5072"  # sandbox.zenodo.org mints DOIs under DataCite's test prefix (§9)
DEFAULT_TOKEN = EMULATOR_DEFAULT_TOKEN  # what `zsync emulator` accepts when no --token is given
# "invenio-rdm": another InvenioRDM instance, without Zenodo's deposit API (docs/zenodo-behaviour.md §7.9).
PROFILES = ("zenodo", "fast", "invenio-rdm")
# `zsync emulator`'s port unless told otherwise: a fixed one, so ZSYNC_SERVER stays the same
# across restarts (tests pass --port 0 for any free port).
DEFAULT_PORT = 5123


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: pick a free port
    data_dir: Path | None = None  # SQLite database + file contents; None: a temp dir made by the server
    tokens: dict[str, int] = field(default_factory=lambda: {DEFAULT_TOKEN: 1})  # token -> user id
    doi_prefix: str = DATACITE_TEST_PREFIX  # the DataCite test prefix, as on sandbox.zenodo.org (docs/zenodo-behaviour.md §9)
    profile: str = "fast"
    search_lag: float = 0.0  # seconds before a write shows in listings/search (docs/zenodo-behaviour.md §6.6)
    rate_limits: bool = False
    per_minute: int | None = None  # authenticated limits; None: Zenodo's (ratelimit.py)
    per_hour: int | None = None
    search_per_minute: int | None = None
    # Rate-limit windows times this (0.05: a minute lasts 3 s), for tests that must meet the
    # limits quickly; the X-RateLimit-* headers announce the scaled windows.
    rate_window_scale: float = 1.0
    faults: str | None = None  # fault spec (faults.py); None: env ZSYNC_EMULATOR_FAULTS
    fault_seed: int | None = None
    # Serve links.bucket under this origin (e.g. "http://localhost:8081") instead of the
    # emulator's own: a misbehaving server, to test that a client keeps its token to itself.
    bucket_origin: str | None = None
    max_files_per_record: int = 100  # docs/zenodo-behaviour.md §5
    max_file_size: int = 50 * 10**9  # 50 GB, decimal (docs/zenodo-behaviour.md §5)
    # Bodies read whole (JSON, multipart forms) stop here with 413; streamed uploads are exempt
    # (docs/zenodo-behaviour.md §5.2.4). Tests lower it to meet the limit with small bodies.
    max_body_size: int = 100 * 1024 * 1024
    # The calendar date the server believes it is (ISO), for the date rules: default
    # publication_date, embargo checks at publish, embargo lifts (§3.10). None: the UTC date.
    # Pinned in tests so that an embargo can expire between two runs on one data dir.
    today: str | None = None
    # Answer `Range: bytes=N-` on file content with 206, as zenodo.org's file servers have been
    # seen to (docs/zenodo-behaviour.md §6.12); False: always the whole file with 200, as
    # invenio-files-rest does by default.
    range_requests: bool = True
    # Communities whose curators review inclusion requests made through the native API: such a
    # request stays open (docs/zenodo-behaviour.md §7.8) until accepted; every other request
    # is accepted at once, as the emulator has no curators.
    reviewed_communities: tuple[str, ...] = ()

    @classmethod
    def for_profile(cls, profile: str = "fast", **overrides) -> EmulatorConfig:
        """The "zenodo" profile has Zenodo's rate limits on; "fast" has none (for tests);
        "invenio-rdm" is "fast" without the deposit API."""
        if profile not in PROFILES:
            raise ValueError(f"unknown emulator profile {profile!r}; expected one of {', '.join(PROFILES)}")
        overrides = {key: value for key, value in overrides.items() if value is not None}
        overrides.setdefault("rate_limits", profile == "zenodo")
        return cls(profile=profile, **overrides)

    @property
    def deposit_api(self) -> bool:
        """Whether Zenodo's legacy deposit and bucket APIs answer (not on other InvenioRDM instances)."""
        return self.profile != "invenio-rdm"

    @property
    def datacite_test_mode(self) -> bool:
        """Whether this instance plays sandbox.zenodo.org (DataCite test mode, DATACITE_TEST_MODE)."""
        return self.doi_prefix == DATACITE_TEST_PREFIX

    def user_for_token(self, token: str | None) -> int | None:
        if not token:
            return None
        return self.tokens.get(token)
