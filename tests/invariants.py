"""assert_invariants(): what every concurrency test checks when it is done.

from tests.invariants import assert_invariants
...
assert_invariants()  # at the end: trails, owners, flow tasks, payments, files
"""

from casework.core.invariants import find_violations


def assert_invariants() -> None:
    violations = find_violations()
    assert not violations, "invariant violations:\n" + "\n".join(map(str, violations))
