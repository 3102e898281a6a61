"""Score and diagnose: turn what the sandbox brought back into per-question results."""
from __future__ import annotations

from ..sandbox._imports import missing_note, standin_note
from ..assignment import Assignment, Generated, Trials, trial_groups
from .compare import compare_groups, passed_trials, split, tolerance_text
from ..results import Failure, QuestionResult, SubmissionResult
from ..sandbox.supervisor import QuestionRun, SubmissionRun
from ..text import one_line

_STATUS = {"error": "error", "crash": "error", "missing": "missing", "timeout": "timeout"}
# What a report keeps of the values a submission returned (results.json and memory stay small
# whatever it returned): one failing trial per question, no more than a few times the expected
# answer's numbers (a reshaped or padded answer still shows), and a cap for all questions together.
GOT_FACTOR, GOT_FLOOR = 4, 1000  # numbers kept of one answer: max(FLOOR, FACTOR x expected)
GOT_PER_SUBMISSION = 200_000  # numbers kept of all its answers together


def score_question(q, trials: Generated, qrun: QuestionRun | None, import_error: str,
                   kept: list[int] | None = None, partial_credit: bool = False) -> QuestionResult:
    """``trials``: the question's Trials, or its shape groups (every trial of every group must
    pass; the failure shown and diagnosed is the first failing group's).  ``kept``: a
    one-number list, the answer values the submission's report holds so far."""
    groups = trial_groups(trials, q.id)
    total = sum(len(g) for g in groups)
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
        verdict, at = compare_groups(q, groups, qrun.outputs, qrun.stacked)
        res.status = "passed" if verdict.passed else "failed"
        res.score = float(q.points) if verdict.passed else 0.0
        res.message, res.failure = verdict.message, verdict.failure
        _bound_got(res.failure, kept if kept is not None else [0])
        whole = len(qrun.outputs) == total  # (else no answer can be matched with its trial)
        if partial_credit and not verdict.passed and whole and total:
            # points x the fraction of trials passed (a wrong count of answers earns nothing)
            good = _passed(q, groups, qrun.outputs, at, verdict.failure.trial if verdict.failure else 0)
            res.score = round(float(q.points) * good / total, 6)
            res.message = f"{res.message} (partial credit: {good} of {total} trials passed)"
        if not verdict.passed:
            from ..feedback.diagnose import diagnose  # (imported on the first wrong answer: a passing check starts faster)
            group, outputs = groups[0], qrun.outputs
            if whole and len(groups) > 1:  # the failing group's trials and answers
                group, outputs, _, _ = list(split(groups, qrun.outputs))[at]
            d = diagnose(q, group, outputs)
            if whole and len(groups) > 1 and not d.misconceptions:
                # a factor that changes with the shapes: only all the groups together show it
                from ..feedback.diagnose import size_factor_finding
                try:
                    note = size_factor_finding(q, [(g, outs) for g, outs, _, _ in split(groups, qrun.outputs)])
                except Exception:  # noqa: BLE001 - a diagnosis is a bonus; never let it break grading
                    note = ""
                if note:
                    d.message, d.notes = note, [note]
            res.misconceptions, res.hints, res.notes = d.misconceptions, d.hints, d.notes
            if d.message:
                res.message = f"{d.message} {res.message}"
            _changed_arguments(res, groups[0], qrun.changed, lead=not d.message or d.mapped)
            if qrun.parts is not None and whole and len(groups) == 1:
                from ..feedback.terms import wrong_terms
                named = wrong_terms(groups[0].expected, qrun.parts)
                if named:
                    res.message = f"{named} {res.message}"
        return res
    res.status = _STATUS.get(qrun.status, "error")
    known = qrun.trial is not None and 0 <= qrun.trial < total  # (the sandbox checked it already)
    res.trials = (qrun.trial + 1) if known else (0 if qrun.status == "missing" or not qrun.started else 1)
    if known:
        res.failure = call_record(groups, qrun.trial)
    where = f" on trial {qrun.trial + 1} ({res.failure.label})" if known else ""
    res.message = one_line(qrun.error) + where  # the full text stays in the traceback
    return res


