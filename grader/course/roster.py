"""Class roster: who should have submitted, and which submission entry is whose.

``read_roster`` reads a CSV (UTF-8 with or without BOM, Excel's cp1252 tolerated; comma,
semicolon or tab) and finds its columns by their header names: a student id, a name (one
column, or first/last), an email, and optional handle/file columns.  Exports from Canvas
(``Student, ID, SIS User ID, SIS Login ID``, with its "Points Possible" row) and Moodle
(``Identifier`` = "Participant N", ``Full name``, ``Email address``, ``ID number``) read as they are.

``match`` maps the entries of a submissions folder to roster students:

1. exactly: the entry's name (without .py/.zip) is a student's id, another id column, email,
   email local part, or handle/file value (case-insensitive, unicode-normalized);
2. LMS download names, parsed:
   - Canvas: ``<lastnamefirstname>_[LATE_]<user id>_<submission id>_<file>[-N].<ext>``
     (the name is the sortable name squeezed, lower case; late submissions carry ``LATE``/``late``;
     a resubmitted file gets ``-1``, ``-2``; some instances keep ``lastname_firstname``);
   - Moodle: ``<Full Name>_<participant id>_assignsubmission_file_<file>`` and the per-student
     folders ``<Full Name>_<participant id>_assignsubmission_file_`` (blind marking:
     ``Participant <N>``).
   The numeric id is tried against every id column first (Canvas ``ID``, Moodle
   ``Identifier``), then the name against each student's name in every word order;
3. a token of the name (split on ``_``, ``-``, ``.``, spaces) that is one student's id or
   email local part (ids shorter than 4 characters are not used this way); of an LMS
   download, a token of the LMS's part only, never of the file name the student chose.

A rule applies only when it names exactly one student; anything else is unmatched, with why.
Nothing is guessed fuzzily: a wrong match would hand one student's grade to another.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import os
import shutil
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .files import read_bounded

# Header names (lower case, letters and digits only) for each role, most specific first.
ID_HEADERS = ("studentid", "studentnumber", "studentno", "sisuserid", "sisid", "idnumber", "matriculationnumber",
              "matrikelnummer", "matricno", "registrationnumber", "sid", "netid", "userid", "id", "number",
              "identifier", "username", "login", "sisloginid", "loginid", "uid", "canvasid", "canvasuserid",
              "moodleid", "participantid", "lmsid")
NAME_HEADERS = ("name", "fullname", "student", "studentname", "displayname", "sortablename")
FIRST_HEADERS = ("firstname", "givenname", "first", "forename", "givennames", "vorname", "prenom")
LAST_HEADERS = ("lastname", "surname", "familyname", "last", "nachname", "nom")
EMAIL_HEADERS = ("email", "emailaddress", "mail", "emailid", "universityemail", "schoolemail")
LATE_HEADERS = ("dayslate", "latedays")
HANDLE_HEADERS = ("file", "filename", "submission", "submissionfile", "handle", "github", "githubusername",
                  "githubhandle", "githublogin", "repo", "repository", "alias")

SUBMISSION_SUFFIXES = (".py.txt", ".py", ".zip", ".ipynb")
MIN_TOKEN_ID = 4  # shorter ids are not searched for inside longer names

# A Moodle name holds no _<digits>_ of its own: else a Canvas download named by its student
# x_<classmate's id>_assignsubmission_file_... read as Moodle participant <classmate's id>
_MOODLE = re.compile(r"^(?P<name>(?:(?!_\d+_).)+?)_(?P<pid>\d+)_assign(?:submission|feedback)_[a-z]+_(?P<file>.*)$", re.I)
_CANVAS2 = re.compile(r"^(?P<name>.+?)_(?:(?P<late>late)_)?(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$", re.I)
_CANVAS1 = re.compile(r"^(?P<name>.*?[^\W\d_].*?)_(?:(?P<late>late)_)?(?P<uid>\d{4,})_(?P<file>.*[^\W\d_].*)$", re.I)
_RESUBMIT = re.compile(r"-\d+(?=\.[A-Za-z0-9]+$)|-\d+$")


@dataclass
class Student:
    id: str  # the id results are reported under
    name: str = ""
    email: str = ""
    aliases: tuple[str, ...] = ()  # other ids and handles that identify this student
    first: str = ""
    last: str = ""
    line: int = 0  # line in the roster file
    row: int = -1  # its record in Roster.table (for writing an LMS gradebook back)
    days_late: float | None = None  # from a "Days late" column, when the roster has one

    def name_keys(self) -> set[str]:
        """The student's name squeezed (letters and digits, lower case) in every word order."""
        keys = set()
        for full in filter(None, {self.name, f"{self.first} {self.last}", f"{self.last} {self.first}"}):
            if "," in full:  # "Last, First" (Canvas)
                last, _, first = full.partition(",")
                full = f"{first} {last}"
            words = [w for w in re.split(r"[\s_]+", _fold(full)) if w]
            for i in range(len(words)):
                keys.add(_squeeze("".join(words[i:] + words[:i])))
        keys.discard("")
        return keys


