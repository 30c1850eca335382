"""RFC 3261 §9.2 ¶1 (RFC3261-9.2-1, MUST): "The TU determines the transaction to be cancelled by taking
the CANCEL request, and then assuming that the request method is anything but CANCEL or ACK and applying
the transaction matching procedures of Section 17.2.3. The matching transaction is the one to be
cancelled."

As properties (Hypothesis): CANCELs that differ from the §9.1 one only where §17.2.3 does not look
(header-name case, compact forms, whitespace, parameter order, Route values joined or split) cancel the
INVITE; CANCELs whose branch or sent-by differ cancel nothing (whether they get 481 is RFC3261-9.2-6, and
unknown header fields are RFC3261-9.2-3, each tested on its own). Example counts are bounded and there is
no shrinking (each step would be a call to the DUT); a failure prints the seed (``--hypothesis-seed``)
and a ``@reproduce_failure`` blob to replay it.
"""

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sipconform.flows.uas import CancelControl, await_final, cancel, is_final_to, ring
from sipconform.strategies import branches, cancel_variants_from
from sipconform.verdict import precondition
from sipconform.verify.cancel import cancel_answered_200

pytestmark = [pytest.mark.clause("RFC3261-9.2-1"), pytest.mark.role("uas")]

PROPERTY = settings(max_examples=8, deadline=None, print_blob=True, database=None,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
OTHER_LOOPBACK_HOSTS = st.sampled_from(["127.0.0.3", "127.0.0.4", "127.9.9.9"])  # never leave loopback


@pytest.fixture
def cancel_control(sip_peer, dut):
    """One plain-CANCEL control for all examples of a property (run the first time a variant is refused)."""
    return CancelControl(sip_peer, dut)


@PROPERTY
@given(data=st.data())
def test_cancel_differing_only_in_form_cancels(sip_peer_factory, dut, sip_timers, cancel_control, data):
    """Stimulus: INVITE; the DUT rings; a drawn CANCEL that matches by §17.2.3.
    Expectation: the CANCEL is answered 200 and the INVITE ends with a non-2xx final response. A refused
    one while a plain CANCEL is refused too is inconclusive (the control runs once, on the first refusal)."""
    with sip_peer_factory() as peer:
        with precondition("the DUT rings on an INVITE"):
            call = ring(peer, dut)
        request = data.draw(cancel_variants_from(call.invite, folding=False, unknown_headers=False), label="CANCEL")
        cancel(call, request=request)
        response = peer.expect_response(request, final=True)
        if response.status != 200:
            with precondition("a plain CANCEL gets 200 (RFC3261-9.2-10), so the refusal is the form's doing"):
                assert not (refused := cancel_answered_200(cancel_control.plain_answer())), refused[0]
        assert response.status == 200, f"a matching CANCEL got {response.start_line!r}:\n{request}"
        with precondition("the cancelled INVITE ends at once (RFC3261-9.2-8)"):
            final = await_final(call, within=sip_timers.tolerance(sip_timers.immediately))
        assert final.status >= 300, f"the INVITE was answered {final.start_line!r} after a matching CANCEL"


def _other_branch(invite):
    via = invite.top_via
    return cancel_variants_from(invite, branches_=branches().filter(lambda b: b != via.branch),
                                folding=False, unknown_headers=False)


def _other_sent_by(invite):
    via = invite.top_via
    return cancel_variants_from(invite, hosts_=OTHER_LOOPBACK_HOSTS.filter(lambda h: h != via.host),
                                folding=False, unknown_headers=False)


@pytest.mark.parametrize("differing", [_other_branch, _other_sent_by], ids=["other-branch", "other-sent-by"])
@settings(PROPERTY, max_examples=PROPERTY.max_examples // 2)  # each kind drawn every run, same total
@given(data=st.data())
def test_cancel_with_other_branch_or_sent_by_cancels_nothing(sip_peer_factory, dut, sip_timers, differing, data):
    """Stimulus: INVITE; the DUT rings; a drawn CANCEL with another branch (or another sent-by host).
    Expectation: the INVITE gets no final response within 4*T1 of the CANCEL's response."""
    with sip_peer_factory() as peer:
        with precondition("the DUT rings on an INVITE"):
            call = ring(peer, dut)
        request = data.draw(differing(call.invite), label="CANCEL")
        peer.send(request)
        peer.expect_response(request, final=True)
        peer.expect_nothing(sip_timers.immediately, where=is_final_to(call.invite))
