"""Sections, normalisation and diffs of captured Markdown (pure functions)."""

from termswatch import text

TERMS = """Terms of Service
================

_Effective: June 1, 2026_

1.  **Using the Services**

    1.  **Restrictions**. You may not use Output to develop models that compete with us.

    2.  **Feedback**. We may use your feedback.

## Governing law

Texas.
"""


def test_sections_follow_headings_and_bold_lead_ins():
    titles = [s.title for s in text.Outline(TERMS).sections]
    assert titles == [
        "Terms of Service",
        "Terms of Service › Using the Services",
        "Terms of Service › Using the Services › Restrictions",
        "Terms of Service › Using the Services › Feedback",
        "Terms of Service › Governing law",
    ]


def test_normalise_drops_markdown_and_typography_but_keeps_words():
    assert text.normalise("**Using** the [Service](https://x.ai) \u2014 don\u2019t\n\n*   distil") == "using the service - don't distil"
    assert text.normalise(r"1\. Services") == "1. services"


def test_a_quote_shortened_with_an_ellipsis_is_found_piece_by_piece():
    outline = text.Outline(TERMS)
    assert outline.locate(text.quote_fragments("You may not use Output … compete with us")) == "Terms of Service › Using the Services › Restrictions"
    assert outline.locate(text.quote_fragments("You may not use Output to train models")) is None


def test_changed_sections_names_only_the_section_that_changed():
    new = TERMS.replace("We may use your feedback.", "We may use your feedback and your Inputs.")
    assert text.changed_sections(TERMS, new) == {
        "old": ["Terms of Service › Using the Services › Feedback"],
        "new": ["Terms of Service › Using the Services › Feedback"],
    }


def test_indentation_and_blank_lines_alone_change_nothing():
    moved = TERMS.replace("    1.  **Restrictions**", "      1.  **Restrictions**").replace("## Governing law\n", "## Governing law\n\n\n")
    assert text.changed_sections(TERMS, moved) == {"old": [], "new": []}


def test_side_by_side_pairs_replaced_lines_with_a_word_diff():
    new = TERMS.replace("compete with us", "compete with us, directly or indirectly")
    rows = [r for r in text.side_by_side(TERMS, new) if r.kind == "replace"]
    assert len(rows) == 1
    assert ("insert", "us, directly or indirectly.") in rows[0].right
    assert ("delete", "us.") in rows[0].left


def test_change_snippets_show_what_changed_in_context():
    new = TERMS.replace("June 1, 2026", "August 14, 2026")
    assert text.change_snippets(TERMS, new, words=2) == ["… _Effective: [-June 1,-] {+August 14,+} 2026_ …"]
