# firmware/preload.py loads every module the app needs, each after the modules it imports.
from __future__ import annotations

import ast
from pathlib import Path

from mpvm import run_micropython

FW = Path(__file__).resolve().parents[1] / "firmware"
BUILTIN = {"gc", "sys", "os", "json", "hashlib", "binascii", "micropython", "time", "select"}


def _top_level_imports(name: str) -> set[str]:
    """Firmware modules `name` imports at module level (not the lazy imports in functions)."""
    tree = ast.parse((FW / f"{name}.py").read_text())
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return {m for m in found if m not in BUILTIN and (FW / f"{m}.py").exists()}


def _closure(roots: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo += _top_level_imports(m)
    return seen


def _order(name: str = "ORDER") -> list[str]:
    tree = ast.parse((FW / "preload.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == name:
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"preload.{name} not found")


def test_order_has_every_module_the_app_and_store_import_leaves_first():
    order = _order()
    assert _closure(["app", "logstore"]) == set(order), "ORDER is the app's import closure"
    for i, name in enumerate(order):
        for dep in _top_level_imports(name):
            assert dep in order[:i], f"{name} imports {dep}, which ORDER loads later"


def test_proto_order_has_what_the_protocol_adds_leaves_first():
    app, proto = _order(), _order("PROTO")
    # the protocol reaches logserve through LogStore's methods, not by a module-level import
    added = _closure(["proto", "logserve"]) - set(app)
    assert added == set(proto), "PROTO is what the protocol and the store's host side add"
    for i, name in enumerate(proto):
        for dep in _top_level_imports(name):
            assert dep in app or dep in proto[:i], f"{name} imports {dep}, loaded later"


def test_after_preload_importing_the_app_loads_nothing_new_in_micropython():
    script = (
        "import sys, preload\n"
        "preload.run()\n"
        "loaded = set(sys.modules)\n"
        "import app, logstore\n"
        "print('NEW', sorted(set(sys.modules) - loaded))\n"
        "assert 'logserve' not in sys.modules and 'sessindex' not in sys.modules\n"
        "preload.run(preload.PROTO)\n"
        "loaded = set(sys.modules)\n"
        "import proto, logserve\n"
        "print('NEW', sorted(set(sys.modules) - loaded))\n"
    )
    proc = run_micropython(["-c", script])
    out = proc.stdout.decode()
    assert proc.returncode == 0, out + proc.stderr.decode()
    assert out.count("NEW []") == 2, out