@dataclass
class Roster:
    path: Path
    students: list[Student]
    columns: dict[str, str]  # role -> header as written in the file
    table: "CsvTable | None" = None  # the file as read, to write an LMS export back
    header_row: int = 0  # index of the header in table.records

    def __len__(self) -> int:
        return len(self.students)


@dataclass
class RosterMatch:
    matched: dict[str, Student] = field(default_factory=dict)  # entry name -> student
    how: dict[str, str] = field(default_factory=dict)  # entry name -> exact | canvas | moodle | token
    missing: list[Student] = field(default_factory=list)  # on the roster, no entry
    unmatched: list[str] = field(default_factory=list)  # entries that name nobody (or several)
    why: dict[str, str] = field(default_factory=dict)  # unmatched entry -> reason

    def by_student(self) -> dict[str, list[str]]:
        """Student id -> their entries (several when an LMS split one submission into files)."""
        out: dict[str, list[str]] = {}
        for entry, st in self.matched.items():
            out.setdefault(st.id, []).append(entry)
        return out

    def summary(self) -> str:
        n = len(set(s.id for s in self.matched.values()))
        lines = [f"roster: {n} students matched, {len(self.missing)} without a submission, "
                 f"{len(self.unmatched)} entries matched nobody"]
        for e in self.unmatched:
            lines.append(f"  unmatched: {e}" + (f" ({self.why[e]})" if self.why.get(e) else ""))
        return "\n".join(lines)


def _fold(text: str) -> str:
    """Lower case, accents removed (NFKD), for name comparison."""
    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if not unicodedata.combining(c)).casefold()


def _squeeze(text: str) -> str:
    return "".join(c for c in _fold(text) if c.isalnum())


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _header(h: str) -> str:
    return "".join(c for c in _fold(h) if c.isalnum())


# --- reading --------------------------------------------------------------------------------

MAX_BYTES = 64 << 20  # a class list of 100,000 students is ~10 MB: more is the wrong file


