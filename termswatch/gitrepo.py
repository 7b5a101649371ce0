"""Reading an Open Terms Archive versions repository through the git command line.

Only git's documented, stable outputs are read: `git log` with an explicit format and
`--name-status`, and `git cat-file --batch` (a header line "<oid> <type> <size>", then the content).
"""

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RECORD, FIELD = "\x1e", "\x1f"


class GitError(Exception):
    """The repository cannot be read (not a repository, unknown commit, git failed)."""


@dataclass(frozen=True)
class Change:
    status: str  # A (added), M (modified), D (deleted)
    path: str


@dataclass(frozen=True)
class Commit:
    sha: str
    date: datetime
    subject: str
    changes: tuple


def _git(repo, *args, input=None, check=True):
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", "-C", str(repo), *args],
            input=input, capture_output=True, check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (the terms watch reads repositories with the git command)") from None
    if check and result.returncode != 0:
        raise GitError(f"git {args[0]} failed in {repo}: {result.stderr.decode(errors='replace').strip()}")
    return result


def resolve(repo, rev="HEAD"):
    if not Path(repo).is_dir():
        raise GitError(f"{repo} is not a directory")
    result = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if result.returncode != 0:
        raise GitError(f"{repo}: no commit {rev!r} (is it a git repository?)")
    return result.stdout.decode().strip()


def is_ancestor(repo, older, newer):
    result = _git(repo, "merge-base", "--is-ancestor", older, newer, check=False)
    if result.returncode not in (0, 1):
        raise GitError(f"{repo}: commit {older} is unknown here ({result.stderr.decode(errors='replace').strip()})")
    return result.returncode == 0


def commits(repo, head, since=None):
    """The commits up to `head` (after `since`, when given), oldest first, with the files each changed."""
    span = f"{since}..{head}" if since else head
    out = _git(
        repo, "log", "--reverse", "--topo-order", "--no-renames", "--name-status",
        f"--format={RECORD}%H{FIELD}%cI{FIELD}%s", span,
    ).stdout.decode("utf-8", errors="replace")
    found = []
    for chunk in out.split(RECORD)[1:]:
        header, _, body = chunk.partition("\n")
        sha, date, subject = header.split(FIELD, 2)
        changes = []
        for line in body.splitlines():
            if not line.strip():
                continue
            status, _, path = line.partition("\t")
            if path.startswith('"'):
                raise GitError(f"{repo}: commit {sha[:8]} changes a path git had to quote ({path}); not an Open Terms Archive layout")
            changes.append(Change(status[:1], path))
        found.append(Commit(sha, datetime.fromisoformat(date), subject, tuple(changes)))
    return found


def read_files(repo, wanted):
    """{(sha, path): text} for each (sha, path) in `wanted`, in one `git cat-file --batch` process."""
    wanted = list(wanted)
    if not wanted:
        return {}
    request = "".join(f"{sha}:{path}\n" for sha, path in wanted).encode()
    out = _git(repo, "cat-file", "--batch", input=request).stdout
    texts, position = {}, 0
    for key in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].decode()
        position = end + 1
        if header.endswith(" missing"):
            raise GitError(f"{repo}: {key[1]} is missing at {key[0][:8]}")
        size = int(header.rsplit(" ", 1)[1])
        texts[key] = out[position : position + size].decode("utf-8", errors="replace")
        position += size + 1
    return texts
