"""The same changes planned on both backends print the same plans (issue 12).

One scenario, run twice from the same project on a fresh emulator: once through the deposit
API, once through the native InvenioRDM API. Every plan it prints (text and JSON) must be the
same, once the emulator's address and the server's timestamps (when each record was last
modified, which the JSON plan keeps to detect a stale saved plan) are taken out: the backend
changes how zsync talks to the server, never what it plans.
"""

from __future__ import annotations

import re
import shutil

from zenodo_sync.emulator import running_emulator

from .conftest import BACKENDS, FAST_ENV, Project, name_server, run_in

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")


def scenario(project: Project, backend: str, tmp_path, monkeypatch, capsys) -> list[str]:
    """The plans printed along create -> update -> new version -> communities -> no change."""
    plans: list[str] = []
    with running_emulator(data_dir=tmp_path / f"emu-{backend}") as emu:
        name_server(project.root, emu.url, backend)
        for name, value in {"ZENODO_TOKEN": emu.token, "ZSYNC_SERVER": emu.url, **FAST_ENV}.items():
            monkeypatch.setenv(name, value)

        def plan_and_apply() -> None:
            for fmt in ("text", "json"):
                result = run_in(project.root, capsys, "plan", "--no-color", "--format", fmt)
                assert result.code == 0, result.err
                plans.append(TIMESTAMP.sub("<time>", result.out.replace(emu.url, "<server>")))
            applied = run_in(project.root, capsys, "apply", "--auto-approve")
            assert applied.code == 0, applied.out + applied.err

        plan_and_apply()  # create both
        project.edit_manifest("beta", "Colour reflectance", "Colour reflectance (corrected)")
        plan_and_apply()  # update in place
        project.write_file("alpha", "data.csv", "a,b\n1,2\n3,4\n")
        project.edit_manifest("alpha", 'version: "1.0"', 'version: "1.1"')
        plan_and_apply()  # new version
        project.edit_manifest(
            "beta", "  keywords: [roses, GC-MS]\n", "  keywords: [roses]\n  communities: [iodp]\n"
        )
        plan_and_apply()  # joins a community
        plan_and_apply()  # nothing to do
    return plans


def test_both_backends_print_the_same_plans(project, tmp_path, monkeypatch, capsys):
    template = tmp_path / "template"
    shutil.copytree(project.root, template)
    plans = {}
    for backend in BACKENDS:
        root = tmp_path / f"project-{backend}"
        shutil.copytree(template, root)
        plans[backend] = scenario(Project(root), backend, tmp_path, monkeypatch, capsys)
    deposit, rdm = plans["deposit"], plans["rdm"]
    assert len(deposit) == len(rdm) == 10
    for step, (expected, got) in enumerate(zip(deposit, rdm, strict=True)):
        assert got == expected, f"plan {step} differs between the backends"
    assert "No changes" in deposit[-2]
    assert "communities" in deposit[6]
