"""Hub license ids -> knowledge-base terms documents, from the mapping kept as data in fixtures/.

`load_mapping()` reads fixtures/registry/hub-licenses.yaml into plain data (a tuple of dicts, cached
per process): the engine and the pages pass it to the pure `terms_for`, which says which terms
document a card's license designates, or that none is known and why.
"""

import functools
import re
from pathlib import Path

import yaml
from django.conf import settings

MAPPING_FILE = Path("registry") / "hub-licenses.yaml"


def mapping_path():
    return Path(settings.KB_FIXTURES_DIR) / MAPPING_FILE


def parse_mapping(entries):
    """Validate the fixture's entries and return plain data: a tuple of dicts, regexes compiled."""
    parsed = []
    for i, entry in enumerate(entries):
        where = f"hub_licenses[{i}]"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: an entry must be a mapping")
        for key in ("hub_license", "spdx_id"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise ValueError(f"{where}: field {key} is required")
        names = entry.get("license_names") or []
        links = entry.get("license_links") or []
        if entry["hub_license"] == "other" and not (names or links):
            raise ValueError(f"{where}: an entry for license other needs license_names or license_links")
        try:
            compiled = tuple(re.compile(rx, re.IGNORECASE) for rx in links)
        except re.error as exc:
            raise ValueError(f"{where}: field license_links: {exc}") from None
        parsed.append(
            {
                "hub_license": entry["hub_license"].lower(),
                "spdx_id": entry["spdx_id"],
                "license_names": tuple(n.lower() for n in names),
                "license_links": compiled,
                "provenance": entry.get("provenance") or {},
            }
        )
    return tuple(parsed)


@functools.cache
def _load(path):
    content = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return parse_mapping(content.get("hub_licenses") or [])


def load_mapping(path=None):
    return _load(str(path or mapping_path()))


def terms_for(license, license_name, license_link, mapping):
    """(spdx_id or None, reason): the terms document a card's license fields designate."""
    license = (license or "").strip().lower()
    name = (license_name or "").strip().lower()
    link = (license_link or "").strip()
    if not license:
        return None, "the card declares no license"
    if license == "unknown":
        return None, "the card says its license is unknown"
    if license != "other":
        for entry in mapping:
            if entry["hub_license"] == license:
                return entry["spdx_id"], f"Hub license id {license}"
        return None, f"Hub license id {license} is not mapped to a terms document in the knowledge base"
    others = [e for e in mapping if e["hub_license"] == "other"]
    if name:
        for entry in others:
            if name in entry["license_names"]:
                return entry["spdx_id"], f"license other, license_name {name}"
    if link:
        for entry in others:
            if any(rx.search(link) for rx in entry["license_links"]):
                return entry["spdx_id"], f"license other, license_link {link}"
    said = ", ".join(f"{k} {v}" for k, v in (("license_name", name), ("license_link", link)) if v) or "no license_name or license_link"
    return None, f"license other with {said}: no known terms document matches"
