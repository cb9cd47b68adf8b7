"""`zsync --help` lists every command without importing them (start-up time, issue #13)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click

from zenodo_sync.cli import COMMAND_MODULES, COMMAND_SUMMARIES


def test_every_command_has_a_summary_matching_its_help() -> None:
    missing = sorted(set(COMMAND_MODULES) - set(COMMAND_SUMMARIES))
    assert not missing, f"add these commands' first help paragraph to COMMAND_SUMMARIES: {missing}"
    for name, module in COMMAND_MODULES.items():
        command = importlib.import_module(f"zenodo_sync.cli.{module}").command
        for limit in (30, 45, 60, 80, 200):
            assert click.Command(name, help=COMMAND_SUMMARIES[name]).get_short_help_str(limit) == (
                command.get_short_help_str(limit)
            ), f"COMMAND_SUMMARIES[{name!r}] differs from the help of zenodo_sync/cli/{module}.py"


def test_help_and_version_import_no_command() -> None:
    probe = (
        "import sys\n"
        "from zenodo_sync.cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('zenodo_sync.', 'idutils', 'jsonschema')))\n"
        "print('LOADED', loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Commands:" in done.stdout and "validate  Check manifests" in done.stdout
    loaded = done.stdout.rsplit("LOADED", 1)[1]
    assert loaded.strip() == "['zenodo_sync.cli', 'zenodo_sync.errors']", loaded
