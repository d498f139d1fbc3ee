"""Report selection and assembly shared by every report format (table, CSV, JSON, HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from talktoken.archive.store import Archive, ArchiveError, SessionRow
from talktoken.metrics import summary as metrics
from talktoken.metrics import trends

DETAIL_LIMIT = 8  # per-session sections in table/HTML reports over several sessions


@dataclass
class Detail:
    """One session drawn in full: its summary plus the turn-by-turn timeline."""

    row: SessionRow
    summary: dict
    timeline: metrics.Timeline


@dataclass
class ReportData:
    """What a report shows: the selected sessions (oldest first), details, and trends."""

    rows: list[SessionRow]
    details: list[Detail] = field(default_factory=list)
    trends: list[dict] = field(default_factory=list)
    trend_rows: list[SessionRow] = field(default_factory=list)
    scope: str = ""
    generated_at: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def single(self) -> bool:
        """True if the report covers exactly one session."""
        return len(self.rows) == 1


def parse_since(text: str) -> str:
    """Validate a --since value (YYYY-MM-DD or an ISO date-time); return it as an ISO string."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ArchiveError(f"--since wants a date like 2025-03-04, not {text!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).isoformat()


def select(
    archive: Archive,
    last: bool = False,
    session_id: str | None = None,
    since: str | None = None,
    all_: bool = False,
) -> list[SessionRow]:
    """The sessions one selector names (default --last); an error when nothing matches."""
    chosen = sum(bool(x) for x in (last, session_id, since, all_))
    if chosen > 1:
        raise ArchiveError("choose one of --last, SESSION_ID, --since or --all")
    if session_id:
        return archive.sessions(ids=[archive.find(session_id)])
    if since:
        rows = archive.sessions(since=parse_since(since))
        if not rows:
            raise ArchiveError(f"no archived session since {since}")
        return rows
    rows = archive.sessions()
    if not rows:
        raise ArchiveError(
            f"the archive at {archive.dir} is empty: pull logs first (talktoken logs pull)"
        )
    return rows if all_ else rows[-1:]


def detail(archive: Archive, row: SessionRow) -> Detail:
    """Load one session's log and compute its timeline (the summary is recomputed with it)."""
    log = archive.load(row.session_id)
    tl = metrics.timeline(log)
    summary = metrics.summarize(log, tl)
    summary["imported_at"] = row.imported_at
    return Detail(row, summary, tl)


def build(archive: Archive, rows: list[SessionRow], details: bool = True) -> ReportData:
    """Assemble a report over `rows`.

    One session: that session in full, and trends over the archived sessions of the same agenda
    up to it (how it compares with earlier weeks). Several: trends over them, and full details
    when there are at most DETAIL_LIMIT (details=False skips loading any log file).
    """
    data = ReportData(rows=rows, generated_at=datetime.now(timezone.utc).isoformat())
    if len(rows) == 1:
        row = rows[0]
        data.trend_rows = archive.sessions(
            agenda_name=row.agenda_name, until_sort=row.started_at or row.imported_at
        )
        data.scope = f"sessions of agenda {row.agenda_name!r} up to this one"
    else:
        data.trend_rows = rows
        data.scope = f"the {len(rows)} sessions in this report"
    hand = archive.hand_dates()
    for r in data.trend_rows:
        if r.session_id in hand:
            r.summary["date_set"] = hand[r.session_id]
    data.trends = trends.seat_trends([r.summary for r in data.trend_rows])
    if details and len(rows) <= DETAIL_LIMIT:
        data.details = [detail(archive, r) for r in rows]
    elif details:
        data.notes.append(
            f"Per-session details are drawn for up to {DETAIL_LIMIT} sessions; name one "
            "session (talktoken report SESSION_ID) to see it in full."
        )
    return data
