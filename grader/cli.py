"""Command line: a thin click layer over :mod:`grader.api`.

Exit codes, every command:
  0  done (``grade``/``merge``: whatever the scores; ``check``: every question passed, or the
     score reached ``--fail-under``)
  1  ``check``: a question failed / the score is below ``--fail-under``; ``merge
     --allow-partial``: merged, but shards were missing
  2  usage: bad input from the user (one line naming the file and the fix)
  3  machine: the disk is full or failing, no descriptors left, the sandbox cannot start (one line;
     nothing half-written left)

Every command is wrapped in :func:`_reported`, the one place an exception becomes its exit code.
"""
from __future__ import annotations

import functools
import shlex
import sys
from pathlib import Path

import click

from . import DEFAULT_ASSIGNMENT, __version__, settings
from .text import number, typed_name

ASSIGNMENT_HELP = "An installed assignment, or the path of an assignment folder."


def _opts(seed, timeout, memory, isolation, require_sandbox, jobs=None, course=None, partial_credit=False,
          reveal=False):
    """Options from the flags, with the course file's values where a flag was not given."""
    from .api import Options
    from .course.config import Course
    c = course or Course()
    pick = lambda name, flag, conf: conf if conf is not None and not _given(name) else flag  # noqa: E731
    return Options(seed=pick("seed", seed, c.seed), timeout=pick("timeout", timeout, c.timeout),
                   memory_mb=pick("memory", memory, c.memory), isolation=isolation,
                   require_sandbox=require_sandbox or bool(c.require_sandbox), jobs=jobs,
                   reveal=bool(reveal or c.reveal), partial_credit=bool(pick("partial_credit", partial_credit, c.partial_credit)),
                   late=c.late if (c.late.factor is not None or c.late.per_day is not None) else None)


def _given(name: str) -> bool:
    """Whether option ``name`` was given on the command line (or by environment), not defaulted."""
    from click.core import ParameterSource
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True
    return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _course(config, submissions: Path | None = None):
    """--config FILE, else ./grader.toml if present (not one among the submissions): a bad file
    is a one-line error (exit 2; a failing disk: 3)."""
    from .course.config import DEFAULT_NAME, find_course, planted
    if config is None and planted(Path.cwd() / DEFAULT_NAME, submissions):
        click.echo(f"note: ./{DEFAULT_NAME} is one of the submissions, not read as the course file "
                   "(give --config to use a course file)", err=True)
    return find_course(config, untrusted=submissions)


def student_edition() -> bool:
    """True in the handout's wheel: no ``reference`` package (cheap: nothing is imported)."""
    import importlib.util
    try:
        return importlib.util.find_spec("reference") is None
    except (ImportError, ValueError):
        return True


STUDENT_COMMANDS = ("check", "starter")  # what works without the reference


class _Group(click.Group):
    """The student edition lists only the commands that work there (the others still answer
    with a one-line error saying why).  A bad option is one line too, like every other usage
    error (click's own form is four: usage, a hint, a blank line, the error)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            name = exc.ctx.command_path if exc.ctx is not None and exc.ctx is not ctx else \
                " ".join(filter(None, (ctx.command_path, ctx.invoked_subcommand)))
            _fail(f"{exc.format_message()} (see {name} --help)")

    def list_commands(self, ctx):
        names = super().list_commands(ctx)
        return [n for n in names if n in STUDENT_COMMANDS] if student_edition() else names

    def format_help_text(self, ctx, formatter):
        if student_edition():
            formatter.write_paragraph()
            formatter.write_text("cnn-grader, student edition: check your homework against the public cases of "
                                 "your handout (public_tests.json). The score it gives covers those cases only; "
                                 "it is not your grade.")
        else:
            super().format_help_text(ctx, formatter)


class _InstructorOption(click.Option):
    """An option that needs the reference: not shown by --help in the student edition."""

    @property
    def hidden(self) -> bool:
        return student_edition()

    @hidden.setter
    def hidden(self, value) -> None:
        pass


class _Setting(click.ParamType):
    """A grading setting given as a flag: read and bounded by the rule its course-file key obeys
    (:mod:`grader.settings`), so that ``--timeout nan`` is refused as ``timeout = nan`` is."""

    def __init__(self, rule):
        self.rule = rule
        self.name = "integer" if rule.integer else "number"

    def convert(self, value, param, ctx):
        try:
            return self.rule.parse(value) if isinstance(value, str) else self.rule.check(value)
        except settings.SettingError as exc:
            self.fail(str(exc), param, ctx)


REVEAL_HELP = ("Show the correct formula of each failing example (reports, terminal, JUnit, Gradescope): "
               "for results handed back after the deadline. Needs the reference.")


def _common(f):
    f = click.option("--seed", type=_Setting(settings.SEED), default=0, show_default=True,
                     help="Base seed; each student's inputs derive from it (modulo 2**32) and their id.")(f)
    f = click.option("--timeout", type=_Setting(settings.TIMEOUT), default=settings.DEFAULT_TIMEOUT, show_default=True,
                     help="Seconds allowed per question (and for importing the file), 0.1 to 3600.")(f)
    f = click.option("--memory", type=_Setting(settings.MEMORY), default=1024, show_default=True,
                     help="Memory cap per submission, MiB (64 to 1048576).")(f)
    f = click.option("--isolation", type=click.Choice(["auto", "namespaces", "process"]), default="auto",
                     show_default=True, help="Sandbox strength; auto uses the strongest available.")(f)
    f = click.option("--require-sandbox", is_flag=True, help="Fail unless full isolation is available.")(f)
    f = click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=ASSIGNMENT_HELP)(f)
    f = click.option("--points", "points", multiple=True, metavar="ID=N",
                     help="Re-weight a question, e.g. --points 2.5=6 (repeatable).")(f)
    f = click.option("--reveal", is_flag=True, cls=_InstructorOption, help=REVEAL_HELP)(f)
    f = click.option("--partial-credit/--no-partial-credit", "partial_credit", default=False,
                     help="A question scores its points x the fraction of its trials passed (default: all or nothing).")(f)
    f = click.option("--config", "config", type=click.Path(path_type=Path), default=None, metavar="TOML",
                     help="Course file (points, seed, limits, partial credit, late policy); default: "
                          "./grader.toml if present. Options given here override it.")(f)
    return f


def _assignment(name: str, points: tuple[str, ...], course=None):
    """Load the assignment and apply the course file's [points], then --points; bad values are
    a one-line usage error."""
    from .assignment import load_assignment
    from .course.config import check_questions
    try:
        asg = load_assignment(name)
        weights = dict(course.points) if course is not None else {}
        if course is not None:
            check_questions(course, [q.id for q in asg.questions])
        weights.update(_points_flags(points))
        return asg.with_points(weights) if weights else asg
    except ValueError as exc:
        if student_edition():
            _fail("this is the student edition of cnn-grader (no reference solution): it can only "
                  "`grader check FILE` against the handout's public_tests.json; grading needs the instructor's install")
        _fail(exc)


def _points_flags(points: tuple[str, ...]) -> dict[str, float]:
    """--points ID=N, each bounded as the course file's [points] are (:data:`grader.settings.POINTS`)."""
    weights: dict[str, float] = {}
    for item in points:
        qid, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--points {settings.shown(item)}: write ID=N, e.g. --points 2.5=6")
        try:
            weights[qid.strip().removeprefix("Q")] = settings.POINTS.parse(value)
        except settings.SettingError as exc:
            raise ValueError(f"--points {settings.shown(item)}: {exc}") from None
    return weights


