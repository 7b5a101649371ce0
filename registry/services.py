"""The one write path into the registry: `import_records`, used by every source (JSON lines, a card,
the live Hub, on-demand resolution).

Records are written in batches. Each batch first reads the stored digest (`fingerprint`) of its
keys: a record whose digest is unchanged is neither parsed nor written, so a re-import with nothing
changed costs decoding, hashing and one indexed query per batch. The rest are parsed
(registry.hub.parse_record); models not yet in the registry go straight into the tables, models
whose digest changed are compared field by field and only what differs is written (their edges
replaced when the edges differ). Two imports adding the same new model at the same moment: the
second fails on the unique repo_key and rolls back (running it again skips what the first wrote).
At the end of a run (of each batch, with atomic=False) the family totals are brought up to date
(refresh_family_totals).

Atomicity: with `atomic=True` (files, cards, on-demand resolution) the whole run is one transaction:
any bad record, named with its field, rolls everything back. A failed run is resumed by running it
again: what was written is compared and skipped. With `atomic=False` (the live Hub's long listings)
each batch is its own transaction and `on_batch(result)` runs inside it, so a cursor saved there
(registry.models.ImportCursor) moves exactly with what was committed.
"""

import hashlib
from dataclasses import dataclass, field

import orjson
from django.db import connection, transaction
from django.utils import timezone

from kb import models as kb
from registry import selectors
from registry.hub import RecordError, parse_record
from registry.models import FamilyTotal, HubEdge, HubModel

ROW_FIELDS = [
    "repo_id", "author", "sha", "license", "license_name", "license_link", "pipeline_tag", "library_name",
    "gated", "created_at", "last_modified", "downloads", "datasets",
]
DATETIME_COLUMNS = {"created_at", "last_modified", "imported_at"}
EDGE_FIELDS = ["parent_key", "parent_repo_id", "relation", "relation_basis", "evidence", "pattern"]


class ImportFailed(Exception):
    """Bad records in an all-or-nothing run: nothing was written. `errors` holds each RecordError."""

    def __init__(self, errors):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        super().__init__(f"{len(errors)} bad record(s), nothing written: {shown}")


