"""cnn-grader: grade numerical homework in a sandbox, with feedback that teaches.

The public API lives in :mod:`grader.api` (``grade``, ``check``); the CLI is a thin layer
over it.  Imports stay lazy so that ``grader check`` starts fast.
"""
__version__ = "0.1.0"
DEFAULT_ASSIGNMENT = "hw4"  # the one place the engine names an assignment: what --assignment defaults to
ENTRY_POINT = "grader.entry:main"  # the console script (pyproject.toml, the handout's wheel, Gradescope's)
