"""How a user names one Zenodo record: a record id, a DOI or a link, read into a record id.

Zenodo's DOIs are `<prefix>/zenodo.<id>`: `10.5281` on zenodo.org, DataCite's test prefix
`10.5072` on the sandbox (§8.1, §9.2), and the id in a concept DOI is the concept's
(`conceptrecid`). Links are the record page (`/records/<id>`, the older `/record/<id>`),
the API (`/api/records/<id>`, `/api/deposit/depositions/<id>`), the upload form
(`/uploads/<id>`, `/deposit/<id>`), a file link under a record, or a DOI link
(`https://doi.org/...`, `/doi/...`). Whether an id is a version or a concept is the server's
to say: a concept id redirects to its latest version (§6.1.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

# `10.<registrant>/zenodo.<digits>`, any registrant: zenodo.org, the sandbox and test servers.
_ZENODO_DOI = re.compile(r"^10\.\d{4,9}/zenodo\.(\d+)$", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_SCHEMES = ("doi:", "info:doi/")
DOI_RESOLVERS = ("doi.org", "dx.doi.org", "www.doi.org", "handle.test.datacite.org")
# Path shapes of a record link, the record id in the group: page, API, upload form.
_RECORD_PATHS = (
    re.compile(r"^/(?:api/)?records?/(\d+)(?:/.*)?$"),
    re.compile(r"^/api/deposit/depositions/(\d+)(?:/.*)?$"),
    re.compile(r"^/(?:uploads|deposit)/(\d+)(?:/.*)?$"),
)
_ID = re.compile(r"^\d{1,18}$")


class RecordRefError(ValueError):
    """Text that names no Zenodo record; the message says what was expected."""


@dataclass(frozen=True)
class RecordRef:
    """A record named by the user: its id, and the host the link named (None for an id or DOI)."""

    record_id: int
    host: str | None = None  # e.g. "zenodo.org", from a link to a record page or API
    doi: str | None = None  # lower case, when the user named the record by its DOI

    def on_host(self, server_url: str) -> bool:
        """Whether the link (if any) points at the server whose API base is `server_url`."""
        if self.host is None:
            return True
        server = urlsplit(server_url)
        return _host_and_port(self.host) == _host_and_port(server.netloc)


def parse_record_ref(text: str) -> RecordRef:
    """The record `text` names: `123`, `10.5281/zenodo.123`, `doi:...`, or a Zenodo/DOI link."""
    value = text.strip()
    if not value:
        raise RecordRefError("an empty record reference")
    if _ID.match(value):
        return RecordRef(int(value))
    lowered = value.lower()
    for scheme in _DOI_SCHEMES:
        if lowered.startswith(scheme):
            return _from_doi(value[len(scheme) :], text)
    if _DOI.match(value):
        return _from_doi(value, text)
    if lowered.startswith(("http://", "https://")):
        return _from_link(value, text)
    raise RecordRefError(
        f"{text!r} is not a record id, a Zenodo DOI or a record link "
        "(expected e.g. 1234567, 10.5281/zenodo.1234567 or https://zenodo.org/records/1234567)"
    )


def _from_doi(doi: str, text: str, host: str | None = None) -> RecordRef:
    doi = unquote(doi).strip()
    return RecordRef(_id_of_doi(doi, text), host, doi.lower())


def is_doi(text: str) -> bool:
    """Whether `text` is written as a DOI (bare, `doi:` or a resolver link), Zenodo's or not."""
    value = unquote(text.strip())
    for prefix in (*_DOI_SCHEMES, *(f"https://{host}/" for host in DOI_RESOLVERS)):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return bool(_DOI.match(value))


def _id_of_doi(doi: str, text: str) -> int:
    found = _ZENODO_DOI.match(unquote(doi).strip())
    if found is None:
        raise RecordRefError(
            f"{text!r} is not a Zenodo DOI: only DOIs Zenodo minted (10.5281/zenodo.<id>, "
            "10.5072/zenodo.<id> on the sandbox) name their record; for a DOI of another "
            "registrant, give the record's id or link instead"
        )
    return int(found.group(1))


def _from_link(url: str, text: str) -> RecordRef:
    parts = urlsplit(url)
    host = (parts.netloc or "").lower()
    path = unquote(parts.path).rstrip("/")
    if (parts.hostname or "").lower() in DOI_RESOLVERS:
        return _from_doi(path.lstrip("/"), text)
    if path.startswith("/doi/"):  # Zenodo's own resolver: /doi/10.5281/zenodo.123
        return _from_doi(path[len("/doi/") :], text, host)
    for shape in _RECORD_PATHS:
        found = shape.match(path)
        if found:
            return RecordRef(int(found.group(1)), host)
    raise RecordRefError(
        f"{text!r} is not a link to a Zenodo record (expected .../records/<id>, "
        ".../api/records/<id> or a DOI link such as https://doi.org/10.5281/zenodo.<id>)"
    )


def _host_and_port(netloc: str) -> str:
    netloc = netloc.lower().rsplit("@", 1)[-1]
    for default in (":443", ":80"):
        if netloc.endswith(default):
            return netloc[: -len(default)]
    return netloc
