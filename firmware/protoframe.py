"""Request line framing: a bounded buffer, over-long lines discarded, limits before parsing."""

from micropython import const

MAX_LINE = const(1024)  # bytes of one request line, without its newline
MAX_DEPTH = const(8)  # JSON nesting depth ({ and [ outside strings)
_MAX_ID = const(999999)
_READ_MAX = const(256)  # bytes read from the serial port per poll

# check_args results
ARGS_OK = const(0)
ARGS_BYTE = const(1)  # a byte outside printable ASCII
ARGS_DEEP = const(2)  # nested deeper than MAX_DEPTH
ARGS_BRACKETS = const(3)  # a closing bracket without its opener

_AT = const(64)  # "@"
_SP = const(32)
_NL = const(10)
_CR = const(13)


def parse_id(buf, start, end):
    """Request id of a line that begins at start, or 0 (no id: the line cannot be answered)."""
    if end - start < 2 or buf[start] != _AT:
        return 0
    i = start + 1
    rid = 0
    while i < end and i - start <= 7:
        c = buf[i]
        if c == _SP:
            break
        if c < 48 or c > 57:
            return 0
        rid = rid * 10 + c - 48
        i += 1
    if i == start + 1 or i - start > 7 or (i < end and buf[i] != _SP):
        return 0
    if rid < 1 or rid > _MAX_ID:
        return 0
    return rid


def check_args(buf, start, end):
    """Printable-ASCII, bracket-matching and depth check of buf[start:end] (outside strings)."""
    depth = 0
    kinds = 0  # bit d set: the bracket opened at depth d+1 is "["
    in_str = False
    esc = False
    i = start
    while i < end:
        c = buf[i]
        if c < 32 or c > 126:
            return ARGS_BYTE
        if in_str:
            if esc:
                esc = False
            elif c == 92:  # backslash
                esc = True
            elif c == 34:  # quote
                in_str = False
        elif c == 34:
            in_str = True
        elif c == 123 or c == 91:  # { [
            if depth == MAX_DEPTH:
                return ARGS_DEEP
            if c == 91:
                kinds |= 1 << depth
            else:
                kinds &= ~(1 << depth)
            depth += 1
        elif c == 125 or c == 93:  # } ]
            if depth == 0:
                return ARGS_BRACKETS
            depth -= 1
            if ((kinds >> depth) & 1) != (c == 93):
                return ARGS_BRACKETS
        i += 1
    if depth or in_str:
        return ARGS_BRACKETS
    return ARGS_OK


class LineReader:
    """Collects bytes from a non-blocking serial into lines of at most MAX_LINE bytes.

    `poll(serial)` returns (kind, start, end): kind 1 = a complete line in buf[start:end],
    2 = an over-long line was dropped (its id in `self.dropped_id`, 0 if none), 0 = nothing yet.
    Call `consumed()` after handling a line. The buffer is allocated once.
    """

    def __init__(self, size=MAX_LINE):
        self.size = size
        self.buf = bytearray(size + 2)
        self.n = 0  # bytes held
        self.scan = 0  # bytes already searched for a newline
        self.line_end = -1  # index of the newline of the line handed out
        self.discarding = False
        self.dropped_id = 0
        self.dropped = 0  # count of over-long lines
        self.bytes_in = 0

    def poll(self, serial):
        buf = self.buf
        reads = 0
        while True:
            nl = buf.find(b"\n", self.scan, self.n) if self.n > self.scan else -1
            if nl >= 0:
                if self.discarding:
                    self._shift(nl + 1)
                    self.discarding = False
                    self.dropped += 1
                    return 2, 0, 0
                self.line_end = nl
                end = nl
                if end > 0 and buf[end - 1] == _CR:
                    end -= 1
                return 1, 0, end
            self.scan = self.n
            if self.n >= self.size + 1:
                # No newline within the cap: keep the id, drop everything up to the next newline.
                if not self.discarding:
                    self.dropped_id = parse_id(buf, 0, self.n)
                    self.discarding = True
                self.n = 0
                self.scan = 0
            if reads == 4:
                return 0, 0, 0  # bounded work per call; the rest waits for the next poll
            reads += 1
            room = self.size + 1 - self.n
            if room > _READ_MAX:
                room = _READ_MAX
            got = serial.read_into(buf, self.n, room)
            if not got:
                return 0, 0, 0
            self.bytes_in += got
            self.n += got

    def feed(self, data):
        """Take bytes read from the port before this reader existed (at most its free room)."""
        n = len(data)
        room = self.size + 1 - self.n
        if n > room:
            n = room
        self.buf[self.n : self.n + n] = data[:n]
        self.n += n
        self.bytes_in += n

    def consumed(self):
        """Forget the line returned by the last poll()."""
        if self.line_end >= 0:
            self._shift(self.line_end + 1)
            self.line_end = -1

    def _shift(self, k):
        rest = self.n - k
        if rest > 0:
            self.buf[0:rest] = self.buf[k : self.n]
        self.n = rest if rest > 0 else 0
        self.scan = 0
