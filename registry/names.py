"""Names that say their parent: `unsloth/Qwen3-30B-A3B-GGUF` is a quantization of `Qwen3-30B-A3B`.

Pure and table-driven. `parent_candidates(repo_id)` strips the quantization suffixes that uploaders
append (one token at a time, from the end) and returns the names left over, most specific first,
each with the pattern that matched, so that a resolver can try each against the curated models and
the registry. A candidate is only a guess: lineage found this way is `inferred`, never `declared`.

bartowski writes the original organization into the name (`bartowski/openai_gpt-oss-120b-GGUF` is a
quantization of `openai/gpt-oss-120b`), so a name with an `org_` prefix gives the `org/name`
candidate first, then the name as written, then the name without the prefix.
"""

import re

# Trailing tokens, matched case-insensitively after a separator (- _ .), outermost first.
# kind "format": a quantization or weight format; it alone makes a name say "quantized".
# kind "drop": a qualifier of the format (never a model name's own ending): stripped, no candidate.
# kind "keep": a qualifier that can also end a real model's name (QAT checkpoints): a candidate
#   is offered both with and without it.
SUFFIXES = [
    ("gguf", "format", r"gguf"),
    ("imatrix", "drop", r"imatrix"),
    ("iq", "drop", r"iq"),
    ("i1", "drop", r"i1"),
    ("ggml-type", "format", r"i?q[1-8](?:_[0-9a-z]{1,2}){0,2}"),
    ("float", "drop", r"f16|bf16|f32"),
    ("awq", "format", r"awq"),
    ("gptq", "format", r"gptq"),
    ("int", "format", r"int[2-8]"),
    ("bits", "format", r"[1-8](?:\.\d+)?-?bits?"),
    ("bpw", "format", r"\d+(?:\.\d+)?bpw"),
    ("bnb", "format", r"bnb"),
    ("mlx", "format", r"mlx"),
    ("dwq", "format", r"dwq"),
    ("fp8", "format", r"fp8"),
    ("fp4", "format", r"nvfp4|mxfp4|fp4"),
    ("exl", "format", r"exl[23]"),
    ("wxay", "format", r"w[2-8]a(?:4|8|16)"),
    ("hqq", "format", r"hqq"),
    ("eetq", "format", r"eetq"),
    ("quantized", "format", r"quantized"),
    ("dynamic", "drop", r"dynamic"),
    ("kv", "drop", r"kv"),
    ("vllm", "drop", r"vllm"),
    ("unsloth", "drop", r"unsloth"),
    ("qat", "keep", r"qat"),
]
# One pattern for every suffix, matched against a name's last token only (after its last - _ or .),
# so a name costs one short match per token rather than a scan per table row.
_KIND = {label: kind for label, kind, _ in SUFFIXES}
_TOKEN = re.compile("|".join(f"(?P<{label.replace('-', '_')}>{rx})" for label, _, rx in SUFFIXES), re.IGNORECASE)

# Organizations that republish other people's models under the original name, converted.
REPUBLISHERS = {"lmstudio-community": "lmstudio-community", "mlx-community": "mlx-community"}

# bartowski's "org_name": an organization id (letters, digits, - and .) then the first underscore.
_ORG_PREFIX = re.compile(r"^([A-Za-z0-9][A-Za-z0-9.-]{0,95})_(.+)$")


def strip_suffixes(name):
    """[(remaining name, labels stripped so far, kind of the last token)] as each token is stripped."""
    stages = []
    labels = []
    while True:
        m = _last_token(name)
        if m is None:
            break
        cut, label = m
        name = name[:cut]
        labels.insert(0, label)
        stages.append((name, list(labels), _KIND[label]))
    # Qualifiers alone ("Foo-qat", "Bar-dynamic") say nothing: a chain counts only with a format in it.
    formats = [i for i, (_, _, kind) in enumerate(stages) if kind == "format"]
    return stages if formats else []


# A ggml quantization type holds separators of its own (Q4_K_M, IQ4_XS): matched on the tail.
_GGML_TAIL = re.compile(r"[-_.](?P<ggml_type>i?q[1-8](?:_[0-9a-z]{1,2}){1,2})$", re.IGNORECASE)


def _last_token(name):
    """(start of the separator, label) when the name ends in a suffix, else None."""
    cut = max(name.rfind("-"), name.rfind("_"), name.rfind("."))
    if cut > 0:
        m = _TOKEN.fullmatch(name, cut + 1)
        if m:
            return cut, m.lastgroup.replace("_", "-")
    m = _GGML_TAIL.search(name, max(0, len(name) - 12))
    if m and m.start() > 0:
        return m.start(), "ggml-type"
    return None


def _ends_in(name, kinds):
    m = _last_token(name)
    return m is not None and _KIND[m[1]] in kinds


def _spellings(name):
    """The name as an `org/name` (bartowski's `org_` prefix), as written, and without the prefix."""
    m = _ORG_PREFIX.match(name)
    if not m:
        return [name]
    return [f"{m.group(1)}/{m.group(2)}", name, m.group(2)]


def parent_candidates(repo_id):
    """[(candidate parent name, pattern)] in order of preference; [] when the name says nothing.

    >>> parent_candidates("bartowski/openai_gpt-oss-120b-GGUF")[0]
    ('openai/gpt-oss-120b', 'gguf')
    """
    org, _, name = repo_id.strip().rpartition("/")
    found = []
    for remaining, labels, _kind in strip_suffixes(name):
        if _ends_in(remaining, {"format", "drop"}):
            continue  # "X-GPTQ" after stripping "-Int4": still a quantization's name, not a parent's
        pattern = "+".join(labels)
        found.extend((spelling, pattern) for spelling in _spellings(remaining))
    if not found and org.lower() in REPUBLISHERS:
        found = [(spelling, REPUBLISHERS[org.lower()]) for spelling in _spellings(name)]
    seen = set()
    result = []
    for candidate, pattern in found:
        if candidate.lower() not in seen and candidate:
            seen.add(candidate.lower())
            result.append((candidate, pattern[:60]))
    return result


def says_quantized(repo_id):
    """True when the repository's own name ends in a quantization format (`-GGUF`, `-AWQ`, `-4bit`, ...)."""
    return bool(strip_suffixes(repo_id.rpartition("/")[2]))
