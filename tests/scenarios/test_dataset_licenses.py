"""A dataset under several licenses: every one binds whoever trains on it, and a license the knowledge
base has no terms for is an unknown, not a silence (datasets imported from DPI records often list two
or three licenses)."""

import datetime

import pytest

from kb import models as kb
from policies.engine.evaluate import evaluate_workflow

pytestmark = pytest.mark.django_db


def dataset(**fields):
    row = kb.Dataset.objects.create(
        slug="multi-licensed", name="Multi-licensed set", hf_id="someone/multi-licensed", source_url="https://example.org/dpi-record",
        checked_on=datetime.date(2026, 12, 6), verification="declared", imported_from="dpi",
        license=kb.TermsDocument.objects.get(spdx_id="MIT"), **fields,
    )
    return row


def check():
    workflow = {"as_of": "2026-11-28", "student": {"name": "acme-7b", "purpose": "commercial", "release": "open_weights"},
                "datasets": [{"dataset": "someone/multi-licensed"}]}
    return evaluate_workflow(workflow)


def cited(decision):
    return {c.ref for f in decision.findings for c in f.citations}


def test_every_license_of_a_dataset_reaches_the_check():
    row = dataset()
    row.other_licenses.add(kb.TermsDocument.objects.get(spdx_id="CC-BY-SA-4.0"))
    decision = check()
    assert {"MIT", "CC-BY-SA-4.0"} <= cited(decision)


def test_a_license_without_terms_in_the_knowledge_base_is_an_unknown_finding():
    dataset(licenses_unmapped=["BSD 3-Clause License"])
    decision = check()
    unknown = [f for f in decision.findings if "BSD 3-Clause License" in f.message]
    assert unknown and unknown[0].effect == "review"
    assert "is also under BSD 3-Clause License, whose terms are not in the knowledge base" in unknown[0].message


def test_no_license_stated_is_said_as_such():
    row = dataset(license_expression="NOASSERTION")
    row.license = None
    row.save()
    decision = check()
    assert any("no license is stated for Multi-licensed set" in f.message for f in decision.findings)
