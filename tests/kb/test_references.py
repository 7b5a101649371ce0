import pytest

from kb.references import ReferenceIndex, build_index, normalize_reference, resolve_model


def test_normalization_ignores_case_and_separators_but_keeps_dots():
    assert normalize_reference("Llama 3.1 8B Instruct") == normalize_reference("llama-3.1-8b-instruct")
    assert normalize_reference("meta-llama/Llama-3.1-8B") == "meta-llama-llama-3.1-8b"
    assert normalize_reference("Qwen2.5-7B") != normalize_reference("Qwen2-57B")


def rows():
    return [
        {"slug": "llama-3-1-8b-instruct", "name": "Llama 3.1 8B Instruct", "hf_id": "meta-llama/Llama-3.1-8B-Instruct", "aliases": ["Meta-Llama-3.1-8B-Instruct"]},
        {"slug": "gpt-4o", "name": "GPT-4o", "hf_id": None, "aliases": ["gpt-4o-2024-08-06"]},
        {"slug": "a", "name": "Twin", "hf_id": None, "aliases": []},
        {"slug": "b", "name": "Twin", "hf_id": None, "aliases": []},
    ]


@pytest.mark.parametrize("reference", [
    "meta-llama/Llama-3.1-8B-Instruct", "META-LLAMA/llama-3.1-8b-instruct", "llama-3.1-8b-instruct",
    "Llama 3.1 8B Instruct", "llama_3.1_8b_instruct", "Meta-Llama-3.1-8B-Instruct", "llama-3-1-8b-instruct",
])
def test_a_model_resolves_by_hf_id_slug_name_and_alias(reference):
    assert build_index(rows()).resolve(reference).target["slug"] == "llama-3-1-8b-instruct"


def test_unknown_reference_is_unresolved_not_an_error():
    resolution = build_index(rows()).resolve("gpt-17")
    assert not resolution.resolved and resolution.candidates == ()


def test_ambiguous_reference_lists_candidates_and_resolves_nothing():
    resolution = build_index(rows()).resolve("twin")
    assert not resolution.resolved
    assert {c["slug"] for c in resolution.candidates} == {"a", "b"}


def test_exact_ids_win_over_names():
    index = ReferenceIndex()
    index.add("by-id", ids=["gemma"])
    index.add("by-name", names=["Gemma"])
    assert index.resolve("GEMMA").target == "by-id"


@pytest.mark.parametrize("reference", ["GPT-4o", "twin", "gpt-17", "", None, "meta-llama/Llama-3.1-8B-Instruct"])
def test_a_reference_is_in_the_index_exactly_when_it_resolves_or_is_ambiguous(reference):
    index = build_index(rows())
    resolution = index.resolve(reference)
    assert (reference in index) == (resolution.resolved or bool(resolution.candidates))


def test_a_target_listed_twice_under_one_key_still_resolves():
    index = ReferenceIndex()
    index.add("model", ids=["org/model", "org-model"])  # a slug and an hf_id that normalise alike
    assert index.resolve("org/model").target == "model"


def test_suggestions_for_typos():
    assert "gpt-4o" in build_index(rows()).suggest("gpt4o")


@pytest.mark.django_db
def test_database_resolver_uses_the_same_rules(kb_db):
    assert resolve_model("Llama 3.1 8B").slug == "llama-3-1-8b"
    assert resolve_model("deepseek-ai/deepseek-r1").slug == "deepseek-r1"
    assert resolve_model("no-such-model") is None


def test_suggestions_name_each_entry_once_by_a_reference_that_resolves_to_it():
    index = build_index(rows())
    # The slug, name, Hugging Face id and alias of one model are all close to this typo: one suggestion.
    assert index.suggest("lama-3.1-8b-instruct") == ["meta-llama/Llama-3.1-8B-Instruct"]
    assert index.suggest("gpt-4o-2024-08-6") == ["gpt-4o"]
    # An ambiguous name offers each entry it names, by its unambiguous slug.
    assert index.suggest("twinn") == ["a", "b"]
    for typo in ("lama-3.1-8b-instruct", "gpt4o", "twinn"):
        for suggestion in index.suggest(typo):
            assert index.resolve(suggestion).resolved
