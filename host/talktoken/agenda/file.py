"""Read and check agenda TOML files; write agendas back as TOML; the built-in templates."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from talktoken.errors import TalktokenError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATES = ("interpersonal", "cbt", "supportive", "psychodynamic", "grief")
MAX_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Problem:
    """One problem of an agenda file.

    `field` is the machine path ("phases[2].minutes", indices from 0, as in the JSON of
    `agenda check --json`); `where` says it as people count ("phase 3 (Grief): minutes");
    `line` is 1-based, 0 when unknown.
    """

    field: str
    reason: str
    line: int = 0
    where: str = ""

    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        name = self.where or self.field
        what = f"{name}: " if name else ""
        return f"{at}{what}{self.reason}"


_PHASE_FIELD = re.compile(r"^phases\[(\d+)\](?:\.(.*))?$")


def where(field: str, data: dict | None) -> str:
    """A field path as people say it: "phases[2].minutes" -> "phase 3 (Grief): minutes"."""
    m = _PHASE_FIELD.match(field)
    if not m:
        return field
    i = int(m.group(1))
    phases = data.get("phases") if isinstance(data, dict) else None
    name = ""
    if isinstance(phases, list) and i < len(phases) and isinstance(phases[i], dict):
        got = phases[i].get("name")
        name = f" ({got})" if isinstance(got, str) and got.strip() else ""
    rest = f": {m.group(2)}" if m.group(2) else ""
    return f"phase {i + 1}{name}{rest}"


class AgendaFileError(TalktokenError):
    """An agenda file cannot be used; `problems` lists every reason."""

    exit_code = 25

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        listing = "\n".join(f"  {source}: {p}" for p in problems)
        n = len(problems)
        super().__init__(
            f"{source} has {n} problem{'s' if n != 1 else ''}; fix and run "
            f"`talktoken agenda check {source}` again:\n{listing}"
        )


def _agenda_module():
    from talktoken.fwtree.paths import enable_firmware_imports

    enable_firmware_imports()
    import agenda  # the firmware's module: device and host share one validator

    return agenda


_KEY_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_\-]+)\s*=')
_TABLE_LINE = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*(\]\]?)\s*(#.*)?$")


def field_lines(text: str, twice: list[tuple[str, int]] | None = None) -> dict[str, int]:
    """Map field paths ("seats", "phases[1].minutes", "phases[1]") to the line that sets them.

    A key or [table] set a second time is appended to `twice` as (path, line) when given.
    """
    lines: dict[str, int] = {}
    prefix = ""
    counters: dict[str, int] = {}
    depth = 0  # open brackets of a multi-line array or inline table
    in_multiline = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if depth == 0:
            m = _TABLE_LINE.match(line)
            if m and m.group(1) == m.group(3)[::-1].replace("]", "["):
                name = m.group(2).strip().strip("\"'")
                if m.group(1) == "[[":
                    idx = counters.get(name, -1) + 1
                    counters[name] = idx
                    prefix = f"{name}[{idx}]."
                    lines.setdefault(name, no)
                    lines[f"{name}[{idx}]"] = no
                else:
                    prefix = f"{name}."
                    if name in lines and twice is not None:
                        twice.append((name, no))
                    lines.setdefault(name, no)
                continue
            m = _KEY_LINE.match(line)
            if m:
                key = m.group(1).strip("\"'")
                if prefix + key in lines and twice is not None:
                    twice.append((prefix + key, no))
                lines.setdefault(prefix + key, no)
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", line.split("#", 1)[0])
        if '"""' in line or "'''" in line:
            quote = '"""' if '"""' in line else "'''"
            if line.count(quote) == 1:
                in_multiline = quote
        depth = max(0, depth + stripped.count("[") + stripped.count("{"))
        depth = max(0, depth - stripped.count("]") - stripped.count("}"))
        if depth and _TABLE_LINE.match(line) and stripped.strip().startswith("["):
            depth = 0
    return lines


def line_of(field: str, lines: dict[str, int]) -> int:
    """The line of field, or of its nearest parent that has one (0 when none)."""
    path = field
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return 0


def _char_at(text: str, line: int, column: int) -> str:
    rows = text.splitlines()
    if 0 < line <= len(rows) and 0 < column <= len(rows[line - 1]):
        return rows[line - 1][column - 1]
    return ""


def _phase_names(text: str, lines: dict[str, int]) -> dict:
    """{"phases": [{"name": ...}, ...]} read line by line from text that is not valid TOML."""
    rows = text.splitlines()
    phases = []
    for i in range(len(rows)):
        if f"phases[{i}]" not in lines:
            break
        no = lines.get(f"phases[{i}].name", 0)
        m = re.match(r'\s*name\s*=\s*"([^"\\]*)"', rows[no - 1]) if no else None
        phases.append({"name": m.group(1)} if m else {})
    return {"phases": phases}


