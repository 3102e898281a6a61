"""Score and diagnose: turn what the sandbox brought back into per-question results."""
from __future__ import annotations

from .assignment import Assignment, Trials
from .compare import compare, tolerance_text
from .diagnose import diagnose
from .results import QuestionResult, SubmissionResult
from .sandbox import QuestionRun, SubmissionRun
from .text import one_line

_STATUS = {"error": "error", "crash": "error", "missing": "missing", "timeout": "timeout"}


def passed_trials(q, trials: Trials, outputs: list, first_failure: int) -> int:
    """How many trials pass (those before the first failure did; the rest are checked one by
    one, with the same rule as :func:`compare`)."""
    n = first_failure
    for t in range(first_failure, len(trials)):
        one = Trials(args={k: v[t:t + 1] for k, v in trials.args.items()}, expected=trials.expected[t:t + 1],
                     labels=[trials.labels[t]], nargs=[trials.nargs[t]] if trials.nargs is not None else None,
                     reference=trials.reference)
        n += compare(q, one, [outputs[t]]).passed
    return n


def score_question(q, trials: Trials, qrun: QuestionRun | None, import_error: str,
                   partial_credit: bool = False) -> QuestionResult:
    res = QuestionResult(id=q.id, function=q.function, title=q.title, score=0.0, max_score=float(q.points),
                         status="error", trials=0, message="", tolerance=tolerance_text(q))
    if qrun is None:
        res.message = f"not run: {one_line(import_error)}" if import_error else "not run"
        return res
    res.seconds, res.stdout, res.stderr = qrun.seconds, qrun.stdout, qrun.stderr
    res.traceback, res.returned = qrun.traceback, qrun.types
    if qrun.status == "ok":
        res.trials = len(qrun.outputs)
        verdict = compare(q, trials, qrun.outputs, qrun.stacked)
        res.status = "passed" if verdict.passed else "failed"
        res.score = float(q.points) if verdict.passed else 0.0
        res.message, res.failure = verdict.message, verdict.failure
        if partial_credit and not verdict.passed and len(qrun.outputs) == len(trials) and len(trials):
            # points x the fraction of trials passed (a wrong count of answers earns nothing)
            good = passed_trials(q, trials, qrun.outputs, verdict.failure.trial if verdict.failure else 0)
            res.score = round(float(q.points) * good / len(trials), 6)
            res.message = f"{res.message} (partial credit: {good} of {len(trials)} trials passed)"
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
    return res



def score_submission(assignment: Assignment, trials: dict[str, Trials], run: SubmissionRun,
                     student: str, source: str, seed: int, digest: str = "",
                     partial_credit: bool = False) -> SubmissionResult:
    sub = SubmissionResult(student=student, source=source, score=0.0, max_score=assignment.max_score,
                           error=one_line(run.import_error), report="", seed=seed, isolation=run.isolation,
                           isolation_note=run.note, seconds=run.seconds, digest=digest,
                           traceback=run.import_traceback, stdout=run.stdout, stderr=run.stderr)
    for q in assignment.questions:
        sub.questions.append(score_question(q, trials[q.id], run.questions.get(q.id), run.import_error,
                                            partial_credit))
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


def apply_late(sub: SubmissionResult, late: bool, days: float | None, policy) -> SubmissionResult:
    """Mark ``sub`` late (or not) and set its score to its questions' points times the late
    policy's factor (``grader.course.LatePolicy``; ``None``: no penalty).  Idempotent: a result
    reused from an earlier grading is scored again from its questions."""
    sub.late = bool(late or (days and days > 0))
    sub.days_late = days
    sub.late_factor = policy.multiplier(late, days) if policy is not None else 1.0
    sub.score = round(float(sum(q.score for q in sub.questions)) * sub.late_factor, 6)
    return sub
