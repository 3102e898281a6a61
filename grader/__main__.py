"""``python -m grader``: the same program as the ``grader`` command.

``-m`` puts the current folder first on ``sys.path``: run from inside a submissions folder, a
student's ``csv.py`` or ``zipfile.py`` would stand in for the standard library's in the grader
itself.  It goes before anything else is imported (only this package's empty ``__init__`` was).
"""
import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from .entry import main  # noqa: E402

main()
