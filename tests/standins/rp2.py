# Stand-in `rp2` for the MicroPython unix port (and CPython) accepting only what the rp2 port does.
# ruff: noqa: UP031  (runs in MicroPython, which lacks some str.format features; % is the rule)
"""The subset of the rp2 port's `rp2` that talktoken uses: bootsel_button, asm_pio,
asm_pio_encode, PIO constants and StateMachine, with the port's argument checks.

asm_pio assembles like ports/rp2/modules/rp2.py (same program list, same opcodes, labels
resolved in a second pass), so the opcodes a test reads here are the ones the Pico loads.
StateMachine runs the program on a small interpreter of the instructions the firmware uses
(jmp, wait, in, mov, push), reading pins through the `machine` stand-in; anything else raises.
Rejections use the port's exception types: ValueError for a bad id/frequency/label/bit count,
TypeError for unknown keywords, PIOASMError for assembler errors. Test hooks start with `_`.
"""

import machine

_bootsel = [0]


def bootsel_button():
    return _bootsel[0]


class PIOASMError(Exception):
    pass


class PIO:
    IN_LOW = 0
    IN_HIGH = 1
    OUT_LOW = 2
    OUT_HIGH = 3
    SHIFT_LEFT = 0
    SHIFT_RIGHT = 1
    JOIN_NONE = 0
    JOIN_TX = 1
    JOIN_RX = 2
    IRQ_SM0 = 0x100
    IRQ_SM1 = 0x200
    IRQ_SM2 = 0x400
    IRQ_SM3 = 0x800

    def __init__(self, id):
        if id not in (0, 1):
            raise ValueError("invalid PIO %d" % id)
        self._id = id


_PROG_DATA = 0
_PROG_EXECCTRL = 3
_PROG_SHIFTCTRL = 4


class _Emit:
    def __init__(
        self,
        out_init=None,
        set_init=None,
        sideset_init=None,
        side_pindir=False,
        in_shiftdir=0,
        out_shiftdir=0,
        autopush=False,
        autopull=False,
        push_thresh=32,
        pull_thresh=32,
        fifo_join=0,
    ):
        self.labels = {}
        execctrl = side_pindir << 29
        shiftctrl = (
            fifo_join << 30
            | (pull_thresh & 0x1F) << 25
            | (push_thresh & 0x1F) << 20
            | out_shiftdir << 19
            | in_shiftdir << 18
            | autopull << 17
            | autopush << 16
        )
        self.prog = [[], -1, -1, execctrl, shiftctrl, out_init, set_init, sideset_init]
        self.wrap_used = False
        self.pass_ = 0
        self.num_instr = 0
        if sideset_init is not None:
            raise PIOASMError("side-set is not in this stand-in")

    def start_pass(self, pass_):
        if pass_ == 1 and not self.wrap_used and self.num_instr:
            self.wrap()
        self.pass_ = pass_
        self.num_instr = 0

    def __getitem__(self, key):
        if self.pass_ > 0:
            if not 0 <= key <= 31:
                raise PIOASMError("delay too large")
            self.prog[_PROG_DATA][-1] |= key << 8
        return self

    def wrap_target(self):
        self.prog[_PROG_EXECCTRL] |= self.num_instr << 7

    def wrap(self):
        if self.num_instr <= 0:
            raise PIOASMError("no instructions before wrap")
        self.prog[_PROG_EXECCTRL] |= (self.num_instr - 1) << 12
        self.wrap_used = True

    def label(self, label):
        if self.pass_ == 0:
            if label in self.labels:
                raise PIOASMError(f"duplicate label {label}")
            self.labels[label] = self.num_instr

    def word(self, instr, label=None):
        if self.pass_ == 1:
            if label is None:
                label = 0
            elif not isinstance(label, int):
                if label not in self.labels:
                    raise PIOASMError(f"unknown label {label}")
                label = self.labels[label]
            self.prog[_PROG_DATA].append(instr | label)
        self.num_instr += 1
        if self.num_instr > 32:
            raise PIOASMError("program too long")
        return self

    def nop(self):
        return self.word(0xA042)

    def jmp(self, cond, label=None):
        if label is None:
            label = cond
            cond = 0
        return self.word(0x0000 | cond << 5, label)

    def wait(self, polarity, src, index):
        if src == 6:
            src = 1  # "pin"
        elif src != 0:
            src = 2  # "irq"
        return self.word(0x2000 | polarity << 7 | src << 5 | index)

    def in_(self, src, data):
        if not 0 < data <= 32:
            raise PIOASMError(f"invalid bit count {data}")
        return self.word(0x4000 | src << 5 | data & 0x1F)

    def push(self, value=0, value2=0):
        value |= value2
        if not value & 1:
            value |= 0x20
        return self.word(0x8000 | (value & (0x20 | 0x40)))

    def mov(self, dest, src):
        if dest == 8:
            dest = 4  # "exec"
        return self.word(0xA000 | dest << 5 | src)


