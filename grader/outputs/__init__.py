"""Outputs: everything written from the one results shape -- HTML reports and the dashboard
(:mod:`.report`), JUnit/Gradescope/job summaries (:mod:`.formats`), LMS gradebooks
(:mod:`.export`), and the output folder with its atomic writes (:mod:`.outdir`, :mod:`.atomic`)."""
