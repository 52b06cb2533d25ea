#!/usr/bin/python3
"""Drives and reads a running app through its accessibility tree (AT-SPI), as a screen reader
user would: tests/desktop_e2e.rs presses, types and reads in the desktop gallery with it.

Needs python3-gi and gir1.2-atspi-2.0 (Debian's /usr/bin/python3 has them) and an accessibility
bus in the D-Bus session (at-spi2-core; `dbus-run-session` starts one when asked).

    atspi.py [--timeout S] ready                               wait for the accessibility bus
    atspi.py [--timeout S] press  ROLE NAME [--id ID]          press it (its first action)
    atspi.py [--timeout S] type   ROLE NAME [--id ID] [--clear] TEXT
                                                               focus it and type TEXT (after
                                                               deleting what it holds: --clear)
    atspi.py [--timeout S] wait   ROLE NAME [--id ID] TEXT     wait until it is there and its
                                                               text holds TEXT (may be "")
    atspi.py [--timeout S] steady ROLE NAME [--id ID] SECONDS  fail if its text changes
    atspi.py [--timeout S] state  ROLE NAME [--id ID] STATE    wait until it has STATE ("busy",
                                                               "focused", ...: an AT-SPI state)
    atspi.py dump                                              print the tree

ROLE is an AT-SPI role name ("push button", "entry", "section", ...); NAME is the accessible
name, or * for any; --id also requires that HTML id (WebKit exposes it as an attribute). The
match must be unique and not hidden (scrolled out of view is fine): several matches are an
error, never a guess. Every command polls until its condition holds or the timeout passes, then
fails saying what it looked for and what it saw. wait and steady print the text they read.
"""

import argparse
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

POLL = 0.05
# X keysyms of the keys that are not characters.
END = 0xFF57
BACKSPACE = 0xFF08


class NotYet(Exception):
    """The condition does not hold yet; the message says what was seen instead."""


def text_of(node):
    """What a screen reader reads for the node: its text, else its name."""
    if "Text" in node.get_interfaces():
        return Atspi.Text.get_text(node, 0, -1)
    return node.get_name() or ""


def walk(node, errors, depth=0):
    """Every node under `node`, depth first. Nodes that vanish meanwhile, or whose app does not
    answer, are skipped and the reason added to `errors`."""
    yield node, depth
    try:
        children = [node.get_child_at_index(i) for i in range(node.get_child_count())]
    except GLib.Error as error:
        errors.append(error.message)
        return
    for child in children:
        if child is not None:
            yield from walk(child, errors, depth + 1)


def everything(errors):
    desktop = Atspi.get_desktop(0)
    for index in range(desktop.get_child_count()):
        try:
            app = desktop.get_child_at_index(index)
            # The page changes under us: read it afresh on every poll.
            app.clear_cache()
        except GLib.Error as error:
            errors.append(error.message)
            continue
        yield from walk(app, errors)


def describe(args):
    what = f"{args.role!r} named {args.name!r}"
    return f"{what} with id {args.id!r}" if args.id else what


def find(args):
    """The one visible node with the role, name and id asked for."""
    found, others, errors = [], [], []
    for node, _ in everything(errors):
        try:
            if node.get_role_name() != args.role:
                continue
            name = node.get_name()
            if args.name not in ("*", name):
                others.append(repr(name))
            elif args.id and (node.get_attributes() or {}).get("id") != args.id:
                others.append(f"{name!r} (another id)")
            elif node.get_state_set().contains(Atspi.StateType.VISIBLE):
                found.append(node)
            else:
                others.append(f"{name!r} (hidden)")
        except GLib.Error as error:
            errors.append(error.message)
    if len(found) == 1:
        return found[0]
    if found:
        raise NotYet(f"{len(found)} of {describe(args)}; expected one")
    seen = ", ".join(others[:30]) or "none"
    unanswered = f"; {len(errors)} unanswered, first: {errors[0]}" if errors else ""
    raise NotYet(f"no {describe(args)} (the {args.role!r} seen: {seen}{unanswered})")


def until(args, check):
    """Calls `check` until it returns without NotYet; exits with the last reason at the deadline."""
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            return check()
        except (NotYet, GLib.Error) as why:
            if time.monotonic() >= deadline:
                sys.exit(f"atspi.py {args.command}: {why} (after {args.timeout:g}s)")
        time.sleep(POLL)


def has_state(node, state):
    return node.get_state_set().contains(state)


