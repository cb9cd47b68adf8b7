"""`zsync validate` and the Zenodo emulator agree on every license id, through the real CLI.

Both read one table (zenodo_sync.zenodo.licenses). An id the validator passes and the server
then refuses ("Invalid license provided") fails a user only at apply time, after the files
went up: the case that started issue #9 was `3d-slicer-1.0`, an SPDX id Zenodo does not know.
"""

from __future__ import annotations

import pytest
import requests

# An SPDX id missing from Zenodo's table, a legacy alias, a legacy id read back, an RDM id,
# a misspelt alias, and an object form.
LICENSES = ["3d-slicer-1.0", "cc-zero", "MIT", "gpl-3.0-only", "agpl-v3", "cc0", "{id: CC-BY-4.0}"]


def emulator_accepts(emulator, license_value: object) -> bool:
    """Whether a deposit with this license is created (201) or refused for it (400)."""
    metadata = {
        "title": "Rose scent GC-MS data",
        "upload_type": "dataset",
        "description": "Measurements.",
        "creators": [{"name": "Doe, Jane"}],
        "license": license_value,
    }
    response = requests.post(
        f"{emulator.url}/deposit/depositions",
        json={"metadata": metadata},
        headers={"Authorization": f"Bearer {emulator.token}"},
        timeout=10,
    )
    assert response.status_code in (201, 400), response.text
    if response.status_code == 400:
        assert response.json()["errors"][0]["field"] == "metadata.license", response.text
    return response.status_code == 201


@pytest.mark.parametrize("license_yaml", LICENSES)
def test_validate_passes_exactly_what_the_emulator_accepts(project, emulator, zsync, license_yaml):
    project.edit_manifest("alpha", "license: cc-by-4.0", f"license: {license_yaml}")
    sent = {"id": "CC-BY-4.0"} if license_yaml.startswith("{") else license_yaml

    validated = zsync("validate", "datasets/alpha/zenodo.yaml")

    accepted = emulator_accepts(emulator, sent)
    assert validated.code == (0 if accepted else 1), (
        f"emulator {'accepts' if accepted else 'refuses'} {sent!r}; validate said:\n{validated.out}{validated.err}"
    )
    if not accepted:
        assert "(license-unknown)" in validated.out


def test_an_accepted_license_goes_through_apply(project, zenv, zsync):
    # The same agreement at apply time: an alias the validator passes, Zenodo stores.
    project.edit_manifest("alpha", "license: cc-by-4.0", "license: agpl-v3")
    applied = zsync("apply", "--auto-approve", "--target", "alpha")
    assert applied.code == 0, applied.out + applied.err
    assert zsync("plan", "--detailed-exitcode", "--target", "alpha").code == 0
