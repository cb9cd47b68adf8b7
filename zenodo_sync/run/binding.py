"""`zsync bind`: a manifest's key tied in the lock to a concept that exists on the server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from zenodo_sync.errors import ConfigError
from zenodo_sync.run.connection import backend_from_settings, server_lock
from zenodo_sync.run.manifests import load_manifests, project_root, target_hint
from zenodo_sync.run.options import Kind, Report, RunOptions, ignore
from zenodo_sync.settings import load_settings


@dataclass(frozen=True)
class Binding:
    """What `zsync bind` recorded: the key, the concept it now follows, and where."""

    key: str
    concept_id: str
    concept_doi: str | None
    lock_path: Path
    changed: bool  # False: the lock held this binding already


def bind_dataset(
    options: RunOptions, key: str, concept: str, *, force: bool = False, report: Report = ignore
) -> Binding:
    """Record in the server's lock that manifest `key` describes the existing concept `concept`.

    The manifest is not edited (a `concept:` line in it does the same, visibly). The concept
    must be one of the token owner's on the server; a different binding, another key's
    concept or an unfinished apply is replaced only with `force`.
    """
    from zenodo_sync.engine.binding import resolve_concept
    from zenodo_sync.engine.identity import marker_for, markers_of
    from zenodo_sync.engine.refresh import list_everything
    from zenodo_sync.engine.state import LockEntry
    from zenodo_sync.errors import BindingError
    from zenodo_sync.zenodo.concepts import ConceptFormatError, parse_concept

    try:
        ref = parse_concept(concept)
    except ConceptFormatError as exc:
        raise ConfigError(f"zsync bind {key} {concept}: `{concept}` {exc}.") from None
    root = project_root(options)
    project = load_manifests(options)
    manifest = project.manifest(key)
    if manifest is None:
        raise ConfigError(
            f"zsync bind {key}: no manifest has this key.",
            hint=target_hint(key, {m.key for m in project.manifests}),
        )
    key = manifest.key
    if manifest.concept is not None and manifest.concept.number != ref.number:
        raise BindingError(
            f"{key}: {manifest.display} already binds concept {manifest.concept} (`concept:`), not {ref}.",
            hint=f"Change or remove `concept:` in {manifest.display}: the manifest's own binding wins.",
        )
    settings = load_settings(options.server, project.config, cli_backend=options.backend)
    backend = backend_from_settings(settings)
    lock = server_lock(root, project, settings, report)
    report(Kind.STATUS, f"Looking for concept {ref} on {settings.server}...")
    listing = list_everything(backend)
    bound = resolve_concept(backend, listing.by_concept, ref, who=f"zsync bind {key} {concept}")
    ours = {marker_for(key, project.config.namespace), marker_for(key)}
    foreign = sorted(
        {
            marker
            for record in listing.by_concept.get(bound.concept_id, {}).values()
            for marker in markers_of(record.metadata)
        }
        - ours
    )
    if foreign:
        raise BindingError(
            f"zsync bind {key} {concept}: concept {bound.concept_id} carries the zsync marker "
            f"{foreign[0]}: zsync manages it for another dataset (or another repository). Nothing "
            "was changed.",
            hint="Bind a record zsync does not manage yet, or use that dataset's own manifest.",
        )
    lock_name = lock.path.relative_to(root).as_posix()
    entry = lock.get(key)
    if entry is not None and entry.concept_id == bound.concept_id and entry.in_flight is None:
        return Binding(key, bound.concept_id, bound.concept_doi, lock.path, changed=False)
    refusals = []
    if entry is not None and entry.concept_id is not None and entry.concept_id != bound.concept_id:
        refusals.append(f"{lock_name} ties {key} to concept {entry.concept_id}")
    if entry is not None and entry.in_flight is not None:
        refusals.append(f"{lock_name} records an unfinished {entry.in_flight.operation} for {key}")
    owners = [
        other
        for other, other_entry in sorted(lock.entries.items())
        if other != key and other_entry.concept_id == bound.concept_id
    ]
    if owners:
        # Not even with --force: two manifests on one record rewrite it in turn on every apply.
        raise BindingError(
            f"zsync bind {key} {concept}: {lock_name} already ties concept {bound.concept_id} to the "
            f"key {owners[0]}; one record can follow one manifest only. Nothing was changed.",
            hint=f"Bind another concept, or first remove the manifest of {owners[0]} and run `zsync apply` "
            "(it forgets that key).",
        )
    if refusals and not force:
        raise BindingError(
            f"zsync bind {key} {concept}: {'; '.join(refusals)}; nothing was changed.",
            hint="Run `zsync plan` to see what the lock holds now; `zsync bind --force` replaces it.",
        )
    lock.put(key, LockEntry(concept_id=bound.concept_id, concept_doi=bound.concept_doi, bound=True))
    return Binding(key, bound.concept_id, bound.concept_doi, lock.path, changed=True)
