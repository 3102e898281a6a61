"""``grader similar``: which submissions look copied from each other.

    sources (intake, as grading sees it) -> fingerprints (copydetect) -> pairs -> outputs

:mod:`.sources` reads every submission through the grader's own intake (files, folders, zips,
notebooks; written answers normalised), :mod:`.match` fingerprints each once with copydetect and
finds the pairs that share fingerprints through an inverted index, and
:mod:`grader.outputs.similarity` writes the ranking and the side-by-side page.  No student code
is imported or run.
"""
