"""Probe a running Provenant for the gaps of issue 18 (script injection, malformed input, outsize
checks, who sees a check, tokens, drafts, security headers). Loopback only and bounded: about 70
requests, 10 s timeout each, nothing sent anywhere but the server named.

    .venv/bin/python manage.py runserver 127.0.0.1:8765 --noreload &
    .venv/bin/python tools/probe_security.py --url http://127.0.0.1:8765

Without --token it runs `manage.py create_api_token probe-security` (same settings and database as
the server). The failed-authentication throttle is probed last: afterwards every token from this
address gets 429 until API_THROTTLE_AUTH_FAILURES' window has passed (restart a server that keeps
its throttle counts in local memory to reset it). Exits 1 if any case fails.
"""

import argparse
import ipaddress
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = {"as_of": "2026-11-28", "student": {"name": "probe-7b", "purpose": "commercial", "release": "internal"}}
MAX_REQUESTS = 120


class Probe:
    def __init__(self, base, token):
        self.base, self.token, self.sent, self.results = base.rstrip("/"), token, 0, []

    def request(self, method, path, body=None, token=True, headers=None, raw=None):
        """(status, headers, body bytes); never raises for HTTP errors."""
        self.sent += 1
        if self.sent > MAX_REQUESTS:
            raise SystemExit(f"probe: more than {MAX_REQUESTS} requests; stopping")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token and self.token:
            request.add_header("Authorization", f"Token {self.token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def case(self, name, ok, detail=""):
        self.results.append((name, bool(ok), detail))

    def json_error(self, status, headers, body):
        """The API's error body: {"errors": [{"field", "message", "code"}]}, or None."""
        if not (headers.get("Content-Type") or "").startswith("application/json"):
            return None
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
        return parsed.get("errors") if isinstance(parsed, dict) else None


def loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def issue_token():
    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "create_api_token", "probe-security"], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip().splitlines()[-1]


def with_dataset_url(url):
    return {**WORKFLOW, "datasets": [{"name": "probe-data", "license": None, "source_url": url}]}


