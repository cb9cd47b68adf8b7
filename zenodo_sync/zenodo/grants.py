"""Grant ids as Zenodo reads them (§3.10 grants).

A legacy grant is `funderDOI::award`; a bare award number is an EC grant. The server stores the
funder as its ROR id (a fixed DOI -> ROR table, vocabulary.FUNDER_DOI_TO_ROR; other funders are
rejected) and reads the DOI back through the reverse table, so RCUK comes back as UKRI. The
emulator stores by these rules, the normaliser predicts the readback and the validator warns
about funders outside the table.
"""

from __future__ import annotations

from zenodo_sync.zenodo import vocabulary as vocab


def grant_id_from_self_link(link: str) -> str | None:
    """The id named by an old grant object's `links.self` (`.../api/grants/<funderDOI>::<award>`):
    what users PUT back from an older Zenodo GET (fixtures/rose-deposition-metadata.json)."""
    if "/grants/" not in link:
        return None
    return link.split("/grants/", 1)[1]


def split_grant_id(grant_id: str) -> tuple[str, str]:
    """(funder DOI, award number); a bare award number is taken as an EC grant."""
    funder_doi, separator, award = grant_id.partition("::")
    if not separator:
        return vocab.EC_FUNDER_DOI, grant_id
    return funder_doi, award


def funder_ror(funder_doi: str) -> str | None:
    """The ROR id the server stores for a funder DOI, or None: a funder it does not know."""
    return vocab.FUNDER_DOI_TO_ROR.get(funder_doi)


def funder_doi_for_ror(ror: str) -> str | None:
    """The funder DOI the server reads back for a stored ROR id (one DOI per ROR id)."""
    return vocab.FUNDER_ROR_TO_DOI.get(ror)


def readback_funder_doi(funder_doi: str) -> str:
    """The funder DOI after the server's DOI -> ROR -> DOI round trip (RCUK reads back as UKRI);
    an unknown funder as written."""
    ror = funder_ror(funder_doi)
    return (funder_doi_for_ror(ror) if ror else None) or funder_doi
