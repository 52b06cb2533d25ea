#!/usr/bin/env python3
"""Web speed figures for scripts/bench.sh, in headless Chromium driven through chromedriver.

usage: bench-web.py GALLERY_DIR HELLO_DIR [LOADS] [ROUND_TRIPS]

- page ready: for each page, LOADS (15) fresh loads, each in a new browser with an empty profile
  that is first left to finish starting until its processes are idle (its own start-up work is
  not the page's: a user's browser is already running; timing it half a second after start, the
  ratio below wandered from 1.20x to 1.54x between runs of the same builds), of
  the page served gzip -9 from 127.0.0.1 (compressed in advance). The time is the page's own clock (navigation start =
  0) at the first moment every sign-in button of the gallery is in the document and the first is enabled (the
  hello-world: its heading). A script installed before the page's own code watches for it with a
  MutationObserver, so the figure is not rounded to a polling interval.
- round trip: ROUND_TRIPS (10) sign-ins against the local mock OpenRouter, which must listen where
  the gallery was built to call it and approve at once (`--consent approve`): from the click on
  the hero's button, in the page's clock, until the returned page shows "Sign out". The same
  browser does them all, as a user's would.

Prints one line per figure (median, min and max in ms) and the ratios the budgets are set in.
"""
import gzip
import http.server
import json
import statistics
import sys
import threading
import time
import urllib.error
from pathlib import Path

from chromedriver import Browser as BaseBrowser
from chromedriver import Driver

# Every sign-in button of the gallery: the hero's, the options row's previews and the grid's 20.
# Two of them are disabled on purpose (the loading and disabled previews); the hero's must not be.
GALLERY_BUTTONS = 26
WATCH = """
(() => {
  const ready = () => {
    const found = document.querySelectorAll(%(selector)s);
    return found.length >= %(count)d && !found[0].disabled;
  };
  const check = () => {
    if (window.__benchReady === undefined && ready()) {
      window.__benchReady = performance.now();
      window.__benchReadyAt = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();
"""
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".css": "text/css", ".html": "text/html"}


def serve_gzip(root):
    """Serves ROOT on a free port of 127.0.0.1, each file gzip -9 when the client takes gzip."""
    cache = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            file = (Path(root) / path.lstrip("/")).resolve()
            if path.endswith("/") or not file.is_file() or Path(root).resolve() not in file.parents:
                file = (Path(root) / "index.html").resolve()  # the single page answers every route
            if file not in cache:
                body = file.read_bytes()
                cache[file] = (body, gzip.compress(body, 9))
            plain, packed = cache[file]
            zipped = "gzip" in self.headers.get("Accept-Encoding", "")
            body = packed if zipped else plain
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(file.suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(body)))
            if zipped:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a browser closed early: nothing to report

    # Compressed before the first request, so that no load waits for gzip.
    for file in Path(root).rglob("*"):
        if file.is_file():
            body = file.read_bytes()
            cache[file.resolve()] = (body, gzip.compress(body, 9))
    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


class Browser(BaseBrowser):
    """A fresh browser that can watch for readiness and wait for a condition."""

    def watch(self, selector, count):
        script = WATCH % {"selector": json.dumps(selector), "count": count}
        self.call("POST", "/goog/cdp/execute",
                  {"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": script}})

    def wait(self, script, what, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                value = self.js(script)
            except urllib.error.HTTPError:
                value = None  # between two documents
            if value is not None and value is not False:
                return value
            if time.time() > deadline:
                sys.exit(f"bench-web: no {what} within {timeout} s")
            time.sleep(0.02)


def browser_cpu_ticks():
    """CPU time (clock ticks) used so far by every Chromium process on the machine."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process has ended
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        if name.startswith("chrom") and name != "chromedriver":
            total += int(rest[11]) + int(rest[12])  # utime and stime
    return total


def settle(quiet_samples=3, interval=0.1, at_least=0.5, at_most=5.0):
    """Waits until the browsers have used at most one clock tick in each of QUIET_SAMPLES intervals
    in a row (after AT_LEAST seconds, before AT_MOST)."""
    start = time.time()
    time.sleep(at_least)
    quiet, last = 0, browser_cpu_ticks()
    while quiet < quiet_samples and time.time() - start < at_most:
        time.sleep(interval)
        now = browser_cpu_ticks()
        quiet = quiet + 1 if now - last <= 1 else 0
        last = now


def figures(name, values):
    print(f"{name:34s} median {statistics.median(values):7.1f} ms   min {min(values):7.1f}   max {max(values):7.1f}"
          f"   (n={len(values)})")
    return statistics.median(values)


def main():
    gallery_dir, hello_dir = sys.argv[1], sys.argv[2]
    loads = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    trips = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    gallery, hello = serve_gzip(gallery_dir), serve_gzip(hello_dir)

    with Driver() as driver:
        pages = {"gallery": (gallery, ".openrouter-signin-button", GALLERY_BUTTONS),
                 "hello": (hello, "h1", 1)}
        ready = {name: [] for name in pages}
        # Interleaved, so that whatever else the machine does weighs on both alike.
        for _ in range(loads):
            for name, (url, selector, count) in pages.items():
                browser = Browser(driver)
                try:
                    # Let the new browser finish starting up, so that its own work is not timed.
                    settle()
                    browser.watch(selector, count)
                    browser.goto(url)
                    ready[name].append(browser.wait("return window.__benchReady", f"{name} page ready"))
                finally:
                    browser.close()
        gallery_ready = figures("page ready, gallery", ready["gallery"])
        hello_ready = figures("page ready, hello-world", ready["hello"])
        print(f"page ready, gallery / hello-world: {gallery_ready / hello_ready:.2f}x (budget 1.30x)")

        if trips == 0:
            return
        browser = Browser(driver)
        trip_times = []
        try:
            browser.watch("#sign-out", 1)
            for _ in range(trips):
                browser.goto(gallery)
                browser.wait("return !!document.querySelector('#hero-sign-in:enabled')", "signed-out gallery")
                clicked = browser.js("""
                    const at = performance.timeOrigin + performance.now();
                    document.querySelector('#hero-sign-in').click();
                    return at;""")
                shown = browser.wait("return location.search === '' && window.__benchReadyAt",
                                     "Sign out after the round trip")
                trip_times.append(shown - clicked)
                browser.js("localStorage.clear(); sessionStorage.clear()")
        finally:
            browser.close()
        trip = figures("sign-in round trip (mock)", trip_times)
        print(f"round trip / gallery page ready: {trip / gallery_ready:.2f} page loads (budget 3)")


if __name__ == "__main__":
    main()
