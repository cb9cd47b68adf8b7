"""Dates as Zenodo accepts and stores them (§3.9, §3.10 publication_date, dates).

RDM takes EDTF level 0 dates (YYYY, YYYY-MM, YYYY-MM-DD) naming a real calendar day; a legacy
`dates[]` entry is stored as ONE EDTF value, a single date or a `start/end` interval, and only
an interval reads back with its values (zenodo/zenodo#2594). The emulator stores by these rules,
the validator checks manifests with them and the normaliser predicts the readback with them.
The same three share when an embargo is over (§3.9 publish, §3.10 access_right).
"""

from __future__ import annotations

import datetime
import re

_EDTF_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def parse_edtf_date(value: object) -> datetime.date | None:
    """The first day an EDTF level 0 date names, or None if it is not one or names no real day."""
    if not isinstance(value, str) or not _EDTF_DATE.match(value):
        return None
    year, month, day = ([int(part) for part in value.split("-")] + [1, 1])[:3]
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def is_edtf_date(value: object) -> bool:
    return parse_edtf_date(value) is not None


def is_edtf_date_or_interval(value: object) -> bool:
    """A date, or `start/end` of two dates with start not after end."""
    if isinstance(value, str) and value.count("/") == 1:
        start, end = value.split("/")
        return is_edtf_date(start) and is_edtf_date(end) and start <= end
    return is_edtf_date(value)


def is_interval(start: object, end: object) -> bool:
    """Both sides given and different: stored as `start/end`, the one form that reads back."""
    return bool(start and end and start != end)


def stored_date_value(start: object, end: object) -> object:
    """The one value a legacy {start, end} pair is stored as: the interval, else whichever side
    is given (start == end is a single date too); None when neither is."""
    if is_interval(start, end):
        return f"{start}/{end}"
    return start or end or None


def embargo_has_ended(until: str, today: str) -> bool:
    """An embargo until `until` is over on `today` (both YYYY-MM-DD...): RDM compares the date,
    midnight UTC, with now, so on the day itself it has ended. Zenodo then lifts it (files
    public, `access_right: open`), and refuses to publish a new one (§3.9, §3.10)."""
    return until[:10] <= today
