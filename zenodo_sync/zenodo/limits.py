"""Limits of one record on zenodo.org (§5, invenio.cfg): checked by the validator before upload."""

MAX_FILES_PER_RECORD = 100
MAX_RECORD_BYTES = 50 * 10**9
MAX_FILE_BYTES = 50 * 10**9
