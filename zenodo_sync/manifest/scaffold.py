"""`zsync init`'s work: the files of a new project, checked, then written without overwriting.

A new project is zsync.yaml, one first manifest, the zsync lines of .gitignore and a
.pre-commit-config.yaml running the zsync hook. `scaffold` turns the answers into file
texts; `check_manifest` runs the validator on them in a scratch folder, so a manifest that
`zsync validate` would refuse is never written; `write` creates the files, and only those
that do not exist yet unless forced. .gitignore is the exception: its lines are appended,
each once, to whatever the file already holds.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from zenodo_sync.atomicfile import write_atomic
from zenodo_sync.errors import ConfigError, ManifestError
from zenodo_sync.manifest.findings import Finding
from zenodo_sync.manifest.project import load_project

CONFIG_FILE = "zsync.yaml"
PRE_COMMIT_FILE = ".pre-commit-config.yaml"
GITIGNORE_FILE = ".gitignore"
DATASETS_FOLDER = "datasets"
# .zsync/ holds the md5 cache and the locks of other servers; saved plans are review artifacts.
GITIGNORE_LINES = (".zsync/", "*.zplan")

SCHEMA_BASE = "https://raw.githubusercontent.com/zsync-zenodo/zsync/main/schemas"
HOOK_REPO = "https://github.com/zsync-zenodo/zsync"
HOOK_ID = "zsync-validate"
# The project has no release tags yet: a branch works, and pre-commit can pin it to a commit.
HOOK_REV = "main"
PIN_COMMAND = "pre-commit autoupdate --bleeding-edge --freeze"

DEFAULT_KEY = "my-data"
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DEFAULT_LICENSE = "cc-by-4.0"
DEFAULT_UPLOAD_TYPE = "dataset"
DEFAULT_SERVER = "sandbox"  # the first records of a new project are test records: no real DOI


@dataclass(frozen=True)
class NewDataset:
    """What the first manifest says, as the user gave it (flags or answers)."""

    title: str
    creators: tuple[str, ...]  # "Family, Given"
    license: str = DEFAULT_LICENSE
    upload_type: str = DEFAULT_UPLOAD_TYPE
    description: str | None = None
    files: tuple[str, ...] = ()  # relative to the project root
    key: str | None = None  # the dataset's folder under datasets/; default from the title


@dataclass(frozen=True)
class Scaffold:
    """The files of a new project, by path relative to its root, and the lines .gitignore needs."""

    files: dict[str, str]
    manifest_path: str
    gitignore_lines: tuple[str, ...] = field(default=GITIGNORE_LINES)


def key_from_title(title: str) -> str:
    """A folder name for the dataset: the title's words, lower-case, joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    key = "-".join(words)[:40].strip("-")
    return key or DEFAULT_KEY


def scaffold(dataset: NewDataset, server: str = DEFAULT_SERVER) -> Scaffold:
    key = dataset.key or key_from_title(dataset.title)
    if not KEY_PATTERN.fullmatch(key):  # a folder name: never a path that leaves datasets/
        raise ConfigError(
            f"--key {key!r}: a dataset key here is one folder name of letters, digits, "
            "`.`, `_` and `-`, starting with a letter or digit.",
            hint="e.g. --key rose-scent",
        )
    manifest_path = f"{DATASETS_FOLDER}/{key}/zenodo.yaml"
    return Scaffold(
        files={
            CONFIG_FILE: config_text(server),
            manifest_path: manifest_text(dataset, manifest_dir=f"{DATASETS_FOLDER}/{key}"),
            PRE_COMMIT_FILE: pre_commit_text(),
        },
        manifest_path=manifest_path,
    )


def config_text(server: str) -> str:
    sandbox_note = (
        "# The Zenodo sandbox first: its DOIs are test DOIs and its records can be thrown away.\n"
        "# Say `server: zenodo` once a plan looks right there.\n"
        if server == "sandbox"
        else ""
    )
    return (
        f"# yaml-language-server: $schema={SCHEMA_BASE}/zsync.schema.json\n"
        f"{sandbox_note}"
        f"{_yaml_line('server', server)}\n"
        "# Where the manifests are (one per dataset), relative to this file.\n"
        f"datasets: {DATASETS_FOLDER}/**\n"
        "# When several repositories share one Zenodo account, give each its own namespace so\n"
        "# they never take each other's records (letters, digits, . _ -):\n"
        "# namespace: my-lab\n"
        "# Metadata merged under every manifest (mappings merged, lists replaced):\n"
        "# defaults:\n"
        "#   access_right: open\n"
        f"#   license: {DEFAULT_LICENSE}\n"
        '#   grants: ["10.13039/501100000780::654241"]\n'
    )


