"""Import the Data Provenance Initiative's dataset records into the knowledge base.

The Data Provenance Initiative (github.com/Data-Provenance-Initiative/Data-Provenance-Collection,
Apache-2.0) audited the licenses and provenance of fine-tuning datasets; its `data_summaries/*.json`
hold one record per dataset. Each record becomes a Dataset with `imported_from="dpi"` and
`verification="declared"` (DPI's word, not checked by us), cited to its record file. Its licenses map
onto terms documents through fixtures/kb/dpi.yaml (names not mapped stay unknown and are listed in
`licenses_unmapped`); the models DPI says generated it become `generated_by` lineage edges with
evidence kind `declared`. A record whose Hugging Face id a curated dataset already has is not
imported as a second dataset: the curated row keeps its fields and carries the record in
`imported_record`, where the portal and the API show how the two differ.

`import_dpi` is all-or-nothing (one transaction; a bad record aborts it naming the file, the record
and the field) and idempotent: it compares what it would write with what is there and writes only
the difference, so a second run changes nothing.
"""

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from kb import commercial_use
from kb import models as kb

REPOSITORY = "https://github.com/Data-Provenance-Initiative/Data-Provenance-Collection"
# The commit of the snapshot kept in ../shared/data/dpi (see ../shared/data/README.md).
SHARED_REVISION = "ce6662d"
SOURCE = "dpi"
SLUG_PREFIX = "dpi-"
CREDIT = "Data Provenance Initiative (Apache-2.0)"
# DPI's stand-ins for the terms of the service that generated the data, which its rules class as
# licenses ("NC"); its IgnoreOpenAI view drops the first.
SERVICE_PSEUDO_LICENSES = ("OpenAI", "Anthropic", "Google Cloud Translation API")
FACET_FIELDS = {
    "Languages": kb.DatasetFacet.Facet.LANGUAGE,
    "Task Categories": kb.DatasetFacet.Facet.TASK,
    "Text Sources": kb.DatasetFacet.Facet.SOURCE,
    "Creators": kb.DatasetFacet.Facet.CREATOR,
}
_LIST_FIELDS = (*FACET_FIELDS, "Model Generated", "Derived from Datasets")
_HF_HOSTS = ("https://huggingface.co/datasets/", "https://hf.co/datasets/", "http://huggingface.co/datasets/")
_HF_NOT_A_NAME = {"tree", "blob", "viewer", "resolve", "discussions", "commits"}


def default_mapping_path():
    return Path(settings.KB_FIXTURES_DIR) / "kb" / "dpi.yaml"


class DpiError(Exception):
    """A DPI file or record that cannot be imported; names the file, the record and the field."""

    def __init__(self, path, record, field_name, message):
        where = f"{path}" + (f": {record}" if record else "") + (f": field {field_name!r}" if field_name else "")
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class DpiClasses:
    """DPI's own tables (constants/), to compute its class of a record by its rules."""

    licenses: dict  # name -> [use, attribution, share_alike]
    custom: dict  # license URL -> the same

    def use_of(self, name, url):
        if name == "Custom":
            return (self.custom.get(url) or ["?"])[0]
        return (self.licenses.get(name) or ["?"])[0]

    def resolve(self, licenses):
        """DPI's `resolve_multiple_licenses`, as it is: most restrictive wins, and anything that is
        not ?, Acad, NC or Unspecified resolves to commercial (its `elif "All":` is always true)."""
        uses = [self.use_of(name, url) for name, url in licenses]
        if not uses:
            return ""
        if "?" in uses or "Acad" in uses:
            return "academic-only"
        if "NC" in uses:
            return "non-commercial"
        if "Unspecified" in uses:
            return "unspecified"
        return "commercial"


