# The PIO knob program of firmware/board.py, run instruction by instruction in pioemu.
# (no `from __future__ import annotations`: pioemu reads the input function's int annotation)

import importlib
import sys
from pathlib import Path

import pytest

pioemu = pytest.importorskip("pioemu", reason="pip install rp2040-pio-emulator")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STANDINS = ROOT / "tests" / "standins"
SIM = ROOT / "host" / "talktoken" / "sim" / "vm"

# raw pin levels (bit0 = A, bit1 = B; 1 = released, pulled up), one clockwise detent from rest
REST = 3
CW = (2, 0, 1, 3)  # A falls first: A leads
CCW = (1, 0, 2, 3)


def _load(name: str, path: Path):
    saved_path = list(sys.path)
    saved = {m: sys.modules.get(m) for m in ("machine", "neopixel", "rp2", name)}
    sys.path.insert(0, str(path))
    if path != STANDINS:
        sys.path.insert(0, str(STANDINS))
    try:
        for m in saved:
            sys.modules.pop(m, None)
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved_path
        for m, mod in saved.items():
            if mod is None:
                sys.modules.pop(m, None)
            else:
                sys.modules[m] = mod


@pytest.fixture(scope="module")
def program():
    """(opcodes, wrap_target, wrap_top) as rp2.asm_pio assembles board.knob_pio."""
    board = _load("board", ROOT / "firmware")
    prog = board.knob_pio
    ex = prog[3]
    return list(prog[0]), (ex >> 7) & 0x1F, (ex >> 12) & 0x1F


def run(program, levels: list[tuple[int, int]], tail: int = 40) -> int:
    """Drive the pins through [(cycles, level)] (A = GPIO 0 = in_base, B = GPIO 1 = jmp_pin);
    return X as a signed count when the last level has been held `tail` cycles."""
    opcodes, wrap_target, wrap_top = program
    schedule = []
    t = 0
    for cycles, level in levels:
        schedule.append((t, level))
        t += cycles
    end = t + tail
    it = iter(schedule)
    state = {"next": next(it, None), "level": REST}

    def pins(clock: int) -> int:
        while state["next"] is not None and state["next"][0] <= clock:
            state["level"] = state["next"][1]
            state["next"] = next(it, None)
        return state["level"]

    x = 0
    initial = pioemu.State(pin_values=REST)
    for _, after in pioemu.emulate(
        opcodes,
        stop_when=pioemu.clock_cycles_reached(end),
        initial_state=initial,
        input_source=pins,
        jmp_pin=1,
        wrap_target=wrap_target,
        wrap_top=wrap_top,
    ):
        x = after.x_register
    return x - (1 << 32) if x >= 1 << 31 else x


def detents(seq, n, cycles):
    return [(cycles, level) for _ in range(n) for level in seq]


def test_program_needs_no_fixed_offset(program):
    opcodes, wrap_target, wrap_top = program
    assert len(opcodes) <= 32
    for op in opcodes:
        kind = op >> 13
        assert not (kind == 5 and (op >> 5) & 7 == 5), "mov pc: absolute, would pin the offset"
        assert not (kind == 3 and (op >> 5) & 7 == 5), "out pc: absolute"
    assert 0 <= wrap_target <= wrap_top < len(opcodes)


@pytest.mark.parametrize("cycles", [3, 12, 200])  # fast (a few PIO cycles a state) to slow
def test_turns_both_ways(program, cycles):
    assert run(program, detents(CW, 5, cycles)) == 10  # two A edges a detent
    assert run(program, detents(CCW, 3, cycles)) == -6
    assert run(program, detents(CW, 4, cycles) + detents(CCW, 7, cycles)) == -6


def test_bounce_on_either_contact_cancels(program):
    levels = []
    for level in CW * 3:
        prev = levels[-1][1] if levels else REST
        changed = prev ^ level
        for _ in range(4):  # the contact chatters between the old and new level
            levels += [(2, prev), (1, level)]
        levels.append((30, level))
        assert changed in (1, 2)
    assert run(program, levels) == 6