@dataclass
class ImportResult:
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    edges_written: int = 0
    invalid: list = field(default_factory=list)  # RecordErrors skipped (on_invalid="skip")
    last_repo_id: str = ""
    resumed_from: int = 0  # a live listing: models already imported by an earlier, interrupted run

    def add(self, other):
        for name in ("seen", "created", "updated", "unchanged", "edges_written"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.invalid.extend(other.invalid)
        self.last_repo_id = other.last_repo_id or self.last_repo_id


def fingerprint(record, salt=b""):
    """A digest of a record (keys in sorted order) and of what else its parsing depends on (salt: a
    digest of it, used as blake2b's key so that a long salt is not hashed again with every record)."""
    return hashlib.blake2b(orjson.dumps(record, option=orjson.OPT_SORT_KEYS), digest_size=16, key=salt[:64]).hexdigest()


def curated_names():
    """{lower-case model name without organization: hf id} of the curated models, for name inference."""
    ids = kb.AIModel.objects.exclude(hf_id__isnull=True).exclude(hf_id="").values_list("hf_id", flat=True)
    return {hf_id.rpartition("/")[2].lower(): hf_id for hf_id in ids}


def import_records(*, records, batch_size=2000, on_invalid="raise", atomic=True, on_batch=None, progress=None, known_names=None):
    """Import Hub records (dicts as the Hub API returns them); returns an ImportResult.

    on_invalid: "raise" (ImportFailed after the batch that holds bad records; with atomic=True nothing
    is written) or "skip" (bad records are listed in result.invalid, the others written).
    progress: called with the number of records each batch handled (a tqdm bar's update).
    """
    if on_invalid not in ("raise", "skip"):
        raise ValueError("on_invalid must be 'raise' or 'skip'")
    known = curated_names() if known_names is None else known_names
    # Inferred edges depend on the curated names too: a change there must not pass for "unchanged".
    salt = hashlib.blake2b(orjson.dumps(sorted(known.items())), digest_size=32).digest()
    result = ImportResult()
    errors = []

    def run():
        batch = []
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                _one_batch(batch)
                batch.clear()
        if batch:
            _one_batch(batch)
        if errors:
            raise ImportFailed(errors)

    def _one_batch(batch):
        done = ImportResult(seen=len(batch))
        prints = {}
        for record in batch:
            key = record.get("id") if isinstance(record, dict) else None
            if isinstance(key, str):
                prints[key.strip().lower()] = fingerprint(record, salt)
        stored = dict(_select_in("SELECT repo_key, fingerprint FROM registry_hubmodel WHERE", "repo_key", list(prints)))
        parsed = {}
        for record in batch:
            key = record.get("id") if isinstance(record, dict) else None
            key = key.strip().lower() if isinstance(key, str) else None
            if key is not None and stored.get(key) == prints[key] and key not in parsed:
                done.unchanged += 1  # the same record as last time: nothing to parse or compare
                done.last_repo_id = record["id"]
                continue
            try:
                p = parse_record(record=record, known_names=known)
            except RecordError as exc:
                if on_invalid == "raise":
                    errors.append(exc)
                else:
                    done.invalid.append(exc)
                continue
            p.row["fingerprint"] = prints.get(p.row["repo_key"], "")
            parsed[p.row["repo_key"]] = p  # the last of duplicates wins, as a second import would
            done.last_repo_id = p.row["repo_id"]
        if errors:
            result.add(done)
            return
        if atomic:
            changed_parents.update(_write(parsed, done, stored))
        else:
            with transaction.atomic():
                # each committed batch leaves the family totals right: an interrupted listing must too
                refresh_family_totals(parent_keys=_write(parsed, done, stored))
                if on_batch:
                    on_batch(done)
        result.add(done)
        if progress:
            progress(len(batch))

    changed_parents = set()
    if atomic:
        with transaction.atomic():
            run()
            refresh_family_totals(parent_keys=changed_parents)
    else:
        run()
    return result


def _write(parsed, done, stored):
    """Compare the parsed records with their rows (`stored`: the batch's keys already in the registry)
    and write what differs. Returns the parent keys whose families changed (edges added or removed)."""
    if not parsed:
        return set()
    fresh = [p for key, p in parsed.items() if key not in stored]
    known = {key: p for key, p in parsed.items() if key in stored}
    now = timezone.now()
    changed = set()
    if fresh:
        done.created += len(fresh)
        changed |= _insert_new(fresh, now, done)
    if known:
        changed |= _rewrite_known(known, now, done)
    return changed


def _insert_new(fresh, now, done):
    """Models not yet in the registry: rows and edges go straight into their tables (on PostgreSQL by
    COPY, the rows with ids drawn from the table's own sequence first, so no row is read back)."""
    rows = [{**p.row, "imported_at": now} for p in fresh]
    if connection.vendor == "postgresql":
        ids = _next_ids(len(rows))
        _copy("registry_hubmodel", ["id", *UPSERT_COLUMNS], [(pk, *values) for pk, values in zip(ids, _row_params(rows), strict=True)])
    else:
        _upsert(rows)
        found = dict(_select_in("SELECT repo_key, id FROM registry_hubmodel WHERE", "repo_key", [r["repo_key"] for r in rows]))
        ids = [found[r["repo_key"]] for r in rows]
    edges = [(pk, p.row["repo_key"], *(e[f] for f in EDGE_FIELDS)) for pk, p in zip(ids, fresh, strict=True) for e in p.edges]
    if edges:
        _insert_edges(edges)
        done.edges_written += len(edges)
    return {e[2] for e in edges}


def _rewrite_known(known, now, done):
    """Models already in the registry whose record's digest changed: compared field by field, and
    only rows (and edge sets) that differ are written."""
    existing, edges = {}, {}
    # the ORM converts JSON and dates back to Python values for the comparison
    for row in HubModel.objects.filter(repo_key__in=list(known)).values_list("id", "repo_key", *ROW_FIELDS):
        existing[row[1]] = (row[0], row[2:])
    ids = [pk for pk, _ in existing.values()]
    for child_id, *values in _select_in(f"SELECT child_id, {', '.join(EDGE_FIELDS)} FROM registry_hubedge WHERE", "child_id", ids):
        edges.setdefault(child_id, set()).add(tuple(values))
    upsert, new_edges, refreshed, changed = [], {}, [], set()
    for key, p in known.items():
        pk, old_values = existing[key]
        wanted_edges = {tuple(e[f] for f in EDGE_FIELDS) for e in p.edges}
        old_edges = edges.get(pk, set())
        if old_values == tuple(p.row[f] for f in ROW_FIELDS) and old_edges == wanted_edges:
            done.unchanged += 1  # only fields we do not keep differ: remember the new digest, nothing else
            refreshed.append(HubModel(id=pk, fingerprint=p.row["fingerprint"]))
            continue
        done.updated += 1
        upsert.append({**p.row, "imported_at": now})
        if old_edges != wanted_edges:
            new_edges[key] = (pk, p.edges)
            changed |= {e[0] for e in old_edges} | {e["parent_key"] for e in p.edges}
    if refreshed:
        HubModel.objects.bulk_update(refreshed, ["fingerprint"])
    if upsert:
        _upsert(upsert)
    if new_edges:
        HubEdge.objects.filter(child_id__in=[pk for pk, _ in new_edges.values()]).delete()
        rows = [(pk, key, *(edge[f] for f in EDGE_FIELDS)) for key, (pk, es) in new_edges.items() for edge in es]
        _insert_edges(rows)
        done.edges_written += len(rows)
    return changed


# Rows go in without an ORM instance each (bulk_create's per-row cost exceeded the database's). New
# models on PostgreSQL: COPY straight into the tables (an INSERT … ON CONFLICT from a staging table
# cost 2.5 times the COPY itself). Changed models on PostgreSQL: COPY into a temporary table and one
# INSERT … ON CONFLICT from it; elsewhere one parameterized upsert per row sent with executemany.
# Values are always parameters or COPY data, never SQL text.
UPSERT_COLUMNS = ["repo_key", *ROW_FIELDS, "imported_at", "fingerprint"]
_SET = ", ".join(f"{c} = excluded.{c}" for c in UPSERT_COLUMNS[1:])
UPSERT_MODEL = f"INSERT INTO registry_hubmodel ({', '.join(UPSERT_COLUMNS)}) VALUES ({{values}}) ON CONFLICT (repo_key) DO UPDATE SET {_SET}"
STAGE = "registry_import_stage"
STAGE_CREATE = f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} AS SELECT {', '.join(UPSERT_COLUMNS)} FROM registry_hubmodel WITH NO DATA"
STAGE_UPSERT = (
    f"INSERT INTO registry_hubmodel ({', '.join(UPSERT_COLUMNS)}) SELECT {', '.join(UPSERT_COLUMNS)} FROM {STAGE} "
    f"ON CONFLICT (repo_key) DO UPDATE SET {_SET}"
)
INSERT_EDGE = f"INSERT INTO registry_hubedge (child_id, child_key, {', '.join(EDGE_FIELDS)}) VALUES ({', '.join(['%s'] * (len(EDGE_FIELDS) + 2))})"


