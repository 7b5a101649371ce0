"""Who granted which lineage edge: a licensor's own release cuts inheritance, anyone else's label does not.

DeepSeek built DeepSeek-R1 on DeepSeek-V3-Base (DeepSeek License Agreement 1.0) and released R1 itself
under MIT, allowing distillation. A student distilled from or fine-tuned on R1 is governed by R1's
terms: the DeepSeek License's use restrictions must not be handed on, and the decision says why they
stopped. A third party's Apache-2.0 label on a Llama derivative changes nothing: the Llama terms still
reach the student, and the label is a finding of its own.
"""

import pytest

from policies.engine.evaluate import evaluate_workflow
from registry import services
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db

DAY = "2026-11-28"
SHA = "0123456789abcdef0123456789abcdef01234567"
DEEPSEEK_LICENSE = "LicenseRef-DeepSeek-License-1.0"
DEEPSEEK_RULES = ("derivative-carries-terms", "use-policy-flow-down")


def check(**workflow):
    return evaluate_workflow({"as_of": DAY, **workflow})


def student(**extra):
    return {"name": "acme-7b", "purpose": "commercial", "release": "open_weights", **extra}


def cites(decision, spdx_id):
    return [f for f in decision.findings if any(c.ref == spdx_id for c in f.citations)]


def hub_record(repo_id, **card):
    return {"id": repo_id, "author": repo_id.partition("/")[0], "sha": SHA, "tags": [], "downloads": 1, "gated": False,
            "pipeline_tag": "text-generation", "siblings": [], "cardData": card}


def test_a_student_distilled_from_self_hosted_r1_is_not_told_to_pass_on_the_deepseek_license():
    decision = check(student=student(base_model="Qwen/Qwen2.5-7B", license="Apache-2.0"),
                     teachers=[{"model": "deepseek-ai/DeepSeek-R1", "access": "self_hosted"}])
    assert_decision(decision, "conditional", fires=[("distillation-permitted", "LicenseRef-DeepSeek-R1-MIT"),
                                                    ("licensor-release-governs", "LicenseRef-DeepSeek-R1-MIT")],
                    quiet=DEEPSEEK_RULES)
    assert cites(decision, DEEPSEEK_LICENSE) == []
    [why] = [f for f in decision.findings if f.rule == "licensor-release-governs"]
    assert why.effect == "permit" and why.path == ("acme-7b", "deepseek-ai/DeepSeek-R1", "DeepSeek-V3-Base")
    assert "DeepSeek, the licensor of DeepSeek-V3-Base, released DeepSeek-R1 under" in why.message
    assert "not the DeepSeek License Agreement 1.0 it set for DeepSeek-V3-Base" in why.message


def test_fine_tuning_r1_itself_carries_r1s_terms_not_the_v3_base_license():
    decision = check(student=student(name="acme-r1", base_model="deepseek-ai/DeepSeek-R1", license="MIT"))
    assert_decision(decision, "conditional", fires=[("license-notice", "LicenseRef-DeepSeek-R1-MIT"),
                                                    ("licensor-release-governs", "LicenseRef-DeepSeek-R1-MIT")],
                    quiet=DEEPSEEK_RULES)


def test_the_licensors_own_model_under_its_own_license_still_carries_it():
    # DeepSeek-V3 is itself under the DeepSeek License: nothing was relicensed, so the terms flow.
    decision = check(student=student(base_model="Qwen/Qwen2.5-7B", license="Apache-2.0"),
                     teachers=[{"model": "deepseek-ai/DeepSeek-V3", "access": "self_hosted"}])
    assert_decision(decision, "conditional", fires=[(rule, DEEPSEEK_LICENSE) for rule in DEEPSEEK_RULES],
                    quiet=["licensor-release-governs"])


def test_a_student_of_an_r1_distill_keeps_the_qwen_base_terms_deepseek_could_not_relicense():
    # DeepSeek released R1-Distill-Llama-8B, but its weights are Meta's Llama 3.1 8B: DeepSeek's release
    # cuts only DeepSeek's own terms (R1's, on the distillation edge); Meta's Llama terms still flow.
    decision = check(student=student(name="acme-8b", base_model="deepseek-ai/DeepSeek-R1-Distill-Llama-8B"))
    assert_decision(decision, "conditional", fires=[("naming-prefix", "LicenseRef-Llama-3.1-Community"),
                                                    ("licensor-release-governs", "LicenseRef-Llama-3.1-Community")])
    [why] = [f for f in decision.findings if f.rule == "licensor-release-governs"]
    assert why.path[-1] == "DeepSeek-R1" and "DeepSeek Open Platform Terms" in why.message
    assert not [f for f in decision.findings if f.rule == "third-party-relicense"], "DeepSeek's release lists the Llama license too"


def test_meta_relicensing_llama_3_1_as_llama_3_2_cuts_the_3_1_terms():
    decision = check(student=student(name="acme-1b", base_model="meta-llama/Llama-3.2-1B"))
    assert cites(decision, "LicenseRef-Llama-3.1-Community") == []
    stopped = [f for f in decision.findings if f.rule == "licensor-release-governs"]
    assert stopped and all("not the Llama 3.1 Community License Agreement it set for" in f.message for f in stopped)
    assert_decision(decision, "conditional", fires=[("naming-prefix", "LicenseRef-Llama-3.2-Community")])


def test_a_third_party_apache_label_on_a_llama_fine_tune_is_a_finding_and_the_llama_terms_still_flow():
    services.import_records(records=[hub_record("someone/llama3-support-ft", license="apache-2.0",
                                                base_model="meta-llama/Meta-Llama-3-8B-Instruct", base_model_relation="finetune")])
    decision = check(student=student(name="acme-8b", base_model="someone/llama3-support-ft"))
    assert_decision(decision, "conditional", fires=[("third-party-relicense", "LicenseRef-Llama-3-Community"),
                                                    ("naming-prefix", "LicenseRef-Llama-3-Community")],
                    quiet=["licensor-release-governs"])
    [label] = [f for f in decision.findings if f.rule == "third-party-relicense"]
    assert label.effect == "require" and label.evidence == "declared"
    assert label.message.startswith("someone/llama3-support-ft is released under Apache License 2.0 (its uploader declares), "
                                    "but its weights derive from Meta Llama 3 8B Instruct")
    assert label.path == ("acme-8b", "someone/llama3-support-ft", "Meta Llama 3 8B Instruct")


def test_an_uploader_that_keeps_the_llama_license_raises_no_relicensing_finding():
    services.import_records(records=[hub_record("someone/llama3-faithful-ft", license="llama3",
                                                base_model="meta-llama/Meta-Llama-3-8B-Instruct", base_model_relation="finetune")])
    decision = check(student=student(name="acme-8b", base_model="someone/llama3-faithful-ft"))
    assert_decision(decision, "conditional", fires=[("naming-prefix", "LicenseRef-Llama-3-Community")],
                    quiet=["third-party-relicense", "licensor-release-governs"])


def test_a_third_party_relabelling_a_free_and_open_source_base_is_no_finding():
    # Apache-2.0 lets a derivative carry other terms as long as the notices are kept.
    services.import_records(records=[hub_record("someone/qwen-mit-ft", license="mit", base_model="Qwen/Qwen2.5-7B",
                                                base_model_relation="finetune")])
    decision = check(student=student(base_model="someone/qwen-mit-ft"))
    assert_decision(decision, "conditional", fires=[("license-notice", "Apache-2.0")], quiet=["third-party-relicense"])
