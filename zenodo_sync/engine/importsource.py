"""Which records `zsync import` brings in: sources and collections resolved to one record per concept.

A SOURCE is a record id, a version DOI, a concept DOI or a record URL; a collection is the
token owner's depositions (`--owner me`), a community or a records search. Each concept
becomes one `Found`: its latest published version, read where it is most exact (the deposit
API for the owner's records: the form the plan compares against; the records API for anybody
else's), and the draft pending on it, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from zenodo_sync.backends.deposit import RecordsReader, ZenodoDepositBackend, parse_record
from zenodo_sync.engine import importer
from zenodo_sync.errors import AuthError, ConfigError, NotFoundError
from zenodo_sync.model import RemoteRecord
from zenodo_sync.zenodo.recordref import RecordRefError, parse_record_ref

KNOWN_HOSTS = ("zenodo.org", "sandbox.zenodo.org")


@dataclass
class Found:
    """One concept to import: its latest published version and anything pending on it."""

    concept_id: str
    latest: RemoteRecord
    owned: bool  # read through the deposit API (the token's own record)
    pending_draft: RemoteRecord | None = None
    # The latest version's metadata to map: as read back, with what the legacy view hides filled
    # in from the native JSON (importer.with_native_values). `latest.metadata` stays as read back.
    metadata: dict[str, Any] = field(default_factory=dict)


def record_number(source: str, server_url: str) -> int:
    """The record (or concept) id a SOURCE names; a ConfigError naming it when it names none."""
    try:
        ref = parse_record_ref(source)
    except RecordRefError:
        ref = None
    if ref is not None and ref.on_host(server_url):
        return ref.record_id
    if ref is not None and ref.host in KNOWN_HOSTS:
        raise ConfigError(
            f"{source}: this record is on {ref.host}, but zsync talks to {server_url}.",
            hint=f"Import it with `--server {'sandbox' if ref.host.startswith('sandbox') else 'zenodo'}`, "
            "or give the record id on the configured server.",
        )
    raise ConfigError(
        f"{source!r} is not a record id, a Zenodo DOI or a record URL.",
        hint="Give a record id (123), a DOI (10.5281/zenodo.123, the version's or the concept's) "
        "or a record URL (https://zenodo.org/records/123).",
    )


class Gatherer:
    """Resolves sources and collections through one backend; each concept is found once."""

    def __init__(self, backend: ZenodoDepositBackend, reader: RecordsReader, *, note: Callable[[str], None]):
        self.backend = backend
        self.reader = reader
        self.note = note
        self.found: dict[str, Found] = {}
        self._owned: dict[str, list[RemoteRecord]] | None = None
        self._said_tokenless = False

    # -- the owner's depositions ----------------------------------------------------------------

    def owned(self) -> dict[str, list[RemoteRecord]]:
        """The token owner's depositions (drafts and every version), by concept; listed once."""
        if self._owned is None:
            self._owned = {}
            if self.reader.authenticated:
                for record in self.backend.list_own(all_versions=True):
                    self._owned.setdefault(record.concept_id or str(record.id), []).append(record)
        return self._owned

    def owner_me(self) -> None:
        for concept in sorted(self.owned(), key=_numeric):
            self._add_owned(concept)

    def _add_owned(self, concept: str) -> bool:
        """Add an owned concept; False when it was never published (nothing to import)."""
        if concept in self.found:
            return True
        records = self.owned().get(concept, [])
        published = [r for r in records if r.submitted]
        drafts = [r for r in records if r.is_draft]
        if not published:
            ids = ", ".join(str(r.id) for r in drafts)
            self.note(
                f"concept {concept}: only a draft that was never published ({ids}); nothing to import. "
                "Publish it on Zenodo, or write its manifest by hand"
            )
            return False
        latest = max(published, key=lambda r: r.id)
        pending = max(drafts, key=lambda r: r.id) if drafts else None
        owned = True
        if latest.is_draft:
            # An edit draft is open on the latest version: the deposit API shows the draft's
            # metadata (§3.9), so the published version is read from the records API.
            latest = parse_record(self.reader.record(latest.id))
            owned = False
        self.found[concept] = Found(concept, latest, owned=owned, pending_draft=pending)
        return True

    # -- one SOURCE -----------------------------------------------------------------------------

    def source(self, source: str) -> None:
        number = record_number(source, self.backend.server_url)
        concept = self._concept_of(number, source)
        if concept in self.owned():
            if not self._add_owned(concept):
                raise ConfigError(
                    f"{source}: concept {concept} was never published; there is no version to import.",
                    hint="Publish it on Zenodo first, or write its manifest by hand.",
                )
            return
        if concept in self.found:
            return
        latest = parse_record(self.reader.record(int(concept)))  # a concept id answers its latest version
        self._add_public(concept, latest)

    def _concept_of(self, number: int, source: str) -> str:
        for concept, records in self.owned().items():
            if concept == str(number) or any(r.id == number for r in records):
                return concept
        try:
            data = self.reader.record(number)
        except NotFoundError:
            raise NotFoundError(
                f"{source}: no published record or concept {number} on {self.backend.server_url}.",
                hint="Check the id or DOI; a draft that was never published cannot be imported.",
            ) from None
        except AuthError as exc:
            raise AuthError(
                f"{source}: record {number} may not be read with this token ({exc.message}).",
                hint="Use the token of the account that owns it, or import a public record.",
                status=exc.status,
            ) from None
        return str(data.get("conceptrecid") or data["id"])

    # -- searches -------------------------------------------------------------------------------

    def search(self, query: str = "", communities: tuple[str, ...] = ()) -> int:
        """Import the latest version of every concept a records search finds; returns the hit count."""
        hits = 0
        for hit in self.reader.search(query, communities):
            hits += 1
            record = parse_record(hit)
            if communities and not set(communities) & set(importer.canonical_communities_of(record.metadata)):
                # Zenodo drops a community filter naming no community, and then searches
                # everything (docs/zenodo-behaviour.md §6.2.3): stop before importing the world.
                raise ConfigError(
                    f"--community {', '.join(communities)}: Zenodo knows no such community (its search "
                    f"answered with record {record.id}, which is in none of them); nothing was written.",
                    hint="Check the community's slug: it is the last part of its address, "
                    "https://zenodo.org/communities/<slug>.",
                )
            concept = record.concept_id or str(record.id)
            if concept in self.found:
                continue
            if concept in self.owned() and self._add_owned(concept):
                continue
            self._add_public(concept, record)
        return hits

    def _add_public(self, concept: str, record: RemoteRecord) -> None:
        """A concept read from the records API: anybody's record, which only its owner can change."""
        self.found[concept] = Found(concept, record, owned=False)
        if self.reader.authenticated:
            self.note(
                f"concept {concept} (record {record.id}) is not among this token's records: "
                "`zsync plan` and `apply` need the token of the account that owns it"
            )
        elif not self._said_tokenless:
            self._said_tokenless = True
            self.note(
                "records were read without a token, as anybody reads them: `zsync plan` and `apply` "
                "need the token of the account that owns them"
            )

    def results(self) -> list[Found]:
        """Every concept found, by concept id, its metadata completed where the legacy view hides values."""
        found = [self.found[concept] for concept in sorted(self.found, key=_numeric)]
        for item in found:
            item.metadata = item.latest.metadata
            if importer.hides_values(item.metadata):
                native = self.reader.native(item.latest.id)
                item.metadata = importer.with_native_values(item.metadata, native)
        return found


def _numeric(concept: str) -> tuple[int, str]:
    return (int(concept), "") if concept.isdigit() else (0, concept)


def concepts_of(found: Iterable[Found]) -> list[str]:
    return [item.concept_id for item in found]