def _select_in(sql, column, values):
    """Rows of `sql column IN values` (a batch's keys or ids) without the ORM's per-value cost:
    one array parameter on PostgreSQL, a placeholder per value elsewhere."""
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{sql} {column} = ANY(%s)", [values])
        else:
            cursor.execute(f"{sql} {column} IN ({', '.join(['%s'] * len(values))})", values)
        return cursor.fetchall()


def _row_params(rows):
    """Each row's values in UPSERT_COLUMNS order, as the database driver takes them."""
    ops = connection.ops
    adapted = {}  # a date-time adapted once per batch (imported_at is the same for every row)
    params = []
    for row in rows:
        values = []
        for column in UPSERT_COLUMNS:
            value = row[column]
            if column == "datasets":
                value = orjson.dumps(value).decode()
            elif column in DATETIME_COLUMNS:
                if value not in adapted:
                    adapted[value] = ops.adapt_datetimefield_value(value)
                value = adapted[value]
            values.append(value)
        params.append(values)
    return params


def _next_ids(n):
    """n fresh ids from the model table's own sequence (PostgreSQL), as an INSERT would draw them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('registry_hubmodel', 'id')) FROM generate_series(1, %s)", [n])
        return [pk for (pk,) in cursor.fetchall()]


def _upsert(rows):
    params = _row_params(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(STAGE_CREATE)
            cursor.execute(f"TRUNCATE {STAGE}")
        _copy(STAGE, UPSERT_COLUMNS, params)
        with connection.cursor() as cursor:
            cursor.execute(STAGE_UPSERT)
    else:
        sql = UPSERT_MODEL.format(values=", ".join(["%s"] * len(UPSERT_COLUMNS)))
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def _insert_edges(rows):
    if connection.vendor == "postgresql":
        _copy("registry_hubedge", ["child_id", "child_key", *EDGE_FIELDS], rows)
    else:
        with connection.cursor() as cursor:
            cursor.executemany(INSERT_EDGE, rows)


def _copy(table, columns, rows):
    """COPY rows into a table with psycopg, on the connection (and in the transaction) Django uses."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# A parent named by at least this many models keeps a FamilyTotal row: walking a family of a few