def read_classes(directory):
    constants = Path(directory) / "constants"
    tables = []
    for name in ("license_classes.json", "custom_license_classes.json"):
        path = constants / name
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DpiError(path, None, None, f"cannot read DPI's license classes: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise DpiError(path, None, None, f"invalid JSON: {exc}") from None
        if not isinstance(table, dict):
            raise DpiError(path, None, None, "expected a mapping of license names to [use, attribution, share_alike]")
        tables.append(table)
    return DpiClasses(*tables)


def hf_id_from_url(url):
    """The dataset id in a Hugging Face dataset URL ("owner/name" or a canonical "name"), else None."""
    url = (url or "").strip()
    for host in _HF_HOSTS:
        if url.lower().startswith(host):
            parts = [p for p in url[len(host):].split("?")[0].split("#")[0].split("/") if p]
            if not parts:
                return None
            if len(parts) >= 2 and parts[1] not in _HF_NOT_A_NAME:
                return f"{parts[0]}/{parts[1]}"
            return parts[0]
    return None


def _string_list(path, uid, name, value):
    if value in (None, ""):
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DpiError(path, uid, name, "must be a list of strings")
    out = []
    for v in value:
        v = v.strip()
        if v and v not in out:
            out.append(v)
    return out


def _text(path, uid, name, value, required=False):
    if value is None or value == "":
        if required:
            raise DpiError(path, uid, name, "is required")
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise DpiError(path, uid, name, f"must be a string, got {type(value).__name__}")
    return value.strip()


_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def link(text):
    """`text` if it is one http(s) URL with a host, else "": the record's URLs become links on our
    pages, and a `javascript:` URL (or several URLs in one field) must never be one."""
    if not text or _UNSAFE_URL_CHARS.search(text):
        return ""
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def record_url(filename, revision):
    return f"{REPOSITORY}/blob/{revision}/data_summaries/{quote(filename)}"


def parse_record(path, uid, raw, revision, classes):
    """One DPI record, checked and reduced to the fields kept (`imported_record`)."""
    if not isinstance(raw, dict):
        raise DpiError(path.name, uid, None, f"expected a mapping, got {type(raw).__name__}")
    declared_uid = raw.get("Unique Dataset Identifier")
    if declared_uid != uid:
        raise DpiError(path.name, uid, "Unique Dataset Identifier", f"{declared_uid!r} differs from the record's key")
    licenses = raw.get("Licenses")
    if not isinstance(licenses, list) or not all(isinstance(item, dict) for item in licenses):
        raise DpiError(path.name, uid, "Licenses", "must be a list of {License, License URL} mappings")
    pairs = []
    for i, item in enumerate(licenses):
        name = _text(path.name, uid, f"Licenses[{i}].License", item.get("License"), required=True)
        url = _text(path.name, uid, f"Licenses[{i}].License URL", item.get("License URL"))
        pairs.append((name, url))
    lists = {name: _string_list(path.name, uid, name, raw.get(name)) for name in _LIST_FIELDS}
    without_openai = [p for p in pairs if p[0] != "OpenAI"] or [("Unspecified", "")]
    without_services = [p for p in pairs if p[0] not in SERVICE_PSEUDO_LICENSES] or [("Unspecified", "")]
    return {
        "source": SOURCE,
        "id": uid,
        "name": _text(path.name, uid, "Dataset Name", raw.get("Dataset Name"), required=True),
        "collection": _text(path.name, uid, "Collection", raw.get("Collection")),
        "record_url": record_url(path.name, revision),
        "dataset_url": link(_text(path.name, uid, "Dataset URL", raw.get("Dataset URL"))),
        "hf_url": link(_text(path.name, uid, "Hugging Face URL", raw.get("Hugging Face URL"))),
        "hf_id": hf_id_from_url(raw.get("Hugging Face URL")),
        "github_url": link(_text(path.name, uid, "GitHub URL", raw.get("GitHub URL"))),
        "paper_title": _text(path.name, uid, "Paper Title", raw.get("Paper Title")),
        "arxiv_url": link(_text(path.name, uid, "ArXiv URL", raw.get("ArXiv URL"))),
        # DPI's classes are computed from the URLs as written (its custom table is keyed by them);
        # what is kept links only a single http(s) URL and keeps anything else as text.
        "licenses": [{"name": name, "url": link(url), "url_text": "" if link(url) else url} for name, url in pairs],
        "license_notes": _text(path.name, uid, "License Notes", raw.get("License Notes")),
        "license_verified_by": _text(path.name, uid, "License Verified By", raw.get("License Verified By")),
        # A string in most records ("Yes", "No"), a list in some.
        "human_annotation": ", ".join(_string_list(path.name, uid, "Human Annotation", raw["Human Annotation"]))
        if isinstance(raw.get("Human Annotation"), list) else _text(path.name, uid, "Human Annotation", raw.get("Human Annotation")),
        "languages": lists["Languages"],
        "tasks": lists["Task Categories"],
        "sources": lists["Text Sources"],
        "creators": lists["Creators"],
        "model_generated": lists["Model Generated"],
        "derived_from": lists["Derived from Datasets"],
        # DPI's class of the record by its own rules and tables, in its two views, and with every
        # service pseudo-license dropped (what the conformance report compares against).
        "dpi_class": classes.resolve(pairs),
        "dpi_class_ignore_openai": classes.resolve(without_openai),
        "dpi_class_without_service_terms": classes.resolve(without_services),
    }


@dataclass
class Records:
    records: list  # parsed records, in file then key order, one per identifier
    duplicates: list = field(default_factory=list)  # (identifier, file kept, file skipped, same content?)


def read_records(directory, revision=SHARED_REVISION):
    """Every record under DIRECTORY/data_summaries (files starting with "_" are DPI's templates)."""
    directory = Path(directory)
    summaries = directory / "data_summaries"
    if not summaries.is_dir():
        raise DpiError(summaries, None, None, "not a directory (expected DPI's data_summaries/)")
    classes = read_classes(directory)
    out, seen = Records([]), {}
    for path in sorted(summaries.glob("*.json")):
        if path.name.startswith("_"):
            continue
        try:
            content = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DpiError(path.name, None, None, f"invalid JSON: {exc}") from None
        if not isinstance(content, dict):
            raise DpiError(path.name, None, None, "expected a mapping of dataset identifiers to records")
        for uid, raw in content.items():
            record = parse_record(path, uid, raw, revision, classes)
            if uid in seen:
                kept = seen[uid]
                same = {k: v for k, v in kept.items() if k != "record_url"} == {k: v for k, v in record.items() if k != "record_url"}
                out.duplicates.append((uid, kept["record_url"].rsplit("/", 1)[1], path.name, same))
                continue
            seen[uid] = record
            out.records.append(record)
    return out


# --------------------------------------------------------------------------- the mapping (fixtures/kb/dpi.yaml)


@dataclass(frozen=True)
class GeneratorEntry:
    model: str | None
    verification: str = kb.Verification.DECLARED
    notes: str = ""
    not_a_model: bool = False


@dataclass
class Mapping:
    licenses: dict  # DPI name -> spdx id
    none_stated: set  # DPI names meaning "no license was stated"
    generators: dict  # DPI name -> GeneratorEntry


def _mapping_errors(section, items):
    """(index, field, message) for each malformed entry of a mapping section."""
    allowed = {
        "dpi_licenses": {"name", "spdx_id", "none_stated"},
        "dpi_generators": {"name", "model", "verification", "notes", "not_a_model"},
    }[section]
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            yield i, None, "expected a mapping"
            continue
        unknown = sorted(set(item) - allowed)
        if unknown:
            yield i, unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})"
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            yield i, "name", "is required"
        if section == "dpi_licenses" and bool(item.get("spdx_id")) == bool(item.get("none_stated")):
            yield i, "spdx_id", "give exactly one of spdx_id and none_stated"
        if section == "dpi_generators":
            if bool(item.get("model")) == bool(item.get("not_a_model")):
                yield i, "model", "give exactly one of model and not_a_model"
            if item.get("verification", kb.Verification.DECLARED) not in (kb.Verification.DECLARED, kb.Verification.INFERRED):
                yield i, "verification", "must be declared or inferred"


