"""Zenodo's personal access tokens: where one is created, and the scopes zsync needs.

Said the same way to the user who has no token yet (settings) and to the one whose token
the server refused (backends). Also the token the bundled emulator accepts when started
without --token, so that a hint about a local server can name it without importing the
emulator.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SCOPES = ("deposit:write", "deposit:actions")
SEPARATE_ACCOUNTS = "zenodo.org and sandbox.zenodo.org have separate accounts and tokens."
EMULATOR_DEFAULT_TOKEN = (
    "emulator-token"  # documented: what `zsync emulator` accepts when no --token is given
)


def where_to_create(server: str) -> str:
    """`a personal access token on <the server's site> (how to make one) with the scopes ...`.

    `server` is the API base URL; tokens are made on the site's pages, e.g. https://zenodo.org.
    """
    parts = urlsplit(server)
    site = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else server
    return (
        f"a personal access token on {site} (log in, then Account > Applications > Personal access "
        f"tokens > New token) with the scopes {' and '.join(SCOPES)}"
    )
