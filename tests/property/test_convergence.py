"""The law, as a property: a manifest that `zsync validate` accepts converges, i.e. right after
`zsync apply` the plan is empty.

Manifests are drawn over every field of the manifest schema (manifests.py), kept only when
zsync's own validator finds no error in them, applied to the emulator over real HTTP with the
CLI, and planned again. Any change in that plan, or a failed apply, is a counterexample: a bug in
the normaliser, the emulator or the validator. Each one found is kept below, as an @example
when it now converges, or as a plain test when the validator now refuses it.

CI runs a fixed, derandomized set of examples. A longer, random search:

    ZSYNC_HYPOTHESIS_EXAMPLES=2000 .venv/bin/python -m pytest tests/property
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from zenodo_sync.backends.deposit import ZenodoDepositBackend
from zenodo_sync.manifest import load_project
from zenodo_sync.model import LocalFile, RemoteRecord

from .manifests import manifests

# The two APIs zsync speaks (zsync.yaml `backend`): the law holds on both, over one emulator.
BACKENDS = ("deposit", "rdm")

LONG_RUN_EXAMPLES = int(os.environ.get("ZSYNC_HYPOTHESIS_EXAMPLES") or 0)
CI_EXAMPLES = 40  # 7-12 s on 2 cores: each example is a create-upload-publish round trip, then a plan
RDM_CI_EXAMPLES = 12  # ~15 s on 2 cores, the native API's round trips being longer

CONVERGENCE_SETTINGS = settings(
    max_examples=LONG_RUN_EXAMPLES or CI_EXAMPLES,
    # CI: the same examples every run. A long run searches afresh and remembers what it found.
    derandomize=not LONG_RUN_EXAMPLES,
    deadline=None,  # each example talks HTTP to the emulator; time varies with the machine
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
_namespaces = itertools.count(1)


class _QuotedDumper(yaml.SafeDumper):
    """Every string double-quoted: YAML can then hold any text exactly (escapes for the rest),
    and a string never turns into a number or a boolean under zsync's YAML 1.2 reading."""


_QuotedDumper.add_representer(
    str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
)


def write_project(base: Path, manifest: dict, files: dict[str, bytes], backend: str = "deposit") -> Path:
    """A new project holding this one manifest, under its own marker namespace, on `backend`."""
    root = Path(tempfile.mkdtemp(prefix="project-", dir=base))
    dataset = root / "datasets" / "drawn"
    dataset.mkdir(parents=True)
    config = f"namespace: property-{next(_namespaces)}\nbackend: {backend}\n"
    (root / "zsync.yaml").write_text(config, encoding="utf-8")
    for name, content in files.items():
        (dataset / name).write_bytes(content)
    text = yaml.dump(manifest, Dumper=_QuotedDumper, allow_unicode=True, sort_keys=False, width=10**6)
    (dataset / "zenodo.yaml").write_text(text, encoding="utf-8")
    return root


def validates(root: Path) -> bool:
    """zsync's own validator, in process: no error (warnings are fine)."""
    project = load_project(root)
    return not project.errors and len(project.datasets) == 1


def zsync(root: Path, emulator, *args: str) -> tuple[int, str, str]:
    """`zsync ARGS` in process in `root`, against the emulator; (exit code, stdout, stderr)."""
    from zenodo_sync.cli import main

    env = {
        "ZENODO_TOKEN": emulator.token,
        "ZSYNC_SERVER": emulator.url,
        "ZSYNC_SEARCH_DELAY": "0.02",
        "ZSYNC_SEARCH_RETRIES": "3",
    }
    saved_env = {name: os.environ.get(name) for name in env}
    saved_cwd = os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    os.environ.update(env)
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return code, out.getvalue(), err.getvalue()


def assert_converges(root: Path, emulator) -> None:
    code, out, err = zsync(root, emulator, "apply", "--auto-approve")
    assert code == 0, f"apply failed on a manifest zsync validates:\n{out}{err}"
    code, out, err = zsync(root, emulator, "plan", "--detailed-exitcode", "--json")
    assert code in (0, 2), f"plan failed after apply:\n{out}{err}"
    actions = {change["action"] for change in json.loads(out)["changes"]}
    assert code == 0 and actions == {"no-op"}, f"the plan after apply is not empty:\n{out}{err}"


def _manifest(metadata: dict, **top) -> tuple[dict, dict[str, bytes]]:
    base = {
        "upload_type": "dataset",
        "title": "Rose petal volatiles",
        "creators": [{"name": "Doe, Jane"}],
        "license": "cc-by-4.0",
    }
    return {**top, "metadata": {**base, **metadata}, "files": ["data.csv"]}, {"data.csv": b"a,b\n1,2\n"}


