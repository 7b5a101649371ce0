"""Per-head descendant totals kept at import (registry.models.FamilyTotal): a large family head's page
reads its counts without walking the family, and the stored counts always equal a fresh walk, after a
first import, a re-import, new leaves, a model moved to another parent and a family that shrank."""

import pytest

from registry import selectors, services
from registry.models import FamilyTotal

pytestmark = pytest.mark.django_db


def rec(repo_id, *bases, relation=None):
    card = {"license": "apache-2.0"}
    if bases:
        card["base_model"] = list(bases)
    if relation:
        card["base_model_relation"] = relation
    return {"id": repo_id, "cardData": card}


def family(head="Meta/Base", fine_tunes=4, quants_each=2, prefix="ft"):
    """A head, its fine-tunes, a quantization of each fine-tune per quants_each, and a merge of the first two."""
    records = [rec(head)]
    for i in range(fine_tunes):
        records.append(rec(f"{prefix}/{prefix}-{i}", head, relation="finetune"))
        records += [rec(f"q{j}/{prefix}-{i}-GGUF", f"{prefix}/{prefix}-{i}", relation="quantized") for j in range(quants_each)]
    records.append(rec(f"merger/{prefix}-merge", f"{prefix}/{prefix}-0", f"{prefix}/{prefix}-1"))
    return records


def assert_totals_match_a_recount():
    for total in FamilyTotal.objects.all():
        assert total.by_relation() == selectors.walk_descendants(total.head_key), total.head_key


@pytest.fixture
def small_threshold(monkeypatch):
    # three direct children make a head "large" here; on the Hub it takes FAMILY_TOTAL_MIN_CHILDREN
    monkeypatch.setattr(services, "FAMILY_TOTAL_MIN_CHILDREN", 3)


def test_an_import_keeps_totals_for_large_heads_only_and_the_family_page_reads_them(kb_db, small_threshold):
    services.import_records(records=family(), known_names={})
    # Meta/Base has 4 direct fine-tunes: kept. Each fine-tune has 2 quantizations and (two of them) a
    # merge: 3 children at most for ft-0 and ft-1, so they are kept too; ft-2 and ft-3 are not.
    assert set(FamilyTotal.objects.values_list("head_key", flat=True)) == {"meta/base", "ft/ft-0", "ft/ft-1"}
    head = FamilyTotal.objects.get(head_key="meta/base")
    assert head.by_relation() == {"finetune": 4, "adapter": 0, "merge": 1, "quantized": 8}  # the merge counted once
    assert_totals_match_a_recount()
    counts = selectors.family_counts("META/base")
    assert counts["descendants"] == head.by_relation() and counts["counted_at"] == head.counted_at
    assert counts["children"]["finetune"] == 4
    # a smaller head is walked, and says so by having no counted_at
    assert selectors.family_counts("ft/ft-2") == {
        "children": {"finetune": 0, "adapter": 0, "merge": 0, "quantized": 2},
        "descendants": {"finetune": 0, "adapter": 0, "merge": 0, "quantized": 2}, "counted_at": None,
    }