def read_mapping(path=None):
    from kb.fixtures_io import read_yaml_file

    path = Path(path or default_mapping_path())
    content = read_yaml_file(path)
    sections = {name: content.get(name) or [] for name in ("dpi_licenses", "dpi_generators")}
    for name, items in sections.items():
        for i, field_name, message in _mapping_errors(name, items):
            raise DpiError(path, f"{name}[{i}]", field_name, message)
    licenses = sections["dpi_licenses"]
    return Mapping(
        licenses={e["name"]: e["spdx_id"] for e in licenses if e.get("spdx_id")},
        none_stated={e["name"] for e in licenses if e.get("none_stated")},
        generators={
            e["name"]: GeneratorEntry(
                e.get("model"), e.get("verification", kb.Verification.DECLARED), e.get("notes", ""), bool(e.get("not_a_model"))
            )
            for e in sections["dpi_generators"]
        },
    )


def check_mapping_section(section):
    """A load_kb section loader that writes nothing: it checks that the mapping names only terms
    documents and models the knowledge base has, so a renamed slug fails load_kb, not the import."""

    def load(records, stats, cache, progress):
        from kb.references import model_index

        index = model_index() if section == "dpi_generators" else None
        spdx_ids = set(kb.TermsDocument.objects.values_list("spdx_id", flat=True)) if section == "dpi_licenses" else set()
        items = [r.data for r in records]
        for i, field_name, message in _mapping_errors(section, items):
            raise records[i].error(field_name, message)
        for record in records:
            data = record.data
            if section == "dpi_licenses" and data.get("spdx_id") and data["spdx_id"] not in spdx_ids:
                raise record.error("spdx_id", f'no terms document with spdx_id "{data["spdx_id"]}"')
            if section == "dpi_generators" and data.get("model") and not index.resolve(data["model"]).resolved:
                raise record.error("model", f'"{data["model"]}" names no single model')
            stats.count("DPI mapping entries", "unchanged")
            progress()

    return load