# hundred models already cost 30-90 ms on a loaded machine (SQLite at 200,000 models), a Hub head of
# 128,000 descendants seconds.
FAMILY_TOTAL_MIN_CHILDREN = 100
# Above this many changed parents (a full import), every kept head counts as touched: one grouped
# query instead of a walk up from each parent.
TOUCHED_WALK_LIMIT = 20_000


def refresh_family_totals(*, parent_keys):
    """Keep registry.models.FamilyTotal right after an import changed the edges under parent_keys.

    Invariant: a row exists exactly for each key named as parent by FAMILY_TOTAL_MIN_CHILDREN models
    or more, and holds what selectors.walk_descendants counts for it. Only heads whose family the
    change can reach (the changed parents and their ancestors, to the depth bound) are recounted; a
    recount is a walk of the family, so an import touching a head of 100,000 descendants pays about a
    second once, and a page view nothing.
    """
    parent_keys = {k for k in parent_keys if k}
    if not parent_keys:
        return
    touched = None
    if len(parent_keys) <= TOUCHED_WALK_LIMIT:
        # the changed parents are one step below the changed models: the depth bound less one above them
        touched = selectors.ancestor_keys(parent_keys, max_depth=selectors.MAX_DEPTH - 1)
    large = selectors.heads_with_children(FAMILY_TOTAL_MIN_CHILDREN, among=touched)
    kept = set(FamilyTotal.objects.values_list("head_key", flat=True))
    gone = (kept if touched is None else kept & touched) - large
    if gone:
        FamilyTotal.objects.filter(head_key__in=gone).delete()
    now = timezone.now()
    for head in sorted(large):
        counts = selectors.walk_descendants(head)
        FamilyTotal.objects.update_or_create(head_key=head, defaults={**counts, "counted_at": now})


def listing_query(*, author=None, search=None):
    """The name a live listing's cursor is saved under."""
    parts = [f"author={author}" if author else "", f"search={search}" if search else ""]
    return "&".join(p for p in parts if p) or "all"


def import_hub_listing(*, author=None, search=None, api=None, batch_size=1000, progress=None, sleep=None, max_waits=10, restart=False):
    """Import a live Hub listing (an author's models, a search, or everything), resumably.

    The cursor (ImportCursor, one per query) counts the models committed, batch by batch, in the
    listing's order; an interrupted run resumes after them (the listing is paged again up to there,
    without writing). A 429 that huggingface_hub's own backoff gave up on is waited out here
    (Retry-After), up to max_waits times, then the listing resumes from the cursor.
    A finished listing starts again from the beginning, as a refresh.
    """
    import itertools
    import time

    from registry import hub
    from registry.models import ImportCursor

    sleep = sleep or time.sleep
    cursor, _ = ImportCursor.objects.get_or_create(query=listing_query(author=author, search=search))
    if restart or cursor.finished:
        cursor.done, cursor.finished, cursor.last_repo_id = 0, False, ""
        cursor.save()
    total = ImportResult()
    total.resumed_from = cursor.done
    waits = 0

    def saved(batch):
        total.add(batch)  # only committed batches count
        cursor.done += batch.seen
        cursor.last_repo_id = batch.last_repo_id
        cursor.save(update_fields=["done", "last_repo_id", "updated_at"])

    while True:
        listing = hub.list_models(author=author, search=search, api=api)
        try:
            import_records(
                records=itertools.islice(listing, cursor.done, None), batch_size=batch_size, on_invalid="skip",
                atomic=False, on_batch=saved, progress=progress,
            )
        except Exception as exc:
            wait = hub.retry_after(exc)
            if wait is None or waits >= max_waits:
                raise
            waits += 1
            sleep(wait)
            continue
        break
    cursor.finished = True
    cursor.save(update_fields=["finished", "updated_at"])
    return total
