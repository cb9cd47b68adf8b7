"""Two applies creating one dataset at once: which draft becomes the dataset's concept.

Two clones of a repository (a re-run CI job, a colleague's laptop) that apply within a
second of each other both find nothing on the server and both create a draft for every
new dataset. Each draft carries the key's marker from its creation (identity.py), so
right before publishing a new concept apply looks for the *rivals* of its draft: other
depositions in the account carrying the same marker in another concept. One rule, the
same in every process, picks the winner:

1. a rival already published wins (its DOI exists; a second concept must not);
2. otherwise the lowest deposition id wins (the draft created first).

The account's listing is search-backed and lags behind writes (§6.6); a GET by id is
current. A rival is only looked for once the listing shows our own draft: the index shows
writes in order, so every draft created before ours is then listed too, and a draft
created after ours will see ours when its own apply checks. What the listing says about a
rival (published? discarded?) is read again by id before it decides anything.
"""

from __future__ import annotations

from collections.abc import Callable

from zenodo_sync.engine.refresh import Listing
from zenodo_sync.errors import NotFoundError
from zenodo_sync.model import RemoteRecord


def concept_of(record: RemoteRecord) -> str:
    return record.concept_id or str(record.id)


def lists_record(listing: Listing, record_id: int) -> bool:
    return any(record_id in records for records in listing.by_concept.values())


def rivals_of(
    draft: RemoteRecord, marker: str, listing: Listing, read: Callable[[int], RemoteRecord]
) -> list[RemoteRecord]:
    """Every deposition outside the draft's concept that carries `marker`, as it is now."""
    own = concept_of(draft)
    rivals = []
    for concept in sorted(listing.concepts_marked(marker) - {own}):
        for record_id in sorted(listing.by_concept.get(concept, {})):
            try:
                current = read(record_id)
            except NotFoundError:
                continue  # a draft discarded since the index saw it (its loser gave way)
            if concept_of(current) == concept:
                rivals.append(current)
    return rivals


def winner(draft: RemoteRecord, rivals: list[RemoteRecord]) -> RemoteRecord:
    """The deposition that becomes the dataset's concept: `draft` itself, or a rival."""
    published = [r for r in rivals if r.submitted]
    if published:
        return min(published, key=lambda r: r.id)
    return min([draft, *rivals], key=lambda r: r.id)
