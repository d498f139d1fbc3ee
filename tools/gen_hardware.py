"""Hardware artefacts generated from the one pin map (firmware/hwconfig.py).

Usage: python tools/gen_hardware.py [--check]
  (no option)  rewrite hardware/wiring.svg, hardware/wokwi/diagram.json and the generated
               tables in docs/hardware.md
  --check      change nothing; exit 1 and list what is out of date
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "host"))

from talktoken.fwtree.paths import enable_firmware_imports  # noqa: E402
from talktoken.hardware import power  # noqa: E402

enable_firmware_imports()
import hwconfig  # noqa: E402

SVG_PATH = ROOT / "hardware" / "wiring.svg"
WOKWI_PATH = ROOT / "hardware" / "wokwi" / "diagram.json"
DOC_PATH = ROOT / "docs" / "hardware.md"
BOM_PATH = ROOT / "hardware" / "bom.csv"

# Raspberry Pi Pico header: GPn -> physical pin (Pico datasheet pinout; same on Pico W / Pico 2).
PICO_HEADER = {
    0: 1, 1: 2, 2: 4, 3: 5, 4: 6, 5: 7, 6: 9, 7: 10, 8: 11, 9: 12, 10: 14, 11: 15, 12: 16,
    13: 17, 14: 19, 15: 20, 16: 21, 17: 22, 18: 24, 19: 25, 20: 26, 21: 27, 22: 29, 26: 31,
    27: 32, 28: 34,
}  # fmt: skip
POWER_PINS = {
    3: "GND", 8: "GND", 13: "GND", 18: "GND", 23: "GND", 28: "GND", 33: "GND", 38: "GND",
    30: "RUN", 35: "ADC_VREF", 36: "3V3", 37: "3V3_EN", 39: "VSYS", 40: "VBUS",
}  # fmt: skip
# GPIOs with no header pin, used on the board itself (or by the radio on the Pico W / Pico 2 W).
RESERVED = {
    23: "SMPS power-save (Pico) / radio power WL_ON (Pico W)",
    24: "VBUS sense (Pico) / radio data WL_D (Pico W)",
    25: "on-board LED (Pico) / radio chip select WL_CS (Pico W)",
    29: "VSYS/3 sense ADC3 (Pico) / radio clock WL_CLK (Pico W)",
}
ADC_GPIOS = (26, 27, 28)  # ADC0..ADC2 on the header
PIO_GPIOS = range(0, 30)  # every RP2040 GPIO can be driven by a PIO state machine

# signal -> (component id, component label lines, pin on the component)
COMPONENTS = {
    "LED_DATA": ("ring", ("WS2812B ring, 24 LEDs", "via 74AHCT125 1A->1Y", "and 330 ohm to DIN"),
                 "DIN"),
    "ENC_A": ("encoder", ("Rotary encoder EC11", "(KNOB), C pin to GND"), "A"),
    "ENC_B": ("encoder", ("Rotary encoder EC11", "(KNOB), C pin to GND"), "B"),
    "KNOB_SW": ("encoder", ("Rotary encoder EC11", "(KNOB), C pin to GND"), "SW"),
    "PHASE_BTN": ("buttons", ("12 mm buttons PHASE, HOLD", "other legs to GND"), "PHASE"),
    "HOLD_BTN": ("buttons", ("12 mm buttons PHASE, HOLD", "other legs to GND"), "HOLD"),
    "BUZZER": ("buzzer", ("optional piezo / motor", "1k -> NPN base"), "drive"),
    "VBAT_ADC": ("vbat", ("optional battery sense", "VBAT-100k-ADC0-100k-GND"), "mid"),
    "RTC_SDA": ("rtc", ("optional DS3231 RTC module", "VCC 3V3, GND, CR2032"), "SDA"),
    "RTC_SCL": ("rtc", ("optional DS3231 RTC module", "VCC 3V3, GND, CR2032"), "SCL"),
}  # fmt: skip
POWER_LINKS = (
    (40, "VBUS", "5 V: ring +5V, 74AHCT125 VCC, C1 1000 uF"),
    (39, "VSYS", "optional: PowerBoost 5 V through D1 1N5819"),
    (38, "GND", "GND: ring, 74AHCT125, encoder C, buttons"),
    (36, "3V3", "3V3: the optional RTC module's VCC"),
)
WOKWI_TARGET = {
    "LED_DATA": ("ring1", "DIN"),
    "ENC_A": ("encoder1", "CLK"),
    "ENC_B": ("encoder1", "DT"),
    "KNOB_SW": ("encoder1", "SW"),
    "PHASE_BTN": ("btn_phase", "1.l"),
    "HOLD_BTN": ("btn_hold", "1.l"),
    "BUZZER": ("bz1", "2"),
    "VBAT_ADC": ("pot_vbat", "SIG"),
    "RTC_SDA": ("rtc1", "SDA"),  # Wokwi has a DS1307 part: same address and time registers
    "RTC_SCL": ("rtc1", "SCL"),
}


# What each pin of hwconfig does: (signal, header pin, direction, purpose). The GPIO numbers
# stay in firmware/hwconfig.py (PIN_<signal>), the one source; this descriptive table lives here
# so the device never loads it.
PIN_ROLES = (
    ("LED_DATA", 29, "out", "WS2812 ring data in"),
    ("ENC_A", 14, "in", "rotary encoder A, pull-up"),
    ("ENC_B", 15, "in", "rotary encoder B, pull-up"),
    ("KNOB_SW", 16, "in", "knob push switch, pull-up"),
    ("PHASE_BTN", 19, "in", "PHASE button, pull-up"),
    ("HOLD_BTN", 20, "in", "HOLD button, pull-up"),
    ("BUZZER", 24, "out", "optional piezo or vibration motor (PWM)"),
    ("VBAT_ADC", 31, "adc", "optional battery sense, 1/2 divider"),
    ("RTC_SDA", 6, "i2c", "optional RTC module SDA (I2C0; the module's pull-ups)"),
    ("RTC_SCL", 7, "i2c", "optional RTC module SCL (I2C0)"),
)


def pin_rows() -> list[tuple[str, int, int, str, str]]:
    """(signal, GPn, header pin, direction, purpose) rows: PIN_ROLES with hwconfig's GPn."""
    return [
        (signal, getattr(hwconfig, "PIN_" + signal, -1), hdr, direction, purpose)
        for signal, hdr, direction, purpose in PIN_ROLES
    ]


