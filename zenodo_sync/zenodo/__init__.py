"""What zsync knows about Zenodo, written once for the three places that need it.

The emulator's translation layer applies a rule (what the server does), the normaliser predicts
it (so a plan right after an apply is empty) and the validator checks a manifest against it
(what the server accepts). All three import the rule from here, so they cannot disagree.
Comments cite Zenodo's behaviour by section number (§N.N) of docs/zenodo-behaviour.md.

- `licenses`: the license table: ids accepted (case, aliases), stored, read back; the default
  license (§3.10, §3.12). Data: `data/licenses.txt`, generated from Zenodo's own table.
- `vocabulary`: the other controlled vocabularies (resource types, relations, contributor
  types, date types, identifier schemes, languages from `data/languages.txt`, funders) and the
  rules that are one lookup in them (§3.10, §6.3).
- `fields`: the legacy metadata keys the server keeps, drops, fills in, and their length
  bounds (§3.6, §3.10).
- `limits`: files and bytes one record may hold (§5).
- `sanitise`: the server's plain-text and HTML rewriting (§3.11).
- `identifiers`: related identifier detection, ORCID iDs and DOIs (§3.10).
- `names`: "Family, Given" splitting and recomposition (§3.10, §3.11).
- `dates`: EDTF dates, the single-date-versus-interval rule, when an embargo is over (§3.9, §3.10).
- `locations`: which coordinates the server keeps as a point (§3.10).
- `grants`: grant ids, the EC default and the funder DOI <-> ROR round trip (§3.10).
- `concepts`: the ways a user names a concept (concept DOI, record URL, concept id; §1.4).
- `recordref`: a record named by id, DOI (version or concept) or link, read into its id (§6.1, §8.1).

`data/generate_vocab.py` regenerates the data files (development time only).
"""
