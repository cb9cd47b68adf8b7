"""`zsync validate` as a user runs it: output formats, exit codes, bad input without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from zenodo_sync.cli import main

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "example-files"

GOOD = """\
metadata:
  title: Buoy temperatures
  upload_type: dataset
  description: Hourly sea surface temperature measured at three buoys in 2023.
  license: cc-by-4.0
  keywords: [ocean]
  creators:
    - name: Doe, Jane
      orcid: 0000-0002-1825-0097
files: [data.csv]
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def zsync_process(*args: str, cwd: Path, timeout: float = 60) -> Result:
    """A real `python -m zenodo_sync` process (slower: use for what only a process shows)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    done = subprocess.run(
        [sys.executable, "-m", "zenodo_sync", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run_zsync(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """zsync's real entry point (main: error handling, exit codes) in this process."""

    def run(*args: str, cwd: Path, timeout: float = 60) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        return Result(exit_info.value.code, captured.out, captured.err)

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.csv").write_text("x\n")
    (tmp_path / "datasets" / "good.yaml").write_text(GOOD)
    (tmp_path / "datasets" / "bad.yaml").write_text(
        GOOD.replace("1825-0097", "1825-0098").replace("keywords: [ocean]", "keyword: [ocean]")
    )
    return tmp_path


def test_text_format_lists_every_error_of_every_file(project: Path, run_zsync):
    (project / "datasets" / "worse.yaml").write_text(GOOD.replace("dataset", "datset"))
    result = run_zsync("validate", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        "datasets/bad.yaml:6:3: error: unknown key in metadata `keyword`; did you mean `keywords`? "
        "[/metadata/keyword] (schema-unknown-key)" in lines
    )
    assert any(
        line.startswith("datasets/bad.yaml:9:14: error: ORCID iD 0000-0002-1825-0098") for line in lines
    )
    assert any(line.startswith("datasets/worse.yaml:3:16: error: `datset`") for line in lines)
    assert lines[-1] == "3 errors, 1 warning in 3 manifests."
    assert "Traceback" not in result.stdout + result.stderr


def test_valid_project_exits_0(project: Path, run_zsync):
    (project / "datasets" / "bad.yaml").unlink()
    result = run_zsync("validate", cwd=project)
    assert (result.returncode, result.stdout) == (0, "1 manifest valid.\n")


def test_json_format(project: Path, run_zsync):
    result = run_zsync("validate", "--format", "json", cwd=project)
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["valid"] is False and body["error_count"] == 2 and body["files_checked"] == 2
    orcid = next(item for item in body["findings"] if item["rule"] == "orcid-checksum")
    assert orcid == {
        "file": "datasets/bad.yaml",
        "line": 9,
        "column": 14,
        "severity": "error",
        "message": orcid["message"],
        "pointer": "/metadata/creators/0/orcid",
        "rule": "orcid-checksum",
    }


def test_github_format_escapes_and_annotates(project: Path, run_zsync):
    result = run_zsync("validate", "--format", "github", cwd=project)
    assert result.returncode == 1
    annotation = next(line for line in result.stdout.splitlines() if "orcid-checksum" in line)
    assert annotation.startswith("::error file=datasets/bad.yaml,line=9,col=14,title=zsync orcid-checksum::")
    assert "ISO 7064 11%2C2" not in annotation  # commas are escaped in properties only, not in the message


