"""Check a workflow file (or stdin) against the rules: exit 0 allowed/conditional, 3 review, 4 prohibited, 2 bad input."""

import json
import os
import sys
import tempfile

from django.core.management.base import BaseCommand

from kb import jsoninput
from kb.models import Verification
from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError
from policies.exports.documents import EXPORTS, build_export, serialize
from policies.models import Check
from policies.services import decide_and_record

EXIT_CODES = {"allowed": 0, "conditional": 0, "review": 3, "prohibited": 4}
INVALID = 2


class Command(BaseCommand):
    help = "Check a distillation / fine-tuning workflow (JSON) and print the decision."

    def add_arguments(self, parser):
        parser.add_argument("file", help='workflow JSON file, or "-" for stdin')
        parser.add_argument("--as-of", dest="as_of", help="read the law and terms as of this date (YYYY-MM-DD)")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--no-record", action="store_true", help="do not store the check in the decision log")
        parser.add_argument("--bom", choices=list(EXPORTS), help="print (or write to --output) this export of the check instead of the decision")
        parser.add_argument("--output", help="with --bom: the file to write (written whole or not at all)")

    def fail(self, message):
        self.stderr.write(f"error: {message}")
        sys.exit(INVALID)

    def handle(self, *args, file, as_of, format, no_record, bom=None, output=None, **options):
        if output and not bom:
            self.fail("--output: only with --bom")
        try:
            if file == "-":
                raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            self.fail(f"cannot read {file}: {exc.strerror}")
        try:
            data = jsoninput.loads(raw)
        except jsoninput.JSONInputError as exc:
            self.fail(f"{'stdin' if file == '-' else file}: {exc}")
        try:
            if no_record:
                decision = evaluate_workflow(data, as_of=as_of)
            else:
                decision, _check = decide_and_record(data, channel=Check.Channel.CLI, as_of=as_of)
        except WorkflowError as exc:
            self.fail(str(exc))
        if bom:
            self.write_export(bom, output, data, decision)
        elif format == "json":
            self.stdout.write(json.dumps(decision.to_json(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(decision))
        sys.exit(EXIT_CODES[decision.verdict])

    def write_export(self, name, output, workflow, decision):
        content = serialize(build_export(name=name, workflow=workflow, decision=decision.to_json()))
        if not output:
            self.stdout.write(content.decode("utf-8"))
            return
        directory = os.path.dirname(os.path.abspath(output))
        try:
            with tempfile.NamedTemporaryFile("wb", dir=directory, delete=False, prefix=".check_workflow-") as handle:
                handle.write(content)
            os.replace(handle.name, output)
        except OSError as exc:
            self.fail(f"--output: cannot write {output}: {exc.strerror}")
        self.stderr.write(f"wrote {output} ({EXPORTS[name].label})")


def render_text(decision):
    lines = [f"Verdict: {decision.verdict.upper()} (as of {decision.as_of})", decision.summary, ""]
    for finding in decision.findings:
        lines.append(f"[{finding.effect}] {finding.rule} — {finding.subject} ({finding.binding})")
        lines.append(f"    path: {' -> '.join(finding.path)}")
        lines.append(f"    {finding.message}")
        if finding.remedy:
            lines.append(f"    remedy: {finding.remedy}")
        for c in finding.citations:
            when = f", from {c.effective_from}" if c.effective_from else ""
            # The verification status as the portal's badge shows it (a pointer such as a Hub page has none).
            status = Verification(c.verification).label.lower() if c.verification in Verification.values else "no verification status"
            page = f" (Provenant: {c.page})" if c.page else ""
            lines.append(f"    cites: {c.document}, {c.section}{when} [{status}] <{c.url}>{page}")
        lines.append("")
    if decision.unresolved:
        lines.append("Unresolved references:")
        for item in decision.unresolved:
            hint = f" (did you mean: {', '.join(item['suggestions'])})" if item["suggestions"] else ""
            lines.append(f"    {item['field']}: {item['reference']} {item['reason']}{hint}")
        lines.append("")
    lines.append(f"Policy version: {decision.policy_version}")
    if decision.check_id:
        lines.append(f"Check id: {decision.check_id}")
    lines.append("Not legal advice.")
    return "\n".join(lines)
