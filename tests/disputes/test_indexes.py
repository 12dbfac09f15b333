"""The partial indexes of the queue order cover exactly the cases that are not final."""

from casework.disputes.models import OPEN_ORDER_STATES, Dispute


def test_the_open_order_states_are_the_states_that_are_not_final():
    assert set(OPEN_ORDER_STATES) == set(Dispute.State.values) - set(Dispute.FINAL_STATES)
