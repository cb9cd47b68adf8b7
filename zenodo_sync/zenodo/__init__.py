"""Zenodo's rules, written once for the three places that need them.

The emulator's translation layer applies a rule (what the server does), the normaliser predicts
it (so a plan right after an apply is empty) and the validator checks a manifest against it
(what the server accepts). Where all three follow the same rule, the rule lives here, one module
per kind of rule; section numbers are `../shared/zenodo-api.md`.

- `identifiers`: related identifier detection, ORCID iDs and DOIs (§3.10).
- `names`: "Family, Given" splitting and recomposition (§3.10, §3.11).
- `dates`: EDTF dates, the single-date-versus-interval rule, when an embargo is over (§3.9, §3.10).
- `locations`: which coordinates the server keeps as a point (§3.10).
- `grants`: grant ids, the EC default and the funder DOI <-> ROR round trip (§3.10).

Vocabularies and the rules that are one table lookup (licenses, default license, languages,
relation and contributor-type casing, resource type ids, text length bounds) stay in
`zenodo_sync.zenodo.vocabulary`.
"""