def _load(path: Path) -> bytes:
    """The file's bytes, read at most :data:`MAX_BYTES` (a wrong file, ``/dev/zero``, must not
    fill the memory); a file that cannot be a class list is a one-line ``ValueError``."""
    data = read_bounded(path, MAX_BYTES, _shown(path), "roster file", "give the CSV export of your class list", ValueError)
    if len(data) > MAX_BYTES:
        raise ValueError(f"{_shown(path)}: over {MAX_BYTES >> 20} MiB; a class list is far smaller (the wrong file?)")
    return data


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The file's text and the encoding that read it (written back in the same one).  NUL bytes
    are in no class list: UTF-16 (Excel's "Unicode text") or a binary file, read as cp1252 they
    made a header of garbage."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in data:
        raise ValueError(f"{_shown(path)}: not a CSV text file (it holds NUL bytes: UTF-16, or not text); "
                         "export the class list as CSV (UTF-8)")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
            enc = "utf-8"
        return text, enc
    return data.decode("latin-1"), "latin-1"


def _rows(path: Path, text: str, delim: str) -> list[list[str]]:
    """Every record, as :mod:`csv` reads it; a field over csv's limit (128 KiB) is no class list's."""
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        return list(reader)
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ValueError(f"{_shown(path)} line {reader.line_num}: a field over {csv.field_size_limit()} "
                             "characters, which no class list has; give the CSV export of your class list") from None
        raise ValueError(f"{_shown(path)} line {reader.line_num}: not a readable CSV file ({exc}); "
                         "export the class list as CSV again") from None


def _shown(path: Path) -> str:
    """The roster's name as messages show it: one line, nothing a terminal would act on."""
    from ..text import one_line, safe_text
    return one_line(safe_text(str(path))) or repr(str(path))


def read_roster(path: Path) -> Roster:
    """Read roster.csv; a bad file raises ``ValueError`` naming the file and the fix."""
    path = Path(path)
    text, encoding = _decode(path, _load(path))
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    if not first:
        raise ValueError(f"{_shown(path)}: the roster is empty; export the class list as CSV with a header row")
    delim = max(",;\t", key=first.count) if any(c in first for c in ",;\t") else ","
    rows = _rows(path, text, delim)
    table = CsvTable.parse(text, delim, encoding)
    if [r.values for r in table.records] != rows:
        table = None  # not the plain CSV our splicer reads the same way: no LMS write-back
    start = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if start is None:  # (lines of only quotes: '""' is one empty field)
        raise ValueError(f"{_shown(path)}: the roster is empty; export the class list as CSV with a header row")
    header = [h.strip() for h in rows[start]]
    norm = [_header(h) for h in header]

    def find(names) -> list[int]:
        return [norm.index(n) for n in names if n in norm]

    id_cols, email_cols = find(ID_HEADERS), find(EMAIL_HEADERS)
    name_cols, first_cols, last_cols, handle_cols = (find(NAME_HEADERS), find(FIRST_HEADERS),
                                                     find(LAST_HEADERS), find(HANDLE_HEADERS))
    late_cols = find(LATE_HEADERS)
    status_cols = find(("status",))  # Moodle: "... submitted 2 days 3 hours late"
    # "SIS Login ID" is often an email in Canvas; "username" may hold one too: emails are recognized by '@'.
    if not id_cols and not email_cols:
        from ..text import one_line, safe_text
        names = one_line(safe_text(", ".join(h for h in header[:50] if h)))[:200]
        raise ValueError(f"{_shown(path)}: no student id or email column in the header ({names or 'empty'}); "
                         "name one column student_id (or email)")
    students: list[Student] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[start + 1:], start=start + 1):
        lineno = (table.records[index].line if table is not None else index + 1)
        cell = lambda i: row[i].strip() if i < len(row) else ""
        if not any(c.strip() for c in row):
            continue
        ids = [cell(i) for i in id_cols if cell(i)]
        emails = [cell(i) for i in email_cols if "@" in cell(i)] + [v for v in ids if "@" in v and "." in v.split("@")[-1]]
        name = next((cell(i) for i in name_cols if cell(i)), "")
        if _header(name) in ("pointspossible", "mutedassignment", "testdata") and not emails:
            continue  # Canvas gradebook export's header-like rows
        moodle = [m.group(1) for v in ids for m in [re.fullmatch(r"participant\s*(\d+)", v, re.I)] if m]
        primary = next((v for v in ids if not re.fullmatch(r"participant\s*\d+", v, re.I)), "") or (emails[0] if emails else "")
        if not primary:
            raise ValueError(f"{_shown(path)} line {lineno}: no student id or email in this row; "
                             "fill it in or delete the row")
        _check_id(path, lineno, primary)
        k = _key(primary)
        if k in seen:
            raise ValueError(f"{_shown(path)} line {lineno}: student id {shown(primary)} is already on line "
                             f"{seen[k]}; keep one row per student")
        seen[k] = lineno
        aliases = [v for v in ids if v != primary] + moodle + [cell(i) for i in handle_cols if cell(i)]
        students.append(Student(id=primary, name=name, email=emails[0] if emails else "",
                                aliases=tuple(dict.fromkeys(aliases)), line=lineno, row=index,
                                first=next((cell(i) for i in first_cols if cell(i)), ""),
                                last=next((cell(i) for i in last_cols if cell(i)), ""),
                                days_late=_days(path, lineno, [cell(i) for i in late_cols])
                                if late_cols else _moodle_late(path, lineno, " ".join(cell(i) for i in status_cols))))
    if not students:
        raise ValueError(f"{_shown(path)}: the roster has a header but no students; add one row per student")
    cols = {"id": [header[i] for i in id_cols], "email": [header[i] for i in email_cols],
            "name": [header[i] for i in name_cols + first_cols + last_cols],
            "handle": [header[i] for i in handle_cols]}
    return Roster(path=path, students=students, columns={k: ", ".join(v) for k, v in cols.items() if v},
                  table=table, header_row=start)


