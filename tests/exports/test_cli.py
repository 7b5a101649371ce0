"""`manage.py check_workflow FILE --aibom cyclonedx|spdx | --eu-training-summary FMT | --obligations-pack [--output FILE]`
(and the older `--bom NAME`): the check's export, with the verdict's exit status."""

import io
import json
import zipfile

from policies.exports import spdx
from policies.exports.cyclonedx import validate
from policies.models import Check
from tests.exports.test_cyclonedx import WORKFLOW
from tests.scenarios.test_check_workflow_cli import run


def test_the_bom_goes_to_the_output_file_and_carries_the_recorded_check_id(kb_db, tmp_path):
    target = tmp_path / "acme.cdx.json"
    code, out, err = run(WORKFLOW, "--bom", "cyclonedx", "--output", str(target), tmp_path=tmp_path)
    assert code == 4 and out == "" and "wrote" in err  # prohibited, like the plain check
    bom = json.loads(target.read_text(encoding="utf-8"))
    validate(bom)
    check_id = next(p["value"] for p in bom["metadata"]["properties"] if p["name"] == "provenant:check_id")
    assert Check.objects.filter(pk=check_id, channel="cli").exists()


def test_the_eu_summary_prints_to_stdout(kb_db, tmp_path):
    code, out, _ = run(WORKFLOW, "--bom", "eu-summary", "--no-record", tmp_path=tmp_path)
    assert code == 4 and out.startswith("# Public Summary of Training Content for acme-support-7b — DRAFT")


def test_output_without_an_export_is_refused(kb_db, tmp_path):
    code, _, err = run(WORKFLOW, "--output", str(tmp_path / "x"), tmp_path=tmp_path)
    assert code == 2 and "--output: only with --aibom" in err and not (tmp_path / "x").exists()


def test_the_spdx_aibom_goes_to_the_output_file(kb_db, tmp_path):
    target = tmp_path / "acme.spdx3.jsonld"
    code, out, err = run(WORKFLOW, "--aibom", "spdx", "--output", str(target), tmp_path=tmp_path)
    assert code == 4 and out == "" and "wrote" in err and "SPDX 3.0.1" in err
    document = json.loads(target.read_text(encoding="utf-8"))
    spdx.validate(document)
    machine = next(a for a in document["@graph"] if a["type"] == "Annotation" and a.get("contentType") == "application/json")
    assert Check.objects.filter(pk=json.loads(machine["statement"])["check_id"], channel="cli").exists()


def test_the_cyclonedx_aibom_prints_to_stdout(kb_db, tmp_path):
    code, out, _ = run(WORKFLOW, "--aibom", "cyclonedx", "--no-record", tmp_path=tmp_path)
    assert code == 4 and json.loads(out)["bomFormat"] == "CycloneDX"


def test_the_summary_by_its_own_option(kb_db, tmp_path):
    code, out, _ = run(WORKFLOW, "--eu-training-summary", "markdown", "--no-record", tmp_path=tmp_path)
    assert code == 4 and out.startswith("# Public Summary of Training Content for acme-support-7b — DRAFT")


def test_the_obligations_pack_needs_a_file_and_is_written_there(kb_db, tmp_path):
    code, _, err = run(WORKFLOW, "--obligations-pack", "--no-record", tmp_path=tmp_path)
    assert code == 2 and "--output: the obligations pack is a zip" in err
    target = tmp_path / "pack.zip"
    code, _, err = run(WORKFLOW, "--obligations-pack", "--no-record", "--output", str(target), tmp_path=tmp_path)
    assert code == 4 and "wrote" in err
    assert "OBLIGATIONS.md" in zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()


def test_an_unwritable_output_is_a_clear_error(kb_db, tmp_path):
    code, _, err = run(WORKFLOW, "--bom", "cyclonedx", "--no-record", "--output", str(tmp_path / "missing" / "bom.json"), tmp_path=tmp_path)
    assert code == 2 and "--output: cannot write" in err