# --------------------------------------------------------------------------- the import


@dataclass
class ImportReport:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    attached: dict = field(default_factory=dict)  # curated slug -> DPI identifiers attached
    curated_updated: int = 0
    edges: Counter = field(default_factory=Counter)  # created / updated / deleted
    licenses_changed: int = 0
    facets_changed: int = 0
    duplicates: list = field(default_factory=list)
    unmapped_licenses: Counter = field(default_factory=Counter)  # DPI name -> records
    unresolved_generators: Counter = field(default_factory=Counter)  # DPI name -> records
    shared_hf_ids: int = 0  # records whose Hugging Face id other records share (not set as hf_id)
    stale: list = field(default_factory=list)  # imported datasets no longer in the records (kept)

    @property
    def changed(self):
        return bool(self.created or self.updated or self.curated_updated or sum(self.edges.values()) or self.licenses_changed or self.facets_changed)

    def lines(self):
        yield f"DPI records read: {self.records}"
        yield f"datasets: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        attached = sum(len(v) for v in self.attached.values())
        yield f"attached to curated datasets: {attached} records on {len(self.attached)} datasets ({self.curated_updated} updated)"
        yield f"generated_by edges: {self.edges['created']} created, {self.edges['updated']} updated, {self.edges['deleted']} deleted"
        yield f"records whose Hugging Face id other records share (hf_id left empty): {self.shared_hf_ids}"
        for uid, kept, skipped, same in self.duplicates:
            yield f"identifier {uid} appears twice: kept {kept}, skipped {skipped} ({'same record' if same else 'different records'})"
        if self.unmapped_licenses:
            yield f"licenses with no terms document here (terms unknown): {sum(self.unmapped_licenses.values())} mentions of {len(self.unmapped_licenses)} names"
            for name, n in self.unmapped_licenses.most_common():
                yield f"  unmapped license {name!r}: {n} records"
        if self.unresolved_generators:
            yield f"generating models matching no model here: {len(self.unresolved_generators)} names"
            for name, n in self.unresolved_generators.most_common():
                yield f"  unresolved generator {name!r}: {n} records"
        for slug in self.stale:
            yield f"kept, no longer in the records: {slug}"


def _slug(uid):
    # "#" and "+" carry meaning in identifiers (commitpackft-c# beside commitpackft-c, c++).
    return (SLUG_PREFIX + slugify(uid.replace("#", "-sharp").replace("+", "-plus")))[:120]


def _map_licenses(record, mapping, docs):
    """(mapped spdx ids in order, unmapped names, whether every name said "none stated")."""
    mapped, unmapped = [], []
    for item in record["licenses"]:
        name = item["name"]
        if name in mapping.licenses:
            if mapping.licenses[name] not in docs:
                raise DpiError("fixtures dpi.yaml", "dpi_licenses", "spdx_id", f'no terms document "{mapping.licenses[name]}" (run load_kb)')
            if mapping.licenses[name] not in mapped:
                mapped.append(mapping.licenses[name])
        elif name not in mapping.none_stated and name not in unmapped:
            unmapped.append(name)
    none_stated = bool(record["licenses"]) and all(i["name"] in mapping.none_stated for i in record["licenses"])
    return mapped, unmapped, none_stated


