"""`zsync validate` and the Zenodo emulator agree on every license id, through the real CLI.

Both read one table (zenodo_sync.zenodo.licenses). An id the validator passes and the server
then refuses ("Invalid license provided") fails a user only at apply time, after the files
went up: the case that started issue #9 was `3d-slicer-1.0`, an SPDX id Zenodo does not know.
"""

from __future__ import annotations

import pytest

# An SPDX id missing from Zenodo's table, a legacy alias, a legacy id read back, an RDM id.
LICENSES = ["3d-slicer-1.0", "cc-zero", "MIT", "gpl-3.0-only", "agpl-v3"]


@pytest.mark.parametrize("license_id", LICENSES)
def test_validate_passes_exactly_what_the_emulator_accepts(project, zenv, zsync, license_id):
    project.edit_manifest("alpha", "license: cc-by-4.0", f"license: {license_id}")

    validated = zsync("validate", "datasets/alpha/zenodo.yaml")
    applied = zsync("apply", "--auto-approve", "--target", "alpha")

    refused_by_server = "Invalid license provided" in applied.out + applied.err
    assert applied.code == (1 if refused_by_server else 0), applied.out + applied.err
    assert validated.code == applied.code, (
        f"validate said {validated.code}, apply said {applied.code}:\n"
        f"{validated.out}{validated.err}\n{applied.out}{applied.err}")
    if refused_by_server:
        assert "license-unknown" in validated.out
