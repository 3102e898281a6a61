"""Score and diagnose: turn what the sandbox brought back into per-question results."""
from __future__ import annotations

from ._imports import missing_note, standin_note
from .assignment import Assignment, Trials
from .compare import compare, tolerance_text
from .diagnose import diagnose
from .results import Failure, QuestionResult, SubmissionResult
from .sandbox import QuestionRun, SubmissionRun
from .text import one_line

_STATUS = {"error": "error", "crash": "error", "missing": "missing", "timeout": "timeout"}


def score_question(q, trials: Trials, qrun: QuestionRun | None, import_error: str) -> QuestionResult:
    res = QuestionResult(id=q.id, function=q.function, title=q.title, score=0.0, max_score=float(q.points),
                         status="error", trials=0, message="", tolerance=tolerance_text(q))
    if qrun is None:
        res.message = f"not run: {one_line(import_error)}" if import_error else "not run"
        return res
    res.seconds, res.stdout, res.stderr = qrun.seconds, qrun.stdout, qrun.stderr
    res.output_dropped = qrun.dropped
    res.traceback, res.returned = qrun.traceback, qrun.types
    if qrun.status == "ok":
        res.trials = len(qrun.outputs)
        verdict = compare(q, trials, qrun.outputs, qrun.stacked)
        res.status = "passed" if verdict.passed else "failed"
        res.score = float(q.points) if verdict.passed else 0.0
        res.message, res.failure = verdict.message, verdict.failure
        if not verdict.passed:
            d = diagnose(q, trials, qrun.outputs)
            res.misconceptions, res.hints, res.notes = d.misconceptions, d.hints, d.notes
            if d.message:
                res.message = f"{d.message} {res.message}"
        return res
    res.status = _STATUS.get(qrun.status, "error")
    res.trials = (qrun.trial + 1) if qrun.trial is not None else (0 if qrun.status == "missing" else 1)
    where = f" on trial {qrun.trial + 1} ({trials.labels[qrun.trial]})" if qrun.trial is not None and qrun.trial < len(trials) else ""
    res.message = one_line(qrun.error) + where  # the full text stays in the traceback
    if qrun.trial is not None and 0 <= qrun.trial < len(trials):
        res.failure = call_record(trials, qrun.trial)
    return res


def call_record(trials: Trials, t: int) -> Failure:
    """The call that raised or did not finish, as a report shows a failing trial's inputs."""
    from .compare import _plain
    n = trials.nargs[t] if trials.nargs is not None else None
    return Failure(trial=t, label=trials.labels[t],
                   inputs={k: _plain(v[t]) for k, v in list(trials.args.items())[:n]})


def module_notes(run: SubmissionRun) -> list[str]:
    """What the report says about the packages the file imported that the grader lacks."""
    return [standin_note(m) for m in run.standins] + [missing_note(m) for m in run.missing_modules]



def score_submission(assignment: Assignment, trials: dict[str, Trials], run: SubmissionRun,
                     student: str, source: str, seed: int, digest: str = "") -> SubmissionResult:
    sub = SubmissionResult(student=student, source=source, score=0.0, max_score=assignment.max_score,
                           error=one_line(run.import_error), report="", seed=seed, isolation=run.isolation,
                           isolation_note=run.note, seconds=run.seconds, digest=digest,
                           traceback=run.import_traceback, stdout=run.stdout, stderr=run.stderr,
                           output_dropped=run.dropped, notes=module_notes(run))
    for q in assignment.questions:
        sub.questions.append(score_question(q, trials[q.id], run.questions.get(q.id), run.import_error))
    sub.score = float(sum(q.score for q in sub.questions))
    return sub


def unrunnable(assignment: Assignment, student: str, source: str, seed: int, error: str) -> SubmissionResult:
    """A submission that could not even be prepared (bad zip, no .py file, ...)."""
    sub = SubmissionResult(student=student, source=source, score=0.0, max_score=assignment.max_score,
                           error=error, report="", seed=seed)
    for q in assignment.questions:
        sub.questions.append(QuestionResult(id=q.id, function=q.function, title=q.title, score=0.0,
                                            max_score=float(q.points), status="error", trials=0,
                                            message=f"not run: {error}"))
    return sub
