"""Location points as Zenodo keeps them (§3.10 locations).

The legacy deserializer builds a GeoJSON point only when both `lat` and `lon` are truthy, so a
coordinate of 0 (the equator, Greenwich) or a lone one is lost. The emulator stores by this
rule, the normaliser predicts the readback with it and the validator warns before it bites.
"""

from __future__ import annotations


def keeps_point(lat: object, lon: object) -> bool:
    """Whether the server stores a point for these coordinates."""
    return bool(lat and lon)
