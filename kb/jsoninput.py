"""Reading JSON that people send (API bodies, the CLI's files): limits and plain-language errors.

Python's JSON reader recurses once per level, so ~1,000 nested brackets raise RecursionError (a
500 or a traceback), and an integer of more than 4,300 digits raises ValueError with advice meant
for programmers. No document Provenant reads nests deeper than a few levels; MAX_DEPTH leaves room.
"""

import json

MAX_DEPTH = 32


class JSONInputError(ValueError):
    pass


def deeper_than(data, limit=MAX_DEPTH):
    """True when lists and objects in `data` nest more than `limit` levels (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        stack.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return False


def may_be_deeper_than(text, limit=MAX_DEPTH):
    """False when the text has too few brackets to nest that deep (counted in C: a check costs nothing)."""
    if isinstance(text, str):
        return text.count("[") + text.count("{") > limit
    return text.count(b"[") + text.count(b"{") > limit


def too_deep_message(limit=MAX_DEPTH):
    return f"JSON nested more than {limit} levels deep"


def too_many_digits_message():
    return "a number has more than 4,300 digits"


def explain(exc):
    """A JSON reader's exception in words for the person who sent the JSON."""
    if isinstance(exc, RecursionError):
        return too_deep_message()
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8 text: byte 0x{exc.object[exc.start]:02x} at position {exc.start} cannot be decoded"
    text = str(exc)
    if "integer string conversion" in text:
        return too_many_digits_message()
    return text


def loads(data):
    """Decode JSON from bytes (must be UTF-8) or str; raise JSONInputError with a message for people."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        prefix = "" if isinstance(exc, UnicodeDecodeError | RecursionError) or "integer string" in str(exc) else "invalid JSON: "
        raise JSONInputError(prefix + explain(exc)) from None
    if may_be_deeper_than(text) and deeper_than(value):
        raise JSONInputError(too_deep_message())
    return value
