"""Find the concept a user named (`concept:` in a manifest, `zsync bind KEY CONCEPT`) on the server.

A binding ties a manifest key to a record zsync did not make (the web form, a script, GitHub's
Zenodo integration), so refresh must find it and plan must never create a second concept beside
it. What the user wrote names a number (zenodo.concepts); only the server says whether that
number is one of the token owner's concepts, one of its versions, or nothing this account owns.
The account's listing (one paged request, already made by refresh) answers for every record
it lists; a record it does not list is read by id (the listing lags behind writes, §6.6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zenodo_sync.backends.base import Backend
from zenodo_sync.errors import AuthError, BindingError, NotFoundError
from zenodo_sync.model import RemoteRecord
from zenodo_sync.zenodo.concepts import ConceptRef

ByConcept = Mapping[str, Mapping[int, RemoteRecord]]  # refresh.Listing.by_concept


@dataclass(frozen=True)
class BoundConcept:
    concept_id: str
    concept_doi: str | None  # None until the concept's first publish with a Zenodo DOI (§8.1)


def resolve_concept(backend: Backend, by_concept: ByConcept, ref: ConceptRef, *, who: str) -> BoundConcept:
    """The concept `ref` names among the token owner's records; BindingError naming what the
    server holds instead (a version, another server's DOI, nothing of this account's).

    `who` starts each message: the key and where the binding was written.
    """
    listed = by_concept.get(ref.number)
    if listed:
        return _checked_doi(ref, listed.values(), backend.server_url, who)
    if ref.doi is not None:
        for concept, records in by_concept.items():
            if any(_same_doi(record.concept_doi, ref.doi) for record in records.values()):
                return BoundConcept(concept, ref.doi)
    for concept, records in by_concept.items():
        for record in records.values():
            if str(record.id) == ref.number or (ref.doi and _same_doi(record.doi, ref.doi)):
                raise _version_named(ref, record, concept, who)
    try:
        record = backend.get(int(ref.number))
    except NotFoundError:
        raise BindingError(
            f"{who}: concept {ref} is not among the records of this token's account on "
            f"{backend.server_url}: it does not exist there, or another account owns it. "
            "zsync creates nothing for a bound manifest.",
            hint="Check the DOI (the concept DOI from the record's page, on the server zsync talks "
            "to: zenodo.org and the sandbox are separate) and that the token is the record "
            "owner's. A record made a minute ago may not be listed yet: plan again shortly.",
        ) from None
    except AuthError:
        raise BindingError(
            f"{who}: record {ref.number} on {backend.server_url} belongs to another account; zsync "
            "can only manage the token owner's records.",
            hint="Use a token of the account that owns the record (or ask its owner to share it "
            "with you on Zenodo), or bind another concept.",
        ) from None
    concept = record.concept_id or str(record.id)
    if concept != ref.number:
        raise _version_named(ref, record, concept, who)
    return _checked_doi(ref, [record], backend.server_url, who)


def _same_doi(first: str | None, second: str) -> bool:
    return first is not None and first.lower() == second.lower()


def _checked_doi(ref: ConceptRef, records: Iterable[RemoteRecord], server: str, who: str) -> BoundConcept:
    """The concept of `records`, once a DOI the user wrote is its concept DOI.

    The number alone is not enough: record ids are per server, so `10.5281/zenodo.77` (on
    zenodo.org) and concept 77 of the sandbox (10.5072/zenodo.77) are different records.
    """
    records = list(records)
    concept = records[0].concept_id or str(records[0].id)
    dois = {record.concept_doi.lower() for record in records if record.concept_doi}
    if ref.doi is not None and dois and ref.doi not in dois:
        actual = sorted(dois)[0]
        raise BindingError(
            f"{who}: concept {ref.doi} is not on {server}: concept {concept} there has the concept "
            f"DOI {actual}.",
            hint="The DOI names a record of another Zenodo server (zenodo.org and the sandbox use "
            "different prefixes): bind the concept DOI shown on the record's page on this server, or "
            "plan against the server the record is on.",
        )
    return BoundConcept(concept, sorted(dois)[0] if dois else ref.doi)


def _version_named(ref: ConceptRef, record: RemoteRecord, concept: str, who: str) -> BindingError:
    """A version's DOI or id where the concept's belongs: say both, and which one to write."""
    version = f"the DOI of version record {record.id}" if ref.doi else f"version record {record.id}"
    concept_names = f"concept DOI {record.concept_doi}" if record.concept_doi else f"concept id {concept}"
    write = record.concept_doi or concept
    return BindingError(
        f"{who}: {ref} is {version}, not a concept; its {concept_names} names the record with all "
        "its versions.",
        hint=f"Bind the concept: `concept: {write}` (or `zsync bind KEY {write}`).",
    )
