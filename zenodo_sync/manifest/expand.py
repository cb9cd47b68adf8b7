"""A valid manifest's metadata in the form zsync sends to the deposit API.

Shorthands are expanded to the only shapes the deposit API accepts (docs/zenodo-behaviour.md §3.10):
communities must be `[{"identifier": slug}]` (anything else is a 400), grants
`[{"id": "funderDOI::award"}]`, license a lower-case id. ORCIDs are sent bare (Zenodo
strips the URL prefix itself; sending the bare form keeps the plan's diff quiet).
Descriptions written in Markdown or plain text become HTML, Zenodo's only format.
"""

from __future__ import annotations

import copy
import html
import re
from typing import Any

from zenodo_sync.zenodo.identifiers import strip_orcid_url

PEOPLE_FIELDS = ("creators", "contributors", "thesis_supervisors")


def markdown_to_html(text: str) -> str:
    # markdown-it-py: CommonMark-exact and maintained (executablebooks). Tables and
    # strikethrough are on because Zenodo's HTML allow-list keeps <table> and <s>.
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text).strip()


def text_to_html(text: str) -> str:
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join(f"<p>{html.escape(part, quote=False)}</p>" for part in paragraphs)


def description_html(text: str, description_format: str) -> str:
    if description_format == "markdown":
        return markdown_to_html(text)
    if description_format == "text":
        return text_to_html(text)
    return (
        text.strip()
    )  # Zenodo strips stored HTML (docs/zenodo-behaviour.md §3.11); so do we, to keep diffs quiet


def to_deposit_metadata(metadata: dict[str, Any], description_format: str = "html") -> dict[str, Any]:
    sent = copy.deepcopy(metadata)
    if "license" in sent:
        value = sent["license"]
        sent["license"] = (value["id"] if isinstance(value, dict) else value).strip().lower()
    if "communities" in sent:
        sent["communities"] = [
            item if isinstance(item, dict) else {"identifier": item} for item in sent["communities"]
        ]
    if "grants" in sent:
        sent["grants"] = [item if isinstance(item, dict) else {"id": item} for item in sent["grants"]]
    for field in PEOPLE_FIELDS:
        for person in sent.get(field) or []:
            if "orcid" in person:
                person["orcid"] = strip_orcid_url(person["orcid"])
    if isinstance(sent.get("description"), str):
        sent["description"] = description_html(sent["description"], description_format)
    return sent
