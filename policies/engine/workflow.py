"""Parse and validate the workflow JSON of the check contract (docs/check-contract.md).

The fields, their enums, defaults and limits are `policies.engine.contract`'s; this module reads a
value the way its `Field` says. Bad input is an error, never a guess: every problem raises
`WorkflowError` naming the field by its path (`student.purpose`, `teachers[1].access`). A valid
workflow comes back as a plain, fully defaulted dict (`facts.Workflow`), so the rest of the engine
never has to ask whether a key is present. The API's batch and replay bodies are read here too
(`parse_batch`, `parse_replay_options`), against the contract's `BATCH` and `REPLAY`.
"""

import datetime
import math
import re
from functools import lru_cache

from kb import weburl
from policies.engine import contract
from policies.engine.contract import Field
from policies.engine.facts import Workflow

# "EU", ISO 3166-1 alpha-2 ("DE", "UK" as the contract spells it) or a region ("US-CA").
_JURISDICTION = re.compile(r"^(EU|[A-Z]{2}(-[A-Z0-9]{1,3})?)$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


# JSON can escape them ("\u0000", "\ud800"), but they are not text: PostgreSQL refuses to store them
# (a NUL in jsonb) and they cannot be printed as UTF-8.
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


def _printable(text):
    """text with NULs and lone surrogates shown as escapes, so an error message can always be printed."""
    return _NOT_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class WorkflowError(ValueError):
    def __init__(self, path, message):
        path = _printable(path)
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}" if path else message)


def _text(value, path):
    """Refuse a string with a NUL or a lone surrogate, naming the field and where."""
    bad = _NOT_TEXT.search(value)
    if bad:
        what = "a NUL character" if bad.group() == "\x00" else "a lone surrogate"
        raise WorkflowError(path, f"contains {what} (U+{ord(bad.group()):04X}) at position {bad.start()}, which is not valid text")
    return value


def _kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _object(value, path, allowed, required=()):
    if not isinstance(value, dict):
        raise WorkflowError(path, f"must be an object, got {_kind(value)}")
    for key in value:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise WorkflowError(where, f"unknown field (allowed: {', '.join(allowed)})")
    for key in required:
        if key not in value:
            raise WorkflowError(f"{path}.{key}" if path else key, "is required")
    return value


def _string(value, path, nullable=False, non_empty=True, max_length=contract.MAX_TEXT):
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise WorkflowError(path, f"must be a string, got {_kind(value)}")
    if len(value) > max_length:
        raise WorkflowError(path, f"must be at most {max_length} characters, got {len(value)}")
    _text(value, path)
    if non_empty and not value.strip():
        raise WorkflowError(path, "must not be empty")
    return value


def _choice(value, path, choices, default=None, nullable=False):
    if value is None and (nullable or default is not None):
        return default
    if isinstance(value, str):
        _text(value, path)
    if not isinstance(value, str) or value not in choices:
        shown = f'"{value}"' if isinstance(value, str) else _kind(value)
        raise WorkflowError(path, f"{shown} is not one of {', '.join(choices)}")
    return value


