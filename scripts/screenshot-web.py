#!/usr/bin/env python3
"""Screenshots of a page in headless Chromium through chromedriver, once the page has rendered and
its stylesheets have applied (a plain `chromium --screenshot` fires before the wasm app has run).

usage: screenshot-web.py URL OUT.png [WIDTH HEIGHT]
"""
import base64
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

READY = """
const button = document.querySelector('[data-variant]');
return !!button && getComputedStyle(button).cursor === 'pointer'
    && document.readyState === 'complete';
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (1200, 2400)
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    try:
        for _ in range(100):
            try:
                call("GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as profile:
            args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
                    f"--window-size={width},{height}"]
            caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}
            session = call("POST", "/session", caps)["sessionId"]
            try:
                call("POST", f"/session/{session}/url", {"url": url})
                deadline = time.time() + 30
                while not call("POST", f"/session/{session}/execute/sync", {"script": READY, "args": []}):
                    if time.time() > deadline:
                        sys.exit(f"{url} did not render within 30 s")
                    time.sleep(0.2)
                time.sleep(0.5)  # let transitions settle
                png = base64.b64decode(call("GET", f"/session/{session}/screenshot"))
                with open(out, "wb") as f:
                    f.write(png)
            finally:
                call("DELETE", f"/session/{session}")
    finally:
        driver.terminate()


if __name__ == "__main__":
    main()
