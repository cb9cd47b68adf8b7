"""`zsync apply`: carry out a plan (a fresh one after confirmation, or a saved one exactly)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from zenodo_sync.engine.apply import DEFAULT_PARALLELISM, Applier, ApplyReport, StopRequested, adoption_of
from zenodo_sync.cli.plan import Prepared, prepare, render_plan, use_colour
from zenodo_sync.errors import ApplyInterrupted, ConfigError, StalePlanError, ZsyncError
from zenodo_sync.engine.planfile import check_not_stale, read_plan
from zenodo_sync.settings import Settings

CONFIRM_PROMPT = ("Do you want to apply?\n"
                  "  zsync will perform the actions described above.\n"
                  "  Only 'yes' will be accepted to approve.\n\n"
                  "  Enter a value")


def run_apply(prepared: Prepared, *, parallelism: int, echo=click.echo, adopt=()) -> ApplyReport:
    """Apply `prepared.plan` and print the outcome; raise if any dataset failed.

    `adopt`: keys allowed to take over a record found by its marker alone (Applier).
    """
    applier = Applier(prepared.backend, prepared.lock, prepared.desired, echo=echo, parallelism=parallelism,
                      namespace=prepared.namespace, adopt=adopt)
    report = applier.apply(prepared.plan)
    failed = report.errors
    if applier.interrupted:
        done = [o.key for o in report.outcomes if o.error is None]
        stopped = [o.key for o in failed if isinstance(o.error, StopRequested)]
        raise StopRequested(
            f"Interrupted: {len(done)} dataset(s) finished, {len(stopped)} stopped after the step in flight"
            + (f" ({', '.join(stopped)})" if stopped else "") + ".",
            hint="zsync.lock records every step that was done, and nothing was published after the "
                 "interrupt; run `zsync apply` again to finish.")
    if failed:
        done = len(report.outcomes) - len(failed)
        details = "; ".join(_without_key_prefix(o.key, o.error.message) for o in failed if o.error)
        raise ApplyInterrupted(
            f"Apply failed for {len(failed)} dataset(s) ({done} finished): {details}",
            hint="zsync.lock records every step that was done; fix the cause and run `zsync apply` "
                 "again: it resumes open drafts instead of creating new records.")
    echo("")
    echo(report.summary_line())
    for outcome in report.outcomes:
        record = outcome.record
        if record is not None and record.doi and outcome.action.family != "no-op":
            concept = f" (concept DOI {record.concept_doi})" if record.concept_doi else ""
            echo(f"  {outcome.key}: {record.doi}{concept}")
    return report


def _without_key_prefix(key: str, message: str) -> str:
    """`key: message`, once: engine messages often start with the key already."""
    return message if message.startswith(f"{key}: ") else f"{key}: {message}"


@click.command(name="apply")
@click.argument("planfile", required=False, type=click.Path(dir_okay=False))
@click.option("--auto-approve", is_flag=True, help="Apply without asking (for CI).")
@click.option("--target", "targets", multiple=True, metavar="KEY", help="Apply only this dataset key.")
@click.option("--parallelism", type=click.IntRange(min=1), default=DEFAULT_PARALLELISM, show_default=True,
              help="Datasets applied at once (one shared rate limiter).")
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set or not on a terminal).")
@click.option("--server", metavar="URL", help="Server: zenodo, sandbox or an API URL.")
@click.option("--adopt", "adopt", multiple=True, metavar="KEY",
              help="Let KEY take over the record found by its zsync marker alone (no zsync.lock entry, "
                   "no namespace): after a lost lock, like Terraform's import. Repeatable.")
def command(planfile: str | None, auto_approve: bool, targets: tuple[str, ...], parallelism: int,
            no_color: bool, server: str | None, adopt: tuple[str, ...]) -> int:
    """Make Zenodo match the manifests: a fresh plan after confirmation, or a saved PLANFILE exactly."""
    if planfile:
        return _apply_saved(Path(planfile), targets, parallelism, server, adopt)
    prepared = prepare((), targets, server, parallelism=parallelism)
    click.echo(render_plan(prepared.plan, "text", use_colour(no_color)), nl=False)
    adopting = {c.key for c in prepared.plan.changes if adoption_of(c)}
    unconsented = adopting - set(adopt)
    if not prepared.plan.has_changes and not unconsented:
        # Nothing changes on the server; records found by their marker are written to the lock.
        run_apply(prepared, parallelism=parallelism, adopt=adopt)
        return 0
    if not auto_approve and (sys.stdin.isatty() or not unconsented):
        _confirm()
        # A yes to the plan, which said ADOPTS, is consent to adopt, as --adopt is.
        adopt = tuple(adopting | set(adopt))
    # Otherwise (--auto-approve, or no terminal to ask) the Applier refuses unconsented adoptions.
    click.echo("")
    run_apply(prepared, parallelism=parallelism, adopt=adopt)
    return 0


def _confirm() -> None:
    if not sys.stdin.isatty():
        raise ZsyncError("Refusing to apply: there is no terminal to ask for confirmation, and "
                         "--auto-approve was not given.",
                         hint="In CI run `zsync apply --auto-approve` after reviewing the plan, or save it "
                              "with `zsync plan -out plan.zplan` and run `zsync apply plan.zplan`.")
    answer = click.prompt(CONFIRM_PROMPT, default="", show_default=False, prompt_suffix=": ")
    if answer.strip() != "yes":
        raise ZsyncError("Apply cancelled.", hint="Nothing was changed on the server.")


def _apply_saved(path: Path, targets: tuple[str, ...], parallelism: int, server: str | None,
                 adopt: tuple[str, ...]) -> int:
    if targets:
        raise ConfigError("--target cannot be combined with a saved plan: it applies exactly what it holds.",
                          hint="Make a targeted plan with `zsync plan --target KEY -out FILE`.")
    saved, saved_targets = read_plan(path)

    def same_server(settings: Settings) -> None:
        # The server comes from the user's settings, never from the plan file: a plan file
        # (a CI artifact, a file from a pull request) must not be able to send the token elsewhere.
        if saved.server.rstrip("/") != settings.server.rstrip("/"):
            raise StalePlanError(
                f"{path} was made for {saved.server}, but this apply would talk to {settings.server} "
                f"(from {settings.server_source}); nothing was sent.",
                hint=f"Apply it against the server it was made for (`--server {saved.server}` if you trust "
                     "that address), or make a new plan for this server.")

    fresh = prepare((), saved_targets, server, parallelism=parallelism, check_settings=same_server)
    check_not_stale(saved, fresh.plan)
    # Exactly the saved changes, against the manifests and server state just shown equal.
    fresh.plan = saved
    fresh.plan.server = fresh.server
    click.echo(f"Applying the saved plan {path} ({sum(c.action.family != 'no-op' for c in saved.changes)} "
               "change(s)).")
    run_apply(fresh, parallelism=parallelism, adopt=adopt)
    return 0