# Counterexamples the search found, each fixed; kept so that they are checked on every run.
COUNTEREXAMPLES = [
    # A version with surrounding whitespace or characters the sanitiser rewrites: the plan
    # compared versions raw, so every plan asked for a new version (normalise.canonical_version).
    _manifest({"version": " 1.0 "}),
    _manifest({"version": '"\u00cf:\u00a0\x1b\x93\x89a\u00b9\x1a+\x8d'}),
    # One sanitiser pass is not idempotent ("\u200b\r" -> "\n", stripped only by a second
    # pass, which the server makes): the normaliser now settles text (normalise._settled).
    _manifest({"journal_volume": "\u200b\rGC-MS\u00bb\u00d5\x91"}),
    # An alternate identifier loses its resource_type (stored as bare {identifier, scheme}),
    # and relations RDM added later read back without `relation`: the normaliser now
    # predicts both (normalise.canonical_related_identifiers).
    _manifest(
        {
            "related_identifiers": [
                {
                    "identifier": "10.1234/abc",
                    "relation": "isAlternateIdentifier",
                    "resource_type": "publication-section",
                },
                {"identifier": "Q42", "relation": "isCollectedBy", "resource_type": "dataset"},
                {"identifier": "https://example.org/x", "relation": "collects"},
            ]
        }
    ),
    # A name is split at its comma before each part is sanitised: U+0085 (a space to
    # str.strip, "…" to ftfy) just before the comma is stripped, not turned into "…".
    _manifest({"creators": [{"name": "Expedition D\u2018\x85,\x8e*\x02\x91\u00c4"}]}),
    # Guards next to them (they converged before too): the same bait in HTML fields, and GND
    # ids in the forms idutils normalises (prefix, resolver URL).
    _manifest(
        {
            "description": "\u200b\r<p>Rose petal volatiles, measured by GC-MS.</p>",
            "notes": "\u200b\n<b>x</b>",
        }
    ),
    _manifest(
        {
            "creators": [
                {"name": "Doe, Jane", "gnd": "https://d-nb.info/gnd/118540238"},
                {"name": "Roe, R", "gnd": "GND:4074335-4"},
            ]
        }
    ),
    # rdm: a draft left for review (publish: false) cannot hold a community, which is asked
    # for once it is published (§7.8), so every plan wanted to update it: the plan now counts
    # it as awaited (ActualDataset.awaited_communities) and says so.
    _manifest({"communities": ["0"]}, publish=False),
]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("convergence")


def _convergence_search(backend: str, examples: int):
    """The law as a Hypothesis search on `backend`, with the counterexamples kept above."""

    @settings(CONVERGENCE_SETTINGS, max_examples=LONG_RUN_EXAMPLES or examples)
    @given(drawn=manifests())
    @example(drawn=COUNTEREXAMPLES[0])
    @example(drawn=COUNTEREXAMPLES[1])
    @example(drawn=COUNTEREXAMPLES[2])
    @example(drawn=COUNTEREXAMPLES[3])
    @example(drawn=COUNTEREXAMPLES[4])
    @example(drawn=COUNTEREXAMPLES[5])
    @example(drawn=COUNTEREXAMPLES[6])
    @example(drawn=COUNTEREXAMPLES[7])
    def search(drawn, emulator, workdir):
        manifest, files = drawn
        root = write_project(workdir, manifest, files, backend)
        assume(validates(root))
        assert_converges(root, emulator)

    return search


# Each backend its own example count: the native API takes more requests per record (a DOI
# reserved, files in three steps, community requests read), and the CI budget is shared.
CONVERGENCE_SEARCHES = {
    "deposit": _convergence_search("deposit", CI_EXAMPLES),
    "rdm": _convergence_search("rdm", RDM_CI_EXAMPLES),
}


# Shrinking a counterexample takes minutes; a long run takes as long as it needs.
@pytest.mark.timeout(0 if LONG_RUN_EXAMPLES else 900)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_valid_manifest_converges(backend, session_emulator, workdir):
    CONVERGENCE_SEARCHES[backend](emulator=session_emulator, workdir=workdir)


BOUND_EXAMPLES = 6  # ~2 s: a record made outside zsync first, then the drawn manifest bound to it
KEPT_ON_SERVER = b"a large file that stays on Zenodo only\n"