VISIBILITY = click.Choice(["visible", "after_due_date", "after_published", "hidden"])


def _outputs(per_student: bool):
    """--junit / --gradescope / --gradescope-visibility (the job summary needs no option)."""
    def deco(f):
        f = click.option("--gradescope-visibility", type=VISIBILITY, default="visible", show_default=True,
                         help="Gradescope visibility of the per-question results.")(f)
        f = click.option("--gradescope", type=click.Path(path_type=Path), default=None,
                         metavar="DIR" if per_student else "FILE",
                         help=("Also write Gradescope results, one DIR/<student>.json per student." if per_student
                               else "Also write a Gradescope results.json here."))(f)
        f = click.option("--junit", type=click.Path(path_type=Path), default=None, metavar="FILE",
                         help="Also write JUnit XML (a test case per question and student) for CI.")(f)
        return f
    return deco


def _check_reports(reports: dict[str, tuple[Path | None, str]], inputs: list[tuple[str, Path | None]],
                   outs: tuple[Path, ...] = ()) -> None:
    """Every report file an option names (``--junit``, ``--gradescope``, ``--html``), checked by
    the one rule (:func:`grader.outputs.outdir.check_report`): never an input of the run, a file
    the grading writes into OUT, another report, or an existing file not of the grader's.
    Called before the run and again just before the reports are written."""
    from .outputs.outdir import check_report
    given = [(flag, p, kind) for flag, (p, kind) in reports.items() if p is not None]
    for flag, p, kind in given:
        check_report(p, flag, kind, inputs, outs, [g for g in given if g[0] != flag])


def _key(assignment: str):
    from .feedback.formula import key_formula
    return key_formula(assignment)


def _write_outputs(subs, title, junit, gradescope, visibility, per_student, note="", unmatched=(), formula=None,
                   out=None):
    """--junit, --gradescope, and the GitHub Actions job summary when $GITHUB_STEP_SUMMARY is set."""
    from .outputs.formats import write_outputs
    write_outputs(subs, title, junit=junit, gradescope=gradescope, per_student=per_student,
                  visibility=visibility, note=note, unmatched=unmatched, formula=formula, out=out)
    if junit is not None:
        click.echo(f"wrote {junit}", err=True)
    if gradescope is not None:
        click.echo(f"wrote {gradescope}" + ("/<student>.json" if per_student else ""), err=True)


EXIT_USAGE, EXIT_MACHINE = 2, 3


def _fail(exc: Exception | str, code: int = EXIT_USAGE):
    """Say what is wrong in one line (whatever the message quotes: a key, a cell) and exit."""
    from .text import one_line, safe_text
    click.echo(f"error: {one_line(safe_text(str(exc)))}", err=True)
    sys.exit(code)


def _os_error(exc: OSError):
    """An OSError as one line: a full or failing disk, or no descriptors left, is the machine's
    (3: :func:`grader.errors.machine_error`); anything else (permissions, a read-only or wrong
    path) the user's to fix (2)."""
    from .errors import machine_error
    err = machine_error(exc)
    if err is not exc:
        _fail(err, EXIT_MACHINE)
    where = f"{exc.filename}: " if exc.filename else ""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        _fail(f"{where}a file stands where a folder is needed; choose another path")
    _fail(f"{where}{exc.strerror or exc}; check the path and its permissions")


