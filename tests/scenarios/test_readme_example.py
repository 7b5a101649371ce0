"""The README's example workflow is valid input and gets a decision (not exit 2, invalid input)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.django_db


def test_the_readme_example_workflow_is_checked(tmp_path, kb_db):
    example = re.search(r"## Checking a workflow.*?```json\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    path = tmp_path / "workflow.json"
    path.write_text(example, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("check_workflow", str(path), "--no-record", stdout=out, stderr=err)
    assert exit_info.value.code in (0, 3, 4), err.getvalue()
    assert out.getvalue().startswith("Verdict: ")