def pin_problems() -> list[str]:
    """Every inconsistency of the pin map; empty when it is sound."""
    problems = []
    rows = pin_rows()
    seen_gp: dict[int, str] = {}
    seen_hdr: dict[int, str] = {}
    for signal, gp, hdr, direction, _ in rows:
        const = getattr(hwconfig, "PIN_" + signal, None)
        if const != gp:
            problems.append(f"{signal}: PIN_ROLES names it, hwconfig has no PIN_{signal}")
        if gp in seen_gp:
            problems.append(f"GP{gp} used by {seen_gp[gp]} and {signal}")
        seen_gp[gp] = signal
        if hdr in seen_hdr:
            problems.append(f"header pin {hdr} used by {seen_hdr[hdr]} and {signal}")
        seen_hdr[hdr] = signal
        if gp in RESERVED:
            problems.append(f"{signal}: GP{gp} is reserved on the Pico ({RESERVED[gp]})")
        elif PICO_HEADER.get(gp) != hdr:
            problems.append(f"{signal}: GP{gp} is header pin {PICO_HEADER.get(gp)}, not {hdr}")
        if direction == "adc" and gp not in ADC_GPIOS:
            problems.append(f"{signal}: GP{gp} has no ADC (use GP26-GP28)")
        if direction == "in" and "pull-up" not in _purpose(rows, signal):
            problems.append(f"{signal}: an input needs the internal pull-up")
        if signal not in COMPONENTS or signal not in WOKWI_TARGET:
            problems.append(f"{signal}: no component in tools/gen_hardware.py for the diagrams")
    data = hwconfig.PIN_LED_DATA
    if data not in PIO_GPIOS or data in RESERVED or data not in PICO_HEADER:
        problems.append(f"LED data GP{data} cannot drive the ring from a PIO state machine")
    names = {n for n in dir(hwconfig) if n.startswith("PIN_")}
    missing = names - {"PIN_" + r[0] for r in rows}
    for name in sorted(missing):
        problems.append(f"{name} is not in PIN_ROLES (tools/gen_hardware.py)")
    return problems