# Each part takes the spaces after it, so that no two quantifiers compete for the same spaces:
# the form before (\s+ ... \s* ... \s* ...) backtracked polynomially, and a Status cell of 200
# spaces after "submitted" took 27 s.
_MOODLE_LATE = re.compile(r"submitted\s+(?:(?P<d>\d+)\s+days?\s*)?(?:(?P<h>\d+)\s+hours?\s*)?"
                          r"(?:(?P<m>\d+)\s+min(?:ute)?s?\s*)?(?:(?P<s>\d+)\s+secs?\s*)?late", re.I)


def _moodle_late(path: Path, lineno: int, status: str) -> float | None:
    """Days late from a Moodle worksheet's Status ("Assignment was submitted 1 day 2 hours late")."""
    m = _MOODLE_LATE.search(status)
    if not m or not any(m.group(k) for k in "dhms"):
        return None
    d, h, mi, sec = (m.group(k) or "0" for k in "dhms")
    if max(map(len, (d, h, mi, sec))) > 9:  # (int() of 4300 digits and more raises; float() overflows)
        raise ValueError(f"{_shown(path)} line {lineno}: Status {shown(m.group())} is no time a submission "
                         "can be late; fix the worksheet or download it from Moodle again")
    return _late_days(path, lineno, int(d) + int(h) / 24 + int(mi) / 1440 + int(sec) / 86400, m.group())


def _days(path: Path, lineno: int, cells: list[str]) -> float | None:
    """Days late from a "Days late" cell (empty: unknown)."""
    from .. import settings
    for c in cells:
        if c:
            try:
                return settings.DAYS_LATE.parse(c.replace(",", "."))
            except settings.SettingError as exc:
                raise ValueError(f"{_shown(path)} line {lineno}: days late {exc} (or leave the cell empty)") from None
    return None


def _late_days(path: Path, lineno: int, days: float, text: str) -> float:
    """``days`` within :data:`grader.settings.DAYS_LATE`, as a "Days late" cell must be."""
    from .. import settings
    try:
        return settings.DAYS_LATE.check(days)
    except settings.SettingError:
        raise ValueError(f"{_shown(path)} line {lineno}: {shown(text)} is out of range; a submission is "
                         f"late by {settings.DAYS_LATE.bounds} days") from None


def _check_id(path: Path, lineno: int, sid: str) -> None:
    """A student id names files (reports, a staged copy) and lines of output: no path
    separators, no leading dot, no control characters (a line break, NUL, a terminal escape)."""
    from ..text import safe_text
    if "/" in sid or "\\" in sid or sid.startswith("."):
        raise ValueError(f"{_shown(path)} line {lineno}: student id {shown(sid)} cannot name a file; "
                         "use ids without '/', '\\' or a leading '.'")
    if safe_text(sid) != sid or "\n" in sid or "\t" in sid:
        raise ValueError(f"{_shown(path)} line {lineno}: student id {shown(sid)} holds a control character; "
                         "fix the id in the class list")


def shown(value: str) -> str:
    """A cell quoted in a message: one line, at most 40 characters."""
    from ..settings import shown as _shown_value
    return _shown_value(value)


# --- the file as read, record by record, to write an LMS export back ------------------------

@dataclass
class CsvRecord:
    values: list[str]
    spans: list[tuple[int, int]]  # each field's raw text in CsvTable.text (quotes included)
    start: int  # where the record starts in the text
    end: int  # where its line break starts
    line: int  # 1-based line of its first character


