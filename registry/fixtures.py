"""load_kb's section `hub_licenses` (fixtures/registry/hub-licenses.yaml): nothing is stored, but a
mapping that names a terms document the knowledge base does not have fails the load, naming the entry."""

from kb import models as kb
from registry.licenses import parse_mapping


def load_hub_licenses(records, stats, cache, progress):
    try:
        parse_mapping([r.data for r in records])
    except ValueError as exc:
        raise records[0].error(None, str(exc)) from None
    known = set(kb.TermsDocument.objects.values_list("spdx_id", flat=True))
    for record in records:
        if record.data["spdx_id"] not in known:
            raise record.error("spdx_id", f"no terms document {record.data['spdx_id']!r} in the knowledge base")
        stats.count("hub license mapping", "unchanged")
        progress()
