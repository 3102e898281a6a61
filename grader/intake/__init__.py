"""Intake: finding and preparing submissions, in the grader's own process.

Nothing of the student's runs here: :mod:`.discover` finds each student's entry (a file, a
folder, a zip) and copies what is graded, within bounds; :mod:`.notebook` turns a notebook's
code cells into one importable file (reading its JSON with :mod:`.jsonscan`, which builds only
the cells' types and code); :mod:`.written` and :mod:`.notation` turn written answers
into a module the sandbox runs.  Work on these untrusted bytes is linear in time and bounded
in memory.
"""
