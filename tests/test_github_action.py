"""action.yml and the example workflows: what a user copies must be safe as written.

The schema check (check-jsonschema's copies of GitHub's workflow and action schemas) runs in
.ci/run; here, the rules the schemas cannot express.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / "examples" / "github").glob("*.yml"))


# What `zsync release` writes to GITHUB_OUTPUT (test_the_action_declares_every_output_release_writes).
RELEASE_OUTPUTS = ("doi", "concept-doi", "version", "record-id", "record-url", "draft")
OUTPUT_READ = re.compile(r"steps\.zsync\.outputs\.([\w-]+)")


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def test_the_action_offers_every_command_input_and_output():
    action = load(REPO / "action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {
        "command",
        "working-directory",
        "server",
        "token",
        "comment",
        "github-token",
        "args",
    }
    assert set(action["outputs"]) == {"has-changes", "plan-json", "dois", "concept-dois"} | set(
        RELEASE_OUTPUTS
    )
    script = action["runs"]["steps"][1]["run"]
    for command in ("validate", "plan", "apply", "release"):
        assert re.search(rf"^\s+{command}\)$", script, re.MULTILINE), command
    install = action["runs"]["steps"][0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"  # never a package name
    # Inputs reach the shell through the environment only: no ${{ }} pasted into a script.
    assert all("${{" not in step["run"] for step in action["runs"]["steps"])


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_each_example_workflow_states_permissions_and_a_concurrency_group(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["concurrency"]["group"]
    for job in workflow["jobs"].values():
        assert "permissions" in job and "timeout-minutes" in job
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), "values reach scripts through env"


def test_applies_and_releases_share_one_group_and_are_never_cancelled():
    apply, release = (
        load(REPO / "examples/github/zsync-apply.yml"),
        load(REPO / "examples/github/zsync-release.yml"),
    )
    assert apply["concurrency"] == release["concurrency"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    for workflow in (apply, release):
        (job,) = workflow["jobs"].values()
        assert job["permissions"]["contents"] == "write" and job["environment"] == "zenodo"
        artifact = [
            step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact")
        ]
        assert artifact and artifact[0]["if"] == "always()" and artifact[0]["with"]["path"] == "zsync.lock"


def test_no_token_is_handed_to_the_job_a_fork_runs():
    workflow = load(REPO / "examples/github/zsync-pull-request.yml")
    fork_job = workflow["jobs"]["plan-offline"]
    assert "!= github.repository" in fork_job["if"]
    assert "secrets." not in yaml.safe_dump(fork_job)
    assert fork_job["steps"][-1]["with"]["args"] == "--offline"
    assert "== github.repository" in workflow["jobs"]["plan"]["if"]


def test_the_action_declares_every_output_release_writes():
    from zenodo_sync.cli.release import step_outputs
    from zenodo_sync.run import ReleaseResult

    written = step_outputs(
        ReleaseResult(
            key="rose",
            tag="v1.0",
            version="1.0",
            doi="10.5281/zenodo.2",
            concept_doi="10.5281/zenodo.1",
            record_id=2,
        )
    )
    assert tuple(written) == RELEASE_OUTPUTS
    outputs = load(REPO / "action.yml")["outputs"]
    for name in written:
        assert outputs[name]["value"] == f"${{{{ steps.zsync.outputs.{name} }}}}", name


def test_every_output_a_workflow_reads_is_one_the_action_declares():
    declared = set(load(REPO / "action.yml")["outputs"])
    for path in [*WORKFLOWS, REPO / "README.md", REPO / "docs" / "github-actions.md"]:
        read = set(OUTPUT_READ.findall(path.read_text(encoding="utf-8")))
        assert read <= declared, (
            f"{path.name} reads outputs the action does not set: {sorted(read - declared)}"
        )


def _readme_workflow(first_line: str) -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.DOTALL)
    (block,) = [block for block in blocks if block.startswith(first_line)]
    data = yaml.safe_load(block)
    data["on"] = data.pop(True, data.get("on"))
    return data


def _without_names(workflow: dict) -> dict:
    workflow = {key: value for key, value in workflow.items() if key != "name"}
    workflow["jobs"] = {
        key: {**job, "steps": [{k: v for k, v in step.items() if k != "name"} for step in job["steps"]]}
        for key, job in workflow["jobs"].items()
    }
    return workflow


def test_the_readme_shows_the_release_example_workflow():
    shown = _readme_workflow("# .github/workflows/zsync-release.yml")
    assert _without_names(shown) == _without_names(load(REPO / "examples/github/zsync-release.yml"))


def test_what_pushes_back_runs_on_a_branch_never_on_a_detached_tag_checkout():
    release = load(REPO / "examples/github/zsync-release.yml")
    (job,) = release["jobs"].values()
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout")
    assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    assert checkout["with"]["fetch-depth"] == 0  # the tags, for the archive
    (zsync,) = [step for step in job["steps"] if step.get("id") == "zsync"]
    assert zsync["with"]["command"] == "release" and "commit-lock" not in zsync["with"]
    assert any("git push" in step.get("run", "") for step in job["steps"])
    read = set(OUTPUT_READ.findall((REPO / "examples/github/zsync-release.yml").read_text(encoding="utf-8")))
    assert read and read <= set(RELEASE_OUTPUTS)  # what zsync release writes, not apply's dois
    apply = load(REPO / "examples/github/zsync-apply.yml")
    (job,) = apply["jobs"].values()
    assert set(apply["on"]["push"]) == {"branches", "paths"}  # never tags
    assert job["if"] == "github.ref_type == 'branch'"  # workflow_dispatch can name a tag


CHECK_JSONSCHEMA = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema (the dev extra) is not installed")
def test_the_files_pass_the_schemas_github_publishes():
    for schema, files in (
        ("vendor.github-actions", [REPO / "action.yml"]),
        ("vendor.github-workflows", WORKFLOWS),
    ):
        done = subprocess.run(
            [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, *map(str, files)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