def test_the_totals_follow_new_leaves_a_moved_model_and_a_shrinking_family(kb_db, small_threshold):
    services.import_records(records=family(), known_names={})
    services.import_records(records=family(head="Other/Base", fine_tunes=3, quants_each=0, prefix="ot"), known_names={})
    counted = FamilyTotal.objects.get(head_key="meta/base").counted_at
    again = services.import_records(records=family(), known_names={})
    assert again.unchanged == len(family()) and FamilyTotal.objects.get(head_key="meta/base").counted_at == counted

    # new leaves, imported on their own (as on-demand resolution stores them)
    services.import_records(records=[rec("late/ft-1-AWQ", "ft/ft-1", relation="quantized"), rec("late/ft-3-lora", "ft/ft-3", relation="adapter")],
                            known_names={})
    assert FamilyTotal.objects.get(head_key="meta/base").by_relation() == {"finetune": 4, "adapter": 1, "merge": 1, "quantized": 9}
    assert_totals_match_a_recount()

    # ft-0 (with its quantizations and the merge below it) moves to the other family
    services.import_records(records=[rec("ft/ft-0", "Other/Base", relation="finetune")], known_names={})
    assert FamilyTotal.objects.get(head_key="meta/base").by_relation() == {"finetune": 3, "adapter": 1, "merge": 1, "quantized": 7}
    # Other/Base: its 3 fine-tunes and their merge, then ft-0, ft-0's two quantizations and the merge
    # below ft-0 (its other parent, ft-1, stays in Meta/Base's family: the merge now counts in both)
    assert FamilyTotal.objects.get(head_key="other/base").by_relation() == {"finetune": 4, "adapter": 0, "merge": 2, "quantized": 2}
    assert_totals_match_a_recount()

    # ft-1 loses its quantizations' edges (they now declare nothing): it falls below the threshold
    services.import_records(records=[rec(f"q{j}/ft-1-GGUF") for j in range(2)] + [rec("late/ft-1-AWQ")], known_names={})
    assert not FamilyTotal.objects.filter(head_key="ft/ft-1").exists()
    assert_totals_match_a_recount()


def test_a_full_import_counts_every_kept_head_without_walking_up_from_each_parent(kb_db, small_threshold, monkeypatch):
    monkeypatch.setattr(services, "TOUCHED_WALK_LIMIT", 1)  # as a full import of the Hub does
    services.import_records(records=family(), known_names={})
    assert set(FamilyTotal.objects.values_list("head_key", flat=True)) == {"meta/base", "ft/ft-0", "ft/ft-1"}
    assert_totals_match_a_recount()


def test_a_failed_import_leaves_the_totals_as_they_were(kb_db, small_threshold):
    services.import_records(records=family(), known_names={})
    before = list(FamilyTotal.objects.order_by("head_key").values_list("head_key", "quantized", "counted_at"))
    with pytest.raises(services.ImportFailed):
        services.import_records(records=[rec("late/ft-2-AWQ", "ft/ft-2", relation="quantized"), {"id": "not a repo id!"}],
                                known_names={})
    assert list(FamilyTotal.objects.order_by("head_key").values_list("head_key", "quantized", "counted_at")) == before


def test_the_family_page_and_the_api_give_the_kept_counts_and_when_they_were_counted(client, kb_db, small_threshold):
    services.import_records(records=family(), known_names={})
    page = client.get("/registry/Meta/Base").content.decode()
    assert "as counted by the last import that changed this family" in page and "not legal advice" in page.lower()
    family_data = client.get("/api/v1/registry/models/Meta/Base").json()["family"]
    assert family_data["descendants"] == {"finetune": 4, "adapter": 0, "merge": 1, "quantized": 8}
    assert family_data["counted_at"] is not None
    # a family small enough to walk is counted on the spot: no date
    assert client.get("/api/v1/registry/models/ft/ft-2").json()["family"]["counted_at"] is None
    assert "as counted by the last import" not in client.get("/registry/ft/ft-2").content.decode()


def test_a_parent_imported_after_its_children_brings_them_into_the_family(kb_db, small_threshold):
    services.import_records(records=family(), known_names={})
    # the quantizations of a new fine-tune arrive first; the fine-tune itself, in a later run
    services.import_records(records=[rec(f"q{j}/late-GGUF", "late/late-ft", relation="quantized") for j in range(3)], known_names={})
    assert FamilyTotal.objects.get(head_key="meta/base").by_relation()["quantized"] == 8
    services.import_records(records=[rec("late/late-ft", "Meta/Base", relation="finetune")], known_names={})
    assert FamilyTotal.objects.get(head_key="meta/base").by_relation() == {"finetune": 5, "adapter": 0, "merge": 1, "quantized": 11}
    assert FamilyTotal.objects.filter(head_key="late/late-ft").exists()  # three children: kept from the start
    assert_totals_match_a_recount()
