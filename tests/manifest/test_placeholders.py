"""Release placeholders: filled in for the dataset being released, errors at their line otherwise."""

from __future__ import annotations

import datetime
import textwrap

from zenodo_sync.manifest import load_project
from zenodo_sync.manifest.placeholders import ReleaseValues

TODAY = datetime.date(2026, 5, 4)
RELEASE = ReleaseValues(version="1.2.0", tag="rose-v1.2.0", date="2026-05-04")


def write(root, key: str, extra: str = "", version: str = '"{release.version}"') -> None:
    folder = root / "datasets" / key
    folder.mkdir(parents=True)
    (folder / "data.csv").write_text("a\n", encoding="utf-8")
    text = textwrap.dedent(f"""\
        metadata:
          title: {key} data
          upload_type: dataset
          description: Measurements of rose petal volatiles in six cultivars.
          creators: [{{name: "Doe, Jane"}}]
          license: cc-by-4.0
          keywords: [roses]
          version: {version}
        """)
    (folder / "zenodo.yaml").write_text(text + extra + "files: [data.csv]\n", encoding="utf-8")


def rules(project) -> list[tuple[str, int, int, str]]:
    return [(f.file, f.line, f.column, f.rule) for f in project.findings if f.is_error]


def test_a_release_fills_in_version_tag_and_date(tmp_path):
    write(tmp_path, "rose", extra='  publication_date: "{release.date}"\n  notes: "Tagged {release.tag}."\n')
    project = load_project(tmp_path, today=TODAY, release=RELEASE, release_key="rose")
    assert rules(project) == []
    (dataset,) = project.datasets
    assert dataset.metadata["version"] == "1.2.0"
    assert dataset.metadata["publication_date"] == "2026-05-04"
    assert dataset.metadata["notes"] == "Tagged rose-v1.2.0."


def test_without_a_release_each_placeholder_is_one_error_at_its_line(tmp_path):
    write(tmp_path, "rose")
    project = load_project(tmp_path, today=TODAY)
    assert rules(project) == [("datasets/rose/zenodo.yaml", 8, 12, "placeholder-unresolved")]
    assert project.datasets == []


def test_only_the_released_dataset_is_filled_in(tmp_path):
    write(tmp_path, "rose")
    write(tmp_path, "tulip")
    project = load_project(tmp_path, today=TODAY, release=RELEASE, release_key="rose")
    assert [d.key for d in project.datasets] == ["rose"]
    assert rules(project) == [("datasets/tulip/zenodo.yaml", 8, 12, "placeholder-unresolved")]


def test_a_placeholder_in_zsync_yaml_defaults_is_reported_there(tmp_path):
    write(tmp_path, "rose", version='"1.0"')
    text = (tmp_path / "datasets/rose/zenodo.yaml").read_text(encoding="utf-8")
    (tmp_path / "datasets/rose/zenodo.yaml").write_text(
        text.replace('  version: "1.0"\n', ""), encoding="utf-8"
    )
    (tmp_path / "zsync.yaml").write_text('defaults:\n  version: "{release.version}"\n', encoding="utf-8")
    assert rules(load_project(tmp_path, today=TODAY)) == [("zsync.yaml", 2, 12, "placeholder-unresolved")]
    released = load_project(tmp_path, today=TODAY, release=RELEASE, release_key="rose")
    assert released.datasets[0].metadata["version"] == "1.2.0"


def test_unknown_placeholders_and_shell_variables_are_refused(tmp_path):
    write(tmp_path, "rose", version='"{release.name}"')
    write(tmp_path, "tulip", version='"${GITHUB_REF_NAME}"')
    project = load_project(tmp_path, today=TODAY, release=RELEASE)
    assert rules(project) == [
        ("datasets/rose/zenodo.yaml", 8, 12, "placeholder-unknown"),
        ("datasets/tulip/zenodo.yaml", 8, 12, "placeholder-shell"),
    ]
