# Runs every firmware test module of tests/fw in the MicroPython unix port, from .mpy files.
from __future__ import annotations

import pytest
from mpvm import FWTEST_SRC, fw_test_names, module_results

CASES = [
    (path.stem, name)
    for path in sorted(FWTEST_SRC.glob("test_*.py"))
    for name in fw_test_names(path)
]


@pytest.mark.parametrize(("module", "name"), CASES, ids=[f"{m}::{n}" for m, n in CASES])
def test_in_micropython(module: str, name: str) -> None:
    results = module_results(module)
    for key in ("__import__", "__exit__"):
        if key in results:
            pytest.fail(f"{module} failed in MicroPython:\n{results[key][1]}")
    assert name in results, f"{module}.{name} did not run in MicroPython"
    passed, detail = results[name]
    assert passed, f"{module}.{name} failed in MicroPython:\n{detail}"
