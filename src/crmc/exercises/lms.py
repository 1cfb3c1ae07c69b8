"""Who handed in which file, and when: LMS bulk-download names, rosters, deadlines, policies.

Three LMS download conventions are understood (sources read for each are cited so the next
person can check them when an LMS changes its format):

- **Canvas** ("Download Submissions"): ``lib/content_zipper.rb`` in instructure/canvas-lms
  (``get_filename`` and ``add_upload_submission``) names each file ``<name>[_LATE]_<user
  id>_<attachment id>_<file>``, the name being the sortable name in lower case with non-word
  characters removed, e.g. ``smithjane_LATE_12345_67890_part1-history.ipynb``; with anonymous
  grading the name is replaced by ``anon_<anonymous id>``. ``LATE`` is Canvas's own judgement
  against its due date; the file name carries no submission time.
- **Moodle** ("Download all submissions"): ``mod/assign/locallib.php`` (``download_submissions``)
  prefixes ``<full name>_<participant id>_assignsubmission_file_``: as a folder (the default
  since Moodle 3.1, "download submissions in folders") or before the file name. Underscores in
  the name become spaces; blind marking writes ``Participant`` for the name. No time either.
- **Gradescope** ("Export Submissions"): one folder ``submission_<id>/`` per submission and a
  ``submission_metadata.yml`` beside them mapping each folder to ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``) and ``:created_at:``, the submission time.

Anything else is read with the module's plain convention: ``alice.ipynb``, ``alice (1).ipynb``,
``alice--v2.ipynb`` and ``alice/anything.ipynb`` are alice's.

Lateness is judged from a submission time the LMS recorded (Gradescope's metadata) or one the
instructor supplies (``--submitted-times``, a CSV of file and ISO 8601 time), never from file
modification times, which depend on how the archive was unpacked.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

POLICIES = ("latest-on-time", "latest", "best")
GRADESCOPE_METADATA = "submission_metadata.yml"
LMS_NAMES = ("auto", "canvas", "moodle", "gradescope", "plain")

CANVAS_RE = re.compile(
    r"^(?P<name>[^\W_]\w*?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<att>\d+)_(?P<orig>.+)$")
CANVAS_ANON_RE = re.compile(
    r"^(?:(?P<late>LATE)_)?anon_(?P<anon>[A-Za-z0-9]+)_(?P<att>\d+)_(?P<orig>.+)$")
MOODLE_RE = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_assignsubmission_file_(?P<orig>.*)$")
GRADESCOPE_DIR_RE = re.compile(r"^submission_(?P<id>\d+)$")
PLAIN_RE = re.compile(r"^(?P<student>.+?)(?:\s*\((?P<n>\d+)\)|--(?P<tag>.*))?$")


class InputError(ValueError):
    """An input file or option the instructor gave is wrong; the message says where and how."""


# ------------------------------------------------------------------ deadlines and times
def parse_time(text: str, what: str) -> datetime:
    """An ISO 8601 date-time with a time zone (``2026-03-06T23:59:00+01:00`` or ``...Z``)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"{what}: {text!r} is not an ISO 8601 date and time "
            "(e.g. 2026-03-06T23:59:00+01:00)") from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError(f"{what}: {text!r} has no time zone; add one, e.g. "
                         f"{text.strip()}+00:00 or {text.strip()}Z")
    return value


def days_late(submitted: datetime, deadline: datetime) -> int:
    """Whole days started after the deadline (1 second late is 1 day), 0 when on time."""
    delta = submitted - deadline
    if delta <= timedelta(0):
        return 0
    return math.ceil(delta / timedelta(days=1))


# ------------------------------------------------------------------ roster
@dataclass(frozen=True)
class Student:
    """One row of the roster; ``key`` (login, else SIS ID, else email) keys the gradebook."""

    key: str
    name: str
    login: str = ""
    sis_id: str = ""
    email: str = ""
    canvas_id: str = ""
    section: str = ""


ROSTER_COLUMNS = {
    "name": "name", "student": "name", "full name": "name",
    "login": "login", "sis login id": "login", "username": "login", "login id": "login",
    "sis id": "sis_id", "sis user id": "sis_id", "id number": "sis_id", "student id": "sis_id",
    "email": "email", "email address": "email", "e-mail": "email",
    "canvas id": "canvas_id", "id": "canvas_id",
    "section": "section",
}


