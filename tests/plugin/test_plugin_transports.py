"""TLS, WebSocket and IPv6 in the options and the profile: ``--sip-transport`` takes a comma list of udp, tcp,
tls, ws, wss (or all); ``host6`` adds an IPv6 instance of every test; ``[ports]``, ``[tls]`` and ``[ws]`` are
validated once and map onto the peers' ``TlsConfig``/``WsConfig`` (RFC 3261 §26.2, §26.3.1; RFC 7118);
``requires(transport="reliable")`` makes a UDP instance not-applicable with its reason."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import pytest

from sipconform.dut.profile import ProfileError, TlsSpec, load_profile, parse_address, profile_from_mapping
from sipconform.dut.secure import peer_options, tls_config
from sipconform.peer.certs import ThrowawayPki
from sipconform.plugin.requires import check_requires
from sipconform.plugin.settings import DutTarget, SettingsError, families, parse_transports
from sipconform.verdict import NotApplicable

BASE = {"name": "sbc", "role": "uas", "host": "192.0.2.7", "port": 5060}


def _profile(**extra: object):  # noqa: ANN202
    return profile_from_mapping({**BASE, **extra}, "/lab/profiles/sbc.toml")


@pytest.mark.parametrize(("value", "wanted"), [
    (None, ("udp", "tcp", "tls", "ws", "wss")), ("all", ("udp", "tcp", "tls", "ws", "wss")),
    ("tls", ("tls",)), ("tls, WSS,tls", ("tls", "wss")), ("udp,all", ("udp", "tcp", "tls", "ws", "wss")),
])
def test_sip_transport_is_a_comma_list(value: str | None, wanted: tuple[str, ...]) -> None:
    assert parse_transports(value, "--sip-transport") == wanted


def test_an_unknown_transport_names_itself_and_the_choices() -> None:
    with pytest.raises(SettingsError, match=r"^sip_transport \(--sip-transport\): 'sctp' is not a transport; give a "
                                            r"comma list of udp, tcp, tls, ws, wss, or all$"):
        parse_transports("tls,sctp", "--sip-transport")


def test_tls_table_maps_paths_from_the_profile_folder_and_defaults_to_verify() -> None:
    dut = _profile(transports=["tls", "wss"], tls={"ca": "ca.pem", "cert": "/abs/suite.pem", "key": "suite.key",
                                                   "server_name": "sbc.lab", "require_client_cert": True})
    assert dut.tls == TlsSpec(ca="/lab/profiles/ca.pem", cert="/abs/suite.pem", key="/lab/profiles/suite.key",
                              verify=True, server_name="sbc.lab", require_client_cert=True)
    assert _profile().tls is None  # no [tls]: the system's trust store (a reference DUT: the run's CA)


@pytest.mark.parametrize(("tls", "message"), [
    ({"verify": "no"}, "[tls] verify must be true or false"),
    ({"key": "k.pem"}, "[tls] key needs its cert"),
    ({"ca": 3}, "[tls] ca must be the path of a PEM file"),
    ({"server_name": ""}, "[tls] server_name must be a host name"),
    ({"verfy": False}, "unknown key 'verfy' in [tls] (did you mean 'verify'?)"),
])
def test_tls_table_mistakes_are_one_line(tls: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        _profile(tls=tls)
    assert str(caught.value) == f"/lab/profiles/sbc.toml: {message}"


def test_ports_ws_and_host6_give_each_instance_its_address() -> None:
    dut = _profile(host6="2001:db8::7", transports=["udp", "tls", "wss"], ports={"tls": 5061, "wss": 8443},
                   ws={"path": "/sip"})
    assert dut.port_for("udp") == 5060 and dut.port_for("tls") == 5061 and dut.port_for("wss") == 8443
    six = dut.on("wss", 6)
    assert (six.host, six.port, dut.on("udp").host) == ("2001:db8::7", 8443, "192.0.2.7")
    assert families(dut) == (4, 6) and families(_profile(host="::1")) == (6,)
    assert [DutTarget(dut, "tls", f).id for f in (4, 6)] == ["sbc-tls", "sbc-tls-ipv6"]
    assert peer_options(dut, "wss")["ws"].path == "/sip" and "tls" in peer_options(dut, "wss")
    assert peer_options(dut, "udp") == {} and "tls" not in peer_options(dut, "ws")


@pytest.mark.parametrize(("extra", "message"), [
    ({"host6": "192.0.2.8"}, "host6 must be an IPv6 address"),
    ({"ports": {"tls": 70000}}, "[ports] values must be ports 0..65535"),
    ({"ports": {"sctp": 5062}}, "unknown key 'sctp' in [ports]"),
    ({"ws": {"path": "sip"}}, "[ws] path must be a resource path starting with '/'"),
    ({"transports": ["tls", "sctp"]}, "transports must be a non-empty list, a subset of"),
])
def test_address_table_mistakes(extra: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError, match=re.escape(message)):
        _profile(**extra)


def test_an_address_may_name_the_new_transports() -> None:
    dut = parse_address("wss:[::1]:8443", "uas")
    assert (dut.transports, dut.host, dut.port) == (("wss",), "::1", 8443)


def test_tls_config_verifies_unless_the_profile_says_not(tmp_path: Path) -> None:
    files = ThrowawayPki().write(tmp_path, "localhost", "127.0.0.1")
    strict = tls_config(TlsSpec(ca=str(files.ca), cert=str(files.cert), key=str(files.key)))
    assert strict.client is not None and strict.client.verify_mode == ssl.CERT_REQUIRED and strict.verifies
    assert strict.server is not None  # the peers present the lab's certificate as TLS servers
    lax = tls_config(TlsSpec(verify=False))
    assert lax.client is not None and lax.client.verify_mode == ssl.CERT_NONE and not lax.verifies
    assert lax.server is not None  # no [tls] cert: a leaf of the peers' own throwaway CA


def test_a_profile_file_with_tls_loads(tmp_path: Path) -> None:
    path = tmp_path / "dut.toml"
    path.write_text('name = "x"\nrole = "proxy"\ntransports = ["tls"]\n[tls]\nca = "lab/ca.pem"\nverify = false\n',
                    encoding="utf-8")
    dut = load_profile(path)
    assert dut.tls == TlsSpec(ca=str(tmp_path / "lab" / "ca.pem"), verify=False)


class _Mark:
    def __init__(self, **kwargs: object) -> None:
        self.args: tuple[object, ...] = ()
        self.kwargs = kwargs


@pytest.mark.parametrize("transport", ["tcp", "tls", "ws", "wss"])
def test_reliable_clauses_apply_to_every_reliable_transport(transport: str) -> None:
    assert check_requires([_Mark(transport="reliable")], DutTarget(_profile(), transport)) is None  # type: ignore[list-item]


def test_a_reliable_clause_on_udp_is_not_applicable_with_its_reason() -> None:
    outcome = check_requires([_Mark(transport="reliable")], DutTarget(_profile(), "udp"))  # type: ignore[list-item]
    assert isinstance(outcome, NotApplicable)
    assert str(outcome).startswith("the clause is about reliable transports (TCP, TLS, WS, WSS); this instance "
                                   "runs over UDP")


def test_tls_keylog_defaults_to_the_reports_folder(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("def pytest_report_header(config):\n"
                          "    from sipconform.plugin.options import SETTINGS_KEY\n"
                          "    return [f'KEYLOG {config.stash[SETTINGS_KEY].tls_keylog}']\n")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    default = pytester.runpytest("--sip-reports", "out", "--no-sip-probe")
    default.stdout.fnmatch_lines([f"KEYLOG {pytester.path / 'out' / 'sslkeylog.txt'}"])
    given = pytester.runpytest("--sip-tls-keylog", "keys/k.txt", "--no-sip-probe")
    given.stdout.fnmatch_lines([f"KEYLOG {pytester.path / 'keys' / 'k.txt'}"])
