# Argument checks and store adapters for the protocol ops (errors become `err <code>` replies).


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


def entry(store, item):
    """One sessions() item as the dict the host sees: name, id, size, complete, started_at."""
    if isinstance(item, dict):
        return {
            "name": item.get("name"),
            "id": item.get("id", item.get("session_id")),
            "size": item.get("size", 0),
            "complete": bool(item.get("complete", False)),
            "started_at": item.get("started_at", 0),
        }
    if isinstance(item, str):
        return {"name": item, "id": None, "size": store.size(item), "complete": True}
    raise ProtoError("internal", "unexpected sessions() item")


class _Listed:
    """The SessIndex methods over a store that only has sessions() (a test double, say)."""

    def __init__(self, store):
        self.items = [entry(store, item) for item in store.sessions()]

    def count(self):
        return len(self.items)

    def entry(self, i):
        return self.items[i]

    def size(self, i):
        return self.items[i]["size"]

    def used(self):
        return sum(e["size"] for e in self.items)

    def find(self, name):
        for i in range(len(self.items)):
            if self.items[i]["name"] == name:
                return i
        return -1


def listing(store):
    """The store's session index: count(), entry(i), size(i), used(), find(name)."""
    if hasattr(store, "index"):
        return store.index()
    return _Listed(store)


def size_of(store, name):
    ix = listing(store)
    i = ix.find(name)
    if i < 0:
        raise ProtoError("notfound", "no session %s on this device" % name)
    return ix.size(i)