def _names(emit):
    return {
        "wrap_target": emit.wrap_target,
        "wrap": emit.wrap,
        "label": emit.label,
        "word": emit.word,
        "nop": emit.nop,
        "jmp": emit.jmp,
        "wait": emit.wait,
        "in_": emit.in_,
        "push": emit.push,
        "mov": emit.mov,
        "gpio": 0,
        "pins": 0,
        "x": 1,
        "y": 2,
        "null": 3,
        "pc": 5,
        "status": 5,
        "isr": 6,
        "osr": 7,
        "exec": 8,
        "invert": lambda v: v | 0x08,
        "reverse": lambda v: v | 0x10,
        "not_x": 1,
        "x_dec": 2,
        "not_y": 3,
        "y_dec": 4,
        "x_not_y": 5,
        "pin": 6,
        "not_osre": 7,
        "noblock": 0x01,
        "block": 0x21,
        "iffull": 0x40,
    }


def asm_pio(**kw):
    """Decorator: assemble the function's instructions (two passes, as rp2.asm_pio does)."""
    emit = _Emit(**kw)

    def dec(f):
        gl = f.__globals__
        old = gl.copy()
        gl.clear()
        gl.update(_names(emit))
        try:
            emit.start_pass(0)
            f()
            emit.start_pass(1)
            f()
        finally:
            gl.clear()
            gl.update(old)
        return emit.prog

    return dec


def asm_pio_encode(instr, sideset_count, sideset_opt=False):
    """The opcode of one instruction given as source text, e.g. "mov(isr, x)"."""
    if sideset_count != 0 or sideset_opt:
        raise PIOASMError("side-set is not in this stand-in")
    emit = _Emit()
    emit.start_pass(1)
    emit.wrap_used = True
    exec(instr, _names(emit))
    if len(emit.prog[_PROG_DATA]) != 1:
        raise PIOASMError("expected a single instruction")
    return emit.prog[_PROG_DATA][0]


# ---- state machines: a small interpreter of the firmware's instructions ----
_sms = {}  # id -> StateMachine
_MASK = 0xFFFFFFFF
_CLK_HZ = 125000000


def _pin_id(p, what):
    if p is None:
        return -1
    if isinstance(p, machine.Pin):
        return p._id
    if isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 30:
        return p
    raise ValueError("expecting a Pin for %s" % what)


def _level(gpio):
    if gpio in machine._levels:
        return machine._levels[gpio]
    return 0


