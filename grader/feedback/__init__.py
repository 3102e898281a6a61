"""Feedback: what a wrong answer is -- known mistakes and generic findings (:mod:`.diagnose`),
probes of the student's own function (:mod:`.probes`), and the formulas shown with --reveal
(:mod:`.formula`)."""
