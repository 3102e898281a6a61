"""The sandbox: running untrusted code, and nothing else.

:mod:`.supervisor` (the grader's side) starts a zygote through :mod:`.launch`, hands it one
submission at a time and reads back what :mod:`._runtime` (the child's side, which never imports
the grader) sends as :mod:`.wire` frames, each field checked by :mod:`.frames`.  :mod:`._imports`
is the import policy of student code.
"""
