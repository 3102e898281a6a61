"""Expected grader verdicts for the example submissions in ``submissions/``.

``EXPECTED[entry][question_id]`` is the status the grader must report for that entry
("passed", "failed" or "missing"); entries are the names in ``submissions/`` (the folder
submission is keyed by its folder name).  Every mistake file is correct apart from its one
mistake, so it fails exactly the question(s) listed in ``MISTAKE_OF`` and passes the rest.

Notes:
- starter.py raises NotImplementedError everywhere -> every question "missing".
- partial.py: Part 1 correct; 2.1, 2.2, 2.3, 2.5 raise NotImplementedError ("missing");
  grad_filters (2.4) was started but has no ``return``, so it returns None -> "missing"
  (the contract: absent, raises NotImplementedError, or returns None).
- mistake_hardcoded_sizes passes the default call but fails 1.1 on other geometries.
"""

QUESTIONS = ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5")

# mistake file -> (question id, or tuple of ids, that the mistake breaks; mistake id)
MISTAKE_OF = {
    "mistake_no_plus_one.py": ("1.1", "no_plus_one"),
    "mistake_ignores_stride.py": ("1.1", "ignores_stride"),
    "mistake_hardcoded_sizes.py": ("1.1", "hardcoded_sizes"),
    "mistake_no_sigmoid_conv.py": ("1.2", "no_sigmoid_conv"),
    "mistake_true_convolution.py": ("1.2", "true_convolution"),
    "mistake_transposed_filter.py": ("1.2", "transposed_filter"),
    "mistake_average_pool.py": ("1.3", "average_pool"),
    "mistake_stride2_pool.py": ("1.3", "stride2_pool"),
    "mistake_no_output_sigmoid.py": ("1.4", "no_output_sigmoid"),
    "mistake_no_sigmoid_derivative.py": (("2.1", "2.2"), "no_sigmoid_derivative"),
    "mistake_sign_flipped.py": (("2.1", "2.2"), "sign_flipped"),
    "mistake_one_output_only.py": ("2.2", "one_output_only"),
    "mistake_answer_key_quarter.py": ("2.3", "answer_key_quarter"),
    "mistake_assign_not_accumulate.py": ("2.3", "assign_not_accumulate"),
    "mistake_average_pool_grad.py": ("2.3", "average_pool_grad"),
    "mistake_missing_y_derivative.py": ("2.4", "missing_y_derivative"),
    "mistake_max_all_four.py": ("2.5", "max_all_four"),
    "mistake_max_swapped_argmax.py": ("2.5", "max_swapped_argmax"),
    "mistake_max_assign.py": ("2.5", "max_assign"),
}

EXPECTED = {
    "correct_loops.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "correct_vectorized.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "correct_float32.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "correct_package": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "starter.py": {
        "1.1": "missing", "1.2": "missing", "1.3": "missing", "1.4": "missing",
        "2.1": "missing", "2.2": "missing", "2.3": "missing", "2.4": "missing", "2.5": "missing"},
    "partial.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "missing", "2.2": "missing", "2.3": "missing", "2.4": "missing", "2.5": "missing"},
    "mistake_no_plus_one.py": {
        "1.1": "failed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_ignores_stride.py": {
        "1.1": "failed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_hardcoded_sizes.py": {
        "1.1": "failed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_no_sigmoid_conv.py": {
        "1.1": "passed", "1.2": "failed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_true_convolution.py": {
        "1.1": "passed", "1.2": "failed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_transposed_filter.py": {
        "1.1": "passed", "1.2": "failed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_average_pool.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "failed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_stride2_pool.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "failed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_no_output_sigmoid.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "failed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_no_sigmoid_derivative.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "failed", "2.2": "failed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_sign_flipped.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "failed", "2.2": "failed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_one_output_only.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "failed", "2.3": "passed", "2.4": "passed", "2.5": "passed"},
    "mistake_answer_key_quarter.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "failed", "2.4": "passed", "2.5": "passed"},
    "mistake_assign_not_accumulate.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "failed", "2.4": "passed", "2.5": "passed"},
    "mistake_average_pool_grad.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "failed", "2.4": "passed", "2.5": "passed"},
    "mistake_missing_y_derivative.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "failed", "2.5": "passed"},
    "mistake_max_all_four.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "failed"},
    "mistake_max_swapped_argmax.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "failed"},
    "mistake_max_assign.py": {
        "1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "passed",
        "2.1": "passed", "2.2": "passed", "2.3": "passed", "2.4": "passed", "2.5": "failed"},
}