def _changed_arguments(res: QuestionResult, trials: Trials, changed: tuple[int, ...], lead: bool) -> None:
    """A wrong answer whose function changed arguments in place: said after the findings about
    its values, or first where there are none."""
    names = list(trials.args)
    from ..feedback.dependence import changed_note
    note = changed_note([names[i] for i in changed if i < len(names)])
    if not note:
        return
    res.notes = list(res.notes) + [note]
    if lead:
        res.message = f"{note} {res.message}"


def _passed(q, groups: tuple[Trials, ...], outputs: list, at: int | None, failed: int) -> int:
    """Trials passed, all groups together: the groups before the failing one ``at`` passed,
    and in it the trials before the failing one (``failed``, counted over all groups)."""
    good = 0
    for i, (g, outs, _, first) in enumerate(split(groups, outputs)):
        if at is None or i < at:
            good += len(g)
        else:
            start = failed - first if i == at else 0
            good += start + passed_trials(q, g, outs, start)
    return good


def call_record(trials: Generated, t: int) -> Failure:
    """The call that raised or did not finish (trial ``t``, counted over all shape groups), as
    a report shows a failing trial's inputs."""
    from .compare import _plain
    first = 0
    for g in trial_groups(trials):
        if t - first < len(g):
            break
        first += len(g)
    r = t - first  # (its row in its group)
    n = g.nargs[r] if g.nargs is not None else None
    return Failure(trial=t, label=g.labels[r], inputs={k: _plain(v[r]) for k, v in list(g.args.items())[:n]})


def module_notes(run: SubmissionRun) -> list[str]:
    """What the report says about the packages the file imported that the grader lacks."""
    return [standin_note(m) for m in run.standins] + [missing_note(m) for m in run.missing_modules]



def score_submission(assignment: Assignment, trials: dict[str, Generated], run: SubmissionRun,
                     student: str, source: str, seed: int, digest: str = "",
                     partial_credit: bool = False) -> SubmissionResult:
    sub = SubmissionResult(student=student, source=source, score=0.0, max_score=assignment.max_score,
                           error=one_line(run.import_error), report="", seed=seed, isolation=run.isolation,
                           isolation_note=run.note, seconds=run.seconds, digest=digest,
                           traceback=run.import_traceback, stdout=run.stdout, stderr=run.stderr,
                           output_dropped=run.dropped, notes=module_notes(run))
    kept = [0]
    for q in assignment.questions:
        sub.questions.append(score_question(q, trials[q.id], run.questions.get(q.id), run.import_error, kept,
                                            partial_credit))
    if assignment.kind == "written":
        _as_answers(sub, run)
    sub.score = float(sum(q.score for q in sub.questions))
    return sub


def _as_answers(sub: SubmissionResult, run: SubmissionRun) -> None:
    """A written assignment's results speak of answers, not of the generated code that read them."""
    from .answers import as_answer
    for res in sub.questions:
        qrun = run.questions.get(res.id)
        as_answer(res, qrun.error if qrun is not None else "")


def _bound_got(failure, kept: list[int]) -> None:
    """Drop the returned value from a failure when it is far larger than the answer, or when
    the submission's report already holds its share: the message still gives its shape."""
    if failure is None or failure.got is None:
        return
    size = _count(failure.got, GOT_PER_SUBMISSION + 1)
    if size > max(GOT_FLOOR, GOT_FACTOR * failure.elements) or kept[0] + size > GOT_PER_SUBMISSION:
        failure.got = None  # (wrong_mask has the expected shape: it stays)
        return
    kept[0] += size


def _count(tree, most: int) -> int:
    """Leaves of a nested list (compare's rendering of an array), counting no further than ``most``."""
    if not isinstance(tree, list):
        return 1
    total, stack = 0, [tree]
    while stack and total <= most:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        else:
            total += 1
    return total


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
    policy's factor (``grader.course.config.LatePolicy``; ``None``: no penalty).  Idempotent: a result
    reused from an earlier grading is scored again from its questions."""
    sub.late = bool(late or (days and days > 0))
    sub.days_late = days
    sub.late_factor = policy.multiplier(late, days) if policy is not None else 1.0
    sub.score = round(float(sum(q.score for q in sub.questions)) * sub.late_factor, 6)
    return sub