def _sandbox_failed(exc: Exception, isolation: str, require_sandbox: bool):
    """The sandbox could not start: one line saying what to change (exit 3: the machine's)."""
    from .sandbox.supervisor import SandboxRefused
    if isinstance(exc, SandboxRefused):
        _fail(str(exc), EXIT_MACHINE)  # (it says what to change)
    if isolation == "namespaces" or require_sandbox:
        fix = "run as root or enable unprivileged user namespaces, or drop --require-sandbox/--isolation namespaces"
    else:
        fix = "check the memory and process limits of this machine (ulimit -a) and retry"
    _fail(f"the sandbox could not start ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); {fix}",
          EXIT_MACHINE)


def _reported(command):
    """Run a command with the one mapping, as the README documents it, from what went wrong to
    the exit code and its one line: the machine's (a full or failing disk, no descriptors
    left, the sandbox: 3) or the user's (bad input, ``ValueError``: 2).  Anything else is a bug
    of ours and keeps its traceback."""
    @functools.wraps(command)
    def reported(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - mapped below, or raised again
            from .errors import MachineError
            from .sandbox.supervisor import SandboxError
            if isinstance(exc, MachineError):
                _fail(exc, EXIT_MACHINE)
            if isinstance(exc, SandboxError):
                _sandbox_failed(exc, kwargs.get("isolation", "auto"), bool(kwargs.get("require_sandbox")))
            if isinstance(exc, OSError):
                _os_error(exc)
            if isinstance(exc, ValueError):  # grader.errors.UsageError, and every other bad input
                _fail(exc)
            raise
    return reported


def _warn_reduced(res) -> None:
    """Say once, loudly, that student code is not fully isolated, and what that means as root."""
    import os
    msg = (f"WARNING: reduced isolation ({res.isolation_note or 'no namespaces'}): student code runs "
           "as a plain process with rlimits; use --require-sandbox in grading jobs.")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        msg += (" As root without namespaces, student code runs as an unprivileged uid of its own, but can "
                "still read every world-readable file and see other processes: grade with namespaces.")
    click.echo("\n" + msg, err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cnn-grader")
def main():
    """Grade the mini-CNN homework: sandboxed, reproducible, with reports that teach."""


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--jobs", type=click.IntRange(1, 512), default=None, help="Parallel workers (default: all cores).")
@click.option("--no-cache", is_flag=True, help="Grade every submission again, even unchanged ones.")
@click.option("--roster", type=click.Path(path_type=Path), default=None, metavar="CSV",
              help="Class list: match entries (Canvas/Moodle download names too) to student ids; "
                   "students without a submission get a row with 0.")
@click.option("--shard", "shard_spec", default=None, metavar="K/N|auto",
              help="Grade only shard K of N (deterministic); combine the outputs with `grader merge`. "
                   "auto: K/N from a Slurm job array, a Kubernetes Indexed Job or CNN_GRADER_SHARD_INDEX/"
                   "CNN_GRADER_SHARDS.")
@click.option("--lms-column", default=None, metavar="NAME",
              help="Canvas: the gradebook column to fill (default: the one named like the assignment, "
                   "else a new column).")
@click.option("--lms-missing", type=click.Choice(["zero", "blank"]), default="zero", show_default=True,
              help="What the LMS file gets for a student without a submission.")
@click.option("--lms-new-column", is_flag=True,
              help="Add --lms-column as a new column (a new assignment in Canvas) when the export has "
                   "no column of that name (without it, a name that matches no column is an error).")
@click.option("--only", "only", multiple=True, metavar="STUDENT",
              help="Grade only this student (repeatable) and update their results in the existing OUT; "
                   "the others' outputs are kept as they were (a regrade request).")
@click.option("--ledger", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="The overrides to apply (grader override); default: the course file's [grading] ledger, "
                   "else grader-ledger.jsonl beside the course file if there is one.")
@_outputs(per_student=True)
@_common
@_reported
def grade(submissions, out, jobs, no_cache, roster, shard_spec, lms_column, lms_missing, lms_new_column, only, ledger, junit, gradescope,
          gradescope_visibility, seed, timeout, memory, isolation, require_sandbox, assignment, points, reveal,
          partial_credit, config):
    """Grade every submission in SUBMISSIONS into OUT (results.json, grades.csv, HTML reports)."""
    from .api import _check_not_empty, grade as grade_api
    from .course.shard import parse_shard, shard as shard_entries, student_key
    course = _course(config, submissions)
    asg = _assignment(assignment, points, course)
    if roster is None and course.roster is not None:
        roster = course.roster
    from .course.ledger import ledger_path
    ledger = ledger_path(ledger, course, must_exist=True)
    if course.lms_column is not None and not _given("lms_column"):
        lms_column = course.lms_column
    if course.lms_missing is not None and not _given("lms_missing"):
        lms_missing = course.lms_missing
    if course.lms_new_column is not None and not _given("lms_new_column"):
        lms_new_column = course.lms_new_column
    if roster is None and (_given("lms_column") or _given("lms_missing") or _given("lms_new_column")):
        _fail("--lms-column/--lms-missing/--lms-new-column fill in an LMS export: give it as --roster (a Canvas gradebook "
              "export or a Moodle grading worksheet)")
    if not submissions.exists():
        _fail(f"{submissions}: no such folder; give the folder that holds the submissions")
    shard = parse_shard(shard_spec) if shard_spec else None
    reports = {"--junit": (junit, "junit"), "--gradescope": (gradescope, "gradescope-dir")}
    inputs = [("the submissions folder", submissions), ("the roster", roster), ("the ledger", ledger),
              ("the course file", course.path)]
    _check_reports(reports, inputs, (out,))
    if submissions.is_dir():
        _check_not_empty(submissions)  # before the progress bar: the error is the only line
    from .intake.discover import _ignored
    entries = [p for p in submissions.iterdir() if not _ignored(p)] if submissions.is_dir() else []
    # one result a student, however many entries they gave (keyed as discovery and shards key them)
    n = len({student_key(e) for e in (shard_entries(entries, *shard) if shard else entries)}) if roster is None \
        else len(entries)
    n = len(only) if only else n
    with _Progress(n) as progress:
        opts = _opts(seed, timeout, memory, isolation, require_sandbox, jobs, course, partial_credit, reveal)
        opts = type(opts)(**{**opts.__dict__, "cache": not no_cache})
        run = grade_api(submissions, out, opts, assignment=asg, on_start=progress.start, on_result=progress.step,
                        command=_command(), roster=roster, shard=shard,
                        lms_column=lms_column, lms_missing=lms_missing, lms_new_column=lms_new_column, ledger=ledger,
                        only=[typed_name(s) for s in only] or None,  # (an id in raw bytes: as ids are)
                        policy={"config": str(course.path) if course.path else ""})
    _summary(run)
    _ledger_summary(run)
    _collisions(run)
    if run.cached:
        click.echo(f"{run.cached} unchanged submission(s) reused from the previous grading (--no-cache to regrade)")
    if run.unmatched:
        click.echo(f"{len(run.unmatched)} entr{'y' if len(run.unmatched) == 1 else 'ies'} matched nobody on the roster "
                   "(graded under their own names): " + ", ".join(run.unmatched[:10])
                   + (" ..." if len(run.unmatched) > 10 else ""))
    click.echo(f"wrote {out / 'results.json'}, {out / 'grades.csv'}, {out / 'index.html'}")
    if reveal:
        click.echo("--reveal: the reports show the correct formulas; hand them back only after the deadline")
    if run.lms:
        click.echo(_lms_summary(run.lms, out))
    _check_reports(reports, inputs, (out,))  # (OUT's marker now lists what this grading wrote)
    _write_outputs(run.submissions, run.title, junit, gradescope, gradescope_visibility, per_student=True,
                   unmatched=run.unmatched, note=f"shard {shard[0]} of {shard[1]}" if shard else "",
                   formula=_key(asg.name) if reveal else None, out=out)
    _written_hint(entries, asg)


def _command() -> str:
    """The command line as the outputs record it: an argument in bytes that are not UTF-8 (a
    folder or ``--only`` id typed as ``$'Ren\\xe9'``) made them unwritable (JSON is UTF-8)."""
    return shlex.join(["grader", *map(typed_name, sys.argv[1:])])


WRITTEN_SUFFIXES = (".md", ".markdown", ".tex")  # what only written answers are in


def _written_hint(entries, asg) -> None:
    """A class folder of written answers graded as code: one line naming the written
    assignment to use, and exit 1 (the grades just written are all zeros)."""
    if asg.kind == "written" or not entries:
        return
    from .intake.discover import files_in

    def text_only(entry: Path) -> bool:
        # (a folder as discovery walks it: a chain of 1,300 folders made rglob raise RecursionError
        # here, after the outputs were written; 40,000 files were all listed to look at 200)
        try:
            files = [entry] if entry.is_file() else files_in(entry, 200) \
                if entry.is_dir() and not entry.is_symlink() else []
        except OSError:
            return False  # (unreadable: not a hint's business; its grading said what is wrong)
        return bool(files) and all(p.suffix.lower() in WRITTEN_SUFFIXES for p in files)
    if sum(map(text_only, entries)) * 2 <= len(entries):
        return
    from .assignment import installed_assignments, load_assignment
    for name in installed_assignments():
        try:
            if load_assignment(name).kind == "written":
                click.secho(f"these look like written answers: add --assignment {name}", fg="yellow", err=True)
                sys.exit(1)
        except (ValueError, ImportError):
            continue


class _Progress:
    """The grading bar, shown once grading starts (``grade``'s ``on_start``): a bad roster or
    LMS export, found before that, is then the only line on stderr."""

    def __init__(self, n: int):
        self._bar = click.progressbar(length=n, label="grading", file=sys.stderr, show_pos=True)
        self._shown = self._warned = False

    def start(self) -> None:
        self._bar.__enter__()
        self._shown = True

    def step(self, res) -> None:
        if res.isolation == "process" and not self._warned:
            self._warned = True
            _warn_reduced(res)
        if self._shown:
            self._bar.update(1)

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._shown:
            self._bar.__exit__(*exc)


def _ledger_summary(run) -> None:
    """How many results the ledger changed, and each override whose automatic score moved."""
    info = run.ledger or {}
    if not info:
        return
    click.echo(f"ledger {info['file']}: overrides applied to {info['applied']} student(s)")
    for line in info.get("changed", []):
        click.echo(f"REVIEW: {line}")


def _collisions(run) -> None:
    """One line naming the students who gave several entries, and which one counted."""
    if run.collisions:
        n = len(run.collisions)
        click.echo(f"{n} student{'s' if n != 1 else ''} gave several entries, graded once from one (see the "
                   "dashboard): " + ", ".join(f"{c['student']} ({c['counted']} counted)" for c in run.collisions[:10])
                   + (" ..." if n > 10 else ""))


def _lms_summary(info: dict, out: Path) -> str:
    """Say which LMS file to import, and what is in it."""
    lms = {"canvas": "Canvas", "moodle": "Moodle"}.get(info.get("kind"), "LMS")
    where = ("Grades > Import" if info.get("kind") == "canvas" else "Assignment > Upload grading worksheet")
    text = (f"wrote {out / info['file']}: your {lms} gradebook ({info['source']}) with column "
            f"{info['column']!r}{' (new)' if info.get('new_column') else ''} filled for {info['filled']} students")
    if info.get("blank"):
        text += f", {info['blank']} without a submission left blank"
    if info.get("scaled_to"):
        text += f"; scores scaled to the LMS's {number(info['scaled_to'])} points"
    if info.get("locked"):
        text += f"; {len(info['locked'])} locked grade(s) left as they were"
    return text + f". Import it in {lms}: {where}."


def _short_error(error: str, most: int = 60) -> str:
    """A submission's error cut to ``most`` characters for the summary table, keeping where it is
    ("..., line 12)") when the message ends with a line number."""
    if len(error) <= most:
        return error
    import re
    where = re.search(r"line \d+\)?$", error)
    if where is None or len(where.group()) > most // 2:
        return error[:most]
    return error[:most - len(where.group()) - 2] + "\u2026 " + where.group()


def _summary(run):
    subs = run.submissions
    if not subs:
        click.echo("no submissions in this shard" if getattr(run, "shard", None) else "no submissions graded")
        return
    qids = [q.id for q in subs[0].questions]
    width = max(8, *(len(s.student) for s in subs[:200]))
    click.echo(f"{'student':<{width}}  " + " ".join(f"{q:>4}" for q in qids) + "   total")
    mark = {"passed": "ok", "failed": "x", "error": "E", "timeout": "T", "missing": "-"}
    for s in subs:
        cells = " ".join(f"{mark.get(q.status, '?'):>4}" for q in s.questions)
        click.echo(f"{s.student:<{width}}  {cells}   {number(s.score)}/{number(s.max_score)}" + ("  (" + _short_error(s.error) + ")" if s.error else ""))
    from .course.roster import absent
    mean = sum(s.score for s in subs) / len(subs)
    none = sum(1 for s in subs if absent(s))
    click.echo(f"{len(subs) - none} graded" + (f", {none} with no submission (0 points)" if none else "")
               + f"; mean {mean:.2f}/{number(run.max_score)}   [ok passed, x failed, E error, T timeout, - missing]")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print this submission's results.json entry.")
@click.option("--html", type=click.Path(path_type=Path), default=None, help="Also write the HTML report here.")
@click.option("--student", default=None, help="Student id (default: the file name without .py).")
@click.option("--public", "public", type=click.Path(path_type=Path), default=None, metavar="JSON",
              help="Check against these public cases only (the handout's public_tests.json). Without a "
                   "reference installed, public_tests.json next to FILE or here is used.")
@click.option("--fail-under", type=_Setting(settings.FAIL_UNDER), default=None, metavar="SCORE",
              help="Exit 1 only when the score is below SCORE (default: unless every question passes).")
@_outputs(per_student=False)
@_common
@_reported
def check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
          seed, timeout, memory, isolation, require_sandbox, assignment, points, reveal, partial_credit, config):
    """Grade one FILE (or folder / .zip) and explain every question. Exit 0 iff all pass."""
    # The sandbox's zygote imports NumPy while we do: start it before anything else
    from .sandbox.launch import DEFAULT_TMP_MB, discard_early, hidden_paths, start_early
    start_early("namespaces" if require_sandbox and isolation == "auto" else isolation, hidden_paths(),
                DEFAULT_TMP_MB)
    try:
        _check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
               seed, timeout, memory, isolation, require_sandbox, assignment, points, reveal, partial_credit, config)
    finally:
        discard_early()  # if it was not adopted (an error came first, or a different sandbox)