def press(args):
    def check():
        node = find(args)
        if not has_state(node, Atspi.StateType.ENABLED):
            raise NotYet(f"{describe(args)} is disabled")
        if "Action" not in node.get_interfaces() or Atspi.Action.get_n_actions(node) == 0:
            raise NotYet(f"{describe(args)} has no action")
        if not Atspi.Action.do_action(node, 0):
            raise NotYet(f"{describe(args)} refused {Atspi.Action.get_action_name(node, 0)!r}")

    until(args, check)


def type_text(args):
    """WebKit's entries have no EditableText, so this types as a keyboard would, one key at a
    time, and waits for each key to show in the entry before the next: no key is sent while
    the page is still busy with the one before, and a lost key is an error, not a typo."""
    if not all(" " <= ch <= "~" for ch in args.text):
        sys.exit("atspi.py type: only printable ASCII can be typed")

    def focus():
        node = find(args)
        if not has_state(node, Atspi.StateType.FOCUSED):
            Atspi.Component.grab_focus(node)
            raise NotYet(f"{describe(args)} does not take the focus")
        return node

    node = until(args, focus)
    # Without a window manager, X gives the keys to the window under the pointer.
    box = Atspi.Component.get_extents(node, Atspi.CoordType.SCREEN)
    Atspi.generate_mouse_event(box.x + box.width // 2, box.y + box.height // 2, "abs")
    if args.clear:
        # From the end, one Backspace at a time, each waited for like a typed key.
        Atspi.generate_keyboard_event(END, None, Atspi.KeySynthType.SYM)
        held = text_of(node)
        while held:
            Atspi.generate_keyboard_event(BACKSPACE, None, Atspi.KeySynthType.SYM)
            held = held[:-1]

            def deleted(expected=held):
                now = text_of(node)
                if now != expected:
                    raise NotYet(f"{describe(args)} holds {now!r}, expected {expected!r}")

            until(args, deleted)
    typed = text_of(node)
    for ch in args.text:
        # Printable ASCII keysyms are the characters' own codes.
        Atspi.generate_keyboard_event(ord(ch), None, Atspi.KeySynthType.SYM)
        typed += ch

        def shows(expected=typed):
            now = text_of(node)
            if now != expected:
                raise NotYet(f"{describe(args)} holds {now!r}, expected {expected!r}")

        until(args, shows)


def wait(args):
    def check():
        now = text_of(find(args))
        if args.text not in now:
            raise NotYet(f"{describe(args)} says {now!r}, without {args.text!r}")
        return now

    print(until(args, check))


def state(args):
    wanted = getattr(Atspi.StateType, args.state.upper().replace(" ", "_").replace("-", "_"), None)
    if wanted is None:
        sys.exit(f"atspi.py state: no AT-SPI state {args.state!r}")

    def check():
        node = find(args)
        if not has_state(node, wanted):
            held = [s.value_nick for s in node.get_state_set().get_states()]
            raise NotYet(f"{describe(args)} is not {args.state}: {held}")

    until(args, check)


def steady(args):
    first = text_of(until(args, lambda: find(args)))
    end = time.monotonic() + args.seconds
    while time.monotonic() < end:
        now = text_of(until(args, lambda: find(args)))
        if now != first:
            sys.exit(f"atspi.py steady: {describe(args)} changed from {first!r} to {now!r}")
        time.sleep(POLL)
    print(first)


def ready(args):
    """Asking for the desktop starts the accessibility bus and its registry, if need be."""
    until(args, lambda: Atspi.get_desktop(0).get_child_count())


def dump(_args):
    errors = []
    for node, depth in everything(errors):
        try:
            line = f"{'  ' * depth}{node.get_role_name()} {node.get_name()!r}"
            ident = (node.get_attributes() or {}).get("id")
            if ident:
                line += f" #{ident}"
            if "Text" in node.get_interfaces():
                line += f" text={text_of(node)[:80]!r}"
        except GLib.Error as error:
            line = f"{'  ' * depth}(gone: {error.message})"
        print(line)
    for error in errors:
        print(f"(no answer: {error})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds (default 30)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, last in [
        ("press", None),
        ("type", "text"),
        ("wait", "text"),
        ("steady", "seconds"),
        ("state", "state"),
    ]:
        command = commands.add_parser(name)
        command.add_argument("role")
        command.add_argument("name")
        command.add_argument("--id")
        if name == "type":
            command.add_argument("--clear", action="store_true")
        if last == "seconds":
            command.add_argument(last, type=float)
        elif last:
            command.add_argument(last)
    commands.add_parser("ready")
    commands.add_parser("dump")
    args = parser.parse_args()
    Atspi.init()
    run = {
        "ready": ready,
        "press": press,
        "type": type_text,
        "wait": wait,
        "steady": steady,
        "state": state,
    }
    run.get(args.command, dump)(args)


if __name__ == "__main__":
    main()
