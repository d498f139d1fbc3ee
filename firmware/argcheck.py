"""Request argument checks for the protocol ops; a refusal is a ProtoError (`err <code>`)."""


class ProtoError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def str_arg(args, key, limit):
    v = args.get(key)
    if not isinstance(v, str) or not v or len(v) > limit:
        raise ProtoError("args", "%s must be a string of 1..%d characters" % (key, limit))
    return v


def int_arg(args, key, lo, hi, default=None):
    v = args.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or v < lo or v > hi:
        raise ProtoError("args", "%s must be an integer %d..%d" % (key, lo, hi))
    return v


def name_arg(args):
    name = str_arg(args, "name", 40)
    for ch in name:
        if not (ch.isalpha() or ch.isdigit() or ch in "._-") or ord(ch) > 126:
            raise ProtoError("args", "name has a character that no session file has")
    if name[0] == ".":
        raise ProtoError("args", "name must not start with a dot")
    return name


def only(args, allowed):
    for key in args:
        if key not in allowed:
            raise ProtoError("args", "unknown argument %s" % key)
