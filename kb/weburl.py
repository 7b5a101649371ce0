"""Which URLs may become links: only http(s) with a host.

Anything else a user types (`javascript:`, `data:`, `vbscript:`, in any case, or hidden behind
whitespace and control characters that browsers strip before reading the scheme) would run in
Provenant's origin when someone clicks it. The workflow parser refuses such URLs on the way in
(naming the field) and templates drop them on the way out (`http_url` filter), so a decision stored
before the check existed cannot turn into a script either.
"""

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def problem(text):
    """Why `text` is not an http(s) URL, or None when it is one."""
    if not isinstance(text, str):
        return "not a string"
    if _FORBIDDEN.search(text):
        return "it contains whitespace, a control character or a backslash"
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        return str(exc)
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        return "only http:// and https:// addresses are accepted"
    return None


def is_http_url(text):
    return problem(text) is None
