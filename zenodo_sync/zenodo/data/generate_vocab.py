"""Regenerate the shipped vocabulary files (development time only, not a runtime import).

    git clone --depth 1 https://github.com/zenodo/zenodo-rdm /tmp/zenodo-rdm
    python -m venv /tmp/gen && /tmp/gen/bin/pip install pycountry
    /tmp/gen/bin/python zenodo_sync/zenodo/data/generate_vocab.py /tmp/zenodo-rdm

Writes `licenses.txt` (from Zenodo's own legacy license table in that checkout) and
`languages.txt` (from pycountry) beside this script. Neither source is a dependency of zsync:
the tables change rarely and the validator must work offline.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

from zenodo_sync.atomicfile import write_atomic

HERE = Path(__file__).resolve().parent
# Zenodo's legacy deposit API resolves a license through this map (legacy id -> RDM rights id).
LEGACY_MAP = Path("legacy/zenodo_legacy/data/legacy_to_rdm_map.json")
RDM_VOCABULARY = Path("app_data/vocabularies/licenses.csv")


def _commit_of(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown commit"


def generate_licenses(zenodo_rdm: Path, today: str) -> None:
    # json keeps the file's order, and the order matters: Zenodo reads a license back through
    # the inverted map, where the last legacy id of an RDM id wins (§3.12).
    legacy_to_rdm: dict[str, str] = json.loads((zenodo_rdm / LEGACY_MAP).read_text(encoding="utf-8"))
    rdm_ids = {
        line.split(",", 1)[0]
        for line in (zenodo_rdm / RDM_VOCABULARY).read_text(encoding="utf-8").splitlines()[1:]
        if line
    }
    missing = sorted(set(legacy_to_rdm.values()) - rdm_ids)
    if missing:
        sys.exit(f"legacy map names RDM ids missing from the licenses vocabulary: {missing}")
    lines = [
        "# Zenodo's legacy license table: the ids the deposit API accepts (after lower-casing and",
        "# its aliases, see zenodo/licenses.py) and the RDM rights id each is stored as.",
        "# Tab-separated: legacy id, RDM id. Order matters: reading back, the LAST legacy id of an",
        "# RDM id is the one shown (cc-by-1.0 reads back as `cc-by`).",
        f"# Source: zenodo/zenodo-rdm {_commit_of(zenodo_rdm)} {LEGACY_MAP.as_posix()},",
        f"# generated {today} by zenodo_sync/zenodo/data/generate_vocab.py.",
        *(f"{legacy}\t{rdm}" for legacy, rdm in legacy_to_rdm.items()),
    ]
    write_atomic(HERE / "licenses.txt", "\n".join(lines) + "\n")


def generate_languages(today: str) -> None:
    import pycountry

    version = importlib.metadata.version("pycountry")
    lines = [
        (
            "# ISO 639-3 languages (the ids of Zenodo's languages vocabulary), tab-separated: "
            "alpha_3, alpha_2, bibliographic (639-2/B), name."
        ),
        f"# Source: PyPI pycountry {version}, generated {today} by zenodo_sync/zenodo/data/generate_vocab.py.",
    ]
    for lang in sorted(pycountry.languages, key=lambda item: item.alpha_3):
        fields = (lang.alpha_3, getattr(lang, "alpha_2", ""), getattr(lang, "bibliographic", ""), lang.name)
        lines.append("\t".join(fields))
    write_atomic(HERE / "languages.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    stamp = datetime.date.today().isoformat()
    generate_licenses(Path(sys.argv[1]), stamp)
    generate_languages(stamp)