def _purpose(rows, signal: str) -> str:
    return next(r[4] for r in rows if r[0] == signal)


def markdown_pin_table() -> str:
    """The pin table for docs/hardware.md."""
    out = ["| signal | GPIO | Pico pin | direction | wiring |", "| --- | --- | ---: | --- | --- |"]
    for signal, gp, hdr, direction, purpose in pin_rows():
        out.append(f"| {signal} | GP{gp} | {hdr} | {direction} | {purpose} |")
    return "\n".join(out) + "\n"


def bom_rows() -> list[dict[str, str]]:
    """hardware/bom.csv as dicts."""
    with BOM_PATH.open(newline="") as f:
        return list(csv.DictReader(f))


def markdown_bom_table() -> str:
    """The BOM as a Markdown table with totals (with and without the optional parts)."""
    out = [
        "| ref | item | qty | example part | ~USD each | optional |",
        "| --- | --- | ---: | --- | ---: | --- |",
    ]
    core = extra = 0.0
    for r in bom_rows():
        cost = float(r["unit_cost_usd"]) * int(r["qty"])
        if r["optional"] == "yes":
            extra += cost
        else:
            core += cost
        out.append(
            f"| {r['ref']} | {r['item']} | {r['qty']} | {r['example_part']} | "
            f"{float(r['unit_cost_usd']):.2f} | {r['optional']} |"
        )
    out.append("")
    out.append(
        f"Core build about **{core:.0f} USD**; with every optional part about "
        f"**{core + extra:.0f} USD** (2025 single-unit prices, before shipping)."
    )
    return "\n".join(out) + "\n"


def _pin_y(hdr: int) -> float:
    # Pin 1 top left .. 20 bottom left; 21 bottom right .. 40 top right (USB at the top).
    idx = hdr - 1 if hdr <= 20 else 40 - hdr
    return 110 + idx * 22