@dataclass
class CsvTable:
    """A CSV file as records whose fields know their place in the text, so that one cell can be
    changed and every other byte of the file kept (quoting, spacing, line breaks, BOM)."""

    text: str
    delimiter: str
    encoding: str  # "utf-8-sig" (had a BOM), "utf-8", "cp1252" or "latin-1"
    records: list[CsvRecord]

    @classmethod
    def parse(cls, text: str, delimiter: str = ",", encoding: str = "utf-8") -> "CsvTable":
        """Records as :mod:`csv` reads them (default dialect): a field starting with a double
        quote runs to the closing quote ("" inside is one quote), anything up to the next
        delimiter after it is kept; records end at CR, LF or CRLF outside quotes."""
        records: list[CsvRecord] = []
        i, n, line = 0, len(text), 1
        while i < n:
            start, start_line = i, line
            values: list[str] = []
            spans: list[tuple[int, int]] = []
            if text[i] in "\r\n":  # an empty line: a record without fields
                records.append(CsvRecord([], [], start, i, start_line))
            else:
                while True:
                    f0 = i
                    if i < n and text[i] == '"':
                        i += 1
                        parts = []
                        while i < n:
                            j = text.find('"', i)
                            if j < 0:
                                parts.append(text[i:])
                                line += text.count("\n", i) + _lone_cr(text, i, n)
                                i = n
                                break
                            parts.append(text[i:j])
                            line += text.count("\n", i, j) + _lone_cr(text, i, j)
                            if j + 1 < n and text[j + 1] == '"':
                                parts.append('"')
                                i = j + 2
                                continue
                            i = j + 1
                            break
                        k = i
                        while i < n and text[i] not in (delimiter, "\r", "\n"):
                            i += 1
                        value = "".join(parts) + text[k:i]
                    else:
                        while i < n and text[i] not in (delimiter, "\r", "\n"):
                            i += 1
                        value = text[f0:i]
                    values.append(value)
                    spans.append((f0, i))
                    if i < n and text[i] == delimiter:
                        i += 1
                        continue
                    break
                records.append(CsvRecord(values, spans, start, i, start_line))
            if i < n and text[i] == "\r":
                i += 1
                if i < n and text[i] == "\n":
                    i += 1
            elif i < n and text[i] == "\n":
                i += 1
            line += 1
        return cls(text, delimiter, encoding, records)

    def quote(self, value: str) -> str:
        """``value`` as a field of this file (quoted only when it has to be)."""
        if any(c in value for c in (self.delimiter, '"', "\r", "\n")) or value != value.strip():
            return '"' + value.replace('"', '""') + '"'
        return value

    def render(self, edits: dict[tuple[int, int], str], append: dict[int, str] | None = None) -> str:
        """The text with cell (record, column) set to ``edits[...]`` and, for ``append``, one more
        field at the end of those records; everything else as it was, byte for byte."""
        pieces: list[tuple[int, int, str]] = []  # (start, end, replacement) in text order
        for (r, c), value in edits.items():
            rec = self.records[r]
            if c < len(rec.spans):  # (a record's only field, empty, must be "" or the line reads as blank)
                pieces.append((*rec.spans[c], self.quote(value) or ('""' if len(rec.values) == 1 else "")))
            else:  # a short (ragged) record: empty fields up to the column
                pad = c - len(rec.values) + 1 if rec.values else c
                pieces.append((rec.end, rec.end, self.delimiter * pad + self.quote(value)))
        for r, value in (append or {}).items():
            rec = self.records[r]
            pieces.append((rec.end, rec.end, self.delimiter + self.quote(value)))
        out, at = [], 0
        for start, end, rep in sorted(pieces, key=lambda p: (p[0], p[1])):
            out.append(self.text[at:start])
            out.append(rep)
            at = end
        out.append(self.text[at:])
        return "".join(out)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding, errors="replace")


def _lone_cr(text: str, i: int, j: int) -> int:
    """Carriage returns not followed by a line feed in text[i:j] (old Mac line breaks)."""
    return text.count("\r", i, j) - text.count("\r\n", i, j)


# --- matching -------------------------------------------------------------------------------

@dataclass
class Parsed:
    """What an entry name tells: its stem, and for LMS downloads the name, number and file."""

    entry: str
    stem: str
    kind: str = ""  # "canvas" | "moodle" | ""
    name: str = ""
    number: str = ""
    file: str = ""  # the student's own file name (LMS prefix and resubmission suffix removed)
    late: bool = False


def parse_entry(entry: str) -> Parsed:
    stem = entry
    for suf in SUBMISSION_SUFFIXES:
        if entry.lower().endswith(suf) and len(entry) > len(suf):
            stem = entry[:-len(suf)]
            break
    m = _MOODLE.match(entry)
    if m:
        return Parsed(entry, stem, "moodle", m["name"].replace("_", " "), m["pid"], m["file"])
    for rx in (_CANVAS2, _CANVAS1):
        m = rx.match(entry)
        if m:
            return Parsed(entry, stem, "canvas", m["name"], m["uid"], _RESUBMIT.sub("", m["file"]), bool(m["late"]))
    return Parsed(entry, stem)


