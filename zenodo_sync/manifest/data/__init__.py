"""Data files of the validator.

`cff-1.2.0.schema.json`: the JSON Schema of the Citation File Format 1.2.0, unchanged, from
https://github.com/citation-file-format/citation-file-format (schema.json at commit
0c5b4aa07071490eaf261775ce96ccdd13a6e2d5). It is licensed CC-BY-4.0 by The Citation File
Format Authors (https://creativecommons.org/licenses/by/4.0/); zsync uses it as data, to
check a CITATION.cff offline (citation_cff.py).
"""
