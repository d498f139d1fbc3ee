# The firmware type-checks against the Pico's MicroPython stubs, and a wrong Pico API call fails.
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import typecheck  # noqa: E402

IO_FILES = ["board.py", "controls.py", "ds3231.py", "ledring.py", "main.py"]


def test_io_firmware_clean_against_pico_stubs():
    errors, text = typecheck.check_firmware([ROOT / "firmware" / f for f in IO_FILES])
    assert errors == 0, text


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        (
            "pin.IN, pin.PULL_UP),\n            pin(hwconfig.PIN_PHASE_BTN",
            "pin.IN, pullup=True),\n            pin(hwconfig.PIN_PHASE_BTN",
            "pullup",
        ),
        ("machine.WDT(timeout=self._wdt_ms)", "machine.WDT(timeout_ms=self._wdt_ms)", "timeout_ms"),
        ("self._adc.read_u16()", "self._adc.read_u32()", "read_u32"),
        ("time.sleep_ms(ms)", "time.sleep_msec(ms)", "sleep_msec"),
        ("sm.exec(self._copy)", "sm.execute(self._copy)", "execute"),
        ("rp2.asm_pio_encode(", "rp2.asm_pio_assemble(", "asm_pio_assemble"),
        (
            "            freq=100000,\n        )",
            "            frequency=100000,\n        )",
            "frequency",
        ),
    ],
)
def test_wrong_pico_call_fails(tmp_path: Path, old: str, new: str, needle: str):
    src = (ROOT / "firmware" / "board.py").read_text()
    assert old in src
    bad = tmp_path / "board.py"
    bad.write_text(src.replace(old, new, 1))
    errors, text = typecheck.check_firmware([bad])
    assert errors >= 1 and needle in text, text


def test_cli_exit_code_on_error(tmp_path: Path):
    bad = tmp_path / "wrong.py"
    bad.write_text("import machine\n\n\ndef f():\n    machine.Pin(5, machine.Pin.IN, pullup=1)\n")
    assert typecheck.main(["--firmware-only", str(bad)]) == 1
    good = tmp_path / "right.py"
    good.write_text(
        "import machine\n\n\ndef f():\n    machine.Pin(5, machine.Pin.IN, machine.Pin.PULL_UP)\n"
    )
    assert typecheck.main(["--firmware-only", str(good)]) == 0
