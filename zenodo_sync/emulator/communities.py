"""The communities API, read side (docs/zenodo-behaviour.md §6.9): list and search, read by slug or
id, a community's records.

The emulator keeps no community of its own: a community exists once a published record
belongs to it (every slug asked for at publish is accepted, service._include_communities).
Its id is a UUID derived from the slug, so it is the same after a restart.
"""

from __future__ import annotations

import uuid
from typing import Any

from zenodo_sync.emulator import search
from zenodo_sync.emulator.errors import ApiError, pid_does_not_exist
from zenodo_sync.emulator.views import Urls

_NAMESPACE = uuid.UUID("8f0e3b1c-5b5a-4c43-9d0e-2f6a53d0c0de")  # any fixed one: ids stable per slug
SORTS = ("newest", "oldest", "bestmatch", "updated-desc", "updated-asc")


def community_id(slug: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, slug))


def known(views: list[dict]) -> dict[str, dict]:
    """slug -> {slug, created, updated} over the published records' parents."""
    found: dict[str, dict] = {}
    for view in views:
        record = view.get("record")
        if record is None:
            continue
        for slug in view["parent"]["communities"]:
            entry = found.setdefault(
                slug, {"slug": slug, "created": record["created"], "updated": record["created"]}
            )
            entry["created"] = min(entry["created"], record["created"])
            entry["updated"] = max(entry["updated"], record["updated"])
    return found


def resolve(communities: dict[str, dict], id_or_slug: str) -> dict:
    """By slug or by id, as invenio-communities resolves either (404 otherwise)."""
    if id_or_slug in communities:
        return communities[id_or_slug]
    for entry in communities.values():
        if community_id(entry["slug"]) == id_or_slug:
            return entry
    raise pid_does_not_exist()


def render(entry: dict, urls: Urls) -> dict:
    """invenio-communities' community JSON, the parts a client reads."""
    slug = entry["slug"]
    ident = community_id(slug)
    api = f"{urls.api}/communities/{ident}"
    return {
        "id": ident,
        "slug": slug,
        "created": entry["created"],
        "updated": entry["updated"],
        "revision_id": 1,
        "metadata": {"title": slug, "type": {"id": "organization"}},
        "access": {
            "visibility": "public",
            "members_visibility": "public",
            "member_policy": "open",
            "record_submission_policy": "open",
            "review_policy": "open",
        },
        "custom_fields": {},
        "children": {"allow": False},
        "deletion_status": {"is_deleted": False, "status": "P"},
        "links": {
            "self": api,
            "self_html": f"{urls.ui}/communities/{slug}",
            "settings_html": f"{urls.ui}/communities/{slug}/settings",
            "logo": f"{api}/logo",
            "rename": f"{api}/rename",
            "members": f"{api}/members",
            "public_members": f"{api}/members/public",
            "invitations": f"{api}/invitations",
            "requests": f"{api}/requests",
            "records": f"{api}/records",
            "membership_requests": f"{api}/membership-requests",
        },
    }


def search_communities(communities: dict[str, dict], args: Any, urls: Urls, base_url: str) -> dict:
    """GET /api/communities: `q` matches the slug (and title, which is the slug here)."""
    params = search.parse_params(args, authenticated=True)
    sort = args.get("sort") or ("bestmatch" if params.q else "newest")
    if sort not in SORTS:
        raise ApiError(400, f"Invalid sort option '{sort}'.")
    predicate = search.compile_query(params.q)
    hits = [
        entry
        for entry in communities.values()
        if predicate({"title": [entry["slug"]], "id": [entry["slug"]]})
    ]
    field = "updated" if sort.startswith("updated") else "created"
    hits.sort(key=lambda entry: (entry[field], entry["slug"]), reverse=sort not in ("oldest", "updated-asc"))
    start = (params.page - 1) * params.size
    page = hits[start : start + params.size]
    self_link = f"{base_url}?page={params.page}&size={params.size}&sort={sort}"
    links = {"self": self_link}
    if params.page * params.size < len(hits):
        links["next"] = f"{base_url}?page={params.page + 1}&size={params.size}&sort={sort}"
    return {
        "hits": {"hits": [render(entry, urls) for entry in page], "total": len(hits)},
        "aggregations": {},
        "sortBy": sort,
        "links": links,
    }
