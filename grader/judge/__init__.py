"""Judging: comparing a submission's answers with the reference (:mod:`.compare`) and scoring
them (:mod:`.score`)."""
