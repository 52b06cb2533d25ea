#!/usr/bin/env python3
"""What the wasm of one app has that another's lacks, by crate: twiggy's item sizes (before
wasm-opt, with names) summed per crate, largest difference first.

usage: wasm-by-crate.py OURS.wasm FLOOR.wasm [ROWS]
"""
import collections
import csv
import re
import subprocess
import sys


def by_crate(path):
    out = subprocess.run(["twiggy", "top", "-n", "1000000", "-f", "csv", path],
                         capture_output=True, text=True, check=True).stdout
    sizes = collections.Counter()
    for row in csv.DictReader(out.splitlines()):
        name, size = row["Name"], int(row["ShallowSize"])
        if name.startswith(("custom section", "export ")) or "subsection" in name:
            continue  # names, exports and wasm-bindgen's build-time data: gone in the shipped file
        if name.startswith("data segment"):
            sizes["(static data)"] += size
            continue
        bare = re.sub(r"^[<&*(\s]+|^(mut |dyn |impl )+", "", name)
        match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", bare)
        crate = match.group(0) if match else "(other)"
        if crate in ("T", "F", "A", "D", "R") or crate[0].isupper():
            crate = "(generic impls)"
        sizes[crate] += size
    return sizes


def main():
    ours, floor = by_crate(sys.argv[1]), by_crate(sys.argv[2])
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    print(f"{'crate':24s} {'ours':>9s} {'floor':>9s} {'extra':>9s}   (bytes before wasm-opt)")
    for crate in sorted(set(ours) | set(floor), key=lambda c: floor[c] - ours[c])[:rows]:
        print(f"{crate:24s} {ours[crate]:9d} {floor[crate]:9d} {ours[crate] - floor[crate]:+9d}")
    print(f"{'all':24s} {sum(ours.values()):9d} {sum(floor.values()):9d} "
          f"{sum(ours.values()) - sum(floor.values()):+9d}")


if __name__ == "__main__":
    main()