def _check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
           seed, timeout, memory, isolation, require_sandbox, assignment, points, reveal, partial_credit=False,
           config=None):
    from .api import check as check_api
    from .course.handout import check_public, find_public_cases, load_public, public_assignment, public_notice, reference_available
    from .results import dumps
    note = ""
    if reveal and (public is not None or not reference_available(assignment)):
        _fail("--reveal shows the reference's formulas, and " + ("--public cases have none" if public is not None else
              "this is the student edition of cnn-grader, which has no reference solution"))
    course = _course(config)
    opts = _opts(seed, timeout, memory, isolation, require_sandbox, course=course, partial_credit=partial_credit,
                 reveal=reveal)
    if public is None and not reference_available(assignment):
        public = find_public_cases(file)
        if public is None:
            _fail(f"no reference solution is installed and no public_tests.json is next to {file} or in this "
                  "folder; give --public PATH (the file comes with your handout)")
    reports = {"--html": (html, "html"), "--junit": (junit, "junit"), "--gradescope": (gradescope, "gradescope")}
    inputs = [("the file being checked", file), ("the public cases", public), ("the course file", course.path)]
    _check_reports(reports, inputs)
    if public is not None:
        if points:
            _fail("--points does not apply to --public cases")
        asg = public_assignment(load_public(public))[0]
        res = check_public(file, public, opts, student=student)
        note = public_notice(public)
    else:
        asg = _assignment(assignment, points, course)
        res = check_api(file, opts, assignment=asg, student=student)
    _check_reports(reports, inputs)  # (again: the student's code ran meanwhile, elsewhere)
    if html is not None:
        from .outputs.atomic import write_text
        from .outputs.report import Renderer
        # a temporary name renamed into place (missing parent folders are created)
        write_text(html, Renderer(asg, reveal=opts.reveal and public is None, notice=note,
                                         timeout=opts.timeout).student_html(res))
    formula = _key(asg.name) if opts.reveal and public is None else None
    if as_json:
        click.echo(dumps(res))
        if note:
            click.echo(note, err=True)
    else:
        if note:
            click.secho(note, fg="yellow")
        if asg.kind == "written":
            _readings(res)
        _explain(res, formula, public=bool(note), written=asg.kind == "written")
        if html is not None:
            click.echo(f"report written to {html}")
    _write_outputs([res], asg.title, junit, gradescope, gradescope_visibility, per_student=False, note=note,
                   formula=formula)
    ok = res.passed_all if fail_under is None else res.score >= fail_under
    if not ok and public is None:
        _written_hint([file], asg)
    sys.exit(0 if ok else 1)


