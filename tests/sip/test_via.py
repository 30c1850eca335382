"""The server transport's Via rules (§18.2.1, §18.2.2, RFC 3581 §4) as pure functions."""

from sipconform.sip.build import request
from sipconform.sip.via import response_address, stamp_via


def _req(via: str):
    return request("OPTIONS", "sip:dut@127.0.0.1", [("Via", via), ("From", "<sip:a@x>;tag=1"), ("To", "<sip:b@x>"),
                                                    ("Call-ID", "c"), ("CSeq", "1 OPTIONS")])


def test_same_address_without_rport_is_left_alone():
    req = _req("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1")
    assert stamp_via(req, ("127.0.0.1", 5070)) is req


def test_other_address_or_domain_gets_received():
    for host in ("127.0.0.3", "peer.example.invalid"):
        via = stamp_via(_req(f"SIP/2.0/UDP {host}:5070;branch=z9hG4bK1"), ("127.0.0.1", 4000)).top_via
        assert via.received == "127.0.0.1" and via.rport is None and via.branch == "z9hG4bK1"


def test_empty_rport_gets_source_port_and_received():
    via = stamp_via(_req("SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK1"), ("127.0.0.1", 4000)).top_via
    assert (via.rport, via.received, via.branch) == ("4000", "127.0.0.1", "z9hG4bK1")


def test_only_the_named_parameters_are_stamped():
    req = _req("SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK1")
    assert stamp_via(req, ("127.0.0.1", 4000), ("received",)) is req
    assert stamp_via(req, ("127.0.0.1", 4000), ("rport",)).top_via.received is None


def test_second_via_value_of_the_same_field_is_kept():
    via = "SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0"
    stamped = stamp_via(_req(via), ("127.0.0.1", 4000))
    assert [v.text for v in stamped.vias][1] == "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK0"


def test_response_address_uses_sent_by_port_or_rport():
    via = "SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bK1"
    assert response_address(_req(via), ("127.0.0.1", 4000)) == ("127.0.0.1", 5070)
    assert response_address(_req("SIP/2.0/UDP 127.0.0.3;branch=z9hG4bK1"), ("127.0.0.1", 4000)) == ("127.0.0.1", 5060)
    assert response_address(_req("SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK1"),
                            ("127.0.0.1", 4000)) == ("127.0.0.1", 4000)
