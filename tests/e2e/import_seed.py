"""Records for the import tests: generated to cover every field and access shape Zenodo holds.

`record_metadata(i)` is deterministic: the i-th concept cycles through every upload type and
subtype, contributor type, relation, date type, funder, language, access right and the text
fields, with text Zenodo rewrites (curly quotes, entities, unicode, HTML). `seed(backend, n)`
creates them through the emulator's deposit API over HTTP, some with 3+ versions, some with a
new-version or edit draft left pending, and returns what it made.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.model import LocalFile
from zenodo_sync.zenodo import vocabulary as vocab

SHARED_CREATORS = [
    {"name": "Doe, Jane", "affiliation": "University of Somewhere", "orcid": "0000-0002-1825-0097"},
    {"name": "Müller, Jürgen"},
]
SHARED_KEYWORDS = ["imported", "zsync"]
FUNDERS = sorted(vocab.FUNDER_DOI_TO_ROR)
IDENTIFIERS = (
    "10.1234/abc",
    "https://doi.org/10.5281/zenodo.2598799",
    "arXiv:1310.2590",
    "hdl:1234/5678",
    "978-3-16-148410-0",
    "https://example.org/data?x=1&y=2",
    "urn:nbn:de:101:1-201102033592",
    "pmid:12345678",
    "ark:/13030/tf5p30086k",
    "RRID:AB_2178887",
    "wikidata:Q42",
)
LANGUAGES = ("eng", "deu", "fra", "spa", "en", "de", "jpn")
LICENSES = ("cc-by-4.0", "CC0-1.0", "mit", "cc-by-sa-4.0", "apache-2.0", "cc-zero", "gpl-3.0-or-later")
TRICKY = (
    "“Curly” quotes & <b>bold</b> — dash",
    "Ünïcode: Łódź, 北京, Ørsted 🌹",
    "Tabs\tand  double  spaces",
    "A fi ligature: ﬁle",
)
LONG_HTML = (
    "<p>Measurements of 61 metabolites in 6 rose cultivars, by gas chromatography mass "
    "spectrometry, with every sample annotated.</p>\n<ul><li>first</li><li>second &amp; third</li></ul>"
)


def _cycle(values, i: int, step: int = 1):
    return values[(i * step) % len(values)]


def record_metadata(i: int) -> dict:
    """Deposit metadata for the i-th generated concept (as a manifest would send it)."""
    # A third are publications (every subtype within 75 concepts), a sixth images (every subtype),
    # the rest every other upload type in turn.
    if i % 3 == 0:
        upload_type = "publication"
    elif i % 6 == 1:
        upload_type = "image"
    else:
        upload_type = _cycle(vocab.UPLOAD_TYPES, i)
    future = (datetime.date.today() + datetime.timedelta(days=30 + i)).isoformat()
    access = _cycle(("open", "open", "embargoed", "restricted", "closed", "open"), i)
    data: dict = {
        "title": f"Generated record {i}: {_cycle(TRICKY, i)}",
        "upload_type": upload_type,
        "publication_date": (datetime.date(2000, 1, 1) + datetime.timedelta(days=37 * i)).isoformat(),
        "description": LONG_HTML if i % 2 else f"<p>Record {i} — short.</p>",
        "creators": [dict(person) for person in SHARED_CREATORS],
        "access_right": access,
        "keywords": list(SHARED_KEYWORDS),
        "version": f"{i}.0",
    }
    if upload_type == "publication":
        data["publication_type"] = _cycle(vocab.PUBLICATION_TYPES, i // 3)
    if upload_type == "image":
        data["image_type"] = _cycle(vocab.IMAGE_TYPES, i // 6)
    if access == "embargoed":
        data["embargo_date"] = future
    if access in ("restricted", "closed"):
        data["access_conditions"] = "Ask the data steward."
    if access in ("open", "embargoed") or i % 4 == 0:
        data["license"] = _cycle(LICENSES, i)
    # Contributors of every type, some with ORCID or GND, and thesis supervisors.
    data["contributors"] = [
        {
            "name": f"Contributor {i}-{n}, Ann",
            "type": _cycle(vocab.CONTRIBUTOR_TYPES, i * 2 + n),
            **({"affiliation": "Institute of Things"} if n == 0 else {}),
            **({"orcid": "0000-0001-5109-3700"} if (i + n) % 5 == 0 else {}),
            **({"gnd": "118540238"} if (i + n) % 7 == 0 else {}),
        }
        for n in range(2)
    ]
    if i % 9 == 0:
        data["thesis_supervisors"] = [{"name": "Prof, Super", "affiliation": "Uni"}]
        data["thesis_university"] = "University of Tests"
    data["related_identifiers"] = [
        {
            "identifier": _cycle(IDENTIFIERS, i + n),
            "relation": _cycle(vocab.RELATION_TYPES, i * 3 + n),
            **({"resource_type": "dataset"} if n == 0 else {}),
        }
        for n in range(3)
    ]
    data["dates"] = [
        {
            "type": _cycle(vocab.DATE_TYPES, i),
            "start": "2019-01-01",
            "end": "2019-12-31",
            "description": "Field work",
        },
        {"type": _cycle(vocab.DATE_TYPES, i + 5), "start": "2020-05-05"},
    ]
    data["locations"] = [
        {"place": "Ross Sea", "lat": -75.5 + i % 10, "lon": 170.25, "description": "Site U1521"},
        {"place": "Somewhere without a point"},
    ]
    data["grants"] = [{"id": f"{_cycle(FUNDERS, i)}::{100000 + i}"}]
    if i % 3 == 0:
        data["grants"].append({"id": f"{654000 + i}"})  # a bare EC award number
    data["communities"] = [{"identifier": f"community-{i % 4}"}]
    if i % 5 == 0:
        data["communities"].append({"identifier": "zenodo"})
    data["subjects"] = [
        {
            "term": "Metabolomics",
            "identifier": "http://id.loc.gov/authorities/subjects/sh85094201",
            "scheme": "url",
        }
    ]
    data["references"] = [f"Doe, J. ({2000 + i % 20}). A paper. Journal {i}."]
    data["notes"] = f"<p>Notes {i}: {_cycle(TRICKY, i + 1)}</p>"
    data["method"] = "<p>GC-MS on section halves; spectra binned in ~2 nm bins.</p>" if i % 2 == 0 else ""
    data["language"] = _cycle(LANGUAGES, i)
    if i % 6 == 1:
        data.update(
            journal_title="Journal of Tests",
            journal_volume=str(i),
            journal_issue="2",
            journal_pages="1-10",
        )
    if i % 6 == 2:
        data.update(
            conference_title="Conference on Imports",
            conference_acronym="CONFIMP",
            conference_dates="1-5 May 2019",
            conference_place="Lyon, France",
            conference_url="https://example.org/conference",
            conference_session="A",
            conference_session_part="1",
        )
    if i % 6 == 3:
        data.update(imprint_publisher="Test Press", imprint_isbn="0-306-40615-2", imprint_place="Oxford")
    if i % 6 == 4:
        data.update(partof_title="Book of Tests", partof_pages="12-34")
    return {key: value for key, value in data.items() if value not in ("", [], None)}


@dataclass
class Seeded:
    concept_id: str
    latest_id: int
    versions: int
    pending: str | None = None  # "new-version" | "edit"
    metadata: dict = field(default_factory=dict)


def _file(folder: Path, name: str, content: bytes) -> LocalFile:
    path = folder / name
    path.write_bytes(content)
    return LocalFile(name=name, path=path, size=len(content), md5=hashlib.md5(content).hexdigest())


def seed_one(backend: ZenodoDepositBackend, i: int, folder: Path) -> Seeded:
    metadata = record_metadata(i)
    versions = 3 if i % 7 == 0 else 1
    draft = backend.create(metadata)
    backend.upload(draft, _file(folder, f"data-{i}.csv", f"a,b\n{i},1\n".encode()))
    record = backend.publish(draft.id)
    for version in range(2, versions + 1):
        draft = backend.new_version(record.id)
        for remote in draft.files:
            backend.delete_file(draft, remote)
        backend.upload(draft, _file(folder, f"data-{i}.csv", f"a,b\n{i},{version}\n".encode()))
        metadata = {**metadata, "version": f"{i}.{version}"}
        backend.update_metadata(draft.id, metadata)
        record = backend.publish(draft.id)
    pending = None
    if i % 11 == 5:
        backend.new_version(record.id)
        pending = "new-version"
    elif i % 13 == 6:
        backend.edit(record.id)
        pending = "edit"
    return Seeded(str(record.concept_id), record.id, versions, pending, metadata)


def seed(backend: ZenodoDepositBackend, count: int, workers: int = 4) -> list[Seeded]:
    folder = Path(tempfile.mkdtemp(prefix="zsync-import-seed-"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda i: seed_one(backend, i, folder), range(count)))
