"""Hub license ids -> terms documents (fixtures/registry/hub-licenses.yaml), or unknown with the reason."""

import pytest

from kb import models as kb
from registry.licenses import load_mapping, parse_mapping, terms_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("license", "name", "link", "spdx_id", "reason"),
    [
        ("llama3.1", "", "", "LicenseRef-Llama-3.1-Community", "Hub license id llama3.1"),
        ("Apache-2.0", "", "", "Apache-2.0", "Hub license id apache-2.0"),
        ("gemma", "", "", "LicenseRef-Gemma-Terms-of-Use", "Hub license id gemma"),
        ("other", "qwen", "https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE", "LicenseRef-Qwen", "license other, license_name qwen"),
        ("other", "", "https://mistral.ai/licenses/MRL-0.1.md", "LicenseRef-Mistral-MRL-0.1", "license other, license_link https://mistral.ai/licenses/MRL-0.1.md"),
        ("other", "deepseek", "LICENSE", "LicenseRef-DeepSeek-License-1.0", "license other, license_name deepseek"),
        ("other", "health-ai-developer-foundations-terms-of-use", "https://developers.google.com/health-ai-developer-foundations/terms", None,
         "license other with license_name health-ai-developer-foundations-terms-of-use, license_link "
         "https://developers.google.com/health-ai-developer-foundations/terms: no known terms document matches"),
        ("other", "", "", None, "license other with no license_name or license_link: no known terms document matches"),
        ("bsd-3-clause", "", "", None, "Hub license id bsd-3-clause is not mapped to a terms document in the knowledge base"),
        ("unknown", "", "", None, "the card says its license is unknown"),
        ("", "", "", None, "the card declares no license"),
    ],
)
def test_a_cards_license_designates_a_terms_document_or_says_why_not(kb_db, license, name, link, spdx_id, reason):
    assert terms_for(license, name, link, load_mapping()) == (spdx_id, reason)


def test_every_mapped_document_is_in_the_knowledge_base(kb_db):
    known = set(kb.TermsDocument.objects.values_list("spdx_id", flat=True))
    assert {e["spdx_id"] for e in load_mapping()} <= known


def test_every_mapping_entry_says_where_it_was_read(kb_db):
    for entry in load_mapping():
        assert {"source_url", "checked_on", "verification"} <= set(entry["provenance"]), entry["spdx_id"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"hub_license": "mit"}, "field spdx_id is required"),
        ({"hub_license": "other", "spdx_id": "MIT"}, "needs license_names or license_links"),
        ({"hub_license": "other", "spdx_id": "MIT", "license_links": ["("]}, "field license_links"),
    ],
)
def test_a_bad_mapping_entry_is_named(entry, message):
    with pytest.raises(ValueError, match=rf"hub_licenses\[0\]: .*{message}"):
        parse_mapping([entry])