def _map_generators(record, mapping, index):
    """({model id: (model, [DPI names], verification)}, [unresolved names])."""
    found, unresolved = {}, []
    for name in record["model_generated"]:
        entry = mapping.generators.get(name, GeneratorEntry(None))
        if entry.not_a_model:
            continue
        target = index.resolve(entry.model or name).target
        if target is None:
            unresolved.append(name)
            continue
        model, names, verification = found.get(target.pk, (target, [], kb.Verification.INFERRED))
        if entry.verification == kb.Verification.DECLARED:
            verification = kb.Verification.DECLARED
        found[target.pk] = (model, [*names, name], verification)
    return found, unresolved


def _expression(spdx_ids, none_stated):
    if not spdx_ids:
        return "NOASSERTION" if none_stated else ""
    from license_expression import Licensing

    # A conjunction: every license DPI lists applies. Licensing() without a symbol table accepts
    # LicenseRef-… ids as they are and only checks the syntax.
    return str(Licensing().parse(" AND ".join(spdx_ids)))


def _note(record):
    verified = f" DPI records its license as checked by {record['license_verified_by']}." if record["license_verified_by"] else ""
    return (
        f"Imported from the Data Provenance Initiative's record `{record['id']}` (collection {record['collection'] or '—'}; "
        f"Apache-2.0): its word, not checked by us.{verified}"
    )


def _edge_evidence(names):
    return "DPI lists " + ", ".join(f'"{n}"' for n in names) + ' under "Model Generated".'


def _facets(records):
    out = set()
    for record in records:
        for key, facet in (("languages", "language"), ("tasks", "task"), ("sources", "source"), ("creators", "creator")):
            out.update((facet, value[:200]) for value in record[key])
    return out


DATASET_FIELDS = (
    "name", "aliases", "hf_id", "organization_id", "license_id", "license_expression", "licenses_unmapped", "origin",
    "description", "source_url", "verification", "notes", "imported_from", "imported_record",
)
EDGE_FIELDS = ("evidence", "source_url", "verification", "notes")


