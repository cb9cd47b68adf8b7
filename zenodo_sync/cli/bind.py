"""`zsync bind KEY CONCEPT`: tie a manifest to an existing Zenodo record, in zsync.lock."""

from __future__ import annotations

import click

from zenodo_sync.cli.options import server_option
from zenodo_sync.cli.output import to_terminal
from zenodo_sync.run.binding import bind_dataset
from zenodo_sync.run.options import Kind, RunOptions


@click.command(name="bind")
@click.argument("key")
@click.argument("concept")
@click.option("--force", is_flag=True, help="Replace a different binding, or an unfinished apply, of KEY.")
@server_option
def command(key: str, concept: str, force: bool, server: str | None) -> int:
    """Make the manifest KEY manage the existing record CONCEPT instead of creating one.

    CONCEPT is the record's concept DOI (10.5281/zenodo.2598799), a Zenodo record URL or the
    concept record id. The binding goes into zsync.lock; the manifest is not changed (writing
    `concept: CONCEPT` in it does the same, visibly).
    """
    result = bind_dataset(RunOptions(server=server), key, concept, force=force, report=to_terminal)
    named = result.concept_doi or f"concept id {result.concept_id}"
    if not result.changed:
        to_terminal(Kind.RESULT, f"{result.key} is already bound to {named} in {result.lock_path.name}.")
        return 0
    to_terminal(
        Kind.RESULT,
        f"Bound {result.key} to {named} (concept {result.concept_id}) in {result.lock_path.name}. "
        "`zsync plan` now shows the manifest against that record: an update or a new version, "
        "never a create.",
    )
    return 0
