#!/usr/bin/env python3
"""Writes the gallery's index.html (which dx uses as the page's template) from
index.template.html, with a Content-Security-Policy whose connect-src allows only the page
itself and the OpenRouter the web app is built against: the origin of OPENROUTER_BASE_URL
(https://openrouter.ai when unset).

Every script that builds or serves the web app runs this first; run it yourself before a plain
`dx serve` or `dx build` with another OPENROUTER_BASE_URL.

With --fullstack it writes the fullstack page's template instead: no policy in the page, since
its server sends one as a header (connect-src 'self' only, and the hashes of the inline scripts
that carry the server's render into the page's hydration).

The static gallery's page carries a copy of its hero (see public/early.js). The fullstack page
(its server renders the whole page) and, with --example, the web example (which dx builds with
this same index.html) are written without it. With --serve (scripts/run.sh's `dx serve`, which
builds no starter) the page keeps the copy and leaves out the starter (crates/gallery-start)."""
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

root = Path(__file__).resolve().parent.parent
base = os.environ.get("OPENROUTER_BASE_URL", "").strip() or "https://openrouter.ai"


def fail(why):
    sys.exit(f"gallery-index: OPENROUTER_BASE_URL={base!r} {why}")


try:
    parts = urlsplit(base)
    port = parts.port
except ValueError as error:
    fail(f"is not a URL ({error})")
if parts.scheme not in ("http", "https"):
    fail("must start with https:// (or http:// for a local server)")
host = parts.hostname or ""
# Only host names and IPv4 addresses: nothing that could end the policy or add a source to it.
if not re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", host):
    fail("has no usable host name")
if parts.username or parts.password:
    fail("must not carry a user name or password")
origin = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")

template = (root / "index.template.html").read_text()
page = template.replace("{openrouter_origin}", origin)
bare = "--fullstack" in sys.argv[1:] or "--example" in sys.argv[1:]
if bare:
    page = re.sub(r"\n *<!-- prerender.*?<!-- /prerender -->", "", page, flags=re.S)
    assert "prerender" not in page
elif "--serve" in sys.argv[1:]:
    # dx serve builds the gallery only: the page keeps its copy of the hero and early.js, and the
    # gallery's own wasm takes an early click, instead of asking for a starter that is not there.
    page = re.sub(
        r"\n *<!-- prerender(?:(?!<!-- /prerender -->).)*?gallery-start.*?<!-- /prerender -->",
        "",
        page,
        flags=re.S,
    )
    assert "gallery-start" not in page and "prerendered-sign-in" in page
if "--fullstack" in sys.argv[1:]:
    page = re.sub(r"\n *<!-- The page may fetch.*?-->", "", page, flags=re.S)
    page = re.sub(r"\n *<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", page)
    assert "Content-Security-Policy" not in page
target = root / "index.html"
if not target.exists() or target.read_text() != page:
    target.write_text(page)
if "--fullstack" in sys.argv[1:]:
    print("index.html: the fullstack page (its server sends the policy)")
elif bare:
    print(f"index.html: connect-src 'self' {origin}, without the gallery's hero")
elif "--serve" in sys.argv[1:]:
    print(f"index.html: connect-src 'self' {origin}, without the starter (for dx serve)")
else:
    print(f"index.html: connect-src 'self' {origin}")
