"""Which quote is in force is the selector's answer, for the printed quote and the pages alike."""

import pytest

from aftersales.repairs.models import QuoteState
from aftersales.repairs.selectors import quote_in_force


@pytest.mark.parametrize("state, in_force", [(QuoteState.SENT, True), (QuoteState.ACCEPTED, True),
                                             (QuoteState.REFUSED, False), (QuoteState.SUPERSEDED, False)])
def test_a_sent_or_accepted_quote_is_in_force(state, in_force):
    assert quote_in_force(state) is in_force
