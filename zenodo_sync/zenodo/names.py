"""Creator and contributor names as Zenodo splits and recomposes them (§3.10, §3.11).

The legacy deserializer splits `name` into RDM's family and given name; the legacy serializer
recomposes `name` from them. The emulator applies both halves; the normaliser applies the same
two to predict the readback ("Doe,John" and " Doe ,  John " both read back "Doe, John").
"""

from __future__ import annotations

from zenodo_sync.zenodo.sanitise import sanitise_text


def split_name(name: str) -> tuple[str, str | None]:
    """(family, given): exactly one comma separates them, each part sanitised (§3.11);
    any other name is all family name, with no given name at all (None)."""
    if name.count(",") == 1:
        family, given = name.split(",")
        return sanitise_text(family), sanitise_text(given)
    return sanitise_text(name), None


def readback_name(family: str, given: str | None) -> str | None:
    """The `name` the deposit API reads back: "Family, Given", or the family name alone when
    the given name is empty. None when the family name is blank: RDM drops it from the draft
    ("Family name cannot be blank.", reported at publish) and no name is read back."""
    if not family:
        return None
    return f"{family}, {given}" if given else family
