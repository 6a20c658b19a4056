"""Edge cases of the survey statistics found by the fuzz suite (tests/test_fuzz.py)."""

from __future__ import annotations

import numpy as np

from stamning.summary.stats import compare_net_scores


def test_a_round_with_one_comment_has_no_test_instead_of_an_error():
    result = compare_net_scores(np.array([-2.0]), np.array([1.0, 2.0, -1.0]))  # scipy refuses one observation
    assert result.p_value is None and result.change is not None
    assert compare_net_scores(np.array([1.0]), np.array([1.0])).p_value == 1.0  # all equal: nothing changed
