"""Report selection and assembly shared by every report format (table, CSV, JSON, HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from talktoken.archive.dating import SessionDate, session_dates
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
class TrendBlock:
    """Trends over the sessions of one agenda (oldest first); blocks never mix agendas."""

    agenda: str
    rows: list[SessionRow]
    trends: list[dict]
    silent: list[dict]

    @property
    def top(self) -> float:
        """The one y-scale top shared by every seat's chart in this block (at least 5 %)."""
        shares = [p["share"] for e in self.trends for p in e["points"] if p["share"] is not None]
        return max(shares + [0.05])


@dataclass
class ReportData:
    """What a report shows: the selected sessions (oldest first), details, and trends."""

    rows: list[SessionRow]
    details: list[Detail] = field(default_factory=list)
    trend_blocks: list[TrendBlock] = field(default_factory=list)
    scope: str = ""
    generated_at: str = ""
    notes: list[str] = field(default_factory=list)
    damaged: dict[str, str] = field(default_factory=dict)  # session id -> its problem
    dates: dict[str, SessionDate] = field(default_factory=dict)  # archive.dating.session_dates

    @property
    def single(self) -> bool:
        """True if the report covers exactly one session."""
        return len(self.rows) == 1

    def date_of(self, session_id: str, started_at: str | None) -> SessionDate:
        """How the session is dated: its wall-clock start, else what `dates` knows (a date
        set by hand, or bounds), else unknown without bounds. Never its import time."""
        if started_at:
            return SessionDate("clock", started_at)
        return self.dates.get(session_id) or SessionDate("unknown")

    def span(self, rows: list[SessionRow]) -> str:
        """The days these sessions cover, for a trend's title: "2025-01-07 to 2025-02-04",
        with ", 1 without a date" when some have none (they are not in the slope)."""
        days = [self.day_of(r) for r in rows]
        known = [d for d in days if d is not None]
        text = f"{known[0]} to {known[-1]}" if known else "no dated session"
        missing = len(days) - len(known)
        return text + (f", {missing} without a date" if missing and known else "")

    def day_of(self, row: SessionRow) -> str | None:
        """The session's day (its clock's or the one set by hand), or None."""
        d = self.date_of(row.session_id, row.started_at)
        return d.date[:10] if d.kind in ("clock", "hand") and d.date else None


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
    damaged: dict[str, str] | None = None,
) -> list[SessionRow]:
    """The sessions one selector names (default --last); an error when nothing matches.

    Sessions whose files are missing or damaged are left out and listed in `damaged`."""
    chosen = sum(bool(x) for x in (last, session_id, since, all_))
    if chosen > 1:
        raise ArchiveError("choose one of --last, SESSION_ID, --since or --all")
    if session_id:
        sid = archive.find(session_id)
        rows = archive.sessions(ids=[sid], damaged=damaged)
        if not rows:
            raise ArchiveError((damaged or {}).get(sid, f"session {sid} cannot be read"))
        return rows
    if since:
        rows = archive.sessions(since=parse_since(since), damaged=damaged)
        if not rows:
            raise ArchiveError(f"no archived session since {since}")
        return rows
    rows = archive.sessions(damaged=damaged)
    if not rows and damaged:
        raise ArchiveError("no archived session can be read: " + "; ".join(damaged.values()))
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


def trend_blocks(rows: list[SessionRow]) -> list[TrendBlock]:
    """One TrendBlock per agenda name among `rows`."""
    by_id = {r.session_id: r for r in rows}
    blocks = []
    for agenda, summaries in trends.by_agenda([r.summary for r in rows]):
        block_rows = [by_id[s["session_id"]] for s in summaries]
        # the order of seat_trends' points: by date (a hand-set one too), undated by import time
        block_rows.sort(
            key=lambda r: (trends.session_date(r.summary) or r.imported_at or "", r.session_id)
        )
        blocks.append(
            TrendBlock(
                agenda, block_rows, trends.seat_trends(summaries), trends.silent_seats(summaries)
            )
        )
    return blocks


def details_of(archive: Archive, rows: list[SessionRow], damaged: dict[str, str]) -> list[Detail]:
    """`detail` of each row; a session whose file cannot be read is listed in `damaged`."""
    out = []
    for r in rows:
        try:
            out.append(detail(archive, r))
        except (ArchiveError, OSError) as exc:
            damaged[r.session_id] = f"session {r.session_id}: its file cannot be read ({exc})"
    return out


def build(
    archive: Archive,
    rows: list[SessionRow],
    details: bool = True,
    damaged: dict[str, str] | None = None,
) -> ReportData:
    """Assemble a report over `rows`.

    One session: that session in full, and trends over the archived sessions of the same agenda
    up to it (how it compares with earlier weeks). Several: trends over them, and full details
    when there are at most DETAIL_LIMIT (details=False skips loading any log file).
    """
    data = ReportData(rows=rows, generated_at=datetime.now(timezone.utc).isoformat())
    if damaged is not None:
        data.damaged = damaged
    hand = archive.hand_dates()
    data.dates = session_dates(archive.dating_rows(), hand)
    if len(rows) == 1:
        row = rows[0]
        trend_rows = archive.sessions(
            agenda_name=row.agenda_name,
            until_sort=row.started_at or row.imported_at,
            damaged=data.damaged,
        )
        data.scope = f"sessions of agenda {row.agenda_name!r} up to this one"
    else:
        trend_rows = rows
        data.scope = f"the {len(rows)} sessions in this report, by agenda"
    for r in trend_rows:
        if r.session_id in hand:
            r.summary["date_set"] = hand[r.session_id]
    data.trend_blocks = trend_blocks(trend_rows)
    if details and len(rows) <= DETAIL_LIMIT:
        data.details = details_of(archive, rows, data.damaged)
    elif details:
        data.notes.append(
            f"Per-session details are drawn for up to {DETAIL_LIMIT} sessions; name one "
            "session (talktoken report SESSION_ID) to see it in full."
        )
    return data