def test_reversing_mid_detent_counts_nothing(program):
    levels = [(20, 2), (20, 0), (20, 2), (20, 3)]  # half a detent clockwise, then back
    assert run(program, levels) == 0


def test_two_revolutions_during_a_long_stall(program):
    # 48 detents, nobody reads the count until the end (the cores are stalled by flash)
    assert run(program, detents(CW, 48, 6)) == 96


_STEP = st.sampled_from([1, 2])  # which contact moves


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_STEP, st.integers(min_value=2, max_value=40)), max_size=60))
def test_any_walk_matches_the_simulator_counter(program, walk):
    """Whatever sequence of single-contact moves: pioemu's X == SimBoard's KnobCounter."""
    simboard = _load("simboard", SIM)
    counter = simboard.KnobCounter()
    level = REST
    levels = []
    for bit, cycles in walk:
        level ^= bit
        levels.append((cycles, level))
        # the simulator's mask: bit3 = A, bit4 = B, 1 = active (low on the pin)
        counter.pins(((~level) & 1) << 3 | (((~level) >> 1) & 1) << 4)
    assert run(program, levels) == counter.edges


# -- the rp2 stand-in: the port's encodings and refusals --------------------------------------


@pytest.fixture(scope="module")
def rp2():
    return _load("rp2", STANDINS)


@pytest.mark.parametrize(
    ("text", "opcode"),  # RP2040 datasheet, PIO instruction encoding
    [
        ("mov(isr, x)", 0xA0C1),
        ("mov(y, invert(x))", 0xA049),
        ("mov(x, invert(y))", 0xA02A),
        ("push(noblock)", 0x8000),
        ("push()", 0x8020),
        ("wait(0, pin, 0)", 0x2020),
        ("wait(1, pin, 0)", 0x20A0),
        ("wait(1, gpio, 7)", 0x2087),
        ("jmp(pin, 9)", 0x00C9),
        ("jmp(x_dec, 3)", 0x0043),
        ("jmp(y_dec, 31)", 0x009F),
        ("in_(pins, 2)", 0x4002),
        ("nop()", 0xA042),
    ],
)
def test_stand_in_encodes_as_the_datasheet(rp2, text, opcode):
    assert rp2.asm_pio_encode(text, 0) == opcode


def test_stand_in_refuses_what_the_port_refuses(rp2):
    machine = rp2.machine  # the stand-in it was loaded with

    prog = rp2.asm_pio()(lambda: None)
    with pytest.raises(ValueError):
        rp2.StateMachine(8, prog)
    with pytest.raises(TypeError):
        rp2.StateMachine(0, prog, jump_pin=machine.Pin(1))
    with pytest.raises(ValueError):
        rp2.StateMachine(0, prog, freq=1000)  # below 125 MHz / 65536
    with pytest.raises(ValueError):
        rp2.StateMachine(0, prog, in_base="GP1")

    def unknown_label():
        jmp("nowhere")  # noqa: F821

    with pytest.raises(rp2.PIOASMError):
        rp2.asm_pio()(unknown_label)

    def too_long():
        for _ in range(33):
            nop()  # noqa: F821

    with pytest.raises(rp2.PIOASMError):
        rp2.asm_pio()(too_long)


def test_stand_in_runs_the_assembled_program_like_pioemu(program, rp2):
    """The stand-in's interpreter (used by the unix-port board tests) agrees with pioemu."""
    machine = rp2.machine

    prog = [list(program[0]), -1, -1, program[1] << 7 | program[2] << 12, 0, None, None, None]
    sm = rp2.StateMachine(0, prog, freq=1_000_000, in_base=machine.Pin(20), jmp_pin=21)
    sm.active(1)
    levels = detents(CW, 4, 1) + detents(CCW, 1, 1) + [(1, 2), (1, 3), (1, 2), (1, 3)]
    for _, level in levels:
        machine._set_level(20, level & 1)
        machine._set_level(21, level >> 1)
        rp2._run(16)
    x = sm._x - (1 << 32) if sm._x >= 1 << 31 else sm._x
    assert x == run(program, [(30, lv) for _, lv in levels]) == 6