class _Index:
    def __init__(self, students: list[Student]):
        self.exact: dict[str, set[int]] = {}
        self.number: dict[str, set[int]] = {}
        self.names: dict[str, set[int]] = {}
        self.tokens: dict[str, set[int]] = {}
        for i, s in enumerate(students):
            local = s.email.split("@")[0] if s.email else ""
            for v in (s.id, *s.aliases, s.email, local):
                if v:
                    self.exact.setdefault(_key(v), set()).add(i)
                    for suf in SUBMISSION_SUFFIXES:  # a handle column may hold "jdoe.py"
                        if v.lower().endswith(suf):
                            self.exact.setdefault(_key(v[:-len(suf)]), set()).add(i)
            for v in (s.id, *s.aliases):
                if v.isdigit():
                    self.number.setdefault(v.lstrip("0") or "0", set()).add(i)
            for v in (s.id, *s.aliases, local):
                if len(v) >= MIN_TOKEN_ID:
                    self.tokens.setdefault(_key(v), set()).add(i)
            for k in s.name_keys():
                self.names.setdefault(k, set()).add(i)


def match(roster: Roster | list[Student], entries: Iterable[str]) -> RosterMatch:
    """Which roster student each submission entry belongs to (see the module docstring)."""
    students = roster.students if isinstance(roster, Roster) else list(roster)
    idx = _Index(students)
    out = RosterMatch()
    for entry in sorted(entries):
        p = parse_entry(entry)
        found, how, why = _match_one(p, idx)
        if found is not None:
            out.matched[entry] = students[found]
            out.how[entry] = how
        else:
            out.unmatched.append(entry)
            out.why[entry] = why
    _weaker_claims(out)
    have = {id(s) for s in out.matched.values()}
    out.missing = [s for s in students if id(s) not in have]
    return out


# How strongly an entry's name says whose it is: the student's own id or email, or the LMS's
# part of a download's name (an LMS may split one submission into several files), beat a token
# found inside a longer name the submitter chose.
_STRENGTH = {"exact": 1, "canvas": 1, "moodle": 1, "token": 0}


def _weaker_claims(out: RosterMatch) -> None:
    """A student's entries are those of the strongest kind that names them: an entry that only
    contains a classmate's id as a token (``quiz-alice.py``) never joins ``alice.py`` (in her
    folder it could be chosen as her main file); nor does ``ALICE.py``, the id in another case,
    join ``alice.py``, the id letter for letter.  Such an entry is graded on its own, unmatched,
    with why."""
    best: dict[str, int] = {}
    for entry, st in out.matched.items():
        best[st.id] = max(best.get(st.id, -1), _STRENGTH.get(out.how[entry], 0))
    literal = {st.id: entry for entry, st in out.matched.items()
               if out.how[entry] == "exact" and parse_entry(entry).stem == st.id}
    for entry in sorted(out.matched):
        st = out.matched[entry]
        own = literal.get(st.id)
        weaker = _STRENGTH.get(out.how[entry], 0) < best[st.id]
        other_case = (own is not None and entry != own and out.how[entry] == "exact"
                      and _key(parse_entry(entry).stem) == _key(st.id))
        if weaker or other_case:
            by = own or next(e for e, s in out.matched.items() if s.id == st.id and out.how[e] != "token")
            del out.matched[entry]
            del out.how[entry]
            out.unmatched.append(entry)
            out.why[entry] = (f"{by} names {st.id} more directly; this entry is graded on its own "
                              f"(rename it to the student's id if it is theirs)")


def _one(hits: set[int] | None) -> int | None:
    return next(iter(hits)) if hits and len(hits) == 1 else None