READ_WIDTH = 110  # characters of one answer's line in check's "read as" list


def _readings(res) -> None:
    """How each written answer was read, one line an answer, before any verdict; an unreadable
    answer: its reason, and the spot under a caret."""
    shown = [q for q in res.questions if q.reading or q.status == "error"]
    if res.error or not shown:
        return
    click.echo("How your answers were read:")
    for q in shown:
        lines = q.reading.splitlines()
        if q.status == "error" and not q.message.startswith(f"your answer to {q.id} could not be evaluated"):
            click.secho(f"  {q.id} not read: " + _cut(lines[0] if lines else q.message), fg="red")
            for spot in lines[1:3]:
                click.echo("      " + spot)
            continue
        click.echo(f"  {q.id} read as: " + _cut("; ".join(line.strip() for line in lines)))


def _cut(text: str, width: int = READ_WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _explain(res, formula=None, public: bool = False, written: bool = False):
    """The terminal account of one check; ``formula`` (--reveal) adds each failing example's
    correct formula; ``public``: the score covers the public cases only, and says so;
    ``written``: answers, not functions (no function names)."""
    what = " on the public cases only: not your grade" if public else ""
    click.echo(f"{res.student}: {number(res.score)}/{number(res.max_score)}{what}   (isolation: {res.isolation or 'none'}"
               + (f"; {res.isolation_note}" if res.isolation_note else "") + ")")
    for note in res.notes:  # about the file: a .py.txt, a notebook, imports the grader lacks
        click.secho(f"note: {note}", fg="yellow")
    if res.error:
        click.secho(f"your file could not be graded: {res.error}", fg="red")
        if res.traceback:
            click.echo(res.traceback)
        return
    colors = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow", "missing": "bright_black"}
    for q in res.questions:
        click.echo(click.style(f"{q.status.upper():>8}", fg=colors.get(q.status)) +
                   f"  Q{q.id}{'' if written else ' ' + q.function}  {number(q.score)}/{number(q.max_score)}  {q.message}")
        if q.traceback and q.status == "error":
            click.echo("          " + q.traceback.replace("\n", "\n          "))
        key = formula(q) if formula is not None and q.status == "failed" else ""
        if key:
            click.echo(f"          correct formula (answers released): {key}")


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, cls=_InstructorOption,
              help=ASSIGNMENT_HELP)
