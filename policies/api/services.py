"""What the checks endpoints do, as plain functions (the views only translate HTTP)."""

import datetime

from api.errors import flatten_errors


def batch_errors(exc):
    """A BatchError as the API's error entries, each naming its workflow (workflows[3].student.purpose)."""
    return [error for index, problem in exc.errors for error in workflow_errors(problem, prefix=f"workflows[{index}]")]


def workflow_errors(exc, prefix=""):
    """A WorkflowError as the API's error entries; `prefix` places it inside a batch."""
    path = exc.path or ""
    if prefix:
        path = f"{prefix}.{path}" if path and not path.startswith("[") else f"{prefix}{path}"
    return flatten_errors({path: [exc.message]} if path else [exc.message])


def finding_key(finding):
    """A finding's identity across two evaluations: which rule said it, about what, along which path."""
    return (finding["rule"], finding["subject"], tuple(finding["path"]))


def diff_findings(before, after):
    """Findings added, removed and changed between two decisions (as their JSON)."""
    old = {finding_key(f): f for f in before["findings"]}
    new = {finding_key(f): f for f in after["findings"]}

    def entry(key):
        rule, subject, path = key
        return {"rule": rule, "subject": subject, "path": list(path), "before": old.get(key), "after": new.get(key)}

    return {
        "added": [entry(k) for k in new if k not in old],
        "removed": [entry(k) for k in old if k not in new],
        "changed": [entry(k) for k in new if k in old and new[k] != old[k]],
    }


def diff_registry_records(before, after):
    """The registry records (Hugging Face cards) two decisions relied on, where they differ: a card
    re-imported at another commit or with another license, one no longer relied on, or a new one.
    Decisions logged before registry records were kept have none: everything then reads as new."""
    old = {r["repo_id"]: r for r in before.get("registry_records") or []}
    new = {r["repo_id"]: r for r in after.get("registry_records") or []}
    return [
        {"repo_id": repo_id, "before": old.get(repo_id), "after": new.get(repo_id)}
        for repo_id in sorted(old.keys() | new.keys())
        if old.get(repo_id) != new.get(repo_id)
    ]


def replay_as_of(check, requested):
    """The date a replay reads law and terms on: the stored one unless the caller asks otherwise."""
    if requested is None:
        return check.as_of.isoformat()
    if requested == "today":
        return datetime.datetime.now(datetime.UTC).date().isoformat()
    return requested  # a date, as workflow.parse_replay_options checked
