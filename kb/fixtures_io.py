"""YAML fixtures <-> rows. `load_kb` (and later `dump_kb`, `validate_kb`) share this module.

A fixture file is a YAML mapping from section names to lists of records:

    terms:
      - spdx_id: LicenseRef-Llama-3.1-Community
        name: Llama 3.1 Community License Agreement
        versions:
          - version: "2024-07-23"
            clauses:
              - key: naming-llama-prefix
                ...

Records are keyed by natural keys (slugs, SPDX ids, provision refs), so files stay readable and a
second load changes nothing. Any field `X_file: path.md` reads Markdown for field X from a file
beside the YAML (relative to it, and inside the fixtures directory). Loading is all-or-nothing: one
transaction, and the first bad record aborts it with the file, the record and the field named; so
does a record given twice (in two files or in one), and a file that is not UTF-8.

Other apps add sections (the rules live in `policies`) with `register_section`, so `kb` never
imports them.
"""

import contextvars
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from kb import fixtures_prune
from kb import models as kb

# True while load_kb runs: per-row listeners (cache invalidation, search indexing) may wait for
# `knowledge_base_loaded`, sent once at the end, instead of reacting to thousands of saves.
_bulk_loading = contextvars.ContextVar("kb_bulk_loading", default=False)


# libyaml's loader parses the fixtures about ten times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FixtureLoader(_SafeLoader):
    """The safe loader, with an impossible date (2026-02-30, unquoted) reported at its line like any
    YAML error, instead of the ValueError PyYAML lets out."""


def _timestamp(loader, node):
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(None, None, f'"{node.value}" is not a valid date ({exc})', node.start_mark) from None


_FixtureLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def is_bulk_loading():
    return _bulk_loading.get()


class FixtureError(Exception):
    def __init__(self, path, record, field_name, message):
        self.path, self.record, self.field, self.message = path, record, field_name, message
        where = f"{path}: {record}" + (f": field {field_name}" if field_name else "")
        super().__init__(f"{where}: {message}")


@dataclass
class Record:
    path: Path  # as shown in messages (relative to the fixtures' parent)
    section: str
    index: int
    data: dict
    file: Path = None  # the absolute path, for reading files beside it
    root: Path = None  # the fixtures directory: files named by `X_file` must be inside it

    @property
    def label(self):
        key = next((self.data.get(k) for k in ("slug", "spdx_id", "ref", "code", "key", "version") if self.data.get(k)), None)
        return f"{self.section}[{self.index}]" + (f" ({key})" if key else "")

    def error(self, field_name, message):
        return FixtureError(self.path, self.label, field_name, message)


@dataclass
class Stats:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)  # (kind, record label, why): records a section chose not to write
    # Rows the fixtures no longer contain (kb.fixtures_prune): deleted, ended (kept forever) or kept, with why.
    removed: list = field(default_factory=list)  # (kind, label)
    ended: list = field(default_factory=list)  # (kind, label, how): kept forever, so ended or retired instead
    kept: list = field(default_factory=list)  # (kind, label, why)

    def count(self, kind, outcome):
        bucket = getattr(self, outcome)
        bucket[kind] = bucket.get(kind, 0) + 1

    def skip(self, kind, label, why):
        self.skipped.append((kind, label, why))

    def remove(self, kind, label):
        self.removed.append((kind, label))

    def end(self, kind, label, how="ended today, with a note saying why"):
        self.ended.append((kind, label, how))

    def keep(self, kind, label, why):
        self.kept.append((kind, label, why))

    def merge(self, other):
        for outcome in ("created", "updated", "unchanged"):
            for kind, n in getattr(other, outcome).items():
                bucket = getattr(self, outcome)
                bucket[kind] = bucket.get(kind, 0) + n
        self.skipped += other.skipped

    @property
    def changed(self):
        return bool(self.created or self.updated or self.removed or self.ended)

    def lines(self):
        skipped = {}
        for kind, _label, _why in self.skipped:
            skipped[kind] = skipped.get(kind, 0) + 1
        removed, ended = Counter(kind for kind, *_ in self.removed), Counter(kind for kind, *_ in self.ended)
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged) | set(skipped) | set(removed) | set(ended))
        for kind in kinds:
            line = f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated, {self.unchanged.get(kind, 0)} unchanged"
            extra = [f"{n} {what}" for n, what in ((skipped.get(kind), "skipped"), (removed[kind], "removed"), (ended[kind], "ended")) if n]
            yield ", ".join([line, *extra])

    def skipped_lines(self):
        for kind, label, why in self.skipped:
            yield f"skipped {kind} {label}: {why}"

    def pruned_lines(self):
        """What left the database because the fixtures no longer contain it, one row a line."""
        for kind, label in self.removed:
            yield f"removed {kind} {label}"
        for kind, label, how in self.ended:
            yield f"ended {kind} {label} (kept forever: {how})"

    def kept_lines(self):
        for kind, label, why in self.kept:
            yield f"kept {kind} {label} (no longer in the fixtures): {why}"