class StateMachine:
    def __init__(
        self,
        id,
        program=None,
        *,
        freq=-1,
        in_base=None,
        out_base=None,
        set_base=None,
        jmp_pin=None,
        sideset_base=None,
        in_shiftdir=None,
        out_shiftdir=None,
        push_thresh=None,
        pull_thresh=None,
    ):
        if not isinstance(id, int) or not 0 <= id < 8:
            raise ValueError("invalid StateMachine")
        self._id = id
        self._prog = None
        self._active = False
        self._x = 0
        self._y = 0
        self._isr = 0
        self._osr = 0
        self._pc = 0
        self._rx = []
        self._execs = 0
        _sms[id] = self
        if program is not None:
            self.init(
                program,
                freq=freq,
                in_base=in_base,
                out_base=out_base,
                set_base=set_base,
                jmp_pin=jmp_pin,
                sideset_base=sideset_base,
                in_shiftdir=in_shiftdir,
                out_shiftdir=out_shiftdir,
                push_thresh=push_thresh,
                pull_thresh=pull_thresh,
            )

    def init(
        self,
        program,
        *,
        freq=-1,
        in_base=None,
        out_base=None,
        set_base=None,
        jmp_pin=None,
        sideset_base=None,
        in_shiftdir=None,
        out_shiftdir=None,
        push_thresh=None,
        pull_thresh=None,
    ):
        if not isinstance(program, list) or len(program) != 8:
            raise TypeError("program must be an asm_pio program")
        if freq != -1:
            div = _CLK_HZ / freq if freq > 0 else 0
            if not 1 <= div < 65536:
                raise ValueError("freq out of range")
        self._freq = freq
        self._in_base = _pin_id(in_base, "in_base")
        self._jmp_pin = _pin_id(jmp_pin, "jmp_pin")
        for p, what in ((out_base, "out_base"), (set_base, "set_base"), (sideset_base, "side")):
            _pin_id(p, what)
        self._prog = program
        ex = program[_PROG_EXECCTRL]
        self._wrap_bottom = (ex >> 7) & 0x1F
        self._wrap_top = (ex >> 12) & 0x1F
        self._pc = 0
        self._rx = []

    def active(self, *args):
        if len(args) > 1:
            raise TypeError("function takes at most 2 positional arguments")
        if args:
            self._active = bool(args[0])
        return self._active

    def rx_fifo(self):
        return len(self._rx)

    def get(self, buf=None, shift=0):
        if not self._rx:
            raise RuntimeError("stand-in: get() on an empty RX FIFO would block forever")
        value = (self._rx.pop(0) & _MASK) >> shift
        if buf is None:
            return value
        # the port stores the word cast to the element's width (b/h/i arrays, bytearray):
        # MicroPython's array store truncates the same way (and allocates nothing here)
        try:
            buf[0] = value - 0x100000000 if value >> 31 else value
            return buf
        except (OverflowError, ValueError):
            pass
        for bits in (16, 8):  # CPython's array refuses what does not fit: cast by hand
            u = value & ((1 << bits) - 1)
            try:
                buf[0] = u - (1 << bits) if u >> (bits - 1) else u
                return buf
            except (OverflowError, ValueError):
                try:
                    buf[0] = u
                    return buf
                except (OverflowError, ValueError):
                    pass
        raise ValueError("unsupported buffer type")

    def exec(self, instr):
        if isinstance(instr, str):
            instr = asm_pio_encode(instr, 0)
        if not isinstance(instr, int):
            raise TypeError("can't convert %s to int" % type(instr).__name__)
        self._execs += 1
        self._run_one(instr, executed=True)

    # ---- the interpreter (test hook: rp2._run(cycles) steps every active machine) ----
    def _src(self, src):
        op = (src >> 3) & 3
        s = src & 7
        if s == 0:
            v = 0
            for i in range(32):
                g = self._in_base + i
                if g < 30 and _level(g):
                    v |= 1 << i
        elif s == 1:
            v = self._x
        elif s == 2:
            v = self._y
        elif s == 3:
            v = 0
        elif s == 6:
            v = self._isr
        elif s == 7:
            v = self._osr
        else:
            raise RuntimeError("stand-in: mov source %d" % s)
        if op == 1:
            v = ~v & _MASK
        elif op != 0:
            raise RuntimeError("stand-in: mov operation %d" % op)
        return v

    def _run_one(self, ins, executed=False):
        kind = ins >> 13
        advance = True
        if kind == 0:  # jmp
            cond = (ins >> 5) & 7
            addr = ins & 0x1F
            take = False
            if cond == 0:
                take = True
            elif cond == 1:
                take = self._x == 0
            elif cond == 2:
                take = self._x != 0
                self._x = (self._x - 1) & _MASK
            elif cond == 3:
                take = self._y == 0
            elif cond == 4:
                take = self._y != 0
                self._y = (self._y - 1) & _MASK
            elif cond == 5:
                take = self._x != self._y
            elif cond == 6:
                take = bool(_level(self._jmp_pin))
            else:
                raise RuntimeError("stand-in: jmp !osre")
            if take:
                self._pc = addr
                return
        elif kind == 1:  # wait
            pol = (ins >> 7) & 1
            src = (ins >> 5) & 3
            idx = ins & 0x1F
            if src == 0:
                g = idx
            elif src == 1:
                g = self._in_base + idx
            else:
                raise RuntimeError("stand-in: wait irq")
            if _level(g) != pol:
                return  # stalled: the same instruction again next cycle
        elif kind == 2:  # in
            n = ins & 0x1F or 32
            v = self._src(ins >> 5 & 7) & ((1 << n) - 1 if n < 32 else _MASK)
            self._isr = ((self._isr << n) | v) & _MASK
        elif kind == 4 and not (ins >> 7) & 1:  # push
            block = (ins >> 5) & 1
            if len(self._rx) < 4:
                self._rx.append(self._isr)
                self._isr = 0
            elif block:
                return  # stalled
        elif kind == 5:  # mov
            dest = (ins >> 5) & 7
            v = self._src(ins & 0x1F)
            if dest == 1:
                self._x = v
            elif dest == 2:
                self._y = v
            elif dest == 6:
                self._isr = v
            elif dest == 7:
                self._osr = v
            else:
                raise RuntimeError("stand-in: mov destination %d" % dest)
        else:
            raise RuntimeError("stand-in: instruction %04x" % ins)
        if advance and not executed:
            if self._pc == self._wrap_top:
                self._pc = self._wrap_bottom
            else:
                self._pc += 1

    def _cycle(self):
        self._run_one(self._prog[_PROG_DATA][self._pc])


def _run(cycles=64):
    """Test hook: run every active state machine for `cycles` instructions."""
    for sm in _sms.values():
        if sm._active and sm._prog is not None:
            for _ in range(cycles):
                sm._cycle()
