"""Parse and validate the workflow JSON of the check contract (docs: ../shared/design/check-contract.md).

Bad input is an error, never a guess: every problem raises `WorkflowError` naming the field by its
path (`student.purpose`, `teachers[1].access`). A valid workflow comes back as a plain, fully
defaulted dict, so the rest of the engine never has to ask whether a key is present.
"""

import datetime
import math
import re
from functools import lru_cache

from kb import weburl

PURPOSES = ("commercial", "non_commercial", "research")
RELEASES = ("open_weights", "api", "internal")
SIGNALS = ("outputs", "logits")
ACCESSES = ("api", "self_hosted")
MODALITIES = ("text", "image", "audio", "video")

# Limits on what one workflow may hold (docs/check-contract.md, "Limits"). Each check's cost and the
# size of its log entry grow with them; they sit well above any real workflow so that none is refused.
MAX_TEACHERS = 50
MAX_DATASETS = 100
MAX_GENERATED_BY = 10  # models per ad-hoc dataset
# Models and datasets in all (base model, teachers, datasets, the models that generated them): each
# is walked through its lineage and terms, and an unknown one is matched against every name for
# suggestions, so this bounds what one check costs (about 0.2 s and 0.5 MB of findings at worst).
MAX_ASSETS = 200
MAX_JURISDICTIONS = 50
MAX_MODALITIES = 10  # repeats allowed (they are merged), but not without end
MAX_TEXT = 200  # characters in a name or a reference
MAX_LICENSE = 300  # characters in a license expression
MAX_URL = 2000  # characters in a URL
MAX_USERS = 10**12  # organization.monthly_active_users
MAX_USD = 10**15  # organization.annual_revenue_usd
MAX_FLOP = 1e40  # student.training_compute_flop

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


def _string(value, path, nullable=False, non_empty=True, max_length=MAX_TEXT):
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
    text = _string(value, path, nullable=True, max_length=MAX_URL)
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
    text = _string(value, path, nullable=True, max_length=MAX_LICENSE)
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
    """Counts the models and datasets a workflow names, refusing the one past MAX_ASSETS by its path."""

    def __init__(self):
        self.count = 0

    def add(self, path):
        self.count += 1
        if self.count > MAX_ASSETS:
            raise WorkflowError(path, f"a workflow may name at most {MAX_ASSETS} models and datasets in all "
                                      "(base model, teachers, datasets and the models that generated them); this is one more")


def parse_workflow(data, licensing, as_of=None):
    """Validate `data` (the decoded JSON) and return the normalised workflow dict.

    `licensing` validates license expressions (see `build_licensing`); `as_of`, when given, overrides
    the workflow's own date (the CLI's --as-of).
    """
    _object(data, "", ("name", "as_of", "student", "teachers", "datasets", "organization", "deployment"), required=("student",))
    name = _string(data.get("name"), "name", nullable=True)
    if as_of is not None:
        day = parse_date(as_of, "as_of")
    elif data.get("as_of") is not None:
        day = parse_date(data["as_of"])
    else:
        day = datetime.datetime.now(datetime.UTC).date()

    s = _object(
        data["student"],
        "student",
        ("name", "base_model", "purpose", "release", "competes_with_teachers", "license", "modalities", "training_compute_flop"),
        required=("name", "purpose", "release"),
    )
    competes = s.get("competes_with_teachers")
    if competes is not None and not isinstance(competes, bool):
        raise WorkflowError("student.competes_with_teachers", f"must be true, false or null, got {_kind(competes)}")
    license_text, license_keys = parse_license(s.get("license"), "student.license", licensing)
    modalities = s.get("modalities", ["text"])
    _list(modalities, "student.modalities", MAX_MODALITIES, "modalities")
    if not modalities:
        raise WorkflowError("student.modalities", "must name at least one modality")
    modalities = [_choice(m, f"student.modalities[{i}]", MODALITIES) for i, m in enumerate(modalities)]
    student = {
        "name": _string(s["name"], "student.name"),
        "base_model": _string(s.get("base_model"), "student.base_model", nullable=True),
        "purpose": _choice(s["purpose"], "student.purpose", PURPOSES),
        "release": _choice(s["release"], "student.release", RELEASES),
        "competes_with_teachers": competes,
        "license": license_text,
        "license_keys": license_keys,
        "modalities": list(dict.fromkeys(modalities)),
        "training_compute_flop": _number(s.get("training_compute_flop"), "student.training_compute_flop", MAX_FLOP),
    }

    assets = _AssetCount()
    if student["base_model"] is not None:
        assets.add("student.base_model")
    teachers = []
    for i, t in enumerate(_list(data.get("teachers", []), "teachers", MAX_TEACHERS, "teachers")):
        path = f"teachers[{i}]"
        assets.add(path)
        _object(t, path, ("model", "signal", "access"), required=("model",))
        teachers.append(
            {
                "model": _string(t["model"], f"{path}.model"),
                "signal": _choice(t.get("signal"), f"{path}.signal", SIGNALS, default="outputs"),
                "access": _choice(t.get("access"), f"{path}.access", ACCESSES, nullable=True),
            }
        )

    datasets = []
    for i, d in enumerate(_list(data.get("datasets", []), "datasets", MAX_DATASETS, "datasets")):
        path = f"datasets[{i}]"
        assets.add(path)
        if isinstance(d, dict) and "dataset" in d:
            _object(d, path, ("dataset",))
            datasets.append({"dataset": _string(d["dataset"], f"{path}.dataset")})
            continue
        _object(d, path, ("name", "license", "generated_by", "source_url", "generated_on"), required=("name",))
        text, keys = parse_license(d.get("license"), f"{path}.license", licensing)
        generated_by = []
        for j, g in enumerate(_list(d.get("generated_by", []), f"{path}.generated_by", MAX_GENERATED_BY, "models")):
            assets.add(f"{path}.generated_by[{j}]")
            generated_by.append(_string(g, f"{path}.generated_by[{j}]"))
        datasets.append(
            {
                "name": _string(d["name"], f"{path}.name"),
                "license": text,
                "license_keys": keys,
                "generated_by": generated_by,
                "source_url": _url(d.get("source_url"), f"{path}.source_url"),
                # When the generators' outputs were made: their terms are read as of that day.
                "generated_on": None if d.get("generated_on") is None else parse_date(d["generated_on"], f"{path}.generated_on").isoformat(),
            }
        )

    o = _object(_or_empty(data.get("organization")), "organization", ("name", "country", "monthly_active_users", "annual_revenue_usd"))
    country = o.get("country")
    organization = {
        "name": _string(o.get("name"), "organization.name", nullable=True),
        "country": None if country is None else _jurisdiction(country, "organization.country", _COUNTRY, "an ISO 3166-1 alpha-2 country code"),
        "monthly_active_users": _number(o.get("monthly_active_users"), "organization.monthly_active_users", MAX_USERS, integer=True),
        "annual_revenue_usd": _number(o.get("annual_revenue_usd"), "organization.annual_revenue_usd", MAX_USD),
    }

    dep = _object(_or_empty(data.get("deployment")), "deployment", ("jurisdictions",))
    codes = [_jurisdiction(j, f"deployment.jurisdictions[{i}]") for i, j in enumerate(_list(dep.get("jurisdictions", []), "deployment.jurisdictions", MAX_JURISDICTIONS, "jurisdictions"))]

    return {
        "name": name,
        "as_of": day.isoformat(),
        "student": student,
        "teachers": teachers,
        "datasets": datasets,
        "organization": organization,
        "deployment": {"jurisdictions": list(dict.fromkeys(codes))},
    }