# --------------------------------------------------------------------------- generic upsert


@dataclass
class Spec:
    """How one record maps onto one model."""

    model: type
    key: tuple  # natural-key field names (within the parent, for nested records)
    fields: tuple = ()  # plain fields
    fks: dict = field(default_factory=dict)  # field -> (model, lookup field)
    m2m: dict = field(default_factory=dict)  # field -> (model, lookup field)
    children: dict = field(default_factory=dict)  # key in the record -> (Spec, parent fk field)
    kind: str = ""

    def allowed(self):
        names = set(self.fields) | set(self.fks) | set(self.m2m) | set(self.children)
        return names | {f"{name}_file" for name in self.fields}


def _lookup(record, field_name, target_model, lookup, value, cache):
    if value is None:
        return None
    cache_key = (target_model, value)
    primed = cache.get(("rows", target_model))
    if cache_key not in cache and primed is not None and primed[2] == (lookup,) and (value,) in primed[0]:
        cache[cache_key] = primed[0][(value,)]
    if cache_key not in cache:
        try:
            cache[cache_key] = target_model.objects.get(**{lookup: value})
        except target_model.DoesNotExist:
            hint = ""
            if target_model in (kb.AIModel, kb.Dataset):
                from kb.references import build_index

                resolution = build_index(target_model.objects.all()).resolve(value)
                if resolution.resolved:
                    hint = f' (did you mean slug "{resolution.target.slug}"?)'
            raise record.error(field_name, f'no {target_model._meta.verbose_name} with {lookup} "{value}"{hint}') from None
    return cache[cache_key]


def _read_markdown_files(record, data, spec):
    data = dict(data)
    for name in list(data):
        if name.endswith("_file") and name[: -len("_file")] in spec.fields:
            target = name[: -len("_file")]
            given = data.pop(name)
            if not isinstance(given, str) or not given:
                raise record.error(name, "must be the path of a file beside the YAML")
            path = _inside_fixtures(record, name, given)
            try:
                data[target] = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise record.error(name, f"cannot read {given}: {exc.strerror}") from None
            except UnicodeDecodeError as exc:
                raise record.error(name, f"{given} is not UTF-8 text: {_undecodable(exc)}") from None
    return data


# --------------------------------------------------------------------------- reading the rows first
# A load compares each record with its row before writing, so the rows are read up front: one query
# per section (with their many-to-many values and nested children prefetched) instead of one per
# record. A second load of unchanged fixtures then reads and writes almost nothing.


def _row_key(spec, values):
    """A spec's natural key as a tuple of the values as stored (a foreign key as its pk)."""
    key = []
    for name in spec.key:
        value = values[name]
        if hasattr(value, "pk"):
            value = value.pk
        elif value is not None and name not in spec.fks:
            value = spec.model._meta.get_field(name).to_python(value)
        key.append(value)
    return tuple(key)


def _narrowing(spec):
    """The leading key fields that say which rows a section can touch (an edge: its child)."""
    fields = []
    for name in spec.key:
        fields.append(name)
        if name not in spec.fks:
            break
    return fields


def _children_prefetch(spec, prefix=""):
    paths = []
    for child_spec, parent_field in spec.children.values():
        accessor = child_spec.model._meta.get_field(parent_field).remote_field.get_accessor_name()
        paths.append(prefix + accessor)
        paths += [prefix + accessor + "__" + m2m for m2m in child_spec.m2m]
        paths += _children_prefetch(child_spec, prefix + accessor + "__")
    return paths