def _match_one(p: Parsed, idx: _Index) -> tuple[int | None, str, str]:
    hits = idx.exact.get(_key(p.stem)) or idx.exact.get(_key(p.entry))
    if hits:
        return (_one(hits), "exact", "") if len(hits) == 1 else (None, "", f"matches {len(hits)} roster rows")
    if p.kind:
        by_number = _one(idx.number.get(p.number.lstrip("0") or "0"))
        names = idx.names.get(_squeeze(p.name), set())
        by_name = _one(names)
        if by_number is not None and by_name is not None and by_number != by_name:
            return None, "", (f"{p.kind} download: its id {p.number} and its name {p.name!r} point to "
                              "different roster students; rename the entry to the student's id")
        if by_number is not None or by_name is not None:
            return (by_number if by_number is not None else by_name), p.kind, ""
        if len(names) > 1:
            return None, "", (f"{p.kind} download of {p.name!r}: {len(names)} students have this name; "
                              f"add the {p.kind} id column to the roster")
        hits = idx.exact.get(_key(p.name))  # some courses rename to <id>_<n>_<n>_file
        if hits and len(hits) == 1:
            return _one(hits), p.kind, ""
    # An LMS download's own file name is the student's to choose: only the LMS's part may
    # name a student (a submitter off the roster once named a file zz_<classmate's id>.py).
    tokens = [t for t in re.split(r"[\s_\-.]+", p.name if p.kind else p.stem) if len(t) >= MIN_TOKEN_ID]
    found = set()
    for t in tokens:
        found |= idx.tokens.get(_key(t), set())
    if len(found) == 1:
        return _one(found), "token", ""
    if len(found) > 1:
        return None, "", f"names {len(found)} different students"
    if p.kind:
        return None, "", f"looks like a {p.kind} download of {p.name!r} (id {p.number}), who is not on the roster"
    return None, "", "no roster id, email or name matches"


# --- using a match --------------------------------------------------------------------------

def own_name(entry: str) -> str:
    """The file name the student gave (LMS prefix and resubmission number removed)."""
    p = parse_entry(entry)
    return p.file if p.kind and p.file else entry


def stage(submissions: Path, found: RosterMatch, dest: Path, include_unmatched: bool = True,
          staged: dict | None = None) -> dict[str, list[str]]:
    """Lay the submissions out by roster id under ``dest`` for :func:`grader.intake.discover.discover`.

    A student with one entry gets it as ``<id>.py`` / ``<id>.zip`` / ``<id>/``; a student whose
    LMS split the submission into several files gets a folder ``<id>/`` holding each under the
    name they gave it (a ``.zip`` among them unpacked into a folder of its own, so that the
    main file may be found in it).  Unmatched entries keep their own names (so they are still
    graded and visible).  Symbolic links are copied as links, so discovery refuses them as it
    always does.  Copies are discovery's own (bounded, no recursion, never blocking on a pipe);
    what they could not take goes to ``staged`` (staged name -> :class:`grader.intake.discover.Staged`)
    for discovery to take over: an entry that cannot be copied at all gets an empty stand-in
    and its reason, to become that student's error; what a bounded copy left out becomes a
    note (or the error, if nothing gradable is left).  In a folder of several entries, one that
    cannot be copied is only left out: another of the student's entries may be the gradable one.
    Returns staged entry name -> the original entry names (for ``SubmissionResult.source``).
    """
    from ..intake.discover import LeftOut, Staged
    submissions, dest = Path(submissions), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    staged = {} if staged is None else staged
    origin: dict[str, list[str]] = {}
    taken = {_key(s.id) for s in found.matched.values()}
    for sid, entries in sorted(found.by_student().items()):
        srcs = [submissions / e for e in sorted(entries)]
        if len(srcs) == 1:
            src = srcs[0]
            own = own_name(src.name)
            suffix = "" if src.is_dir() else ".py.txt" if own.lower().endswith(".py.txt") else Path(own).suffix
            target = dest / f"{sid}{suffix}"
            _stage_one(src, target, staged)
            origin[target.name] = [src.name]
        else:
            folder = dest / sid
            folder.mkdir()
            left_out = LeftOut()
            for src in srcs:
                _stage_part(src, folder, left_out)
            if left_out:
                staged[folder.name] = Staged(left_out=left_out)
            origin[folder.name] = [s.name for s in srcs]
    if include_unmatched:
        for e in found.unmatched:
            src = submissions / e
            name = e if _key(parse_entry(e).stem) not in taken else f"unmatched-{e}"
            _stage_one(src, dest / name, staged)
            origin[name] = [e]
    return origin