def import_dpi(*, directory, revision=SHARED_REVISION, mapping_path=None, progress=None, today=None):
    """Import every DPI record under `directory`; return an ImportReport. Raises DpiError.

    progress: a stream for a tqdm bar (shown when it is a terminal), or None.
    """
    from tqdm import tqdm

    from kb.references import model_index
    from kb.signals import knowledge_base_loaded

    today = today or datetime.date.today()
    read = read_records(directory, revision)
    mapping = read_mapping(mapping_path)
    report = ImportReport(records=len(read.records) + len(read.duplicates), duplicates=read.duplicates)
    bar = tqdm(
        total=len(read.records), file=progress, unit="record", desc="Importing DPI records",
        disable=progress is None or not getattr(progress, "isatty", lambda: False)(),
    )
    try:
        with transaction.atomic():
            docs = {d["spdx_id"]: d for d in kb.TermsDocument.objects.values("id", "spdx_id", "kind")}
            index = model_index()
            use_of = {pk: found.use for pk, found in commercial_use.document_classes(today).items()}
            curated_by_hf = {d.hf_id.lower(): d for d in kb.Dataset.objects.filter(imported_from="").exclude(hf_id=None)}
            hf_counts = Counter(r["hf_id"].lower() for r in read.records if r["hf_id"])
            existing = {d.slug: d for d in kb.Dataset.objects.filter(slug__startswith=SLUG_PREFIX)}

            wanted, attach, licenses_wanted, edges_wanted, facets_wanted, slugs_seen = {}, {}, {}, {}, {}, {}
            for record in read.records:
                bar.update(1)
                mapped, unmapped, none_stated = _map_licenses(record, mapping, docs)
                generators, unresolved = _map_generators(record, mapping, index)
                report.unmapped_licenses.update(unmapped)
                report.unresolved_generators.update(unresolved)
                record = {
                    **record,
                    "mapped": {
                        "licenses": mapped, "unmapped": unmapped,
                        "generators": sorted(m.slug for m, _n, _v in generators.values()), "unresolved": unresolved,
                    },
                }
                hf = record["hf_id"]
                if hf and hf.lower() in curated_by_hf:
                    attach.setdefault(curated_by_hf[hf.lower()].pk, []).append(record)
                    continue
                slug = _slug(record["id"])
                if slug in slugs_seen:
                    raise DpiError(record["record_url"], record["id"], "Unique Dataset Identifier", f"makes the same slug {slug!r} as {slugs_seen[slug]!r}")
                slugs_seen[slug] = record["id"]
                if existing.get(slug) is not None and existing[slug].imported_from != SOURCE:
                    raise DpiError(record["record_url"], record["id"], None, f"slug {slug!r} is taken by a dataset not imported from DPI")
                shared = bool(hf) and hf_counts[hf.lower()] > 1
                report.shared_hf_ids += shared
                # `license` holds the most restrictive of the data licenses (a reader of that one field
                # alone still sees a non-commercial limit); the rest go to other_licenses.
                data_licenses = [s for s in mapped if docs[s]["kind"] not in kb.TermsDocument.CONTRACT_KINDS]
                data_licenses.sort(key=lambda s: use_of[docs[s]["id"]] != commercial_use.NON_COMMERCIAL)
                governing = data_licenses[0] if data_licenses else None
                wanted[slug] = {
                    "name": record["name"][:200],
                    "aliases": [record["id"]],
                    "hf_id": hf if hf and not shared else None,
                    "organization_id": None,
                    "license_id": docs[governing]["id"] if governing else None,
                    "license_expression": _expression(mapped, none_stated),
                    "licenses_unmapped": unmapped,
                    "origin": kb.Dataset.Origin.GENERATED if record["model_generated"] and (generators or unresolved) else kb.Dataset.Origin.UNKNOWN,
                    "description": "",
                    "source_url": record["record_url"],
                    "verification": kb.Verification.DECLARED,
                    "notes": _note(record),
                    "imported_from": SOURCE,
                    "imported_record": {"source": SOURCE, "records": [record]},
                }
                licenses_wanted[slug] = {docs[s]["id"] for s in mapped if s != governing}
                facets_wanted[slug] = _facets([record])
                edges_wanted[slug] = {
                    model.pk: {
                        "evidence": _edge_evidence(names),
                        "source_url": record["record_url"],
                        "verification": verification,
                        "notes": "; ".join(
                            mapping.generators[n].notes for n in names if n in mapping.generators and mapping.generators[n].notes
                        ),
                    }
                    for model, names, verification in generators.values()
                }

            # Datasets: create what is missing, update only what differs (checked_on moves with a change).
            created, changed = [], []
            for slug, values in wanted.items():
                dataset = existing.get(slug)
                if dataset is None:
                    created.append(kb.Dataset(slug=slug, checked_on=today, **values))
                elif any(getattr(dataset, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(dataset, k, v)
                    dataset.checked_on = today
                    changed.append(dataset)
                else:
                    report.unchanged += 1
            report.stale = sorted(slug for slug, d in existing.items() if d.imported_from == SOURCE and slug not in wanted)
            _validate(created + changed)
            if created:
                from simple_history.utils import bulk_create_with_history

                bulk_create_with_history(created, kb.Dataset, batch_size=500)
            if changed:
                from simple_history.utils import bulk_update_with_history

                bulk_update_with_history(changed, kb.Dataset, [*DATASET_FIELDS, "checked_on"], batch_size=500)
            report.created, report.updated = len(created), len(changed)

            # Curated datasets keep their fields; the DPI records are attached to them.
            for dataset in kb.Dataset.objects.filter(imported_from=""):
                records = sorted(attach.get(dataset.pk, []), key=lambda r: r["id"])
                current = dataset.imported_record or {}
                if not records and current.get("source") != SOURCE:
                    continue
                if records:
                    report.attached[dataset.slug] = [r["id"] for r in records]
                value = {"source": SOURCE, "records": records} if records else {}
                if current != value:
                    dataset.imported_record = value
                    dataset.save(update_fields=["imported_record"])
                    report.curated_updated += 1

            ids = dict(kb.Dataset.objects.filter(slug__in=list(wanted)).values_list("slug", "id"))
            curated_ids = {pk: records for pk, records in attach.items()}
            report.licenses_changed = _sync_other_licenses(ids, licenses_wanted)
            report.facets_changed = _sync_facets(ids, facets_wanted, curated_ids)
            report.edges = _sync_edges(ids, edges_wanted, today)
            if report.changed:
                # Bulk writes send no per-row signals: one signal invalidates the engine's snapshot
                # and rebuilds the search index, as load_kb does.
                knowledge_base_loaded.send(sender=import_dpi, stats=report)
    finally:
        bar.close()
    return report


def _validate(datasets):
    from django.core.exceptions import ValidationError

    for dataset in datasets:
        try:
            dataset.full_clean(exclude=["organization", "license"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            field_name, messages = next(iter(exc.message_dict.items()))
            record = (dataset.imported_record.get("records") or [{}])[0]
            raise DpiError(record.get("record_url", dataset.slug), record.get("id"), field_name, "; ".join(messages)) from None


def _sync_other_licenses(ids, wanted):
    through = kb.Dataset.other_licenses.through
    want = {(ids[slug], doc) for slug, docs in wanted.items() for doc in docs}
    have = set(through.objects.filter(dataset_id__in=ids.values()).values_list("dataset_id", "termsdocument_id"))
    extra = have - want
    for dataset_id, doc_id in extra:
        through.objects.filter(dataset_id=dataset_id, termsdocument_id=doc_id).delete()
    through.objects.bulk_create([through(dataset_id=d, termsdocument_id=t) for d, t in sorted(want - have)], batch_size=500)
    return len(extra) + len(want - have)


def _sync_facets(ids, wanted, curated):
    want = {(ids[slug], facet, value) for slug, facets in wanted.items() for facet, value in facets}
    want |= {(pk, facet, value) for pk, records in curated.items() for facet, value in _facets(records)}
    scope = set(ids.values()) | set(curated) | set(
        kb.DatasetFacet.objects.filter(dataset__imported_from="").values_list("dataset_id", flat=True)
    )
    have = {}
    for pk, dataset_id, facet, value in kb.DatasetFacet.objects.filter(dataset_id__in=scope).values_list("id", "dataset_id", "facet", "value"):
        have[(dataset_id, facet, value)] = pk
    extra = [pk for key, pk in have.items() if key not in want]
    kb.DatasetFacet.objects.filter(pk__in=extra).delete()
    kb.DatasetFacet.objects.bulk_create(
        [kb.DatasetFacet(dataset_id=d, facet=f, value=v) for d, f, v in sorted(want - set(have))], batch_size=1000
    )
    return len(extra) + len(want - set(have))


def _sync_edges(ids, wanted, today):
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    counts = Counter()
    have = {
        (e.child_dataset_id, e.parent_model_id): e
        for e in kb.LineageEdge.objects.filter(
            child_dataset_id__in=ids.values(), relation=kb.LineageEdge.Relation.GENERATED_BY,
            evidence_kind=kb.LineageEdge.EvidenceKind.DECLARED, parent_model__isnull=False,
        )
    }
    created, changed = [], []
    for slug, parents in wanted.items():
        for model_id, values in parents.items():
            edge = have.pop((ids[slug], model_id), None)
            if edge is None:
                created.append(kb.LineageEdge(
                    child_dataset_id=ids[slug], parent_model_id=model_id, relation=kb.LineageEdge.Relation.GENERATED_BY,
                    evidence_kind=kb.LineageEdge.EvidenceKind.DECLARED, checked_on=today, **values,
                ))
            elif any(getattr(edge, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(edge, k, v)
                edge.checked_on = today
                changed.append(edge)
    if created:
        bulk_create_with_history(created, kb.LineageEdge, batch_size=500)
    if changed:
        bulk_update_with_history(changed, kb.LineageEdge, [*EDGE_FIELDS, "checked_on"], batch_size=500)
    for edge in have.values():
        edge.delete()
    counts.update(created=len(created), updated=len(changed), deleted=len(have))
    return counts
