"""What every scenario asserts: the verdict, the rules that fire (with the document or provision each
cites), the rules that stay quiet, and that every finding cites a checkable https source."""


def assert_decision(decision, verdict, fires=(), quiet=()):
    shown = [(f.rule, f.effect, [c.ref for c in f.citations]) for f in decision.findings]
    assert decision.verdict == verdict, shown
    for rule, ref in fires:
        matching = [f for f in decision.findings if f.rule == rule]
        assert matching, f"{rule} did not fire: {shown}"
        if ref is not None:
            assert any(c.ref == ref for f in matching for c in f.citations), f"{rule} does not cite {ref}: {shown}"
    for rule in quiet:
        assert rule not in {f.rule for f in decision.findings}, shown
    for finding in decision.findings:
        assert finding.citations and all(c.url.startswith("https://") for c in finding.citations), finding
