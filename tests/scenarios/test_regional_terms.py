"""The terms that bind this party: OpenAI runs Europe Terms of Use (EEA, Switzerland, UK) beside its
rest-of-world ones, and the check reads the version that binds the workflow's organization by its
country, saying which it chose and why; with no country it reads both and says so."""

import pytest

from policies.engine.evaluate import evaluate_workflow
from tests.scenarios.spec import assert_decision

pytestmark = pytest.mark.django_db

TERMS_OF_USE = "LicenseRef-OpenAI-Terms-of-Use"
EUROPE = ("These Terms of Use apply if you reside in the European Economic Area (EEA), Switzerland, or UK.")


def check(country, name="Acme"):
    organization = {"name": name, "country": country} if country else {}
    return evaluate_workflow({
        "as_of": "2026-11-28",
        "student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
        "teachers": [{"model": "gpt-4o"}],
        "organization": organization,
    })


def terms_of_use(decision):
    """The Terms of Use citation of the one competing-models finding on OpenAI (grouped with the Services Agreement)."""
    [finding] = [f for f in decision.findings if f.rule == "competing-models" and any(c.ref == TERMS_OF_USE for c in f.citations)]
    return next(c for c in finding.citations if c.ref == TERMS_OF_USE)


@pytest.mark.parametrize("country", ["DE", "IE", "NO", "CH", "GB"])
def test_an_organization_in_the_eea_switzerland_or_the_uk_is_bound_by_the_europe_terms(country):
    decision = check(country, name="Acme Europe")
    assert_decision(decision, "prohibited", fires=[("competing-models", "LicenseRef-OpenAI-Terms-of-Use")])
    citation = terms_of_use(decision)
    assert citation.url == "https://openai.com/policies/eu-terms-of-use/" and citation.effective_from == "2026-01-16"
    shown = "UK" if country == "GB" else country
    assert citation.basis == f'OpenAI Terms of Use "EU 2026-01-16" chosen because Acme Europe is domiciled in {shown}, where it applies ("{EUROPE}")'


def test_a_us_organization_is_bound_by_the_rest_of_world_terms():
    citation = terms_of_use(check("US"))
    assert citation.url == "https://openai.com/policies/row-terms-of-use/" and citation.effective_from == "2024-01-31"
    assert citation.basis == ('OpenAI Terms of Use "2024-01-31" chosen because Acme is domiciled in US, outside CH/EU/IS/LI/NO/UK, '
                              "where the regional variant applies")


def test_with_no_country_both_variants_are_read_and_the_finding_says_so():
    citation = terms_of_use(check(None))
    assert ('organization.country is not given, so every regional variant of OpenAI Terms of Use in force was read: '
            '"EU 2026-01-16" (CH/EU/IS/LI/NO/UK) and the rest-of-world "2024-01-31"; a rule fires if any of them triggers it') in citation.basis


def test_before_any_europe_version_is_recorded_everyone_reads_the_general_terms():
    decision = evaluate_workflow({
        "as_of": "2024-06-01",
        "student": {"name": "acme-7b", "purpose": "commercial", "release": "api", "competes_with_teachers": True},
        "teachers": [{"model": "gpt-4o"}], "organization": {"country": "DE"},
    })
    citation = terms_of_use(decision)
    assert citation.effective_from == "2024-01-31" and citation.basis is None


def test_terms_without_regional_variants_carry_no_basis():
    decision = check("DE")
    services = [c for f in decision.findings for c in f.citations if c.ref == "LicenseRef-OpenAI-Services-Agreement"]
    assert services and all(c.basis is None for c in services)