def manifest_text(dataset: NewDataset, manifest_dir: str) -> str:
    lines = [
        f"# yaml-language-server: $schema={SCHEMA_BASE}/manifest.schema.json",
        "# One dataset: one Zenodo concept, whose versions share one concept DOI.",
        "# `zsync validate` checks this file, `zsync plan` shows what `zsync apply` would do.",
        "metadata:",
        "  " + _yaml_line("title", dataset.title),
        "  " + _yaml_line("upload_type", dataset.upload_type),
    ]
    if dataset.description:
        lines.append("  " + _yaml_line("description", dataset.description))
    else:
        lines.append("  # description: what the data is, how it was made, and by whom")
    lines.append("  creators:")
    for name in dataset.creators:
        lines.append("    - " + _yaml_line("name", name))
        lines.append("      # affiliation: University of Somewhere")
        lines.append("      # orcid: 0000-0002-1825-0097")
    lines += [
        "  access_right: open",
        "  " + _yaml_line("license", dataset.license) + "  # any license id Zenodo knows, e.g. cc0-1.0",
        "  # keywords: [a few, words people search for]",
        '  # version: "1.0.0"',
    ]
    if dataset.files:
        lines.append("files:  # paths or globs, relative to this file")
        lines += ["  - " + _yaml_scalar(_relative_to(path, manifest_dir)) for path in dataset.files]
    else:
        # Zenodo publishes no record without a file: until there is one, stop at a draft.
        lines += [
            "# files:  # paths or globs, relative to this file; Zenodo publishes no record without one",
            "#   - data.csv",
            "publish: false  # stop at a draft on Zenodo; remove once `files` lists the data",
        ]
    return "\n".join(lines) + "\n"


def pre_commit_text() -> str:
    return (
        "# pre-commit (https://pre-commit.com): `pip install pre-commit && pre-commit install`.\n"
        f"# `rev: {HOOK_REV}` is zsync's default branch; pin it to its current commit with\n"
        f"#   {PIN_COMMAND}\n" + pre_commit_repos_block()
    )


def pre_commit_repos_block() -> str:
    """The `repos:` entry of the zsync hook, as the README shows it."""
    return f"repos:\n  - repo: {HOOK_REPO}\n    rev: {HOOK_REV}\n    hooks:\n      - id: {HOOK_ID}\n"


def existing(root: Path, plan: Scaffold) -> list[str]:
    """The files of the scaffold that are already there (never overwritten without --force)."""
    return [path for path in plan.files if (root / path).exists()]


def refuse_to_overwrite(root: Path, plan: Scaffold) -> None:
    """One error naming every file of the scaffold that exists already."""
    taken = existing(root, plan)
    if taken:
        raise ConfigError(
            f"{', '.join(taken)} already exist{'s' if len(taken) == 1 else ''}: "
            "zsync init never overwrites a file, so nothing was written.",
            hint=f"Move {'it' if len(taken) == 1 else 'them'} away, or run `zsync init --force` "
            "to overwrite.",
        )


def check_manifest(plan: Scaffold) -> list[Finding]:
    """The findings `zsync validate` would report on the new files; raises if any is an error.

    Runs on a scratch copy of the new files, so nothing is written while the answers are
    still wrong. The scratch folder holds no data files: `check_files` judges them once the
    manifest stands in the real project.
    """
    scratch = Path(tempfile.mkdtemp(prefix="zsync-init-"))
    try:
        for path, text in plan.files.items():
            target = scratch / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        project = load_project(scratch, None, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # The scratch copy holds no data files and no git: judge files in the real project later.
    findings = [f for f in project.findings if not f.rule.startswith("file-") and f.rule != "files-required"]
    errors = [f for f in findings if f.is_error]
    if errors:
        details = "; ".join(f"{f.file}:{f.line}:{f.column}: {f.message}" for f in errors)
        raise ManifestError(
            f"the manifest would not pass `zsync validate`, so nothing was written: {details}",
            hint="Change the flag or answer at fault and run `zsync init` again.",
        )
    if [m.key for m in project.manifests] != [Path(plan.manifest_path).parent.name]:
        raise ConfigError(f"{plan.manifest_path} would not be found as a manifest of the new project.")
    return findings


def check_files(root: Path, plan: Scaffold) -> None:
    """Raise if the written manifest's files are ones `zsync validate` refuses (e.g. under .git/)."""
    project = load_project(root, [root / plan.manifest_path], None)
    errors = [f for f in project.findings if f.is_error]
    if errors:
        details = "; ".join(f"{f.file}:{f.line}:{f.column}: {f.message}" for f in errors)
        raise ManifestError(
            f"{plan.manifest_path} was written, but `zsync validate` refuses it: {details}",
            hint=f"Fix `files:` in {plan.manifest_path}, then run `zsync validate`.",
        )


def write(root: Path, plan: Scaffold, force: bool = False) -> tuple[list[str], list[str]]:
    """Create the scaffold's files under `root`; (files written, lines added to .gitignore).

    Refuses, before writing anything, when one of the files exists and `force` is false.
    """
    if not force:
        refuse_to_overwrite(root, plan)
    for path, text in plan.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
    return list(plan.files), append_gitignore(root / GITIGNORE_FILE, plan.gitignore_lines)


def append_gitignore(path: Path, lines: tuple[str, ...]) -> list[str]:
    """Append each line the file does not hold yet; returns the lines added."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in lines if line not in present and "/" + line not in present]
    if missing:
        separator = "" if not text or text.endswith("\n") else "\n"
        header = "# zsync: local state (md5 cache, other servers' locks) and saved plans\n"
        write_atomic(path, text + separator + header + "".join(f"{line}\n" for line in missing))
    return missing


def _relative_to(path: str, folder: str) -> str:
    """`path`, given relative to the project root, as the manifest in `folder` names it."""
    return Path(os.path.relpath(path, folder)).as_posix()


def _yaml_line(key: str, value: str) -> str:
    return f"{key}: {_yaml_scalar(value)}"


def _yaml_scalar(value: str) -> str:
    """`value` as one YAML scalar: plain when that reads back the same, quoted otherwise."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000).strip()
    return text.removesuffix("...").strip()
