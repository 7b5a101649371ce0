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
from policies.exports.documents import AIBOM_FORMATS, EXPORTS, SUMMARY_FORMATS, build_export, serialize
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
        exports = parser.add_mutually_exclusive_group()
        exports.add_argument("--aibom", choices=list(AIBOM_FORMATS), help="print (or write to --output) the check's AI-BOM instead of the decision")
        exports.add_argument("--eu-training-summary", dest="eu_training_summary", choices=list(SUMMARY_FORMATS),
                             help="print (or write to --output) the EU training-content summary draft")
        exports.add_argument("--obligations-pack", dest="obligations_pack", action="store_true",
                             help="write the obligations pack (a zip) to --output")
        exports.add_argument("--bom", choices=list(EXPORTS), help="any export by its name (older form of the three above)")
        parser.add_argument("--output", help="with an export: the file to write (written whole or not at all)")
        parser.add_argument("--counterfactuals", action="store_true",
                            help="also search for the smallest changes that give a better verdict (each verified by the engine)")

    def fail(self, message):
        self.stderr.write(f"error: {message}")
        sys.exit(INVALID)

    def handle(self, *args, file, as_of, format, no_record, bom=None, output=None, aibom=None, eu_training_summary=None,
               obligations_pack=False, counterfactuals=False, **options):
        if aibom:
            bom = AIBOM_FORMATS[aibom]
        elif eu_training_summary:
            bom = SUMMARY_FORMATS[eu_training_summary]
        elif obligations_pack:
            bom = "obligations-pack"
        if output and not bom:
            self.fail("--output: only with --aibom, --eu-training-summary, --obligations-pack or --bom")
        if bom == "obligations-pack" and not output:
            self.fail("--output: the obligations pack is a zip; name the file to write")
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
                decision = evaluate_workflow(data, as_of=as_of, counterfactuals=counterfactuals)
            else:
                decision, _check = decide_and_record(data, channel=Check.Channel.CLI, as_of=as_of, counterfactuals=counterfactuals)
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
    if decision.unresolved:
        # First: a typo in a reference changes everything below it.
        lines.append("Unresolved references:")
        for item in decision.unresolved:
            hint = f" (did you mean: {', '.join(item['suggestions'])})" if item["suggestions"] else ""
            lines.append(f"    {item['field']}: {item['reference']} {item['reason']}{hint}")
        lines.append("")
    for finding in decision.findings:
        subjects = ", ".join(finding.subjects)
        lines.append(f"[{finding.effect}] {finding.rule} — {subjects} ({finding.binding})")
        for path in finding.paths:
            lines.append(f"    path: {' -> '.join(path)}")
        lines.append(f"    {finding.message}")
        if finding.remedy:
            lines.append(f"    remedy: {finding.remedy}")
        for c in finding.citations:
            when = f", from {c.effective_from}" if c.effective_from else ""
            # The verification status as the portal's badge shows it (a pointer such as a Hub page has none).
            status = Verification(c.verification).label.lower() if c.verification in Verification.values else "no verification status"
            page = f" (Provenant: {c.page})" if c.page else ""
            lines.append(f"    cites: {c.document}, {c.section}{when} [{status}] <{c.url}>{page}")
            if c.basis:  # grouping keeps one message per point, so why this version was read travels with the citation
                lines.append(f"      version read: {c.basis}")
        lines.append("")
    if decision.counterfactuals is not None:
        lines.extend(render_counterfactuals(decision.counterfactuals, decision.verdict))
    lines.append(f"Policy version: {decision.policy_version}")
    if decision.check_id:
        lines.append(f"Check id: {decision.check_id}")
    lines.append("Not legal advice.")
    return "\n".join(lines)


def render_counterfactuals(suggestions, verdict):
    lines = ["What would make it allowed:"]
    if verdict == "allowed":
        lines.append("    It is allowed as it stands.")
    elif not suggestions:
        lines.append("    No change tried gives a better verdict (another teacher, dataset, release mode, jurisdiction or a stated fact).")
    for n, suggestion in enumerate(suggestions, 1):
        lines.append(f"  {n}. {suggestion['verdict'].upper()} if:")
        for change in suggestion["changes"]:
            to = "removed" if change["to"] is None and change["field"].endswith("]") else json.dumps(change["to"], ensure_ascii=False)
            lines.append(f"       {change['field']}: {json.dumps(change['from'], ensure_ascii=False)} -> {to}")
            if change.get("note"):
                lines.append(f"         ({change['note']})")
    lines.append("")
    return lines