def publish_outside_zsync(emulator, folder: Path, keep_on_server: bool) -> RemoteRecord:
    """A record made as the web form or a script would make it: no marker, other metadata."""
    backend = ZenodoDepositBackend(emulator.url, emulator.token, retries=0)
    draft = backend.create(
        {
            "upload_type": "dataset",
            "title": "Made on the web form",
            "creators": [{"name": "Roe, Richard"}],
            "description": "Uploaded by hand, before zsync.",
            "license": "cc-zero",
        }
    )
    uploads = {"by-hand.txt": b"hand\n", **({"kept.bin": KEPT_ON_SERVER} if keep_on_server else {})}
    for name, content in uploads.items():
        path = folder / name
        path.write_bytes(content)
        md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()
        backend.upload(draft, LocalFile(name, path, len(content), md5))
    return backend.publish(draft.id)


@pytest.mark.timeout(0 if LONG_RUN_EXAMPLES else 300)
@settings(CONVERGENCE_SETTINGS, max_examples=LONG_RUN_EXAMPLES // 4 or BOUND_EXAMPLES)
@given(drawn=manifests(), keep_on_server=st.booleans())
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_record_made_outside_zsync_converges_once_bound(
    drawn, keep_on_server, backend, session_emulator, workdir
):
    """The same law for a manifest bound (`concept:`) to a record zsync did not make, keeping
    one of its files on the server only: apply updates it or adds a version, never a concept.
    The record is made through the deposit API either way; the emulator, as zenodo.org, shows
    it through both."""
    manifest, files = drawn
    deposit = ZenodoDepositBackend(session_emulator.url, session_emulator.token, retries=0)
    concepts_before = {r.concept_id for r in deposit.list_own(all_versions=True)}
    folder = Path(tempfile.mkdtemp(prefix="outside-", dir=workdir))
    record = publish_outside_zsync(session_emulator, folder, keep_on_server)
    manifest = {"concept": record.concept_doi, **manifest}
    if keep_on_server:
        md5 = hashlib.md5(KEPT_ON_SERVER, usedforsecurity=False).hexdigest()
        manifest["files"] = [*manifest["files"], {"name": "kept.bin", "md5": md5}]
    root = write_project(workdir, manifest, files, backend)
    assume(validates(root))
    assert_converges(root, session_emulator)
    concepts_after = {r.concept_id for r in deposit.list_own(all_versions=True)}
    assert concepts_after - concepts_before == {record.concept_id}, "apply made a concept of its own"


# Counterexamples the validator now refuses, so the property never meets them again.


def _findings(tmp_path: Path, manifest: dict, files: dict[str, bytes]) -> set[str]:
    return {finding.rule for finding in load_project(write_project(tmp_path, manifest, files)).errors}


def test_an_empty_file_is_refused(tmp_path):
    # Zenodo refuses a 0-byte upload, after zsync has made the draft.
    manifest, _ = _manifest({})
    assert "file-empty" in _findings(tmp_path, manifest, {"data.csv": b""})


@pytest.mark.parametrize("gnd", ["3656731592", "365673159X1", "11482791", "123"])
def test_a_gnd_zenodo_would_not_keep_whole_is_refused(tmp_path, gnd):
    # idutils drops the first two's tail and does not recognise the others: the emulator
    # answered 500 to them, and a stored, shortened id never matches the manifest.
    manifest, files = _manifest({"creators": [{"name": "Doe, Jane", "gnd": gnd}]})
    assert "gnd-format" in _findings(tmp_path, manifest, files)


@pytest.mark.parametrize(
    "gnd", ["118540238", "4074335-4", "gnd:118540238", "https://d-nb.info/gnd/118540238"]
)
def test_a_gnd_zenodo_keeps_is_accepted(tmp_path, gnd):
    manifest, files = _manifest({"creators": [{"name": "Doe, Jane", "gnd": gnd}]})
    assert _findings(tmp_path, manifest, files) == set()


@pytest.mark.parametrize("notes", ["</b>", "</unknown>", "\u00c3\u00a9\uff11"])
def test_notes_zenodo_cleans_to_almost_nothing_are_refused(tmp_path, notes):
    # Kept without text (the tags go, mojibake and full-width digits shrink), and publish
    # then fails: "additional_descriptions.0.description: Missing data for required field."
    for field in ("notes", "method"):
        manifest, files = _manifest({field: notes})
        assert "html-too-short" in _findings(tmp_path, manifest, files)


def test_a_zenodo_doi_is_refused(tmp_path):
    # Zenodo blocks its own prefix as an external DOI: the record kept the DOI Zenodo minted,
    # and every plan wanted to change it.
    manifest, files = _manifest({"doi": "10.5281/zenodo.1234567"})
    assert "doi-zenodo-prefix" in _findings(tmp_path, manifest, files)
