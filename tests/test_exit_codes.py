"""Every TalktokenError subclass has its own exit code, and docs/exit-codes.md lists each one."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import talktoken
from talktoken.errors import TalktokenError

ROOT = Path(__file__).resolve().parents[1]
# Not host code: modules that run inside the simulator's VM, the CPython shim, the entry script.
SKIP = ("talktoken.sim.vm", "talktoken.fwtree.vmshim", "talktoken.__main__", "talktoken.firmware")
RESERVED = {2: "click: a usage error", 130: "interrupted (Ctrl-C)"}


def _all_error_classes() -> list[type[TalktokenError]]:
    for info in pkgutil.walk_packages(talktoken.__path__, "talktoken."):
        if not info.name.startswith(SKIP):
            importlib.import_module(info.name)
    found: list[type[TalktokenError]] = []
    todo = [TalktokenError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("talktoken")]


def _documented() -> dict[int, str]:
    rows = re.findall(
        r"^\| (\d+) \| `([A-Za-z]+)` \|", (ROOT / "docs/exit-codes.md").read_text(), re.M
    )
    return {int(code): name for code, name in rows}


def test_every_error_class_defines_its_own_distinct_code():
    classes = _all_error_classes()
    assert len(classes) > 20  # the walk really found the package's errors
    own = [c for c in classes if "exit_code" not in vars(c)]
    assert not own, f"inherit their parent's exit code: {[c.__qualname__ for c in own]}"
    by_code: dict[int, list[str]] = {}
    for c in classes:
        by_code.setdefault(c.exit_code, []).append(c.__qualname__)
    shared = {code: names for code, names in by_code.items() if len(names) > 1}
    assert not shared, f"exit codes used by more than one error: {shared}"
    clash = {c.__qualname__: c.exit_code for c in classes if c.exit_code in RESERVED}
    assert not clash, f"exit codes reserved for click or Ctrl-C: {clash}"


def test_the_docs_table_lists_exactly_the_codes_in_use():
    in_code = {c.exit_code: c.__name__ for c in _all_error_classes()}
    documented = _documented()
    for code, meaning in RESERVED.items():
        assert code not in documented or meaning, code
    assert {k: v for k, v in documented.items() if k not in RESERVED} == in_code