def _syntax_problem(exc: Exception, text: str) -> Problem:
    """tomllib's complaint put in a person's words, with its line."""
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line, column = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    raw = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", msg)
    ch = _char_at(text, line, column)
    shown = repr(ch) if ch else "something"
    if raw.startswith(("Cannot overwrite a value", "Cannot declare")):
        twice: list[tuple[str, int]] = []
        field_lines(text, twice)
        if twice:
            key, line = twice[0]
            lines = field_lines(text)
            return Problem(
                "",
                f"{where(key, _phase_names(text, lines))} is given twice (first on line "
                f"{lines.get(key, 0)}); keep one of them",
                line,
            )
        reason = "a key or [table] is given twice; keep one of them"
    elif raw.startswith(("Unterminated string", "Illegal character")):
        reason = 'a quote is missing: text must start and end with " on the same line'
    elif raw.startswith("Invalid statement"):
        reason = (
            f"unexpected {shown} at column {column}: a line holds `key = value`, "
            "a [table] heading, or a # comment"
        )
    elif raw.startswith("Expected newline or end of document"):
        reason = (
            f"unexpected {shown} after the value at column {column}: one `key = value` per "
            "line (a # starts a comment)"
        )
    elif raw.startswith("Invalid value"):
        reason = (
            f"the value at column {column} is not one TOML knows: put text in quotes "
            '("like this"); numbers, true and false go bare'
        )
    elif raw.startswith("Expected '=' after a key"):
        reason = f"an = is missing between the key and its value (column {column})"
    elif raw.startswith(("Expected ']]' at the end", "Expected ']' at the end")):
        close = "]]" if "]]" in raw else "]"
        reason = f"a [table] heading is not closed: end it with {close}"
    elif raw.startswith(("Unclosed array", "Unclosed inline table")):
        reason = "a [ or { is never closed"
    else:
        reason = f"this is not valid TOML here ({raw})" + (f", column {column}" if column else "")
    return Problem("", reason, line)


def check_text(text: str) -> tuple[dict | None, list[Problem]]:
    """Parse TOML text and validate it; (dict or None, every problem with field and line)."""
    text = text.removeprefix("\ufeff")  # a UTF-8 BOM, as some Windows editors save
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_syntax_problem(exc, text)]
    found = _agenda_module().problems(data)
    lines = field_lines(text)
    return data, [Problem(f, r, line_of(f, lines), where(f, data)) for f, r in found]


def read_text(path: str | Path) -> str:
    """The file's text; AgendaFileError when missing, too big or not UTF-8."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise AgendaFileError(str(path), [Problem("", "no such file")]) from None
    except OSError as exc:
        raise AgendaFileError(str(path), [Problem("", f"cannot read it: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise AgendaFileError(
            str(path), [Problem("", f"{len(raw)} bytes is too big for an agenda")]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AgendaFileError(str(path), [Problem("", "not UTF-8 text", line)]) from None


def check(path: str | Path) -> tuple[dict | None, list[Problem]]:
    """check_text() of a file (file errors raise AgendaFileError)."""
    return check_text(read_text(path))


def load(path: str | Path) -> dict:
    """A valid agenda dict from a TOML file, or AgendaFileError listing every problem."""
    data, problems = check(path)
    if problems or data is None:
        raise AgendaFileError(str(path), problems)
    return data


def template_text(name: str) -> str:
    """The commented TOML of a built-in template (see TEMPLATES)."""
    if name not in TEMPLATES:
        raise AgendaFileError(
            name, [Problem("", f"no template {name!r}; choose one of {', '.join(TEMPLATES)}")]
        )
    return (TEMPLATE_DIR / f"{name}.toml").read_text(encoding="utf-8")


def _toml_str(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def to_toml(agenda: dict, comment: str = "") -> str:
    """An agenda dict as TOML text that check_text() reads back to the same dict."""
    out = []
    if comment:
        out += [f"# {line}" for line in comment.splitlines()] + [""]
    out.append(f"name = {_toml_str(agenda['name'])}")
    out.append(f"seats = {agenda['seats']}")
    fac = ", ".join(str(s) for s in agenda.get("facilitators", [0]))
    out.append(f"facilitators = [{fac}]")
    out.append(f"balance = {_toml_str(agenda.get('balance', 'on_demand'))}")
    if "reveal_seconds" in agenda:
        out.append(f"reveal_seconds = {agenda['reveal_seconds']}")
    for key in ("queue", "cue"):
        if key in agenda:
            out.append(f"{key} = {_toml_str(agenda[key])}")
    if "cue_turns" in agenda:
        out.append(f"cue_turns = {'true' if agenda['cue_turns'] else 'false'}")
    for ph in agenda["phases"]:
        out += ["", "[[phases]]", f"name = {_toml_str(ph['name'])}"]
        out.append(f"minutes = {ph['minutes']}")
        out.append(f"floor = {_toml_str(ph['floor'])}")
        out.append(f"turn_seconds = {ph.get('turn_seconds', 0)}")
        out.append(f"warn_seconds = {ph.get('warn_seconds', 0)}")
    return "\n".join(out) + "\n"


def digest(data: dict) -> str:
    """The agenda hash the device reports for this (valid) agenda dict."""
    mod = _agenda_module()
    return mod.digest(mod.parse(data))