def prime(records, spec, cache):
    """Read the existing rows the records of one top-level section may update, in one query."""
    condition, covered = Q(pk__in=[]), {}
    for name in _narrowing(spec):
        lookup = f"{name}__{spec.fks[name][1]}" if name in spec.fks else name
        wanted = {r.data.get(name) for r in records if isinstance(r.data, dict) and isinstance(r.data.get(name), (str, int))}
        covered[name] = wanted
        if wanted:
            condition |= Q(**{f"{lookup}__in": sorted(wanted, key=str)})
    rows = spec.model.objects.filter(condition).prefetch_related(*spec.m2m, *_children_prefetch(spec))
    cache[("rows", spec.model)] = ({_row_key(spec, {n: getattr(r, spec.model._meta.get_field(n).attname) for n in spec.key}): r
                                    for r in rows}, covered, spec.key)


def _existing(spec, data, lookup_kwargs, cache, parent):
    """The row this record updates, or None; read from the primed rows when they cover it."""
    if parent is not None:
        accessor = spec.model._meta.get_field(parent[0]).remote_field.get_accessor_name()
        children_key = ("children", spec.model, parent[1].pk)
        if children_key not in cache:
            # Prefetched with the parent when it was primed (one query for a new parent otherwise).
            related = getattr(parent[1], accessor).all() if parent[1].pk is not None else []
            cache[children_key] = {_row_key(spec, {n: getattr(r, spec.model._meta.get_field(n).attname) for n in spec.key}): r
                                   for r in related}
        return cache[children_key], cache[children_key].get(_row_key(spec, lookup_kwargs))
    primed = cache.get(("rows", spec.model))
    if primed is not None:
        rows, covered, _key = primed
        if any(isinstance(data.get(name), (str, int)) and data.get(name) in covered[name] for name in covered):
            return rows, rows.get(_row_key(spec, lookup_kwargs))
    instance = spec.model.objects.filter(**{k: v for k, v in lookup_kwargs.items() if v is not None}).filter(
        **{f"{k}__isnull": True for k, v in lookup_kwargs.items() if v is None}
    ).first()
    return None, instance
def _inside_fixtures(record, field_name, given):
    """The file a record names, which must lie inside the fixtures directory: a fixture must not be
    able to copy any other file the server can read (/etc/…, the settings) into public notes."""
    base = (record.file or record.path).parent
    path = (base / given).resolve()
    root = (record.root or base).resolve()
    if Path(given).is_absolute() or not path.is_relative_to(root):
        raise record.error(field_name, f"{given} is outside the fixtures directory; name a file inside it, relative to the YAML")
    return path


def _undecodable(exc):
    line = exc.object.count(b"\n", 0, exc.start) + 1
    return f"byte 0x{exc.object[exc.start]:02x} at line {line} (position {exc.start}) cannot be decoded"


