#!/usr/bin/env python3
"""Confines the utilities of a compiled (minified) Tailwind stylesheet to one component.

Every selector in `@layer utilities{...}` gets `:where(.ROOT,.ROOT *)` appended (before any
pseudo-element), which matches only the component's root element and what it contains, and adds
no specificity. Everything else (theme variables, the scoped reset) is left as it is.

usage: scope-css.py FILE ROOT_CLASS   (rewrites FILE in place)
"""
import sys


def matching_brace(text, open_at):
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced braces")


def split_top_level(selector_list):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(selector_list):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(selector_list[start:i])
            start = i + 1
    parts.append(selector_list[start:])
    return parts


def scope_selectors(selector_list, suffix):
    scoped = []
    for selector in split_top_level(selector_list):
        at = selector.find("::")
        scoped.append(selector + suffix if at < 0 else selector[:at] + suffix + selector[at:])
    return ",".join(scoped)


def scope_block(block, suffix):
    out, i = [], 0
    while i < len(block):
        brace = block.find("{", i)
        if brace < 0:
            out.append(block[i:])
            break
        prelude = block[i:brace]
        end = matching_brace(block, brace)
        body = block[brace + 1 : end]
        if prelude.lstrip().startswith("@"):
            out.append(prelude + "{" + scope_block(body, suffix) + "}")
        else:
            if "{" in body:
                raise ValueError(f"nested rule under {prelude!r}: expected flattened output")
            out.append(scope_selectors(prelude, suffix) + "{" + body + "}")
        i = end + 1
    return "".join(out)


def main():
    path, root = sys.argv[1], sys.argv[2]
    css = open(path, encoding="utf-8").read()
    marker = "@layer utilities{"
    start = css.find(marker)
    if start < 0:
        sys.exit(f"{path}: no '{marker}' block")
    end = matching_brace(css, start + len(marker) - 1)
    suffix = f":where(.{root},.{root} *)"
    inner = scope_block(css[start + len(marker) : end], suffix)
    open(path, "w", encoding="utf-8").write(css[: start + len(marker)] + inner + css[end:])


if __name__ == "__main__":
    main()