def _norm_header(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower().lstrip("\ufeff"))


def read_roster(path: Path) -> list[Student]:
    """Read and check a roster CSV: a ``name`` column and at least one of login / SIS ID / email.

    Every problem is collected with its line number, and all are raised together.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"roster {path}: cannot read it ({exc})") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"roster {path}: the file is empty")
    header = [_norm_header(h) for h in rows[0]]
    unknown = [rows[0][i] for i, h in enumerate(header) if h not in ROSTER_COLUMNS]
    fields = [ROSTER_COLUMNS.get(h, "") for h in header]
    problems: list[str] = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}; known: name, login, "
                        "sis_id, email, canvas_id, section")
    if "name" not in fields:
        problems.append("no 'name' column")
    if not {"login", "sis_id", "email"} & set(fields):
        problems.append("no identifier column: add login, sis_id or email")
    if len(set(f for f in fields if f)) != len([f for f in fields if f]):
        problems.append("a column appears twice")
    if problems:
        raise InputError(f"roster {path}: " + "; ".join(problems))
    students: list[Student] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(fields):
            problems.append(f"line {line}: {len(raw)} cells, the header has {len(fields)}")
            continue
        values = {f: raw[i].strip() for i, f in enumerate(fields) if f}
        if not values.get("name"):
            problems.append(f"line {line}: the name is empty")
        key = values.get("login") or values.get("sis_id") or values.get("email") or ""
        if not key:
            problems.append(f"line {line}: no login, SIS ID or email for {values.get('name')!r}")
            continue
        for kind in ("login", "sis_id", "email", "canvas_id"):
            value = values.get(kind, "")
            if not value:
                continue
            ident = (kind, value.casefold())
            if ident in seen:
                problems.append(f"line {line}: duplicate {kind} {value!r} (also on line "
                                f"{seen[ident]})")
            else:
                seen[ident] = line
        students.append(Student(key=key, name=values.get("name", ""),
                                login=values.get("login", ""), sis_id=values.get("sis_id", ""),
                                email=values.get("email", ""),
                                canvas_id=values.get("canvas_id", ""),
                                section=values.get("section", "")))
    if problems:
        raise InputError(f"roster {path}:\n  " + "\n  ".join(problems))
    if not students:
        raise InputError(f"roster {path}: no student rows")
    return students


def read_submitted_times(path: Path) -> dict[str, datetime]:
    """``file,submitted_at`` rows (file relative to the submissions folder, ISO 8601 with zone)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"submitted times {path}: cannot read it ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None or {"file", "submitted_at"} - set(reader.fieldnames):
        raise InputError(f"submitted times {path}: the header must be 'file,submitted_at'")
    times: dict[str, datetime] = {}
    problems = []
    for line, row in enumerate(reader, start=2):
        file = (row.get("file") or "").strip()
        if not file:
            problems.append(f"line {line}: no file")
            continue
        if file in times:
            problems.append(f"line {line}: {file!r} listed twice")
        try:
            times[file] = parse_time(row.get("submitted_at") or "", f"line {line}")
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError(f"submitted times {path}:\n  " + "\n  ".join(problems))
    return times


# ------------------------------------------------------------------ file names
@dataclass
class FileInfo:
    """What a file's name (and the LMS's manifest) says about who submitted it and when."""

    path: str  # relative to the submissions folder, '/'-separated
    lms: str
    name: str  # the submitter as the LMS wrote it
    ids: dict[str, str] = field(default_factory=dict)  # canvas_id, sis_id, email, ...
    late_marker: bool = False
    submitted_at: datetime | None = None
    time_source: str = ""
    order: int = 0  # Canvas attachment id or the "(n)" copy number: later is larger
    student: str = ""  # the gradebook key, once matched
    unmatched: str = ""  # why no student could be given


def _gradescope_metadata(root: Path) -> dict[str, Any]:
    path = root / GRADESCOPE_METADATA
    if not path.is_file():
        return {}
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", any_tag)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: not a readable Gradescope metadata file ({exc})") from None
    return data if isinstance(data, dict) else {}


