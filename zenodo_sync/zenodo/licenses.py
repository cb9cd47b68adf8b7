"""Zenodo's license table: which ids the deposit API accepts, what it stores, what it reads back.

The one lookup for the validator (may a manifest say this?), the emulator (store it, read it
back) and the normaliser (do two ids mean the same license?), so they cannot disagree (§3.12).

How Zenodo resolves a license sent to the deposit API: lower-case and strip it, replace it
through its alias table, then look the result up in its legacy map (data/licenses.txt,
generated from Zenodo's own table). Anything the map lacks is "Invalid license provided", except
two legacy ids Zenodo keeps as a title alone (§3.10). Reading back, the map is inverted and the
last legacy id of an RDM id wins: `cc0-1.0` reads back as `cc-zero`, `mit` as `mit-license`.
"""

from __future__ import annotations

import functools
from importlib import resources

# Zenodo's legacy alias table (zenodo-rdm legacy licenses.py), applied before the map. Some
# aliases override a map entry of the same name: `cc-by` sent means cc-by-4.0, though `cc-by`
# read back means cc-by-1.0 (§3.12). `fal` and `gfdl` lead to ids the map lacks.
_ALIASES = {
    "agpl-v3": "agpl-3.0-only",
    "agpl-3.0": "agpl-3.0-only",
    "apache": "apache-2.0",
    "apache2.0": "apache-2.0",
    "apl1.0": "apl-1.0",
    "artistic-license-2.0": "artistic-2.0",
    "attribution": "aal",
    "bsl1.0": "bsl-1.0",
    "ca-tosl1.1": "catosl-1.1",
    "cc-by": "cc-by-4.0",
    "cc-by-sa": "cc-by-sa-4.0",
    "cc-zero": "cc0-1.0",
    "cddl1": "cddl-1.0",
    "cpal_1.0": "cpal-1.0",
    "cuaoffice": "cua-opl-1.0",
    "ecl2": "ecl-2.0",
    "eclipse-1.0": "epl-1.0",
    "eiffel": "efl-2.0",
    "fal": "fal-1.3",
    "frameworx": "frameworx-1.0",
    "gfdl": "gfdl-1.3-no-cover-texts-no-invariant-sections",
    "ibmpl": "ipl-1.0",
    "intel-osl": "intel",
    "ipafont": "ipa",
    "isc-license": "isc",
    "lucent1.02": "lpl-1.02",
    "mit-license": "mit",
    "mozilla": "mpl-1.0",
    "mozilla1.1": "mpl-1.1",
    "nasa1.3": "nasa-1.3",
    "nethack": "ngpl",
    "nosl3.0": "nposl-3.0",
    "ntp-license": "ntp",
    "oclc2": "oclc-2.0",
    "odc-by": "odc-by-1.0",
    "odc-odbl": "odbl-1.0",
    "odc-pddl-1.0": "pddl-1.0",
    "openfont": "ofl-1.1",
    "opengroup": "ogtsl",
    "php": "php-3.0",
    "pythonpl": "cnri-python",
    "pythonsoftfoundation": "python-2.0",
    "qtpl": "qpl-1.0",
    "real": "rpsl-1.0",
    "ricohpl": "rscpl",
    "rpl1.5": "rpl-1.5",
    "sun-issl": "sissl",
    "sunpublic": "spl-1.0",
    "sybase": "watcom-1.0",
    "tcl": "tcl",
    "uk-ogl": "ogl-uk-1.0",
    "uoi-ncsa": "ncsa",
    "ver2_eiffel": "efl-2.0",
    "vovidapl": "vsl-1.0",
    "zlib-license": "zlib",
    "zpl": "zpl-2.0",
}

# §3.10: legacy ids whose alias leads outside the map, which Zenodo still takes by storing only a
# title (matched as written, not lower-cased). They read back with no license at all, so a plan
# can never settle. Each with the id its alias meant, which Zenodo does know.
_TITLE_ONLY = {"fal": "Free Art License", "gfdl": "GNU Free Documentation License"}
_TITLE_ONLY_MEANT = {"fal": "lal-1.3", "gfdl": "gfdl-1.3-no-invariants-only"}

# §3.10: the license the server fills in when none is given (open or embargoed access only).
DEFAULT_LICENSE_DATASET = "cc0-1.0"
DEFAULT_LICENSE_OTHER = "cc-by-4.0"


@functools.cache
def _legacy_to_rdm() -> dict[str, str]:
    """Zenodo's legacy map, in the file's order (which decides the read-back id)."""
    text = resources.files("zenodo_sync.zenodo.data").joinpath("licenses.txt").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return dict(rows)


@functools.cache
def _rdm_to_legacy() -> dict[str, str]:
    return {rdm: legacy for legacy, rdm in _legacy_to_rdm().items()}  # the last legacy id wins


def rdm_license_for_legacy(license_id: str) -> str | None:
    """§3.12: the RDM rights id Zenodo stores for a license id sent to the deposit API (any
    case, aliases resolved), or None if it has no license id for it."""
    lowered = license_id.strip().lower()
    return _legacy_to_rdm().get(_ALIASES.get(lowered, lowered))


def legacy_license_for_rdm(rdm_id: str) -> str | None:
    """§3.12: the license id the deposit API reads back for a stored RDM rights id, or None
    (read back as `license: null`) for an id outside Zenodo's table."""
    return _rdm_to_legacy().get(rdm_id)


def rdm_license_for_read_back(read_back_id: str) -> str | None:
    """§3.12: the RDM id behind an id the deposit API read back. The map alone, no aliases: a
    read-back `cc-by` is cc-by-1.0, though `cc-by` sent means cc-by-4.0."""
    return _legacy_to_rdm().get(read_back_id.strip().lower())


def title_only_license(license_id: str) -> str | None:
    """§3.10: the title Zenodo stores, with no license id, for a legacy id outside its map."""
    return _TITLE_ONLY.get(license_id)


def license_meant_by_title_only(license_id: str) -> str | None:
    """The license id to write instead of a title-only one (`fal` -> lal-1.3)."""
    return _TITLE_ONLY_MEANT.get(license_id)


@functools.cache
def accepted_license_ids() -> frozenset[str]:
    """Every id (lower-case) the deposit API resolves to a license, aliases included."""
    return frozenset(legacy for legacy in {*_legacy_to_rdm(), *_ALIASES} if rdm_license_for_legacy(legacy))


def default_license(upload_type: object, access_right: object) -> str | None:
    """§3.10: the license the server fills in when none is given: only for open or embargoed
    access, cc0-1.0 for a dataset and cc-by-4.0 otherwise. The caller decides what an absent
    access_right means (the server reads it as open)."""
    if access_right not in ("open", "embargoed"):
        return None
    return DEFAULT_LICENSE_DATASET if upload_type == "dataset" else DEFAULT_LICENSE_OTHER