def _stage_one(src: Path, dst: Path, staged: dict) -> None:
    """Copy one entry; one that cannot be copied gets an empty stand-in, so that discovery
    lists the student, whose result is the reason."""
    from ..intake.discover import Staged
    from ..text import one_line, safe_text
    left_out, why = _copy_entry(src, dst)
    if why:
        staged[dst.name] = Staged(error=one_line(f"{safe_text(src.name)}: {why}"))
        _remove(dst)
        dst.touch()
    elif left_out:
        staged[dst.name] = Staged(left_out=left_out)


def _stage_part(src: Path, folder: Path, left_out) -> None:
    """Copy one of a student's several entries into their folder (a .zip unpacked); one that
    cannot be copied is left out, with its reason, rather than costing the others."""
    from ..intake.discover import _kind
    from ..text import safe_text
    own = own_name(src.name)
    unpack = _kind(own) == "zip" and not src.is_dir()
    name = _unique(folder, own[:-4] if unpack else own)
    part, why = _copy_entry(src, folder / name, unpack)
    if why:
        _remove(folder / name)
        left_out.add("entry", f"that could not be copied ({why})", safe_text(src.name), True)
    else:
        left_out.update(part, prefix=name + "/")


def _copy_entry(src: Path, dst: Path, unpack: bool = False):
    """Copy (or, ``unpack``, extract) one entry with discovery's bounded copies: (what the
    copy left out, "") or (None, why it could not be copied at all, in one line)."""
    from ..errors import is_machines
    from ..intake.discover import MAX_TOTAL_BYTES, Refused, _copy_file, _copy_tree, _extract_zip
    from ..text import one_line, safe_text
    label = safe_text(src.name)
    try:
        mode = os.lstat(src).st_mode
        if stat.S_ISLNK(mode):
            dst.symlink_to(os.readlink(src))
        elif stat.S_ISDIR(mode):
            return _copy_tree(src, dst, label), ""
        elif unpack and stat.S_ISREG(mode):
            return _extract_zip(src, dst), ""
        else:
            _copy_file(src, dst, MAX_TOTAL_BYTES, label)
        return None, ""
    except Refused as exc:
        why = str(exc)
    except OSError as exc:
        if is_machines(exc):
            raise
        why = f"could not be read ({exc.strerror or exc}); submit it again as a plain file, folder or zip"
    except (RecursionError, MemoryError, ValueError) as exc:
        why = f"could not be prepared ({type(exc).__name__}); submit a .py file, a notebook, a folder or a .zip"
    return None, one_line(safe_text(why))


def _remove(path: Path) -> None:
    """Whatever a failed copy left at ``path``."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _unique(folder: Path, name: str) -> str:
    cand, i = name, 2
    while (folder / cand).exists():
        p = Path(name)
        cand, i = f"{p.stem}-{i}{p.suffix}", i + 1
    return cand


NO_SUBMISSION = "no submission"


def no_submission(student: Student | str, assignment):  # -> results.SubmissionResult
    """The row of a roster student who submitted nothing: 0 points, error ``no submission``."""
    from ..results import QuestionResult, SubmissionResult
    sid = student.id if isinstance(student, Student) else student
    sub = SubmissionResult(student=sid, source="", score=0.0, max_score=float(assignment.max_score),
                           error=NO_SUBMISSION, report="")
    if isinstance(student, Student):
        sub.name, sub.email = display_name(student), student.email
    for q in assignment.questions:
        sub.questions.append(QuestionResult(id=q.id, function=q.function, title=q.title, score=0.0,
                                            max_score=float(q.points), status="missing", trials=0,
                                            message=NO_SUBMISSION))
    return sub


def absent(sub) -> bool:
    """A roster student's row without any submission (not a file that failed)."""
    return sub.error == NO_SUBMISSION and not sub.source


def display_name(student: Student) -> str:
    return student.name or " ".join(filter(None, (student.first, student.last)))


def roster_digest(ids: list[str]) -> str:
    """The roster as shards must agree on it: its student ids, not its file's bytes (a runner's
    line endings or column order do not make it another class).  ``grade`` records it; ``merge``
    compares the shards' and the LMS export's."""
    import hashlib
    import json
    canon = sorted(unicodedata.normalize("NFC", i) for i in ids)
    return hashlib.sha256(json.dumps(canon, ensure_ascii=False).encode("utf-8")).hexdigest()