def _gs_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, str):
        text = re.sub(r"(\.\d{6})\d*", r"\1", value.strip())
        text = re.sub(r" ([+-]\d\d:?\d\d)$", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def describe_files(root: Path, files: Sequence[Path], lms: str = "auto",
                   times: dict[str, datetime] | None = None) -> list[FileInfo]:
    """One :class:`FileInfo` per file (relative paths kept exactly)."""
    if lms not in LMS_NAMES:
        raise InputError(f"--lms must be one of {', '.join(LMS_NAMES)}")
    gs = _gradescope_metadata(root) if lms in ("auto", "gradescope") else {}
    times = times or {}
    infos = []
    for path in files:
        rel = safe_text(path.relative_to(root).as_posix())
        info = _describe(rel, lms, gs)
        if rel in times:
            info.submitted_at, info.time_source = times[rel], "--submitted-times"
        infos.append(info)
    return infos


def safe_text(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 become ``\\xNN`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _describe(rel: str, lms: str, gs: dict[str, Any]) -> FileInfo:
    parts = rel.split("/")
    first, base = parts[0], parts[-1]
    if lms in ("auto", "gradescope") and len(parts) > 1:
        match = GRADESCOPE_DIR_RE.match(first)
        meta = gs.get(first) if match else None
        if isinstance(meta, dict):
            submitters = meta.get(":submitters") or []
            who = submitters[0] if submitters and isinstance(submitters[0], dict) else {}
            info = FileInfo(rel, "gradescope", str(who.get(":name") or ""),
                            ids={k: str(who.get(f":{k}") or "") for k in ("sid", "email")},
                            order=int(match.group("id")) if match else 0)
            created = _gs_time(meta.get(":created_at"))
            if created is not None:
                info.submitted_at, info.time_source = created, "Gradescope submission_metadata"
            return info
    if lms in ("auto", "moodle"):
        match = MOODLE_RE.match(first)
        if match:
            return FileInfo(rel, "moodle", match.group("name").strip(),
                            ids={"moodle_participant": match.group("pid")})
    if lms in ("auto", "canvas") and len(parts) == 1:
        match = CANVAS_ANON_RE.match(base)
        if match:
            return FileInfo(rel, "canvas", f"anon_{match.group('anon')}",
                            ids={"canvas_anon": match.group("anon")},
                            late_marker=bool(match.group("late")), order=int(match.group("att")))
        match = CANVAS_RE.match(base)
        if match:
            return FileInfo(rel, "canvas", match.group("name"),
                            ids={"canvas_id": match.group("uid")},
                            late_marker=bool(match.group("late")), order=int(match.group("att")))
    if len(parts) > 1:
        return FileInfo(rel, "plain", first)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    match = PLAIN_RE.match(stem)
    name = match.group("student").strip() if match else stem
    copy = int(match.group("n")) if match and match.group("n") else 0
    return FileInfo(rel, "plain", name or stem, order=copy)


def canvas_slug(name: str) -> str:
    """Canvas's file-name form of a name: lower case, non-word characters removed."""
    return re.sub(r"\W", "", name, flags=re.UNICODE).lower()


def _plain_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).replace("_", " ")
    return " ".join(name.split()).casefold()


def _first_last(name: str) -> str:
    """``Smith, Jane`` → ``Jane Smith`` (roster names may be in either order)."""
    if "," in name:
        last, _, first = name.partition(",")
        return f"{first.strip()} {last.strip()}"
    return name


def _sortable(name: str) -> str:
    """``Jane Smith`` → ``Smith, Jane``, the order Canvas's file names use."""
    if "," in name:
        return name
    words = name.split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else name


def match_roster(infos: Iterable[FileInfo], roster: Sequence[Student] | None) -> None:
    """Give each file its student key, or a reason why none (never a guess)."""
    for info in infos:
        if roster is None:
            info.student = info.name if info.lms != "gradescope" else (
                info.ids.get("sid") or info.ids.get("email") or info.name)
            if not info.student:
                info.unmatched = "the file name names no student"
            continue
        found = [s for s in roster if _matches(info, s)]
        if len(found) == 1:
            info.student = found[0].key
        elif not found:
            info.unmatched = f"no roster row matches {info.lms} submitter {info.name!r}"
        else:
            names = ", ".join(s.key for s in found)
            info.unmatched = f"{info.name!r} matches several roster rows ({names})"


def _matches(info: FileInfo, s: Student) -> bool:
    ids = info.ids
    if info.lms == "canvas":
        if ids.get("canvas_id") and s.canvas_id:
            return ids["canvas_id"] == s.canvas_id
        return bool(s.name) and info.name in {canvas_slug(s.name), canvas_slug(_sortable(s.name))}
    if info.lms == "gradescope":
        sid, email = ids.get("sid", ""), ids.get("email", "").casefold()
        if sid and sid in {s.sis_id, s.login}:
            return True
        if email and email == s.email.casefold():
            return True
        return not sid and not email and _plain_name(info.name) == _plain_name(_first_last(s.name))
    if info.lms == "moodle":
        return _plain_name(info.name) == _plain_name(_first_last(s.name))
    key = info.name.casefold()
    return key in {v.casefold() for v in (s.login, s.sis_id, s.email) if v} or (
        _plain_name(info.name) in {_plain_name(s.name), _plain_name(_first_last(s.name))})


# ------------------------------------------------------------------ which submission counts
@dataclass
class Candidate:
    """One graded file of a student, as the policy sees it."""

    info: FileInfo
    sha256: str
    status: str
    auto_points: float
    gradable: bool  # the notebook ran (graded, timeout or crashed), not invalid


@dataclass
class Choice:
    counted: Candidate
    reason: str
    late: str  # "on time" | "late (N days)" | "late (per Canvas; days unknown)" | "unknown"
    late_days: int | None  # None: late but by how much is not known


def lateness(info: FileInfo, deadline: datetime | None) -> tuple[bool | None, int | None, str]:
    """(late?, days late, words). ``None`` for late? means it cannot be told."""
    if deadline is not None and info.submitted_at is not None:
        days = days_late(info.submitted_at, deadline)
        when = f"submitted {info.submitted_at.isoformat()} ({info.time_source})"
        return (days > 0, days, f"late by {days} day(s), {when}" if days else f"on time, {when}")
    if info.late_marker:
        return True, None, "late per Canvas (LATE in the file name; no submission time)"
    if deadline is None:
        return False, 0, "no deadline set"
    return None, 0, "lateness unknown (no submission time: supply --submitted-times)"


def choose(candidates: Sequence[Candidate], policy: str, deadline: datetime | None,
           penalty_per_day: float) -> Choice:
    """Pick the submission that counts for one student, and say why."""
    if policy not in POLICIES:
        raise InputError(f"--policy must be one of {', '.join(POLICIES)}")
    pool = [c for c in candidates if c.gradable] or list(candidates)
    timed = all(c.info.submitted_at is not None for c in pool)

    def order(c: Candidate) -> tuple[float, int, str]:
        at = c.info.submitted_at.timestamp() if c.info.submitted_at else float("-inf")
        return (at, c.info.order, c.info.path)

    judged = {id(c): lateness(c.info, deadline) for c in pool}
    notes: list[str] = []
    if policy == "best":
        def net(c: Candidate) -> tuple[float, tuple[float, int, str]]:
            _, days, _ = judged[id(c)]
            pen = min(100.0, penalty_per_day * (days or 0))
            return (c.auto_points * (1 - pen / 100.0), order(c))

        counted = max(pool, key=net)
        reason = f"best: highest automatic score after late penalty of {len(pool)} file(s)"
    else:
        eligible = pool
        if policy == "latest-on-time":
            eligible = [c for c in pool if judged[id(c)][0] is not True]
            if not eligible:
                eligible = pool
                notes.append("no on-time submission, so the latest late one counts")
        counted = max(eligible, key=order)
        reason = ("latest-on-time: latest submission on time" if policy == "latest-on-time"
                  and eligible is not pool else f"{policy}: latest submission")
        if len(pool) > 1 and not timed:
            notes.append("order taken from the file names (no submission times)")
    late, days, words = judged[id(counted)]
    others = [c for c in candidates if c is not counted]
    if others:
        same = [c.info.path for c in others if c.sha256 == counted.sha256]
        notes.append(f"{len(others)} other file(s) not counted: "
                     + ", ".join(c.info.path for c in others))
        if same:
            notes.append("identical copies: " + ", ".join(same))
    if not counted.gradable:
        notes.append("no file of this student could be run")
    label = ("late" if late else "unknown" if late is None else
             "on time" if deadline is not None else "no deadline")
    if late and days is not None:
        label = f"late ({days} day(s))"
    elif late:
        label = "late (days unknown)"
    full = "; ".join([reason, words, *notes])
    return Choice(counted, full, label, days if late is not None else 0)
