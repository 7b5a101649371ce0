import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kb import models as kb

pytestmark = pytest.mark.django_db


def make_model(slug, org):
    return kb.AIModel.objects.create(
        slug=slug, name=slug, organization=org, access="open_weights",
        source_url="https://example.org", checked_on=datetime.date(2026, 11, 28),
    )


@pytest.fixture
def org():
    return kb.Organization.objects.create(slug="acme", name="Acme")


def test_an_edge_cannot_point_at_itself_in_validation(org):
    model = make_model("m", org)
    edge = kb.LineageEdge(child_model=model, parent_model=model, relation="fine_tune", evidence_kind="paper",
                          source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(ValidationError) as err:
        edge.full_clean()
    assert "own parent" in str(err.value)


def test_an_edge_cannot_point_at_itself_in_the_database(org):
    model = make_model("m", org)
    with pytest.raises(IntegrityError), transaction.atomic():
        kb.LineageEdge.objects.create(child_model=model, parent_model=model, relation="fine_tune", evidence_kind="paper",
                                      source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))


def test_an_edge_needs_exactly_one_child(org):
    a, b = make_model("a", org), make_model("b", org)
    ds = kb.Dataset.objects.create(slug="d", name="d", source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(IntegrityError), transaction.atomic():
        kb.LineageEdge.objects.create(child_model=a, child_dataset=ds, parent_model=b, relation="fine_tune",
                                      evidence_kind="paper", source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))


@pytest.mark.parametrize("count, basis", [(7_000_000_000, ""), (None, "nominal"), (7_000_000_000, "exact")])
def test_a_parameter_count_and_its_basis_come_together_in_the_database(org, count, basis):
    # A bulk update skips clean(): the database still refuses a count without a basis, a basis
    # without a count, and a basis it does not know.
    make_model("m", org)
    with pytest.raises(IntegrityError), transaction.atomic():
        kb.AIModel.objects.filter(slug="m").update(parameter_count=count, parameter_count_basis=basis)


@pytest.mark.parametrize("basis", ["stated", "counted", "nominal", "recalled"])
def test_every_basis_is_accepted_with_a_count(org, basis):
    make_model("m", org)
    kb.AIModel.objects.filter(slug="m").update(parameter_count=7_000_000_000, parameter_count_basis=basis)
    model = kb.AIModel.objects.get(slug="m")
    model.full_clean()
    assert (model.parameter_count, model.parameter_count_basis) == (7_000_000_000, basis)


def test_relation_must_fit_the_ends(org):
    a = make_model("a", org)
    ds = kb.Dataset.objects.create(slug="d", name="d", source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    edge = kb.LineageEdge(child_dataset=ds, parent_model=a, relation="trained_on", evidence_kind="paper",
                          source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(ValidationError) as err:
        edge.full_clean()
    assert "relation" in err.value.message_dict


def test_effective_windows_are_ordered_in_validation():
    doc = kb.TermsDocument.objects.create(spdx_id="LicenseRef-X", name="X", kind="service_terms")
    version = kb.TermsVersion(document=doc, version="1", effective_from=datetime.date(2025, 1, 1), effective_to=datetime.date(2024, 1, 1),
                              source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(ValidationError) as err:
        version.full_clean()
    assert "effective_to" in err.value.message_dict


def test_effective_windows_are_ordered_in_the_database():
    doc = kb.TermsDocument.objects.create(spdx_id="LicenseRef-X", name="X", kind="service_terms")
    with pytest.raises(IntegrityError), transaction.atomic():
        kb.TermsVersion.objects.create(document=doc, version="1", effective_from=datetime.date(2025, 1, 1),
                                       effective_to=datetime.date(2025, 1, 1), source_url="https://example.org",
                                       checked_on=datetime.date(2026, 11, 28))


def test_window_is_half_open():
    version = kb.TermsVersion(effective_from=datetime.date(2025, 1, 1), effective_to=datetime.date(2026, 1, 1))
    assert version.in_force_on(datetime.date(2025, 1, 1))
    assert version.in_force_on(datetime.date(2025, 12, 31))
    assert not version.in_force_on(datetime.date(2026, 1, 1))
    assert not version.in_force_on(datetime.date(2024, 12, 31))


def test_clause_parameters_must_fit_the_clause_type():
    doc = kb.TermsDocument.objects.create(spdx_id="LicenseRef-X", name="X", kind="open_weights")
    version = kb.TermsVersion.objects.create(document=doc, version="1", source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    clause = kb.LicenseClause(version=version, key="mau", clause_type="user_threshold", summary="s",
                              parameters={"monthly_active_users": "700M"}, source_url="https://example.org",
                              checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(ValidationError) as err:
        clause.full_clean()
    assert "monthly_active_users" in str(err.value.message_dict["parameters"])
    clause.parameters = {"monthly_active_users": 700_000_000}
    clause.full_clean()


def test_provision_roles_come_from_the_vocabulary():
    eu = kb.Jurisdiction.objects.get(code="EU")
    inst = kb.Instrument.objects.create(slug="x", title="X", short_name="X", kind="regulation", jurisdiction=eu,
                                        source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    provision = kb.Provision(ref="X-1", instrument=inst, article="Art. 1", title="t", summary="s", roles=["wizard"],
                             source_url="https://example.org", checked_on=datetime.date(2026, 11, 28))
    with pytest.raises(ValidationError) as err:
        provision.full_clean()
    assert "wizard" in str(err.value.message_dict["roles"])


def test_jurisdiction_hierarchy_rejects_cycles():
    outer = kb.Jurisdiction.objects.create(code="XO", name="Outer")
    inner = kb.Jurisdiction.objects.create(code="XI", name="Inner", parent=outer)
    outer.parent = inner
    with pytest.raises(ValidationError):
        outer.full_clean()


def test_a_terms_version_cannot_overlap_its_neighbour():
    doc = kb.TermsDocument.objects.create(spdx_id="LicenseRef-Overlap", name="Overlap", kind="service_terms")
    common = {"document": doc, "source_url": "https://example.org", "checked_on": datetime.date(2026, 11, 28)}
    kb.TermsVersion.objects.create(version="1", effective_from=datetime.date(2024, 1, 1), **common)
    second = kb.TermsVersion(version="2", effective_from=datetime.date(2025, 1, 1), **common)
    with pytest.raises(ValidationError) as err:
        second.full_clean()
    assert "overlaps version '1'" in str(err.value)
    kb.TermsVersion.objects.filter(version="1").update(effective_to=datetime.date(2025, 1, 1))
    second.full_clean()  # ends where the next begins: no overlap


@pytest.mark.parametrize("modalities", [["pictures"], [], ["image", "smell"]])
def test_output_modalities_must_come_from_the_vocabulary(modalities):
    from kb.vocabulary import check_parameters

    problems = check_parameters("competing_models", {"output_modalities": modalities})
    assert problems and "output_modalities" in problems[0]
    assert check_parameters("competing_models", {"output_modalities": ["image"]}) == []