def upsert(record, data, spec, stats, cache, parent=None):
    """Create or update one record (and its children). Returns the instance."""
    if not isinstance(data, dict):
        raise record.error(None, f"expected a mapping, got {type(data).__name__}")
    unknown = sorted(set(data) - spec.allowed())
    if unknown:
        raise record.error(unknown[0], f"unknown field (allowed: {', '.join(sorted(spec.allowed()))})")
    data = _read_markdown_files(record, data, spec)

    values = {}
    for name in spec.fields:
        if name in data:
            values[name] = data[name]
    for name, (target_model, lookup) in spec.fks.items():
        if name in data:
            values[name] = _lookup(record, name, target_model, lookup, data[name], cache)

    lookup_kwargs = {}
    for name in spec.key:
        if name in values:
            lookup_kwargs[name] = values[name]
        elif parent is not None and name == parent[0]:
            lookup_kwargs[name] = parent[1]
        else:
            lookup_kwargs[name] = None
    if parent is not None:
        values[parent[0]] = parent[1]
    missing = [n for n in spec.key if lookup_kwargs[n] is None and n in spec.fields]
    if missing:
        raise record.error(missing[0], "is required (it is part of the record's key)")
    # The same record twice (in two files, or twice in one) would load silently, the last one winning.
    seen = cache.setdefault(("records seen", spec.model), {})
    identity = tuple(lookup_kwargs[n].pk if isinstance(lookup_kwargs[n], models.Model) else lookup_kwargs[n] for n in spec.key)
    if identity in seen:
        raise record.error(None, f"duplicate of {seen[identity]} (the same {', '.join(spec.key)}); keep one of them")
    seen[identity] = f"{record.path}: {record.label}"

    rows, instance = _existing(spec, data, lookup_kwargs, cache, parent)
    created = instance is None
    if created:
        instance = spec.model()
        before = None
    else:
        before = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

    for name, value in values.items():
        setattr(instance, name, value)
    # Fields absent from the record go back to their defaults, so that deleting a line from a
    # fixture and reloading really removes the fact.
    for name in spec.fields:
        if name not in values and name not in spec.key:
            model_field = instance._meta.get_field(name)
            setattr(instance, name, model_field.get_default())
    for name in spec.fks:
        if name not in values and name not in spec.key and (parent is None or name != parent[0]):
            setattr(instance, name, None)

    m2m_values = {}
    for name, (target_model, lookup) in spec.m2m.items():
        raw = data.get(name, [])
        unknown_flag = f"{name}_unknown"
        if raw == "unknown":
            setattr(instance, unknown_flag, True)
            raw = []
        elif hasattr(instance, unknown_flag):
            setattr(instance, unknown_flag, False)
        if not isinstance(raw, list):
            raise record.error(name, 'must be a list (or "unknown")')
        m2m_values[name] = [_lookup(record, name, target_model, lookup, v, cache) for v in raw]

    # Foreign keys set from rows just read need no existence query each (full_clean would run one).
    read_fks = [name for name in (*spec.fks, *([parent[0]] if parent else [])) if getattr(instance, name, None) is not None]
    try:
        instance.full_clean(exclude=read_fks, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise record.error(None if field_name == "__all__" else field_name, "; ".join(messages)) from None

    after = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    changed = created or any(before[k] != after[k] for k in after if k != "id")
    m2m_changed = {}
    for name, targets in m2m_values.items():
        current = {t.pk for t in getattr(instance, name).all()} if not created else set()  # prefetched when primed
        if current != {t.pk for t in targets}:
            m2m_changed[name] = targets
    held = None if created or not (changed or m2m_changed) else _held(instance, cache)
    if held:
        # Someone's pending edit of this record waits for review (kbreview): the fixture does not write
        # over it, and says so, as for a rule's pending draft. Its children still load.
        instance.refresh_from_db()
        stats.skip(spec.kind or spec.model._meta.verbose_name_plural, record.label, held)
        changed, m2m_changed = False, {}
    elif changed:
        instance.save()
        if created and rows is not None:
            rows[_row_key(spec, lookup_kwargs)] = instance

    for name, targets in m2m_changed.items():
        getattr(instance, name).set(targets)
        changed = True

    if not held:
        stats.count(spec.kind or spec.model._meta.verbose_name_plural, "created" if created else "updated" if changed else "unchanged")

    for child_key, (child_spec, parent_field) in spec.children.items():
        children = data.get(child_key, [])
        if not isinstance(children, list):
            raise record.error(child_key, "must be a list")
        for i, child in enumerate(children):
            child_record = Record(record.path, f"{record.label}.{child_key}", i, child if isinstance(child, dict) else {}, record.file, record.root)
            upsert(child_record, child, child_spec, stats, cache, parent=(parent_field, instance))
    return instance


# --------------------------------------------------------------------------- the sections

ORGANIZATION = Spec(kb.Organization, key=("slug",), fields=("slug", "name", "country", "url"), kind="organizations")
JURISDICTION = Spec(kb.Jurisdiction, key=("code",), fields=("code", "name"), fks={"parent": (kb.Jurisdiction, "code")}, kind="jurisdictions")
SOURCED = ("source_url", "checked_on", "verification", "notes")
CLAUSE = Spec(
    kb.LicenseClause,
    key=("version", "key"),
    fields=("key", "section", "heading", "clause_type", "quote", "summary", "parameters", *SOURCED),
    kind="clauses",
)
VERSION = Spec(
    kb.TermsVersion,
    key=("document", "version"),
    fields=("version", "effective_from", "effective_to", "url", "applies_in", "applicability", "summary", *SOURCED),
    children={"clauses": (CLAUSE, "version")},
    kind="terms versions",
)
TERMS = Spec(
    kb.TermsDocument,
    key=("spdx_id",),
    fields=("spdx_id", "name", "kind", "url", "summary", "free_and_open_source"),
    fks={"publisher": (kb.Organization, "slug")},
    children={"versions": (VERSION, "document")},
    kind="terms documents",
)
MODEL = Spec(
    kb.AIModel,
    key=("slug",),
    fields=(
        "slug", "name", "aliases", "hf_id", "release_date", "access", "parameter_count", "parameter_count_basis",
        "training_compute_flop", "training_compute_source", "modalities", "description", *SOURCED,
    ),
    fks={"organization": (kb.Organization, "slug")},
    m2m={"weights_terms": (kb.TermsDocument, "spdx_id"), "service_terms": (kb.TermsDocument, "spdx_id")},
    kind="models",
)
DATASET = Spec(
    kb.Dataset,
    key=("slug",),
    fields=("slug", "name", "aliases", "hf_id", "origin", "release_date", "generated_on", "description", *SOURCED),
    fks={"organization": (kb.Organization, "slug"), "license": (kb.TermsDocument, "spdx_id")},
    m2m={"other_licenses": (kb.TermsDocument, "spdx_id")},
    kind="datasets",
)
EDGE = Spec(
    kb.LineageEdge,
    key=("child_model", "child_dataset", "relation", "parent_model", "parent_dataset"),
    fields=("relation", "evidence_kind", "evidence", *SOURCED),
    fks={
        "child_model": (kb.AIModel, "slug"),
        "child_dataset": (kb.Dataset, "slug"),
        "parent_model": (kb.AIModel, "slug"),
        "parent_dataset": (kb.Dataset, "slug"),
    },
    kind="lineage edges",
)
PROVISION = Spec(
    kb.Provision,
    key=("ref",),
    fields=("ref", "article", "title", "summary", "quote", "roles", "url", "effective_from", "effective_to", *SOURCED),
    kind="provisions",
)
INSTRUMENT = Spec(
    kb.Instrument,
    key=("slug",),
    fields=("slug", "title", "short_name", "kind", "binding", "url", "summary", *SOURCED),
    fks={"jurisdiction": (kb.Jurisdiction, "code")},
    children={"provisions": (PROVISION, "instrument")},
    kind="instruments",
)


def _load_with_spec(spec):
    def load(records, stats, cache, progress):
        prime(records, spec, cache)
        for record in records:
            upsert(record, record.data, spec, stats, cache)
            progress()

    return load


def _load_jurisdictions(records, stats, cache, progress):
    # Parents may follow their children in the file: create every code first, then link parents.
    pending = list(records)
    prime(records, JURISDICTION, cache)
    done = set(kb.Jurisdiction.objects.values_list("code", flat=True))
    while pending:
        ready = [r for r in pending if not isinstance(r.data, dict) or r.data.get("parent") in (None, *done)]
        if not ready:
            record = pending[0]
            raise record.error("parent", f'no jurisdiction with code "{record.data.get("parent")}" (or a cycle)')
        for record in ready:
            upsert(record, record.data, JURISDICTION, stats, cache)
            done.add(record.data.get("code"))
            progress()
        pending = [r for r in pending if r not in ready]


# --------------------------------------------------------------------------- dumping (rows -> YAML)


def dump_record(instance, spec):
    """One instance as the mapping a fixture would hold; defaults are left out, as an editor would."""
    out = {}
    for name in spec.fields:
        value = getattr(instance, name)
        default = instance._meta.get_field(name).get_default()
        if name in spec.key or value != default:
            out[name] = value
    for name, (_model, lookup) in spec.fks.items():
        target = getattr(instance, name)
        if target is not None:
            out[name] = getattr(target, lookup)
    for name, (_model, lookup) in spec.m2m.items():
        if getattr(instance, f"{name}_unknown", False):
            out[name] = "unknown"
        else:
            values = sorted(getattr(t, lookup) for t in getattr(instance, name).all())
            if values:
                out[name] = values
    for child_key, (child_spec, parent_field) in spec.children.items():
        related = getattr(instance, child_spec.model._meta.get_field(parent_field).remote_field.get_accessor_name())
        children = [dump_record(child, child_spec) for child in related.all()]
        if children:
            out[child_key] = children
    return out


def _dump_with_spec(spec, order_by, exclude=None):
    def dump():
        rows = spec.model.objects.order_by(*order_by)
        return [dump_record(obj, spec) for obj in (rows.exclude(exclude) if exclude is not None else rows)]

    return dump


def _dump_jurisdictions():
    # Parents before children, so the dump reads top-down.
    rows = list(kb.Jurisdiction.objects.select_related("parent"))
    depth = {}

    def level(j):
        if j.pk not in depth:
            depth[j.pk] = 0 if j.parent is None else level(j.parent) + 1
        return depth[j.pk]

    return [dump_record(j, JURISDICTION) for j in sorted(rows, key=lambda j: (level(j), j.code))]


@dataclass
class Section:
    name: str
    order: int
    load: object  # callable(records, stats, cache, progress)
    dump: object = None  # callable() -> list of records, for dump_kb
    prune: object = None  # callable(records, stats, today): rows the records no longer contain (kb.fixtures_prune)


SECTIONS = {}
_HOLDS = []


def register_hold(hold):
    """Let another app keep load_kb from writing over a record: `hold(instance, cache)` returns why (a
    sentence for the report) or None. kbreview holds records with a pending change."""
    if hold not in _HOLDS:
        _HOLDS.append(hold)


def _held(instance, cache):
    for hold in _HOLDS:
        why = hold(instance, cache)
        if why:
            return why
    return None


def register_section(name, order, load, dump=None, prune=None):
    """Let another app load (and dump, and prune) its own section of the fixtures (e.g. policies' rules)."""
    SECTIONS[name] = Section(name, order, load, dump, prune)


register_section("organizations", 10, _load_with_spec(ORGANIZATION), _dump_with_spec(ORGANIZATION, ["slug"]), fixtures_prune.prune_organizations)
register_section("jurisdictions", 20, _load_jurisdictions, _dump_jurisdictions, fixtures_prune.prune_jurisdictions)
register_section("terms", 30, _load_with_spec(TERMS), _dump_with_spec(TERMS, ["spdx_id"]), fixtures_prune.prune_terms)
register_section("models", 40, _load_with_spec(MODEL), _dump_with_spec(MODEL, ["organization__slug", "slug"]), fixtures_prune.prune_models)
# Imported datasets and the lineage an import made are the importer's (kb.ingest), not fixtures.
_IMPORTED = Q(imported_from__gt="")
register_section("datasets", 50, _load_with_spec(DATASET), _dump_with_spec(DATASET, ["slug"], exclude=_IMPORTED), fixtures_prune.prune_datasets)
register_section(
    "lineage", 60, _load_with_spec(EDGE),
    _dump_with_spec(
        EDGE, ["child_model__slug", "child_dataset__slug", "relation", "parent_model__slug", "parent_dataset__slug"],
        exclude=Q(child_dataset__imported_from__gt="", evidence_kind=kb.LineageEdge.EvidenceKind.DECLARED),
    ),
    fixtures_prune.prune_lineage,
)
register_section("instruments", 70, _load_with_spec(INSTRUMENT), _dump_with_spec(INSTRUMENT, ["slug"]), fixtures_prune.prune_instruments)


def _register_import_mappings():
    # fixtures/kb/dpi.yaml: checked by load_kb (every name it maps to exists), read by kb.ingest.dpi.
    from kb.ingest.dpi import check_mapping_section

    for order, name in ((80, "dpi_licenses"), (81, "dpi_generators")):
        register_section(name, order, check_mapping_section(name))


_register_import_mappings()


class _FixtureDumper(yaml.SafeDumper):
    """Multi-line text as block scalars, so dumped Markdown stays readable and diffable."""


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FixtureDumper.add_representer(str, _represent_str)


def dump_fixtures(output_dir, sections=None):
    """Write one YAML file per section under output_dir (the same format load_kb reads)."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for section in sorted(SECTIONS.values(), key=lambda s: s.order):
        if section.dump is None or (sections and section.name not in sections):
            continue
        records = section.dump()
        path = output_dir / f"{section.name}.yaml"
        path.write_text(
            yaml.dump({section.name: records}, Dumper=_FixtureDumper, sort_keys=False, allow_unicode=True, width=120),
            encoding="utf-8",
        )
        written[section.name] = (path, len(records))
    return written


# --------------------------------------------------------------------------- reading and loading


def read_yaml_file(path, shown=None):
    """One fixture file's mapping of section names to lists ({} when empty). Raises FixtureError."""
    shown = shown or path
    try:
        content = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_FixtureLoader)
    except OSError as exc:
        raise FixtureError(shown, "-", None, f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise FixtureError(shown, "-", None, f"invalid YAML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise FixtureError(shown, "-", None, f"not UTF-8 text: {_undecodable(exc)}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise FixtureError(shown, "-", None, "a fixture file must be a mapping of section names to lists")
    return content


def read_fixtures(root):
    """Parse every YAML file under root into records, grouped by section (files in sorted order)."""
    root = Path(root)
    if not root.is_dir():
        raise FixtureError(root, "-", None, "fixtures directory not found")
    grouped = {}
    for path in sorted(root.rglob("*.yaml")):
        shown = path.relative_to(root.parent) if root.parent in path.parents else path
        content = read_yaml_file(path, shown)
        for section, items in content.items():
            if section not in SECTIONS:
                raise FixtureError(shown, section, None, f"unknown section (known: {', '.join(sorted(SECTIONS))})")
            if not isinstance(items, list):
                raise FixtureError(shown, section, None, "a section must be a list of records")
            records = grouped.setdefault(section, [])
            records.extend(Record(Path(shown), section, i, item, path, root) for i, item in enumerate(items))
    return grouped


class _DryRun(Exception):
    """Raised inside load_fixtures' transaction to undo a dry run."""


def load_fixtures(root, progress_stream=None, *, prune=True, dry_run=False):
    """Load every fixture under root in one transaction; return Stats. Raises FixtureError.

    With `prune`, rows of a section the fixtures no longer contain are removed, ended or reported
    (kb.fixtures_prune); a section no file mentions is left alone. With `dry_run`, everything is
    done, counted and then rolled back: the Stats say what a load would do.
    """
    grouped = read_fixtures(root)
    total = sum(len(v) for v in grouped.values())
    bar = None
    tty = progress_stream is not None and getattr(progress_stream, "isatty", lambda: False)()
    if tty:
        from tqdm import tqdm

        bar = tqdm(total=total, file=progress_stream, unit="record", desc="Loading knowledge base")

    def say(line):
        if progress_stream is not None and not tty:  # a terminal has the bar instead
            print(line, file=progress_stream, flush=True)

    stats, cache = Stats(), {}
    token = _bulk_loading.set(True)
    try:
        with transaction.atomic():
            for section in sorted(SECTIONS.values(), key=lambda s: s.order):
                records = grouped.get(section.name, [])
                say(f"Loading {section.name} ({len(records)} records)")
                section.load(records, stats, cache, (lambda: bar.update(1)) if bar else (lambda: None))
            if prune:
                today = timezone.localdate()
                # Dependents first: edges before models, models before their organization.
                for section in sorted(SECTIONS.values(), key=lambda s: -s.order):
                    if section.prune is not None and section.name in grouped:
                        section.prune(grouped[section.name], stats, today)
            if dry_run:
                raise _DryRun
            from kb.signals import knowledge_base_loaded

            _bulk_loading.set(False)
            if stats.changed:
                say("Updating the search index")
                if bar:
                    bar.set_description("Updating the search index")
            # Sent whatever changed: listeners decide from stats.changed (an empty search index is
            # built even when the database already matched the fixtures).
            knowledge_base_loaded.send(sender=load_fixtures, stats=stats)
    except _DryRun:
        pass  # rolled back; the search index was never told
    finally:
        _bulk_loading.reset(token)
        if bar:
            bar.close()
    return stats

