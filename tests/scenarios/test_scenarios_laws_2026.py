"""End-to-end scenarios for the laws of 2025-2026 (../shared/reference/updates-2026.md §3): a workflow
offered in a jurisdiction gets the finding its law implies, citing the provision, and only on the dates
the law applies. Same shape as test_scenarios.py.
"""

import pytest

from kb import models as kb
from policies.engine.evaluate import evaluate_workflow
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db


def student(name="acme-chat", purpose="commercial", release="api", **extra):
    return {"name": name, "purpose": purpose, "release": release, **extra}


def scenario(id, workflow, as_of, verdict, fires=(), quiet=()):
    return pytest.param({"as_of": as_of, **workflow}, verdict, fires, quiet, id=id)


SCENARIOS = [
    scenario(
        "texas-traiga-applies-to-a-model-offered-in-texas-in-2026",
        {"student": student(), "deployment": {"jurisdictions": ["US-TX"]}},
        "2026-12-06",
        "conditional",
        fires=[("us-tx-traiga-developer", "US-TX-TRAIGA")],
    ),
    scenario(
        "texas-traiga-reaches-a-us-wide-release-through-the-hierarchy",
        {"student": student(release="open_weights"), "deployment": {"jurisdictions": ["US"]}},
        "2026-12-06",
        "conditional",
        fires=[("us-tx-traiga-developer", "US-TX-TRAIGA")],
    ),
    scenario(
        "texas-traiga-not-before-1-january-2026",
        {"student": student(), "deployment": {"jurisdictions": ["US-TX"]}},
        "2025-12-31",
        "allowed",
        quiet=["us-tx-traiga-developer"],
    ),
    scenario(
        "texas-traiga-not-for-an-internal-model",
        {"student": student(release="internal"), "deployment": {"jurisdictions": ["US-TX"]}},
        "2026-12-06",
        "allowed",
        quiet=["us-tx-traiga-developer"],
    ),
    scenario(
        "utah-illinois-japan-set-no-duty-on-releasing-a-model",
        {"student": student(), "deployment": {"jurisdictions": ["US-UT", "US-IL", "JP"]}},
        "2026-12-06",
        "allowed",
    ),
]


@pytest.mark.parametrize("workflow, verdict, fires, quiet", SCENARIOS)
def test_scenario(workflow, verdict, fires, quiet):
    decision = evaluate_workflow(workflow)
    assert_decision(decision, verdict, fires, quiet)


# --- The provisions themselves: windows, binding force and labels no stronger than what was read ----

LAWS = {
    # ref: (jurisdiction, effective_from, effective_to, binding)
    "US-TX-TRAIGA": ("US-TX", "2026-01-01", None, True),
    "US-TX-BIOMETRIC-AI": ("US-TX", "2026-01-01", None, True),
    "US-UT-AIPA": ("US-UT", "2025-05-07", "2027-07-01", True),
    "US-IL-HB3773": ("US-IL", "2026-01-01", None, True),
    "JP-AIPA": ("JP", "2025-06-04", None, True),
    "IT-L132-25": ("IT", "2025-10-10", None, True),
    "IT-L132-26": ("IT", "2025-10-10", None, True),
    "EU-EDPB-OP28-2024": ("EU", "2024-12-17", None, False),
}


@pytest.mark.parametrize("ref", sorted(LAWS))
def test_each_2025_26_law_is_a_dated_cited_provision(ref):
    jurisdiction, start, end, binding = LAWS[ref]
    provision = kb.Provision.objects.select_related("instrument__jurisdiction").get(ref=ref)
    assert provision.instrument.jurisdiction.code == jurisdiction
    assert str(provision.effective_from) == start
    assert (str(provision.effective_to) if provision.effective_to else None) == end
    assert provision.instrument.binding is binding
    assert provision.source_url.startswith("https://") and provision.checked_on and provision.notes
    # None of these texts was read on an official site for this knowledge base: nothing claims "verified".
    assert provision.verification != "verified"


def test_colorado_still_starts_in_2027_after_the_repeal_and_replacement():
    provision = kb.Provision.objects.get(ref="US-CO-AIACT")
    assert str(provision.effective_from) == "2027-01-01"


def test_no_jurisdiction_code_is_left_without_a_law_or_a_child_that_has_one():
    with_law = set(kb.Instrument.objects.values_list("jurisdiction__code", flat=True))
    parents = set(kb.Jurisdiction.objects.exclude(parent=None).values_list("parent__code", flat=True))
    # EU member states and the EEA countries inherit the EU's instruments through the hierarchy.
    eu_family = set(kb.Jurisdiction.objects.filter(parent__code="EU").values_list("code", flat=True)) | {"NO", "IS", "LI"}
    # A code may also be there because a terms version binds its residents (CH: OpenAI's Europe terms).
    for_terms = {code for codes in kb.TermsVersion.objects.values_list("applies_in", flat=True) for code in codes or ()}
    bare = set(kb.Jurisdiction.objects.values_list("code", flat=True)) - with_law - parents - eu_family - for_terms
    assert bare == set(), bare
