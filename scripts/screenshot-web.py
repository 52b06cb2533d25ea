#!/usr/bin/env python3
"""Screenshots of a page in headless Chromium through chromedriver, once the page has rendered and
its stylesheets have applied (a plain `chromium --screenshot` fires before the wasm app has run).

usage: screenshot-web.py URL OUT.png [WIDTH HEIGHT]
"""
import base64
import sys
import time

from chromedriver import Browser, Driver

READY = """
const button = document.querySelector('[data-variant]');
return !!button && getComputedStyle(button).cursor === 'pointer'
    && document.readyState === 'complete';
"""


def main():
    url, out = sys.argv[1], sys.argv[2]
    width, height = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) > 4 else (1200, 2400)
    with Driver() as driver:
        browser = Browser(driver, width, height)
        try:
            browser.goto(url)
            deadline = time.time() + 30
            while not browser.js(READY):
                if time.time() > deadline:
                    sys.exit(f"{url} did not render within 30 s")
                time.sleep(0.2)
            time.sleep(0.5)  # let transitions settle
            png = base64.b64decode(browser.call("GET", "/screenshot"))
            with open(out, "wb") as f:
                f.write(png)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
