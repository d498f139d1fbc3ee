# The pin map has one source (hwconfig): board.py, docs, wiring.svg and Wokwi must all agree.
from __future__ import annotations

import ast
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import hwconfig
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_gen():
    spec = importlib.util.spec_from_file_location("gen_hardware", ROOT / "tools/gen_hardware.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gen = _load_gen()
ROWS = gen.pin_rows()
PIN_NAMES = {n for n in dir(hwconfig) if n.startswith("PIN_")}


def test_pin_map_is_sound():
    assert gen.pin_problems() == []
    gps = [r[1] for r in ROWS]
    assert len(gps) == len(set(gps)), "a GPIO used twice"
    assert {"PIN_" + r[0] for r in ROWS} == PIN_NAMES


def test_header_pins_match_an_independent_pinout():
    # Pico header pins by GPIO, from the pinout: GP0-1 -> 1-2, then a GND every 5th pin.
    def header(gp):
        if gp <= 21:
            return gp + 1 + (gp + 2) // 4 if gp >= 2 else gp + 1
        return {22: 29, 26: 31, 27: 32, 28: 34}[gp]

    for signal, gp, hdr, _, _ in ROWS:
        assert hdr == header(gp), f"{signal}: GP{gp} is on pin {header(gp)}, table says {hdr}"


def test_no_reserved_pins_and_led_pin_is_pio_capable():
    for signal, gp, *_ in ROWS:
        assert gp not in (23, 24, 25, 29), f"{signal} on a pin the Pico (W) board uses"
    led = hwconfig.PIN_LED_DATA
    assert 0 <= led <= 28 and led in gen.PICO_HEADER
    assert [r[3] for r in ROWS if r[0] == "LED_DATA"] == ["out"]


def test_inputs_use_pull_ups_and_adc_is_on_an_adc_pin():
    for signal, gp, _, direction, purpose in ROWS:
        if direction == "in":
            assert "pull-up" in purpose, signal
        if direction == "adc":
            assert gp in (26, 27, 28), signal


@pytest.mark.parametrize(
    ("name", "value", "needle"),
    [
        ("PIN_HOLD_BTN", 14, "GP14 used by PHASE_BTN and HOLD_BTN"),
        ("PIN_LED_DATA", 25, "reserved"),
        ("PIN_VBAT_ADC", 21, "has no ADC"),
    ],
)
def test_checker_catches_bad_maps(monkeypatch, name, value, needle):
    monkeypatch.setattr(hwconfig, name, value)
    problems = gen.pin_problems()
    assert any(needle in p for p in problems), problems


def _board_tree() -> ast.Module:
    path = ROOT / "firmware" / "board.py"
    assert path.exists(), "firmware/board.py (the IO helper's) is missing"
    return ast.parse(path.read_text())


def test_board_uses_hwconfig_names_and_no_literal_pins():
    tree = _board_tree()
    used = {
        n.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == "hwconfig"
        and n.attr.startswith("PIN_")
    }
    assert used <= PIN_NAMES, f"board.py names pins hwconfig lacks: {used - PIN_NAMES}"
    required = PIN_NAMES - {"PIN_BUZZER"}  # the buzzer is optional and off by default
    assert required <= used, f"board.py does not use {required - used}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in ("Pin", "pin", "ADC", "PWM", "NeoPixel") and node.args:
                first = node.args[0]
                assert not (isinstance(first, ast.Constant) and isinstance(first.value, int)), (
                    f"board.py line {node.lineno}: literal pin number in {name}()"
                )
    # No module-level PIN_ constants of its own either.
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for t in node.targets:
                assert not (isinstance(t, ast.Name) and t.id.startswith("PIN_")), t.id


def test_generated_files_are_up_to_date():
    for path, content in gen.outputs().items():
        assert path.read_text() == content, (
            f"{path.relative_to(ROOT)} is stale: run .venv/bin/python tools/gen_hardware.py"
        )


def test_docs_pin_table_matches_hwconfig():
    text = (ROOT / "docs/hardware.md").read_text()
    section = text.split("<!-- pin-table:begin")[1].split("<!-- pin-table:end")[0]
    found = re.findall(r"^\| (\w+) \| GP(\d+) \| (\d+) \| (\w+) \|", section, re.M)
    assert [(s, int(g), int(h), d) for s, g, h, d in found] == [r[:4] for r in ROWS]


def test_wiring_svg_matches_hwconfig():
    root = ET.parse(ROOT / "hardware/wiring.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    signals = {
        g.get("data-signal"): (int(g.get("data-gp")), int(g.get("data-pin")))
        for g in root.iter(ns + "g")
        if g.get("class") == "signal"
    }
    assert signals == {r[0]: (r[1], r[2]) for r in ROWS}
    for g in root.iter(ns + "g"):
        if g.get("class") == "signal":
            text = "".join(t.text or "" for t in g.iter(ns + "text"))
            assert f"GP{g.get('data-gp')}" in text
    power = {g.get("data-name") for g in root.iter(ns + "g") if g.get("class") == "power"}
    assert {"VBUS", "GND"} <= power


def test_wokwi_diagram_matches_hwconfig():
    diagram = json.loads((ROOT / "hardware/wokwi/diagram.json").read_text())
    parts = {p["id"]: p for p in diagram["parts"]}
    assert parts["ring1"]["attrs"]["pixels"] == str(hwconfig.LED_COUNT)
    wired = {}
    for a, b, *_ in diagram["connections"]:
        for x, y in ((a, b), (b, a)):
            if x.startswith("pico:GP") and not y.startswith("$"):
                wired[int(x[7:])] = y
    for signal, gp, *_ in ROWS:
        part, pin = gen.WOKWI_TARGET[signal]
        assert wired.get(gp) == f"{part}:{pin}", signal
        assert part in parts
    toml = (ROOT / "hardware/wokwi/wokwi.toml").read_text()
    assert "[wokwi]" in toml and "version = 1" in toml and "firmware" in toml


def test_bom_has_the_required_parts():
    rows = gen.bom_rows()
    text = " ".join((r["item"] + " " + r["example_part"]).lower() for r in rows)
    needles = "pico ws2812 74ahct125 330_ohm 1000_uf encoder 12_mm piezo lipo 100_kohm diffuser"
    for needle in [n.replace("_", " ") for n in needles.split()] + ["m2", "m3"]:
        assert needle in text, needle
    for r in rows:
        assert int(r["qty"]) >= 1 and float(r["unit_cost_usd"]) > 0, r["ref"]
        assert r["optional"] in ("yes", "no"), r["ref"]
