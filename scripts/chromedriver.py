"""Headless Chromium through chromedriver, for the scripts that drive a page (screenshots,
benchmark): start the driver, open browsers with empty profiles, send W3C WebDriver commands."""
import json
import socket
import subprocess
import tempfile
import time
import urllib.request

# As root on these machines Chromium needs --no-sandbox; without the background-networking flags
# it keeps trying to reach Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--no-first-run", "--hide-scrollbars"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Driver:
    """A chromedriver on a free port of 127.0.0.1; use it in a `with` block."""

    def __enter__(self):
        self.port = free_port()
        self.process = subprocess.Popen(["chromedriver", f"--port={self.port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                self("GET", "/status")
                return self
            except OSError:
                time.sleep(0.1)
        self.process.terminate()
        raise SystemExit("chromedriver did not start")

    def __exit__(self, *exc):
        self.process.terminate()

    def __call__(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())["value"]


class Browser:
    """One headless Chromium with a new, empty profile; `close()` it."""

    def __init__(self, driver, width=1200, height=900):
        self.driver = driver
        self.profile = tempfile.TemporaryDirectory()
        args = CHROMIUM_ARGS + [f"--user-data-dir={self.profile.name}", f"--window-size={width},{height}"]
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}
        self.session = driver("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        return self.driver(method, f"/session/{self.session}{path}", body)

    def goto(self, url):
        self.call("POST", "/url", {"url": url})

    def js(self, script):
        return self.call("POST", "/execute/sync", {"script": script, "args": []})

    def close(self):
        try:
            self.call("DELETE", "")
        finally:
            self.profile.cleanup()