def _number(value, path, maximum, integer=False):
    if value is None:
        return None
    what = f"a {'whole ' if integer else ''}number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WorkflowError(path, f"must be {what}, got {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        # JSON has no infinity: 1e999 and the like are read as one.
        raise WorkflowError(path, f"must be {what} of at most {maximum:g}, got {value} (a number too large to represent, such as 1e999)")
    if value > maximum:
        digits = len(str(value)) if isinstance(value, int) else 0
        shown = f"a {digits}-digit number" if digits > 20 else f"{value:.3g}"  # an int too large for a float cannot be formatted as one
        raise WorkflowError(path, f"must be at most {maximum:g}, got {shown}")
    if integer and isinstance(value, float):
        if not value.is_integer():
            raise WorkflowError(path, f"must be a whole number, got {value}")
        value = int(value)
    if value < 0:
        raise WorkflowError(path, f"must not be negative, got {value}")
    return value


def _url(value, path):
    """An http(s) URL (kb.weburl says which): the portal shows it as a link, so nothing else may pass."""
    text = _string(value, path, nullable=True, max_length=contract.MAX_URL)
    if text is None:
        return None
    why = weburl.problem(text)
    if why:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise WorkflowError(path, f'"{shown}" is not an http(s) URL ({why})')
    return text


def _or_empty(value):
    return {} if value is None else value


def _list(value, path, maximum, what="items"):
    if not isinstance(value, list):
        raise WorkflowError(path, f"must be a list, got {_kind(value)}")
    if len(value) > maximum:
        raise WorkflowError(path, f"at most {maximum} {what}, got {len(value)}")
    return value


def parse_date(value, path="as_of"):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        _text(value, path)
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise WorkflowError(path, f"{value!r} is not a date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise WorkflowError(path, f'"{value}" is not a valid date ({exc})') from None


@lru_cache(maxsize=1)
def _spdx_symbols():
    from license_expression import get_spdx_licensing

    return tuple(get_spdx_licensing().known_symbols.values())


class LicenseParser:
    """Parses SPDX expressions against the SPDX list plus the knowledge base's own ids (LicenseRef-…
    and others, also under the Hugging Face Hub's license ids that name them: `llama3.1`, `gemma`),
    remembering results: the same few expressions come back in every check."""

    MEMORY = 2048

    def __init__(self, extra_ids, aliases=None):
        """aliases: {other id: knowledge-base id}, e.g. the Hub's {"llama3.1": "LicenseRef-Llama-3.1-Community"}."""
        from license_expression import LicenseSymbol, Licensing

        symbols = list(_spdx_symbols())
        known = {s.key.lower() for s in symbols}
        by_key = {}
        for alias, key in (aliases or {}).items():
            if alias.lower() != key.lower() and alias.lower() not in known:
                by_key.setdefault(key, []).append(alias)
        aliases = by_key
        symbols += [LicenseSymbol(i, aliases=tuple(aliases.get(i, ()))) for i in sorted(extra_ids) if i.lower() not in known]
        self.licensing = Licensing(symbols)
        self._memo = {}

    def parse(self, text):
        """(normalised expression, license keys), or a string saying what is wrong."""
        if text in self._memo:
            return self._memo[text]
        from license_expression import ExpressionError

        try:
            expression = self.licensing.parse(text, validate=True, strict=True)
            result = (str(expression), tuple(str(k) for k in self.licensing.license_keys(expression))) if expression is not None else None
        except ExpressionError as exc:
            result = str(exc)
        if len(self._memo) < self.MEMORY:
            self._memo[text] = result
        return result


def build_licensing(extra_ids, aliases=None):
    return LicenseParser(extra_ids, aliases)


def parse_license(value, path, licensing):
    """A normalised SPDX expression and its license keys; raises WorkflowError naming the field."""
    text = _string(value, path, nullable=True, max_length=contract.MAX_LICENSE)
    if text is None:
        return None, []
    result = licensing.parse(text)
    if result is None:
        raise WorkflowError(path, "must not be empty")
    if isinstance(result, str):
        raise WorkflowError(path, f'"{text}" is not a valid license expression: {result}')
    return result[0], list(result[1])


def _jurisdiction(value, path, pattern=_JURISDICTION, what="a jurisdiction code"):
    text = _string(value, path)
    code = text.strip().upper()
    if not pattern.match(code):
        raise WorkflowError(path, f'"{text}" is not {what}')
    return code


class _AssetCount:
    """Counts the models and datasets a workflow names, refusing the one past contract.MAX_ASSETS by its path."""

    def __init__(self):
        self.count = 0

    def add(self, path):
        self.count += 1
        if self.count > contract.MAX_ASSETS:
            raise WorkflowError(path, f"a workflow may name at most {contract.MAX_ASSETS} models and datasets in all "
                                      "(base model, teachers, datasets and the models that generated them); this is one more")


def _boolean(value, path):
    if value is not None and not isinstance(value, bool):
        raise WorkflowError(path, f"must be true, false or null, got {_kind(value)}")
    return value


def _country(value, path):
    return None if value is None else _jurisdiction(value, path, _COUNTRY, "an ISO 3166-1 alpha-2 country code")


_TEXT_KINDS = frozenset({"text", "reference"})

# How each scalar kind of the contract is read: (field, value, path, licensing) -> value.
_READERS = {
    "text": lambda f, v, p, _: _string(v, p, nullable=f.nullable, max_length=f.max_length),
    "reference": lambda f, v, p, _: _string(v, p, nullable=f.nullable, max_length=f.max_length),
    "choice": lambda f, v, p, _: _choice(v, p, f.choices.values, default=f.default, nullable=f.nullable),
    "number": lambda f, v, p, _: _number(v, p, f.maximum),
    "integer": lambda f, v, p, _: _number(v, p, f.maximum, integer=True),
    "boolean": lambda f, v, p, _: _boolean(v, p),
    "license": lambda f, v, p, licensing: parse_license(v, p, licensing),  # (expression, keys)
    "url": lambda f, v, p, _: _url(v, p),
    "country": lambda f, v, p, _: _country(v, p),
    "jurisdiction": lambda f, v, p, _: _jurisdiction(v, p),
    "date": lambda f, v, p, _: None if v is None else parse_date(v, p).isoformat(),
}


def _value(field: Field, value, path, licensing=None):
    """A scalar field's value, read as its kind says."""
    return _READERS[field.kind](field, value, path, licensing)


def _items(field: Field, value, path):
    """A list field's entries (the default when absent), within its limits."""
    items = _list(list(field.default) if value is _ABSENT else value, path, field.max_items, field.noun)
    if len(items) < field.min_items:
        raise WorkflowError(path, field.too_few)
    return items


_ABSENT = object()


def _fields(field: Field, data, path, licensing=None):
    """{name: value} of an object's fields, read in the contract's order (the first bad one is reported).
    A list of scalars is read entry by entry, its repeats merged; a license gives `<name>_keys` too."""
    prefix = f"{path}." if path else ""
    out = {}
    for f in field.fields:
        name, kind = f.name, f.kind
        if kind == "list":
            where = prefix + name
            read = _READERS[f.items.kind]
            entries = _items(f, data.get(name, _ABSENT), where)
            out[name] = list(dict.fromkeys(read(f.items, v, f"{where}[{i}]", None) for i, v in enumerate(entries)))
        elif kind == "license":
            out[name], out[f"{name}_keys"] = parse_license(data.get(name), prefix + name, licensing)
        elif kind in _TEXT_KINDS:  # most fields: read without the reader's indirection
            out[name] = _string(data.get(name), prefix + name, nullable=f.nullable, max_length=f.max_length)
        else:
            out[name] = _READERS[kind](f, data.get(name), prefix + name, licensing)
    return out


def parse_workflow(data, licensing, as_of=None) -> Workflow:
    """Validate `data` (the decoded JSON) and return the normalised workflow dict.

    `licensing` validates license expressions (see `build_licensing`); `as_of`, when given, overrides
    the workflow's own date (the CLI's --as-of).
    """
    spec = contract.WORKFLOW
    _object(data, "", spec.names, required=spec.required_names)
    name = _value(spec["name"], data.get("name"), "name")
    if as_of is not None:
        day = parse_date(as_of, "as_of")
    elif data.get("as_of") is not None:
        day = parse_date(data["as_of"])
    else:
        day = datetime.datetime.now(datetime.UTC).date()

    spec_student = spec["student"]
    s = _object(data["student"], "student", spec_student.names, required=spec_student.required_names)
    student = _fields(spec_student, s, "student", licensing)

    assets = _AssetCount()
    if student["base_model"] is not None:
        assets.add("student.base_model")
    spec_teachers = spec["teachers"]
    teachers = []
    for i, t in enumerate(_items(spec_teachers, data.get("teachers", _ABSENT), "teachers")):
        path = f"teachers[{i}]"
        assets.add(path)
        _object(t, path, spec_teachers.items.names, required=spec_teachers.items.required_names)
        teachers.append(_fields(spec_teachers.items, t, path))

    spec_datasets = spec["datasets"]
    by_reference, ad_hoc = spec_datasets.items.one_of
    spec_generated_by = ad_hoc["generated_by"]
    datasets = []
    for i, d in enumerate(_items(spec_datasets, data.get("datasets", _ABSENT), "datasets")):
        path = f"datasets[{i}]"
        assets.add(path)
        if isinstance(d, dict) and "dataset" in d:
            _object(d, path, by_reference.names)
            datasets.append(_fields(by_reference, d, path))
            continue
        _object(d, path, ad_hoc.names, required=ad_hoc.required_names)
        text, keys = parse_license(d.get("license"), f"{path}.license", licensing)
        generated_by = []
        for j, g in enumerate(_items(spec_generated_by, d.get("generated_by", _ABSENT), f"{path}.generated_by")):
            assets.add(f"{path}.generated_by[{j}]")
            generated_by.append(_value(spec_generated_by.items, g, f"{path}.generated_by[{j}]"))
        datasets.append(
            {
                "name": _value(ad_hoc["name"], d["name"], f"{path}.name"),
                "license": text,
                "license_keys": keys,
                "generated_by": generated_by,
                "source_url": _value(ad_hoc["source_url"], d.get("source_url"), f"{path}.source_url"),
                # When the generators' outputs were made: their terms are read as of that day.
                "generated_on": _value(ad_hoc["generated_on"], d.get("generated_on"), f"{path}.generated_on"),
            }
        )

    spec_org = spec["organization"]
    o = _object(_or_empty(data.get("organization")), "organization", spec_org.names)
    organization = _fields(spec_org, o, "organization")

    spec_dep = spec["deployment"]
    dep = _object(_or_empty(data.get("deployment")), "deployment", spec_dep.names)
    deployment = _fields(spec_dep, dep, "deployment")

    return {
        "name": name,
        "as_of": day.isoformat(),
        "student": student,
        "teachers": teachers,
        "datasets": datasets,
        "organization": organization,
        "deployment": deployment,
    }


# --------------------------------------------------------------------------- the API's batch and replay bodies


def parse_batch(data):
    """The workflows of a batch body (`{"workflows": [...]}`, contract.BATCH), each still to be parsed
    (the caller names each one's errors by its index). Raises WorkflowError naming `workflows`."""
    spec = contract.BATCH["workflows"]
    if not isinstance(data, dict) or set(data) != set(contract.BATCH.names):
        raise WorkflowError("workflows", 'send {"workflows": [workflow, …]} and nothing else')
    workflows = data["workflows"]
    if not isinstance(workflows, list) or len(workflows) < spec.min_items:
        raise WorkflowError("workflows", "must be a non-empty list of workflows")
    return _list(workflows, "workflows", spec.max_items, spec.noun)


def split_check_options(data):
    """A check request's workflow and its options (contract.CHECK_OPTIONS, beside the workflow's own
    fields): `(workflow, options)`. Raises WorkflowError naming the option."""
    if not isinstance(data, dict):
        return data, {f.name: f.default for f in contract.CHECK_OPTIONS.fields}
    options = {}
    for f in contract.CHECK_OPTIONS.fields:
        value = data.get(f.name)
        if f.name in data and not isinstance(value, bool):
            raise WorkflowError(f.name, "must be true or false")
        options[f.name] = f.default if value is None else value
    return {k: v for k, v in data.items() if k not in contract.CHECK_OPTIONS.names}, options


def parse_replay_options(data):
    """The date a replay body (contract.REPLAY, optional) asks for: None (the stored check's own),
    "today" or a date as YYYY-MM-DD. Raises WorkflowError naming the field."""
    options = {} if data is None else data
    if not isinstance(options, dict) or set(options) - set(contract.REPLAY.names):
        allowed = ", ".join(f'"{name}"' for name in contract.REPLAY.names)
        raise WorkflowError("", f"the body is optional and may only hold {allowed}")
    as_of = options.get("as_of")
    if as_of is not None and not isinstance(as_of, str):
        raise WorkflowError("as_of", 'must be a date (YYYY-MM-DD) or "today"')
    if as_of not in (None, "", "today"):
        parse_date(as_of, "as_of")
    return as_of or None
