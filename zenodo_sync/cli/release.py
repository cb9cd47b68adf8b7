"""`zsync release [DATASET] [--tag TAG]`: publish a release as a new version under its concept DOI.

The DOIs are printed, and in GitHub Actions also written to the step outputs (`doi`,
`concept-doi`, `version`, `record-id`, `record-url`) and the job summary.
"""

from __future__ import annotations

import os

import click

from zenodo_sync.ci.environment import GitHub
from zenodo_sync.ci.outputs import add_summary, set_outputs
from zenodo_sync.cli.options import server_option
from zenodo_sync.cli.progress import Console
from zenodo_sync.release.event import read_event
from zenodo_sync.run import ReleaseRequest, ReleaseResult, RunOptions, release_project


@click.command(name="release")
@click.argument("dataset", required=False, metavar="[DATASET]")
@click.option(
    "--tag", metavar="TAG", help="The tag to release (default: the release or tag event of the job)."
)
@click.option("--notes-from-release", is_flag=True, help="The release's notes become the version's notes.")
@click.option(
    "--asset",
    "assets",
    multiple=True,
    metavar="PATH",
    help="Attach these files (paths or globs) instead of the git archive of the tag. Repeatable.",
)
@click.option(
    "--download-assets",
    is_flag=True,
    help="Attach the release's assets (from the event, via the GitHub API).",
)
@click.option(
    "--update-citation",
    is_flag=True,
    help="Then write the new DOI, version and date into CITATION.cff and the README badge (not committed).",
)
@server_option
def command(
    dataset: str | None,
    tag: str | None,
    notes_from_release: bool,
    assets: tuple[str, ...],
    download_assets: bool,
    update_citation: bool,
    server: str | None,
) -> int:
    """Publish the tagged release as a new version of DATASET (the first, if it has none).

    DATASET is a manifest key; by default the tag says it (`rose-v1.2.0`), or the project
    has one dataset (a manifest, or its .zenodo.json / CITATION.cff).
    """
    if assets and download_assets:
        raise click.UsageError("--asset and --download-assets are two sources of files: choose one.")
    env = dict(os.environ)
    request = ReleaseRequest(
        event=read_event(tag, env),
        dataset=dataset,
        notes_from_release=notes_from_release,
        assets=assets,
        download_assets=download_assets,
        update_citation=update_citation,
        env=env,
    )
    console = Console()
    result = release_project(RunOptions(server=server), request, console.report)
    click.echo("")
    if result.already_released:
        click.echo(f"{result.key} version {result.version} was released already; nothing was sent.")
    elif result.left_for_review:
        click.echo(
            f"{result.key} version {result.version} (tag {result.tag}) is a draft for review (publish: false); "
            "publishing it on Zenodo, or `zsync release` without `publish: false`, mints its DOI."
        )
    else:
        click.echo(f"Released {result.key} version {result.version} (tag {result.tag}).")
    click.echo(f"  DOI: {result.doi}" + (" (reserved)" if result.left_for_review else ""))
    click.echo(f"  concept DOI: {result.concept_doi}")
    if result.url:
        click.echo(f"  record: {result.url}")
    if result.updated_files:
        click.echo(f"Updated {', '.join(result.updated_files)} with the new DOI: commit them.")
    github = GitHub.from_environ(env)
    set_outputs(github, step_outputs(result))
    add_summary(github, _summary(result))
    return 0


def step_outputs(result: ReleaseResult) -> dict[str, str]:
    """The step outputs, by name; action.yml declares each of them."""
    return {
        "doi": result.doi or "",
        "concept-doi": result.concept_doi or "",
        "version": result.version,
        "record-id": str(result.record_id or ""),
        "record-url": result.url or "",
        "draft": "true" if result.left_for_review else "false",
    }


def _summary(result: ReleaseResult) -> str:
    head = (
        "already released"
        if result.already_released
        else "left as a draft for review"
        if result.left_for_review
        else "released"
    )
    rows = [
        ("Version", f"`{result.version}` (tag `{result.tag}`)"),
        ("DOI", f"[{result.doi}](https://doi.org/{result.doi})" if result.doi else "-"),
        (
            "Concept DOI (all versions)",
            f"[{result.concept_doi}](https://doi.org/{result.concept_doi})" if result.concept_doi else "-",
        ),
        ("Record", result.url or "-"),
        ("Files", ", ".join(f"`{name}`" for name in result.files) or "-"),
    ]
    if result.cited_in_archive:
        rows.append(("CITATION.cff", "the archived copy cites this version's DOI"))
    table = "\n".join(f"| {name} | {value} |" for name, value in rows)
    return f"### zsync: {result.key} {head}\n\n| | |\n|---|---|\n{table}\n"
