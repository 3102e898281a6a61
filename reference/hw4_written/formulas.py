"""The correct formulas (shown only with --reveal): the written answers' are hw4's, element by element."""
from reference.hw4.formulas import formula  # noqa: F401  (the same questions, shapes and indices)
