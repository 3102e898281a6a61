"""Command line: a thin click layer over :mod:`grader.api`.  Errors in what the user gave us
are one line naming the file and the fix (exit 2); grading itself exits 0 whatever the scores."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from . import __version__


def _opts(seed, timeout, memory, isolation, require_sandbox, jobs=None):
    from .api import Options
    return Options(seed=seed, timeout=timeout, memory_mb=memory, isolation=isolation,
                   require_sandbox=require_sandbox, jobs=jobs)


def _common(f):
    f = click.option("--seed", type=int, default=0, show_default=True,
                     help="Base seed; each student's inputs derive from it and their id.")(f)
    f = click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
                     help="Seconds allowed per question (and for importing the file).")(f)
    f = click.option("--memory", type=click.IntRange(64, 1 << 20), default=1024, show_default=True,
                     help="Memory cap per submission, MiB.")(f)
    f = click.option("--isolation", type=click.Choice(["auto", "namespaces", "process"]), default="auto",
                     show_default=True, help="Sandbox strength; auto uses the strongest available.")(f)
    f = click.option("--require-sandbox", is_flag=True, help="Fail unless full isolation is available.")(f)
    f = click.option("--assignment", default="hw4", show_default=True, help="Assignment under reference/.")(f)
    f = click.option("--points", "points", multiple=True, metavar="ID=N",
                     help="Re-weight a question, e.g. --points 2.5=6 (repeatable).")(f)
    return f


def _assignment(name: str, points: tuple[str, ...]):
    """Load the assignment and apply --points; bad values are a one-line usage error."""
    from .assignment import load_assignment
    try:
        asg = load_assignment(name)
        weights = {}
        for item in points:
            qid, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"--points {item!r}: write ID=N, e.g. --points 2.5=6")
            try:
                weights[qid.strip().removeprefix("Q")] = float(value)
            except ValueError:
                raise ValueError(f"--points {item!r}: {value!r} is not a number") from None
            if weights[qid.strip().removeprefix("Q")] < 0:
                raise ValueError(f"--points {item!r}: points cannot be negative")
        return asg.with_points(weights) if weights else asg
    except ValueError as exc:
        from .handout import reference_available
        if name == "hw4" and not reference_available(name):
            _fail("this is the student edition of cnn-grader (no reference solution): it can only "
                  "`grader check FILE` against the handout's public_tests.json; grading needs the instructor's install")
        _fail(exc)


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


def _write_outputs(subs, title, junit, gradescope, visibility, per_student, note="", unmatched=()):
    """--junit, --gradescope, and the GitHub Actions job summary when $GITHUB_STEP_SUMMARY is set."""
    from .formats import write_outputs
    try:
        write_outputs(subs, title, junit=junit, gradescope=gradescope, per_student=per_student,
                      visibility=visibility, note=note, unmatched=unmatched)
    except (ValueError, OSError) as exc:
        _fail(exc)
    if junit is not None:
        click.echo(f"wrote {junit}", err=True)
    if gradescope is not None:
        click.echo(f"wrote {gradescope}" + ("/<student>.json" if per_student else ""), err=True)


def _fail(exc: Exception | str):
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


def _sandbox_failed(exc: Exception, isolation: str, require_sandbox: bool):
    """The sandbox could not start: one line saying what to change (exit 2)."""
    if isolation == "namespaces" or require_sandbox:
        fix = "run as root or enable unprivileged user namespaces, or drop --require-sandbox/--isolation namespaces"
    else:
        fix = "check the memory and process limits of this machine (ulimit -a) and retry"
    _fail(f"the sandbox could not start ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); {fix}")


def _warn_reduced(res) -> None:
    """Say once, loudly, that student code is not fully isolated, and what that means as root."""
    import os
    msg = (f"WARNING: reduced isolation ({res.isolation_note or 'no namespaces'}): student code runs "
           "as a plain process with rlimits; use --require-sandbox in grading jobs.")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        msg += (" Running as root without namespaces, student code could modify files this user can "
                "write, the grader's installation included: grade as an unprivileged user or with namespaces.")
    click.echo("\n" + msg, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--shard", "shard_spec", default=None, metavar="K/N",
              help="Grade only shard K of N (deterministic); combine the outputs with `grader merge`.")
@_outputs(per_student=True)
@_common
def grade(submissions, out, jobs, no_cache, roster, shard_spec, junit, gradescope, gradescope_visibility,
          seed, timeout, memory, isolation, require_sandbox, assignment, points):
    """Grade every submission in SUBMISSIONS into OUT (results.json, grades.csv, HTML reports)."""
    from .api import UsageError, grade as grade_api
    from .sandbox import SandboxError
    from .shard import parse_shard, shard as shard_entries
    asg = _assignment(assignment, points)
    if not submissions.exists():
        _fail(f"{submissions}: no such folder; give the folder that holds the submissions")
    try:
        shard = parse_shard(shard_spec) if shard_spec else None
    except ValueError as exc:
        _fail(exc)
    entries = [p for p in submissions.iterdir() if not p.name.startswith(".")] if submissions.is_dir() else []
    n = len(shard_entries(entries, *shard)) if shard and roster is None else len(entries)
    warned = []
    with click.progressbar(length=n, label="grading", file=sys.stderr, show_pos=True) as bar:
        def step(res):
            if res.isolation == "process" and not warned:
                warned.append(1)
                _warn_reduced(res)
            bar.update(1)
        try:
            opts = _opts(seed, timeout, memory, isolation, require_sandbox, jobs)
            opts = type(opts)(**{**opts.__dict__, "cache": not no_cache})
            run = grade_api(submissions, out, opts, assignment=asg, on_result=step,
                            command=shlex.join(["grader", *sys.argv[1:]]), roster=roster, shard=shard)
        except (UsageError, ValueError) as exc:
            _fail(exc)
        except SandboxError as exc:
            _sandbox_failed(exc, isolation, require_sandbox)
    _summary(run)
    if run.cached:
        click.echo(f"{run.cached} unchanged submission(s) reused from the previous grading (--no-cache to regrade)")
    if run.unmatched:
        click.echo(f"{len(run.unmatched)} entr{'y' if len(run.unmatched) == 1 else 'ies'} matched nobody on the roster "
                   "(graded under their own names): " + ", ".join(run.unmatched[:10])
                   + (" ..." if len(run.unmatched) > 10 else ""))
    click.echo(f"wrote {out / 'results.json'}, {out / 'grades.csv'}, {out / 'index.html'}")
    _write_outputs(run.submissions, run.title, junit, gradescope, gradescope_visibility, per_student=True,
                   unmatched=run.unmatched, note=f"shard {shard[0]} of {shard[1]}" if shard else "")


def _summary(run):
    subs = run.submissions
    if not subs:
        click.echo("no submissions found")
        return
    qids = [q.id for q in subs[0].questions]
    width = max(8, *(len(s.student) for s in subs[:200]))
    click.echo(f"{'student':<{width}}  " + " ".join(f"{q:>4}" for q in qids) + "   total")
    mark = {"passed": "ok", "failed": "x", "error": "E", "timeout": "T", "missing": "-"}
    for s in subs:
        cells = " ".join(f"{mark.get(q.status, '?'):>4}" for q in s.questions)
        click.echo(f"{s.student:<{width}}  {cells}   {s.score:g}/{s.max_score:g}" + ("  (" + s.error[:60] + ")" if s.error else ""))
    mean = sum(s.score for s in subs) / len(subs)
    click.echo(f"{len(subs)} graded; mean {mean:.2f}/{run.max_score:g}   [ok passed, x failed, E error, T timeout, - missing]")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print this submission's results.json entry.")
@click.option("--html", type=click.Path(path_type=Path), default=None, help="Also write the HTML report here.")
@click.option("--student", default=None, help="Student id (default: the file name without .py).")
@click.option("--public", "public", type=click.Path(path_type=Path), default=None, metavar="JSON",
              help="Check against these public cases only (the handout's public_tests.json). Without a "
                   "reference installed, public_tests.json next to FILE or here is used.")
@click.option("--fail-under", type=click.FloatRange(min=0), default=None, metavar="SCORE",
              help="Exit 1 only when the score is below SCORE (default: unless every question passes).")
@_outputs(per_student=False)
@_common
def check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
          seed, timeout, memory, isolation, require_sandbox, assignment, points):
    """Grade one FILE (or folder / .zip) and explain every question. Exit 0 iff all pass."""
    # The sandbox's zygote imports NumPy while we do: start it before anything else
    from .launch import DEFAULT_TMP_MB, discard_early, hidden_paths, start_early
    start_early("namespaces" if require_sandbox and isolation == "auto" else isolation, hidden_paths(),
                DEFAULT_TMP_MB)
    try:
        _check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
               seed, timeout, memory, isolation, require_sandbox, assignment, points)
    finally:
        discard_early()  # if it was not adopted (an error came first, or a different sandbox)


def _check(file, as_json, html, student, public, fail_under, junit, gradescope, gradescope_visibility,
           seed, timeout, memory, isolation, require_sandbox, assignment, points):
    from .api import UsageError, check as check_api
    from .sandbox import SandboxError
    from .handout import check_public, find_public_cases, load_public, public_assignment, public_notice, reference_available
    from .results import dumps
    note = ""
    if public is None and not reference_available(assignment):
        public = find_public_cases(file)
        if public is None:
            _fail(f"no reference solution is installed and no public_tests.json is next to {file} or in this "
                  "folder; give --public PATH (the file comes with your handout)")
    try:
        if public is not None:
            if points:
                _fail("--points does not apply to --public cases")
            asg = public_assignment(load_public(public))[0]
            res = check_public(file, public, _opts(seed, timeout, memory, isolation, require_sandbox), student=student)
            note = public_notice(public)
        else:
            asg = _assignment(assignment, points)
            res = check_api(file, _opts(seed, timeout, memory, isolation, require_sandbox), assignment=asg,
                            student=student)
    except (UsageError, ValueError) as exc:
        _fail(exc)
    except SandboxError as exc:
        _sandbox_failed(exc, isolation, require_sandbox)
    if html is not None:
        from .report import Renderer
        if html.exists() and html.is_dir():
            _fail(f"--html {html} is a folder; give a file name such as report.html")
        Renderer(asg).write_student(res, html)
    if as_json:
        click.echo(dumps(res))
        if note:
            click.echo(note, err=True)
    else:
        if note:
            click.secho(note, fg="yellow")
        _explain(res)
        if html is not None:
            click.echo(f"report written to {html}")
    _write_outputs([res], asg.title, junit, gradescope, gradescope_visibility, per_student=False, note=note)
    ok = res.passed_all if fail_under is None else res.score >= fail_under
    sys.exit(0 if ok else 1)


def _explain(res):
    click.echo(f"{res.student}: {res.score:g}/{res.max_score:g}   (isolation: {res.isolation or 'none'}"
               + (f"; {res.isolation_note}" if res.isolation_note else "") + ")")
    for note in res.notes:
        click.secho(f"note: {note}", fg="yellow")
    if res.error:
        click.secho(f"your file could not be graded: {res.error}", fg="red")
        if res.traceback:
            click.echo(res.traceback)
        return
    colors = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow", "missing": "bright_black"}
    for q in res.questions:
        click.echo(click.style(f"{q.status.upper():>8}", fg=colors.get(q.status)) +
                   f"  Q{q.id} {q.function}  {q.score:g}/{q.max_score:g}  {q.message}")
        if q.traceback and q.status == "error":
            click.echo("          " + q.traceback.replace("\n", "\n          "))


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default="hw4", show_default=True, help="Assignment under reference/.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def starter(out, assignment, force):
    """Write the student starter file (every function stubbed) to OUT."""
    from .api import starter as starter_api
    if out.exists() and not force:
        _fail(f"{out} already exists; choose another name or add --force")
    try:
        out.write_text(starter_api(assignment, filename=out.name), encoding="utf-8")
    except (ValueError, OSError) as exc:
        _fail(exc)
    click.echo(f"wrote {out}")


@main.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output folder.")
@_outputs(per_student=True)
def merge(folders, out, junit, gradescope, gradescope_visibility):
    """Combine the output FOLDERS of `grade --shard K/N` into OUT (results.json, grades.csv, HTML)."""
    from .shard import merge_outputs
    try:
        run = merge_outputs(list(folders), out, command=shlex.join(["grader", *sys.argv[1:]]))
    except (ValueError, OSError) as exc:
        _fail(exc)
    _summary(run)
    click.echo(f"merged {len(folders)} outputs; wrote {out / 'results.json'}, {out / 'grades.csv'}, {out / 'index.html'}")
    _write_outputs(run.submissions, run.title, junit, gradescope, gradescope_visibility, per_student=True,
                   unmatched=run.unmatched)


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default="hw4", show_default=True, help="Assignment under reference/.")
@click.option("--cases", "per_question", type=click.IntRange(1, 20), default=2, show_default=True,
              help="Public cases per question.")
@click.option("--no-wheel", is_flag=True, help="Leave out the grader wheel (then students need another way to install it).")
@click.option("--no-ci", is_flag=True, help="Leave out .github/workflows/selfcheck.yml.")
@click.option("--force", is_flag=True, help="Write into OUT even if it is not empty.")
def handout(out, assignment, per_question, no_wheel, no_ci, force):
    """Write the student handout to OUT: starter, README, public cases, the grader without the reference."""
    from .handout import build_handout
    try:
        files = build_handout(out, assignment, per_question=per_question, wheel=not no_wheel, ci=not no_ci,
                              force=force)
    except (ValueError, OSError, RuntimeError) as exc:
        _fail(exc)
    for p in files:
        click.echo(f"wrote {p}")
    click.echo("checked: no reference code in the handout")


@main.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--assignment", default="hw4", show_default=True, help="Assignment under reference/.")
@click.option("--seed", type=int, default=None, help="Grading seed baked into the bundle (default: a random one, printed).")
@click.option("--timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="Seconds allowed per question.")
@click.option("--memory", type=click.IntRange(64, 1 << 20), default=1024, show_default=True, help="Memory cap, MiB.")
@click.option("--visibility", type=VISIBILITY, default="visible", show_default=True,
              help="When students see the per-question results.")
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def gradescope(out, assignment, seed, timeout, memory, visibility, force):
    """Write a Gradescope autograder bundle OUT.zip (setup.sh, run_autograder, the grader)."""
    from .gradescope_bundle import build_bundle
    if out.exists() and not force:
        _fail(f"{out} already exists; choose another name or add --force")
    try:
        path, used = build_bundle(out, assignment, seed=seed, timeout=timeout, memory_mb=memory, visibility=visibility)
    except (ValueError, OSError) as exc:
        _fail(exc)
    click.echo(f"wrote {path} (grading seed {used}; regrade a student with "
               f"`grader check FILE --seed {used} --student EMAIL`)")


if __name__ == "__main__":
    main()