def wiring_svg() -> str:
    """The wiring diagram: the Pico's header with every used pin wired to its part."""
    w, h = 1000, 600
    px0, px1 = 400, 600
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">',
        "<title>talktoken wiring (generated by tools/gen_hardware.py from hwconfig.py)</title>",
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
        f'<text x="{w // 2}" y="28" font-size="16" text-anchor="middle">'
        "talktoken wiring: Raspberry Pi Pico (top view, USB up)</text>",
        f'<rect x="{px0}" y="70" width="{px1 - px0}" height="480" rx="8" fill="#2e7d32" '
        'stroke="#1b5e20"/>',
        f'<rect x="{(px0 + px1) // 2 - 18}" y="60" width="36" height="22" fill="#bdbdbd" '
        'stroke="#757575"/>',
        f'<text x="{(px0 + px1) // 2}" y="96" fill="#ffffff" font-size="13" '
        'text-anchor="middle">Raspberry Pi Pico</text>',
    ]
    gp_of_hdr = {v: k for k, v in PICO_HEADER.items()}
    for hdr in range(1, 41):
        left = hdr <= 20
        x = px0 if left else px1
        y = _pin_y(hdr)
        name = POWER_PINS.get(hdr) or f"GP{gp_of_hdr[hdr]}"
        tx = x + 8 if left else x - 8
        anchor = "start" if left else "end"
        parts.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#ffd54f" stroke="#5d4037"/>')
        parts.append(
            f'<text x="{tx}" y="{y + 4}" fill="#ffffff" text-anchor="{anchor}">{hdr} {name}</text>'
        )
    boxes: dict[str, dict] = {}
    for signal, gp, hdr, _direction, _purpose in pin_rows():
        comp, label, comp_pin = COMPONENTS[signal]
        box = boxes.setdefault(comp, {"label": label, "pins": []})
        box["pins"].append((signal, gp, hdr, comp_pin))
    for side in ("left", "right"):
        placed = sorted(
            (b for b in boxes.values() if (b["pins"][0][2] <= 20) == (side == "left")),
            key=lambda b: min(_pin_y(p[2]) for p in b["pins"]),
        )
        floor = 60.0
        for b in placed:
            ys = [_pin_y(p[2]) for p in b["pins"]]
            top = max(min(ys) - 14, floor)
            height = max(max(ys) - min(ys) + 28, 16 * len(b["label"]) + 12)
            b["top"], b["height"] = top, height
            floor = top + height + 10
    for comp, b in boxes.items():
        left = b["pins"][0][2] <= 20
        bx = 40 if left else 760
        bw = 200
        parts.append(f'<g class="part" data-part="{comp}">')
        parts.append(
            f'<rect x="{bx}" y="{b["top"]:.0f}" width="{bw}" height="{b["height"]:.0f}" rx="6" '
            'fill="#e3f2fd" stroke="#1565c0"/>'
        )
        for i, line in enumerate(b["label"]):
            parts.append(
                f'<text x="{bx + bw // 2}" y="{b["top"] + 16 + i * 15:.0f}" '
                f'text-anchor="middle">{escape(line)}</text>'
            )
        parts.append("</g>")
        for signal, gp, hdr, comp_pin in b["pins"]:
            y = _pin_y(hdr)
            x0 = px0 if left else px1
            x1 = bx + bw if left else bx
            tx = (x0 + x1) / 2
            # Straight when the pin is level with its box, else an elbow near the box.
            port = min(max(y, b["top"] + 8), b["top"] + b["height"] - 8)
            xe = x1 + 30 if left else x1 - 30
            parts.append(
                f'<g class="signal" data-signal="{signal}" data-gp="{gp}" data-pin="{hdr}" '
                f'data-part="{comp}" data-part-pin="{comp_pin}">'
            )
            parts.append(
                f'<polyline points="{x0},{y} {xe},{y} {xe},{port:.0f} {x1},{port:.0f}" '
                'fill="none" stroke="#c62828" stroke-width="2"/>'
            )
            parts.append(
                f'<text x="{tx:.0f}" y="{y - 4}" text-anchor="middle">{signal} GP{gp} '
                f"-&gt; {escape(comp_pin)}</text>"
            )
            parts.append("</g>")
    for i, (hdr, name, text) in enumerate(POWER_LINKS):
        y = _pin_y(hdr)
        ly = 72 + i * 18
        parts.append(f'<g class="power" data-pin="{hdr}" data-name="{name}">')
        parts.append(
            f'<polyline points="{px1},{y} {px1 + 40 + i * 8},{y} {px1 + 40 + i * 8},{ly} '
            f'{w - 250},{ly}" fill="none" stroke="#424242" stroke-width="1.5"/>'
        )
        parts.append(f'<text x="{w - 245}" y="{ly + 4}">{escape(text)}</text>')
        parts.append("</g>")
    parts.append(
        f'<text x="{w // 2}" y="{h - 20}" text-anchor="middle" fill="#424242">'
        "All inputs use the Pico's internal pull-ups and switch to GND. "
        "Keep the ring's GND and the Pico's GND joined.</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def wokwi_diagram() -> str:
    """hardware/wokwi/diagram.json text for the Wokwi simulator."""
    diagram = {
        "version": 1,
        "author": "talktoken (generated by tools/gen_hardware.py)",
        "editor": "wokwi",
        "parts": [
            {"type": "wokwi-pi-pico", "id": "pico", "top": 0, "left": 0, "attrs": {}},
            {
                "type": "wokwi-led-ring",
                "id": "ring1",
                "top": -200,
                "left": 150,
                "attrs": {"pixels": str(hwconfig.LED_COUNT)},
            },
            {"type": "wokwi-ky-040", "id": "encoder1", "top": 40, "left": -260, "attrs": {}},
            {
                "type": "wokwi-pushbutton",
                "id": "btn_phase",
                "top": 150,
                "left": -200,
                "attrs": {"color": "blue", "label": "PHASE"},
            },
            {
                "type": "wokwi-pushbutton",
                "id": "btn_hold",
                "top": 220,
                "left": -200,
                "attrs": {"color": "yellow", "label": "HOLD"},
            },
            {"type": "wokwi-buzzer", "id": "bz1", "top": 120, "left": 180, "attrs": {}},
            {"type": "wokwi-potentiometer", "id": "pot_vbat", "top": 220, "left": 180, "attrs": {}},
            {"type": "wokwi-ds1307", "id": "rtc1", "top": -40, "left": -260, "attrs": {}},
        ],
        "connections": [],
    }
    conns = diagram["connections"]
    assert isinstance(conns, list)
    for signal, gp, _hdr, _direction, _purpose in pin_rows():
        part, pin = WOKWI_TARGET[signal]
        conns.append([f"pico:GP{gp}", f"{part}:{pin}", "green", []])
    conns += [
        ["ring1:VCC", "pico:VBUS", "red", []],
        ["ring1:GND", "pico:GND.8", "black", []],
        ["encoder1:VCC", "pico:3V3", "red", []],
        ["encoder1:GND", "pico:GND.4", "black", []],
        ["btn_phase:2.l", "pico:GND.5", "black", []],
        ["btn_hold:2.l", "pico:GND.5", "black", []],
        ["bz1:1", "pico:GND.6", "black", []],
        ["pot_vbat:VCC", "pico:3V3", "red", []],
        ["pot_vbat:GND", "pico:GND.7", "black", []],
        ["rtc1:5V", "pico:3V3", "red", []],
        ["rtc1:GND", "pico:GND.2", "black", []],
        ["pico:GP0", "$serialMonitor:RX", "", []],
        ["pico:GP1", "$serialMonitor:TX", "", []],
    ]
    return json.dumps(diagram, indent=2) + "\n"


MARKERS = {
    "pin-table": markdown_pin_table,
    "power-table": power.markdown_table,
    "bom-table": markdown_bom_table,
}


def render_doc(text: str) -> str:
    """docs/hardware.md with every generated section replaced by fresh content."""
    for name, fn in MARKERS.items():
        begin = f"<!-- {name}:begin (generated by tools/gen_hardware.py) -->"
        end = f"<!-- {name}:end -->"
        i = text.find(begin)
        j = text.find(end)
        if i < 0 or j < i:
            raise SystemExit(f"gen_hardware: {DOC_PATH} lacks the {name} markers")
        text = text[: i + len(begin)] + "\n" + fn() + text[j:]
    return text


def outputs() -> dict[Path, str]:
    """Every generated file and its expected content."""
    return {
        SVG_PATH: wiring_svg(),
        WOKWI_PATH: wokwi_diagram(),
        DOC_PATH: render_doc(DOC_PATH.read_text()),
    }


def main(argv: list[str]) -> int:
    problems = pin_problems()
    if problems:
        for p in problems:
            print(f"gen_hardware: pin map: {p}", file=sys.stderr)
        return 1
    check = "--check" in argv
    stale = []
    for path, content in outputs().items():
        if path.exists() and path.read_text() == content:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    for path in stale:
        verb = "out of date" if check else "written"
        print(f"gen_hardware: {path.relative_to(ROOT)} {verb}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
