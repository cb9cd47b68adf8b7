from zenodo_sync.sizes import human_size


def test_human_size_uses_decimal_units_as_zenodo_states_its_limits():
    assert [human_size(n) for n in (None, 0, 999, 1000, 123_456, 2_500_000, 50 * 10**9)] == [
        "size unknown",
        "0 B",
        "999 B",
        "1.0 kB",
        "123.5 kB",
        "2.5 MB",
        "50.0 GB",
    ]