@click.option("--public", "public", type=click.Path(path_type=Path), default=None, metavar="JSON",
              help="Make it from these public cases (the handout's public_tests.json) instead of the reference; "
                   "without a reference installed, public_tests.json next to OUT or here is used.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@_reported
def starter(out, assignment, public, force):
    """Write the student starter file (every function stubbed) to OUT."""
    from .api import starter as starter_api
    from .course.handout import find_public_cases, load_public, public_assignment, reference_available
    if out.exists() and not force:
        _fail(f"{out} already exists; choose another name or add --force")
    from .outputs.atomic import write_text
    if public is None and not reference_available(assignment):
        public = find_public_cases(out)
        if public is None:
            _fail(f"the student edition makes the starter from your handout's public_tests.json, and none is in "
                  f"{out.parent} or this folder; give --public PATH")
    asg = public_assignment(load_public(public))[0] if public is not None else assignment
    write_text(out, starter_api(asg, filename=out.name))
    click.echo(f"wrote {out}")


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--allow-partial", is_flag=True,
              help="Merge even if shards are missing: list them (and their roster students), exit 1.")
@click.option("--ledger", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="The overrides to apply (default: the ledger the shards applied, if any).")
@click.option("--roster", type=click.Path(path_type=Path), default=None, metavar="CSV",
              help="The LMS export to fill in for the whole class (default: the one the shards were graded "
                   "with, else the course file's [lms] roster).")
@click.option("--lms-column", default=None, metavar="NAME", help="As for grade (default: what the shards used).")
@click.option("--lms-missing", type=click.Choice(["zero", "blank"]), default=None,
              help="As for grade (default: what the shards used).")
@click.option("--lms-new-column", is_flag=True, help="As for grade (default: what the shards used).")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None, metavar="TOML",
              help="Course file whose [lms] keys fill in what the options do not give (they come before "
                   "what the shards used); default: ./grader.toml if present, after what the shards used.")
