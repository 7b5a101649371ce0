"""Conformance against real data: every clause quoted from an Open Terms Archive snapshot must be
found, verbatim, in that snapshot (the git bundle in ../shared/data, ODC-BY 1.0).

A quote shortened with "…" is checked fragment by fragment. Typography (curly quotes, dashes,
Markdown emphasis, line breaks) is normalized on both sides; words are not.
"""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from kb import models as kb

BUNDLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "open-terms-archive-genai-eu.bundle"
OTA_URL = re.compile(r"https://github\.com/OpenTermsArchive/genai-eu-versions/blob/([0-9a-f]{40})/(.+)$")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not BUNDLE.exists(), reason="the Open Terms Archive bundle is not beside this checkout"),
]


@pytest.fixture(scope="module")
def ota_repo(tmp_path_factory):
    target = tmp_path_factory.mktemp("ota") / "genai-eu-versions"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(target)], check=True)
    return target


def normalize(text):
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " ")
    text = re.sub(r"[*_`]", "", text)  # Markdown emphasis in the snapshots
    text = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes
    return re.sub(r"\s+", " ", text).strip().lower()


def snapshot_text(repo, commit, path):
    from urllib.parse import unquote

    result = subprocess.run(["git", "show", f"{commit}:{unquote(path)}"], cwd=repo, capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


def ota_clauses():
    return [c for c in kb.LicenseClause.objects.select_related("version__document") if c.quote and OTA_URL.match(c.source_url or "")]


def test_quotes_from_open_terms_archive_snapshots_are_verbatim(kb_db, ota_repo):
    clauses = ota_clauses()
    if not clauses:
        pytest.skip("no clause in the shipped knowledge base cites an Open Terms Archive snapshot")
    missing = []
    for clause in clauses:
        commit, path = OTA_URL.match(clause.source_url).groups()
        text = snapshot_text(ota_repo, commit, path)
        if text is None:
            missing.append(f"{clause}: snapshot {commit[:8]}:{path} not in the bundle")
            continue
        haystack = normalize(text)
        for fragment in re.split(r"…|\.\.\.", clause.quote):
            fragment = normalize(fragment).strip(' .,;:"')
            if len(fragment) >= 12 and fragment not in haystack:
                missing.append(f"{clause.version.document.spdx_id} {clause.key}: {fragment!r}")
    assert not missing, "quotes not found in their cited snapshot:\n" + "\n".join(missing)


def test_normalization_keeps_words():
    assert normalize("Using **Output** to develop models\u2019") == "using output to develop models'"
    assert normalize("a  b\nc") == "a b c"
