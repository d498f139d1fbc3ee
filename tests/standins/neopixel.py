"""NeoPixel(pin, n, bpp=3, timing=1): `pin` must be a machine.Pin (the driver calls pin.init),
`buf` is bytearray(n * bpp) in GRB order, write() sends it. Test hooks start with an underscore."""

_last = []  # the last NeoPixel created, for tests


class NeoPixel:
    ORDER = (1, 0, 2, 3)

    def __init__(self, pin, n, bpp=3, timing=1):
        self.pin = pin
        self.n = n
        self.bpp = bpp
        self.buf = bytearray(n * bpp)
        self.pin.init(pin.OUT)  # an int pin fails here, as on the Pico (AttributeError)
        self.timing = timing
        self.writes = 0
        del _last[:]
        _last.append(self)

    def __len__(self):
        return self.n

    def __setitem__(self, i, v):
        offset = i * self.bpp
        for j in range(self.bpp):
            self.buf[offset + self.ORDER[j]] = v[j]

    def __getitem__(self, i):
        offset = i * self.bpp
        return tuple(self.buf[offset + self.ORDER[j]] for j in range(self.bpp))

    def fill(self, v):
        for i in range(self.n):
            self[i] = v

    def write(self):
        self.writes += 1  # (the real driver sends buf with machine.bitstream; no allocation)