@_outputs(per_student=True)
@_reported
def merge(folders, out, allow_partial, ledger, roster, lms_column, lms_missing, lms_new_column, config, junit,
          gradescope, gradescope_visibility):
    """Combine the output FOLDERS of `grade --shard K/N` into OUT (results.json, grades.csv, HTML).

    Refuses a missing, doubled or mismatched set of shards (seed, assignment, N, roster, policy).
    Writes the whole class's LMS file with the settings the shards were graded with."""
    lms_new_column = True if lms_new_column else None  # (not given: what the shards used)
    course = _course(config)
    if config is not None:  # named here: its [lms] keys are as good as options
        roster = roster if roster is not None else course.roster
        lms_column = lms_column if lms_column is not None else course.lms_column
        lms_missing = lms_missing if lms_missing is not None else course.lms_missing
        lms_new_column = lms_new_column if lms_new_column is not None else course.lms_new_column
    from .course.shard import merge_outputs
    reports = {"--junit": (junit, "junit"), "--gradescope": (gradescope, "gradescope-dir")}
    inputs = [*(("the shard", f) for f in folders), ("the ledger", ledger), ("the roster", roster),
              ("the course file", course.path)]
    _check_reports(reports, inputs, (out,))
    run = merge_outputs(list(folders), out, command=_command(),
                        allow_partial=allow_partial, ledger=ledger, roster=roster, lms_column=lms_column,
                        lms_missing=lms_missing, lms_new_column=lms_new_column,
                        course=course if config is None else None)
    _summary(run)
    _ledger_summary(run)
    _collisions(run)
    click.echo(f"merged {len(folders)} outputs; wrote {out / 'results.json'}, {out / 'grades.csv'}, {out / 'index.html'}")
    if run.lms:
        click.echo(_lms_summary(run.lms, out))
    _check_reports(reports, inputs, (out,))
    _write_outputs(run.submissions, run.title, junit, gradescope, gradescope_visibility, per_student=True,
                   unmatched=run.unmatched, note=_partial_note(run), out=out)
    if run.missing_shards:
        click.echo("INCOMPLETE: " + _partial_note(run), err=True)
        sys.exit(1)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=ASSIGNMENT_HELP)
@click.option("--template", "templates", multiple=True, type=click.Path(path_type=Path), metavar="FILE",
              help="More boilerplate besides the assignment's starter: code (or answers) handed out (repeatable).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Show the pairs at or above this similarity (0 to 1) side by side in similarity.html.")
@click.option("--top", type=click.IntRange(1), default=None, metavar="N",
              help="Keep only the N most similar pairs (default: every pair that shares code).")
@click.option("--jobs", type=click.IntRange(1, 512), default=None, help="Worker processes (default: all cores).")
@_reported
def similar(submissions, out, assignment, templates, threshold, top, jobs):
    """Rank every pair of SUBMISSIONS by shared code (or written notation) into OUT:
    similarity.csv and similarity.html (the pairs side by side).  Needs copydetect."""
    from .api import similar as similar_api
    run = similar_api(submissions, out, assignment=assignment, templates=list(templates), threshold=threshold,
                      top=top, command=_command(), jobs=jobs)
    for who, why in run.not_read:
        click.echo(f"not compared: {who}: {why}", err=True)
    kept = f" ({len(run.rows)} most similar kept)" if run.listed > len(run.rows) else ""
    click.echo(f"compared {run.students} submissions in {run.seconds:.1f} s: {run.listed} pairs share code{kept}, "
               f"{len(run.above)} at or above {run.threshold:.2f}")
    for r in run.above[:10]:
        click.echo(f"  {r['similarity']:.2f}  {r['a']}  {r['b']}")
    click.echo(f"wrote {out / 'similarity.csv'}, {out / 'similarity.html'}")


def _partial_note(run) -> str:
    if not run.missing_shards:
        return ""
    absent = [s.student for s in run.submissions if s.error.startswith("not graded: shard")]
    return (f"shard(s) {', '.join(map(str, run.missing_shards))} missing from this merge"
            + (f"; {len(absent)} roster student(s) not graded: " + ", ".join(absent[:20])
               + (" ..." if len(absent) > 20 else "") if absent else
               "; without a roster the students of those shards are unknown"))


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=ASSIGNMENT_HELP)
@click.option("--cases", "per_question", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Public cases per question.")
@click.option("--no-wheel", is_flag=True, help="Leave out the grader wheel (then students need another way to install it).")
@click.option("--no-ci", is_flag=True, help="Leave out .github/workflows/selfcheck.yml.")
@click.option("--force", is_flag=True, help="Write into OUT even if it is not empty.")
@_reported
def handout(out, assignment, per_question, no_wheel, no_ci, force):
    """Write the student handout to OUT: starter, README, public cases, the grader without the reference."""
    from .course.handout import build_handout
    files = build_handout(out, assignment, per_question=per_question, wheel=not no_wheel, ci=not no_ci, force=force)
    for p in files:
        click.echo(f"wrote {p}")
    click.echo("checked: no reference code in the handout")


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=ASSIGNMENT_HELP)
@click.option("--seed", type=_Setting(settings.SEED), default=None,
              help="Grading seed baked into the bundle (default: a random one, printed).")
