"""Benchmark the terms watch on the real Open Terms Archive bundle (../shared/data; ODC-BY 1.0,
Open Terms Archive contributors).

    .venv/bin/python bench/terms_watch.py [--runs 5]

Sets Django up itself on a temporary SQLite database with the shipped fixtures, clones the bundle into
a temporary directory, then times:
- the floor: reading what an import must read from git (`git log --name-status` of the whole history
  and every captured file through one `git cat-file --batch`), with termswatch.gitrepo;
- `import_terms_versions` of the whole bundle (its ratio to the floor is printed);
- `import_terms_versions` again with nothing new (incrementality: it reads no commit);
- `watch_terms` (the command, output discarded): its first run, which reports every version, then
  runs with no new versions (median of --runs).
Target: a `watch_terms` run with no new versions under 5 s (exit 1 when missed). Skipped, exit 0,
when the bundle is not beside the checkout.
"""

import argparse
import gc
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _django import setup_django  # bench/ is sys.path[0] when run as a script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUNDLE = ROOT.parent / "shared" / "data" / "open-terms-archive-genai-eu.bundle"
TARGET_SECONDS = 5.0


def timed(function, *args, **kwargs):
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not BUNDLE.exists():
        print(f"skipped: {BUNDLE} is not beside this checkout")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "genai-eu-versions"
        subprocess.run(["git", "clone", "-q", str(BUNDLE), str(clone)], check=True)
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.core.management import call_command

        from termswatch import gitrepo
        from termswatch.models import CapturedVersion
        from termswatch.services import _tracked_path

        def read_floor():
            head = gitrepo.resolve(clone)
            history = gitrepo.commits(clone, head)
            wanted = [(c.sha, ch.path) for c in history for ch in c.changes if ch.status in "AM" and _tracked_path(ch.path)]
            return gitrepo.read_files(clone, wanted)

        def command(name, *cmd_args):
            out = io.StringIO()
            call_command(name, *cmd_args, stdout=out)
            return out.getvalue()

        texts, floor, floor_cpu = timed(read_floor)
        size = sum(len(t.encode()) for t in texts.values())
        print(f"floor (git log + cat-file of {len(texts)} files, {size / 1e6:.1f} MB): {floor:.2f} s wall, {floor_cpu:.2f} s CPU (this process)")
        output, full, full_cpu = timed(command, "import_terms_versions", str(clone))
        print(f"import of the whole bundle: {full:.2f} s wall, {full_cpu:.2f} s CPU; {output.splitlines()[0]}")
        print(f"  ratio to the floor (wall): {full / floor:.1f}; versions stored: {CapturedVersion.objects.count()}")
        output, again, _ = timed(command, "import_terms_versions", str(clone))
        print(f"import again, nothing new: {again:.3f} s ({output.strip()})")
        output, first, first_cpu = timed(command, "watch_terms")
        print(f"watch_terms, first run ({output.splitlines()[0]}): {first:.2f} s wall, {first_cpu:.2f} s CPU")
        runs, cpu = [], []
        for _ in range(args.runs):
            output, wall, used = timed(command, "watch_terms")
            assert output.startswith("0 new version(s)"), output[:200]
            runs.append(wall)
            cpu.append(used)
        median = statistics.median(runs)
        print(f"watch_terms, no new versions: median {median:.3f} s wall ({statistics.median(cpu):.3f} s CPU) over {args.runs} runs; "
              f"min {min(runs):.3f}, max {max(runs):.3f}")
        ok = median < TARGET_SECONDS
        print(f"target (a run with no new versions < {TARGET_SECONDS:.0f} s): {'met' if ok else 'NOT met'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