def script_injection(p):
    for url in ("javascript:alert(document.cookie)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                " javascript:alert(1)", "java\tscript:alert(1)"):
        status, headers, body = p.request("POST", "/api/v1/checks", with_dataset_url(url))
        errors = p.json_error(status, headers, body) or []
        p.case(f"source_url {url!r} refused naming the field", status == 400 and errors and errors[0]["field"] == "datasets[0].source_url",
               f"{status} {body[:120]!r}")
    status, _h, body = p.request("POST", "/api/v1/checks", with_dataset_url("https://example.com/probe"))
    decision = json.loads(body) if status == 201 else {}
    labels = {c["document"] for f in decision.get("findings", []) for c in f["citations"] if c["url"] == "https://example.com/probe"}
    p.case("an http(s) source_url is accepted and labelled as the workflow's, not the knowledge base's",
           status == 201 and labels and all("given in the workflow" in label for label in labels), f"{status} {labels}")
    return decision.get("check_id")


def headers_and_cookies(p):
    for path in ("/", "/check", "/rules/", "/admin/login/", "/api/v1/docs", "/api/v1/redoc", "/api/v1/models", "/no-such-page"):
        status, headers, body = p.request("GET", path, token=False)
        csp = headers.get("Content-Security-Policy") or ""
        script_src = next((d.split()[1:] for d in csp.split(";") if d.strip().startswith("script-src")), [])
        p.case(f"{path}: CSP without inline or foreign scripts, Permissions-Policy", script_src == ["'self'"] and "object-src 'none'" in csp
               and "camera=()" in (headers.get("Permissions-Policy") or ""), f"{status} {csp!r}")
        if path in ("/api/v1/docs", "/api/v1/redoc"):
            page = body.decode("utf-8", "replace")
            p.case(f"{path}: no inline <script>", "<script>" not in page, "")
    _s, headers, _b = p.request("GET", "/check", token=False)
    cookies = headers.get_all("Set-Cookie") or []
    csrf = [c for c in cookies if c.startswith("csrftoken=")]
    p.case("the CSRF cookie is HttpOnly", csrf and all("httponly" in c.lower() for c in csrf), str(csrf)[:200])


def malformed(p):
    def expect_json(name, status_wanted, response, words=""):
        status, headers, body = response
        errors = p.json_error(status, headers, body)
        text = json.dumps(errors) if errors else ""
        p.case(name, status == status_wanted and errors is not None and words in text, f"{status} {body[:160]!r}")

    deep = "[" * 1000 + "]" * 1000
    expect_json("1,000-level nesting: 400 JSON", 400, p.request("POST", "/api/v1/checks", raw=deep.encode()), "nested more than")
    expect_json("1,000-level nesting in batch: 400 JSON", 400, p.request("POST", "/api/v1/checks/batch", raw=f'{{"workflows": [{deep}]}}'.encode()),
                "nested more than")
    big = json.dumps({**WORKFLOW, "name": "x" * 3_000_000}).encode()
    expect_json("3 MB body: 413 JSON", 413, p.request("POST", "/api/v1/checks", raw=big), "too large")
    body = json.dumps(WORKFLOW)[:-1] + ', "organization": {"annual_revenue_usd": 1e999}}'
    status, headers, raw = p.request("POST", "/api/v1/checks", raw=body.encode())
    p.case("1e999 is called too large, not 'a number, got a number'", status == 400 and b"too large" in raw and b"got a number" not in raw,
           raw[:160].decode("utf-8", "replace"))
    body = json.dumps(WORKFLOW)[:-1] + ', "organization": {"monthly_active_users": ' + "9" * 4400 + "}}"
    expect_json("4,400-digit integer: 400 JSON in words", 400, p.request("POST", "/api/v1/checks", raw=body.encode()), "4,300 digits")
    expect_json("POST with a trailing slash: JSON 404 naming the path", 404, p.request("POST", "/api/v1/checks/", WORKFLOW), "Did you mean")
    expect_json("POST with a trailing slash, no token: JSON 404, not a CSRF page", 404, p.request("POST", "/api/v1/checks/", WORKFLOW, token=False))
    expect_json("NUL in an API lookup: JSON 404", 404, p.request("GET", "/api/v1/models/a%00b", token=False))
    expect_json("NUL in API search: 400 naming q", 400, p.request("GET", "/api/v1/search?q=a%00b", token=False), '"field": "q"')
    for path, wanted in (("/models/a%00b", 404), ("/search?q=a%00b", 400)):
        status, _h, _b = p.request("GET", path, token=False)
        p.case(f"NUL in portal {path}: {wanted}", status == wanted, str(status))


def outsize(p):
    started = time.perf_counter()
    status, headers, body = p.request("POST", "/api/v1/checks", {**WORKFLOW, "teachers": [{"model": "gpt-4o"}] * 20_000})
    elapsed = time.perf_counter() - started
    errors = p.json_error(status, headers, body) or [{}]
    p.case(f"20,000 teachers refused naming the limit ({elapsed:.2f} s)", status == 400 and errors[0].get("field") == "teachers"
           and "at most" in errors[0].get("message", ""), f"{status} {body[:160]!r}")
    status, headers, body = p.request("POST", "/api/v1/checks", {**WORKFLOW, "name": "n" * 100_000})
    p.case("a 100,000-character name refused naming the field", status == 400 and b'"field":"name"' in body.replace(b" ", b""), f"{status}")


def access(p, check_id):
    if not check_id:
        p.case("who sees a check (no check was made to test with)", False)
        return
    for path in (f"/checks/{check_id}", f"/checks/{check_id}.json"):
        status, _h, _b = p.request("GET", path, token=False)
        p.case(f"an API check's {path.rsplit('/', 1)[1][-5:]} page is hidden from anyone with only its id", status == 404, str(status))
    status, _h, body = p.request("POST", f"/api/v1/checks/{check_id}/share")
    url = json.loads(body).get("share_url", "") if status == 200 else ""
    shared = urllib.parse.urlsplit(url)
    status2, _h, _b = p.request("GET", f"{shared.path}?{shared.query}", token=False) if url else (None, None, None)
    p.case("the owner's share link opens it", status == 200 and status2 == 200, f"{status} {status2}")
    p.request("DELETE", f"/api/v1/checks/{check_id}/share")
    status3, _h, _b = p.request("GET", f"{shared.path}?{shared.query}", token=False) if url else (None, None, None)
    p.case("a revoked share link no longer opens it", status3 == 404, str(status3))


def drafts(p):
    status, _h, body = p.request("GET", "/api/v1/rules?page_size=200", token=False)
    rules = json.loads(body).get("results", []) if status == 200 else []
    p.case("no draft rule text is shown anonymously", status == 200 and rules and all(r["status"] == "published" for r in rules), f"{status}")


def auth_throttle(p):
    statuses = []
    for _ in range(60):
        status, headers, _b = p.request("GET", "/api/v1/ping", token=False, headers={"Authorization": "Token prv_probe-wrong-token"})
        statuses.append(status)
        if status == 429:
            break
    p.case(f"failed authentications end in 429 (after {len(statuses) - 1} refusals)", statuses[-1] == 429 and set(statuses[:-1]) <= {401},
           str(sorted(set(statuses))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", help="an API token for the server (default: create one with manage.py create_api_token)")
    parser.add_argument("--no-auth-throttle", action="store_true", help="skip the failed-authentication probe (it locks this address out)")
    args = parser.parse_args()
    if not loopback(args.url):
        raise SystemExit("probe: only a server on this machine (127.0.0.1, ::1, localhost) may be probed")
    p = Probe(args.url, args.token or issue_token())
    status, _h, _b = p.request("GET", "/api/v1/ping")
    if status != 200:
        raise SystemExit(f"probe: GET /api/v1/ping with the token answered {status}; is the address locked out by an earlier run?")
    check_id = script_injection(p)
    headers_and_cookies(p)
    malformed(p)
    outsize(p)
    access(p, check_id)
    drafts(p)
    if not args.no_auth_throttle:
        auth_throttle(p)
    width = max(len(name) for name, _ok, _d in p.results)
    for name, ok, detail in p.results:
        print(f"{'ok  ' if ok else 'FAIL'} {name:<{width}}" + ("" if ok else f"  [{detail}]"))
    failed = sum(1 for _n, ok, _d in p.results if not ok)
    print(f"{len(p.results)} cases, {failed} failed, {p.sent} requests")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
