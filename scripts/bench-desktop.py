#!/usr/bin/env python3
"""Desktop speed figures for scripts/bench.sh, under the X server in $DISPLAY (Xvfb).

usage: bench-desktop.py NAME BINARY WINDOW_TITLE [RUNS]

For each of RUNS (5) starts: the time from exec until a window with WINDOW_TITLE is mapped
(xdotool, polled every 5 ms), and the resident memory 2 s after exec of the process and of
everything it started (the webview's own processes), from /proc. Each run gets an empty
configuration directory, so the app starts signed out. Prints the medians.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def tree(pid):
    """PID and all its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as f:
                todo.extend(int(child) for child in f.read().split())
        except OSError:
            pass
    return found


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    name, binary, title = sys.argv[1], sys.argv[2], sys.argv[3]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    mapped, own, total = [], [], []
    for _ in range(runs):
        # Desktop helpers the webview wakes may leave a mount behind in it: cleaning up is best effort.
        with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as config:
            env = dict(os.environ, XDG_CONFIG_HOME=config, OPENROUTER_SIGNIN_KEY_STORE="file")
            started = time.monotonic()
            app = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    search = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"^{title}$"],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    if search.returncode == 0:
                        mapped.append((time.monotonic() - started) * 1000)
                        break
                    if app.poll() is not None:
                        sys.exit(f"bench-desktop: {binary} exited ({app.returncode}) before its window showed")
                    if time.monotonic() - started > 60:
                        sys.exit(f"bench-desktop: no window named {title!r} within 60 s")
                    time.sleep(0.005)
                time.sleep(max(0.0, started + 2 - time.monotonic()))
                pids = tree(app.pid)
                own.append(rss_kib(app.pid) / 1024)
                total.append(sum(rss_kib(pid) for pid in pids) / 1024)
            finally:
                for pid in reversed(tree(app.pid)):
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
                app.wait()
    print(f"desktop {name:11s} window mapped median {statistics.median(mapped):7.1f} ms"
          f"   (min {min(mapped):.1f}, max {max(mapped):.1f}, n={runs})")
    print(f"desktop {name:11s} RSS after 2 s  median {statistics.median(own):7.1f} MiB"
          f"   (with the webview's processes {statistics.median(total):.1f} MiB)")
    # The last line is for bench.sh to compute the ratio.
    print(f"#mapped {statistics.median(mapped):.1f}")


if __name__ == "__main__":
    main()