@click.option("--timeout", type=_Setting(settings.TIMEOUT), default=settings.DEFAULT_TIMEOUT, show_default=True,
              help="Seconds allowed per question, 0.1 to 3600.")
@click.option("--memory", type=_Setting(settings.MEMORY), default=1024, show_default=True,
              help="Memory cap, MiB (64 to 1048576).")
@click.option("--visibility", type=VISIBILITY, default="visible", show_default=True,
              help="When students see the per-question results.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
@_reported
def gradescope(out, assignment, seed, timeout, memory, visibility, force):
    """Write a Gradescope autograder bundle OUT.zip (setup.sh, run_autograder, the grader)."""
    from .course.gradescope import build_bundle
    if out.exists() and not force:
        _fail(f"{out} already exists; choose another name or add --force")
    path, used = build_bundle(out, assignment, seed=seed, timeout=timeout, memory_mb=memory, visibility=visibility)
    click.echo(f"wrote {path} (grading seed {used}; regrade a student with "
               f"`grader check FILE --seed {used} --student EMAIL`)")


if __name__ == "__main__":
    main()


@main.command()
@click.argument("args", nargs=-1, metavar="STUDENT QUESTION [POINTS]")
@click.option("--why", required=True, help="Why (kept in the ledger, shown on the student's report).")
@click.option("--undo", "undo_id", default=None, metavar="ID", help="Reverse the override ID (appends a reversal).")
@click.option("--by", default=None, help="Who decides (default: the user running this).")
@click.option("--ledger", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="The ledger (default: the course file's [grading] ledger, else grader-ledger.jsonl beside it).")
@click.option("--roster", type=click.Path(path_type=Path), default=None, metavar="CSV",
              help="The class list: an unknown student is an error.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None, metavar="OUT",
              help="A graded output: an unknown student is an error, and the automatic score replaced is recorded.")
@click.option("--assignment", default=DEFAULT_ASSIGNMENT, show_default=True, help=ASSIGNMENT_HELP)
@click.option("--points", "points", multiple=True, metavar="ID=N", help="Re-weighted questions, as for grade.")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None, metavar="TOML",
              help="Course file; default: ./grader.toml if present.")
@_reported
def override(args, why, undo_id, by, ledger, roster, out, assignment, points, config):
    """Record a grading decision in the ledger: STUDENT QUESTION POINTS (QUESTION: a question id or
    total), or STUDENT excused / STUDENT late-waived; --undo ID reverses one.  Every grade applies it."""
    from .course import ledger as book
    course = _course(config)
    path = book.ledger_path(ledger, course)
    if undo_id is not None:
        if args:
            _fail("--undo ID takes no STUDENT QUESTION POINTS")
        e = book.undo(path, undo_id, why, by)
        click.echo(f"{path}: {e['id']} undoes {undo_id} ({e['student']} {e['target']})")
        return
    if len(args) not in (2, 3):
        _fail("give STUDENT QUESTION POINTS (QUESTION: a question id or total), or STUDENT excused|late-waived")
    student, target = typed_name(args[0]), book.parse_target(args[1])  # (an id in raw bytes: as ids are)
    try:
        value = settings.POINTS.parse(args[2]) if len(args) == 3 else None
    except settings.SettingError as exc:
        _fail(f"POINTS {args[2]!r}: {exc}")
    asg = _assignment(assignment, points, course)
    students, graded = None, None
    if out is not None:
        if not (out / "results.json").is_file():
            _fail(f"--out {out} holds no results.json; give a graded output folder")
        graded = book.graded_scores(out / "results.json")
        students = [s.student for s in graded.values()]
    roster = roster if roster is not None else course.roster
    if roster is not None:
        from .course.roster import read_roster
        students = (students or []) + [st.id for st in read_roster(roster).students]
    book.check(asg, student, target, value, students)
    sub = graded.get(book.key(student)) if graded else None
    e = book.record(path, student, target, value, why, by, book.automatic(sub, target) if sub is not None else None)
    shown = f"{target} = {number(value)}" if value is not None else target
    was = f" (replaces {number(e['replaces'])})" if e["replaces"] is not None else ""
    click.echo(f"{path}: {e['id']} {student} {shown}{was}; grade applies it")


@main.command("ledger")
@click.option("--ledger", "path", type=click.Path(path_type=Path), default=None, metavar="FILE",
              help="The ledger (default: the course file's [grading] ledger, else grader-ledger.jsonl beside it).")
@click.option("--config", "config", type=click.Path(path_type=Path), default=None, metavar="TOML",
              help="Course file; default: ./grader.toml if present.")
@_reported
def ledger_cmd(path, config):
    """List the ledger's entries: id, when, who, student, what, points, why (undone ones marked)."""
    from .course import ledger as book
    path = book.ledger_path(path, _course(config))
    entries = book.read(path)
    if not entries:
        click.echo(f"{path}: no entries")
        return
    undone = {e["undo"] for e in entries if e.get("undo")}
    for e in entries:
        what = (f"undo {e['undo']}" if e.get("undo") else
                f"{e['target']}" + (f" = {number(e['points'])}" if isinstance(e.get("points"), (int, float)) else "")
                + (f" (was {number(e['replaces'])})" if isinstance(e.get("replaces"), (int, float)) else ""))
        mark = "  [undone]" if e["id"] in undone else ""
        click.echo(f"{e['id']}  {e.get('at', '')}  {e.get('by', '')}  {e.get('student', '')}  {what}  -- {e.get('why', '')}{mark}")
