"""The `zsync` command: click commands only (parse, call, print, exit code).

Each command lives in its own module of this package and calls zenodo_sync.run for the
work itself; output.py holds what commands print alike. Exit codes (as Terraform's):
0 ok, 1 expected failure, 2 changes pending under --detailed-exitcode,
3 a bug in zsync, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
import traceback
from pathlib import Path

import click

from zenodo_sync import __version__
from zenodo_sync.errors import ZsyncError

EXIT_BUG = 3
EXIT_INTERRUPTED = 130
BUG_REPORT_URL = "https://github.com/zsync-zenodo/zsync/issues"


# Command name -> module of this package. Modules are imported only when their command runs,
# so `zsync validate` does not pay for importing the emulator or the HTTP client.
COMMAND_MODULES = {
    "init": "init",
    "validate": "validate",
    "plan": "plan",
    "apply": "apply",
    "import": "import_",
    "bind": "bind",
    "download": "download",
    "release": "release",
    "export": "export",
    "emulator": "emulator",
    "demo": "demo",
}

# Command name -> its help's first paragraph, for `zsync --help` to list the commands without
# importing them all (the emulator's among them: half a second). tests/cli/test_lazy_help.py
# checks each against the command's own help; a command missing here is imported to list it.
COMMAND_SUMMARIES = {
    "init": "Start a zsync project in DIRECTORY (default: here): zsync.yaml, a first manifest, "
    ".gitignore entries and a pre-commit hook. Never overwrites a file unless --force.",
    "validate": "Check manifests: YAML, schema, and meaning (ORCID check digits, dates, licenses, files).",
    "plan": "Show what apply would change on Zenodo to match the manifests.",
    "apply": "Make Zenodo match the manifests: a fresh plan after confirmation, or a saved PLANFILE exactly.",
    "emulator": "Run a local Zenodo (deposit, files and records APIs) until Ctrl-C.",
    "demo": "Run validate -> plan -> apply -> update -> new version on a throw-away local Zenodo.",
    "import": "Write a manifest for each record already on Zenodo, so that the plan shows no change.",
    "bind": "Make the manifest KEY manage the existing record CONCEPT instead of creating one.",
    "download": "Download the files of RECORD: a record id, a DOI (a version's or the concept's) or a "
    "record link. Public files need no token; ZENODO_TOKEN opens the owner's restricted files.",
    "release": "Publish the tagged release as a new version of DATASET (the first, if it has none).",
    "export": "Write the manifest DATASET as a CITATION.cff or a .zenodo.json, read as Zenodo's GitHub "
    "integration reads them (the only manifest when DATASET is not given).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"zenodo_sync.cli.{module_name}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, as click lists them, without importing them."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            summary = COMMAND_SUMMARIES.get(name)
            if summary is not None:
                rows.append((name, click.Command(name, help=summary).get_short_help_str(limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zsync")
@click.option("-v", "--verbose", is_flag=True, help="Show more detail, and tracebacks of zsync's own bugs.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Zenodo metadata as code: validate, plan and apply dataset manifests."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


def _token_forms() -> list[str]:
    """The token as the environment holds it, in every form a message could quote it.

    The last line of defence: messages are built without the token, but a bug's exception
    text (say, a header that could not be encoded) may still carry it.
    """
    # The GitHub token too: --comment sends it to GitHub's API (zenodo_sync/ci/comment.py).
    values = [os.environ.get(name) or "" for name in ("ZENODO_TOKEN", "GITHUB_TOKEN", "GH_TOKEN")]
    token_file = os.environ.get("ZENODO_TOKEN_FILE")
    if token_file:
        with contextlib.suppress(OSError):
            values.append(Path(token_file).expanduser().read_text(encoding="utf-8", errors="replace"))
    forms: set[str] = set()
    for value in values:
        value = value.strip()
        if not value:
            continue
        forms.update({value, repr(value)[1:-1]})
        # A token broken by a newline; only long pieces, so that a word like "Bearer" survives.
        forms.update(piece for piece in value.split() if len(piece) >= 10)
    # Every whole token is hidden, however short: a short one may blank a word here and
    # there, which is better than printing the secret (real Zenodo tokens are 60 characters).
    return sorted(forms, key=len, reverse=True)


def redact(text: str) -> str:
    for form in _token_forms():
        text = text.replace(form, "<hidden>")
    return text


def _report_bug(exc: BaseException, verbose: bool) -> int:
    text = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    fd, log_path = tempfile.mkstemp(prefix="zsync-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as log:
        log.write(f"zsync {__version__}, Python {sys.version}\n{text}")
    if verbose:
        click.echo(text, err=True)
    click.echo(redact(f"zsync hit a bug: {type(exc).__name__}: {exc}"), err=True)
    click.echo(
        f"A crash log was written to {log_path}; please attach it to a report at {BUG_REPORT_URL}", err=True
    )
    return EXIT_BUG


def main(argv: list[str] | None = None) -> None:
    verbose = "-v" in (argv or sys.argv[1:]) or "--verbose" in (argv or sys.argv[1:])
    try:
        code = cli.main(args=argv, prog_name="zsync", standalone_mode=False)
    except ZsyncError as exc:
        click.echo(redact(f"Error: {exc.message}"), err=True)
        if exc.hint:
            click.echo(redact(f"Hint: {exc.hint}"), err=True)
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        # click gives usage errors 2, which --detailed-exitcode reserves for "changes pending".
        code = 1 if isinstance(exc, click.UsageError) else exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except Exception as exc:
        code = _report_bug(exc, verbose)
    sys.exit(code if isinstance(code, int) else 0)