def test_github_format_caps_annotations(tmp_path: Path, run_zsync):
    (tmp_path / ".git").mkdir()
    for index in range(12):
        (tmp_path / f"m{index}.yaml").write_text("metadata: {}\n")
    result = run_zsync(
        "validate", "--format", "github", *[f"m{index}.yaml" for index in range(12)], cwd=tmp_path
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert any(line.startswith("::notice::") for line in result.stdout.splitlines())


def test_paths_and_folders_as_arguments(project: Path, run_zsync):
    assert run_zsync("validate", "datasets/good.yaml", cwd=project).returncode == 0
    result = run_zsync("validate", "datasets", cwd=project)
    assert result.returncode == 1
    result = run_zsync("validate", "missing.yaml", cwd=project)
    assert result.returncode == 1 and "missing.yaml: error: no such file or folder" in result.stdout


def test_paths_relative_to_where_the_user_stands(project: Path, run_zsync):
    result = run_zsync("validate", cwd=project / "datasets")
    assert any(line.startswith("bad.yaml:6:3: error:") for line in result.stdout.splitlines())


def test_show_effective_prints_the_merged_manifest(project: Path, run_zsync):
    (project / "zsync.yaml").write_text(
        "defaults:\n  license: mit\n  communities: [lab]\n  creators: [{name: Lab}]\n"
    )
    result = run_zsync("validate", "--show-effective", "good", cwd=project)
    assert result.returncode == 0, result.stderr
    shown = yaml.safe_load(result.stdout)
    assert shown["metadata"]["license"] == "cc-by-4.0"  # the manifest's own value wins
    assert shown["metadata"]["communities"] == ["lab"]  # filled from defaults
    assert shown["metadata"]["creators"] == [{"name": "Doe, Jane", "orcid": "0000-0002-1825-0097"}]
    unknown = run_zsync("validate", "--show-effective", "nope", cwd=project)
    assert unknown.returncode == 1 and "Error: no manifest has the key or path 'nope'" in unknown.stderr
    assert "keys: bad, good" in unknown.stderr


BAD_INPUTS = {
    "tabs": (b"metadata:\n\ttitle: x\n", "2:1", "tab character"),
    "unclosed-quote": (b'metadata:\n  title: "x\n', "2:10", "quoted scalar"),
    "non-utf8": (b"metadata:\n  title: caf\xe9\n", "2:13", "not UTF-8"),
    "alias-bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + b"".join(
            b"%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n"
            % ((bytes([98 + i]),) * 2 + (bytes([97 + i]),) * 10)
            for i in range(9)
        ),
        "",
        "more than 100,000 values",
    ),
    # Past libyaml's own limit (PyYAML >= 6.0.3 stops it in the parser) and below it (zsync's builder
    # stops it): the user sees one message either way.
    "deep-nesting": (b"metadata: " + b"[" * 5000 + b"]" * 5000 + b"\n", "", "too deep"),
    "deep-nesting-within-parser-limit": (b"metadata: " + b"[" * 100 + b"]" * 100 + b"\n", "1:75", "too deep"),
    "list-not-mapping": (b"- metadata: {}\n", "1:1", "expected a mapping, got a list"),
    "empty-file": (b"", "1:1", "expected a mapping, got empty"),
    "mapping-where-list-belongs": (
        b"metadata:\n  title: xyz\n  upload_type: dataset\n  creators:\n    name: Doe\n",
        "5:5",
        "expected a list, got a mapping",
    ),
    "unknown-top-level-key": (
        b"metadata: {}\nfile: [x]\n",
        "2:1",
        "allowed: id, publish, description_format, concept, files, metadata",
    ),
    "etc-passwd": (GOOD.replace("[data.csv]", "[../../etc/passwd]").encode(), "10:9", "outside the project"),
    "absolute": (GOOD.replace("[data.csv]", "[/etc/passwd]").encode(), "10:9", "absolute path"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_one_clear_error_not_a_traceback(tmp_path: Path, name: str, run_zsync):
    content, where, text = BAD_INPUTS[name]
    (tmp_path / ".git").mkdir()
    (tmp_path / "data.csv").write_text("x\n")
    (tmp_path / "m.yaml").write_bytes(content)
    result = run_zsync("validate", "m.yaml", cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error: " in line and text in line]
    assert errors, result.stdout
    if where:
        assert errors[0].startswith(f"m.yaml:{where}:")


def test_100_mb_manifest_is_refused_before_parsing(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    with open(tmp_path / "big.yaml", "wb") as handle:
        handle.write(b"metadata:\n  description: ")
        handle.truncate(100 * 1024 * 1024)
    result = zsync_process("validate", "big.yaml", cwd=tmp_path, timeout=30)
    assert result.returncode == 1
    assert "big.yaml:1:1: error: file is 104,857,600 bytes; a manifest may be at most" in result.stdout


def test_corpus_through_the_cli_in_one_run(run_zsync):
    result = run_zsync("validate", "negative", "--format", "json", cwd=CORPUS)
    body = json.loads(result.stdout)
    assert result.returncode == 1
    assert body["files_checked"] == len(list((CORPUS / "negative").glob("*.yaml")))
    assert {item["file"] for item in body["findings"] if item["severity"] == "error"} == {
        f"negative/{path.name}" for path in (CORPUS / "negative").glob("*.yaml")
    }


def test_repository_datasets_pass(run_zsync):
    result = run_zsync("validate", cwd=REPO)
    assert (result.returncode, result.stdout) == (0, "2 manifests valid.\n")


def test_bad_input_in_a_real_process(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.yaml").write_bytes(b"metadata:\n\ttitle: caf\xe9\n")
    result = zsync_process("validate", "m.yaml", cwd=tmp_path)
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("m.yaml:2:")


def test_no_warnings_and_explicit_config(tmp_path: Path, run_zsync):
    (tmp_path / ".git").mkdir()
    (tmp_path / "data.csv").write_text("x\n")
    (tmp_path / "m.yaml").write_text(
        GOOD.replace("  keywords: [ocean]\n", "").replace("  license: cc-by-4.0\n", "")
    )
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "zsync.yaml").write_text("defaults:\n  license: mit\n")

    without_config = run_zsync("validate", "m.yaml", cwd=tmp_path)
    assert without_config.returncode == 1 and "(license-required)" in without_config.stdout

    with_config = run_zsync("validate", "--config", "conf/zsync.yaml", "m.yaml", cwd=tmp_path)
    assert with_config.returncode == 0
    assert "warning: no keywords" in with_config.stdout
    quiet = run_zsync("validate", "--config", "conf/zsync.yaml", "--no-warnings", "m.yaml", cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout) == (0, "1 manifest valid.\n")
