"""sipconform.dut.logscan on sample lines: what in a reference DUT's log means our configuration is wrong,
and what is only the peer's doing. Lines are copied from real kamailio 5.6.3 / baresip 1.0.0 logs."""

from __future__ import annotations

from pathlib import Path

from sipconform.dut import logscan

KAMAILIO_OK = """\
 0(7487) INFO: <core> [main.c:3055]: main(): processes (at least): 9 - shm size: 536870912 - pkg size: 8388608
 1(7488) INFO: <script>: rx INVITE sip:ring@127.0.0.1:56837 from udp:127.0.0.1:44645 cseq=1
 6(7493) ERROR: <core> [core/tcp_main.c:2992]: tcpconn_1st_send(): connect 127.0.0.1:39651 failed (RST) Connection refused
 6(7493) ERROR: tm [../../core/forward.h:261]: msg_send_buffer(): tcp_send failed
 7(7494) WARNING: tm [t_reply.c:1695]: t_retransmit_reply(): send pr buffer failed
 0(7487) ALERT: <core> [main.c:770]: handle_sigs(): child process 7488 exited normally, status=0
"""

KAMAILIO_BAD = {
    " 1(7488) WARNING: tm [t_lookup.c:1523]: t_unref(): script writer didn't release transaction": "t_suspend()",
    " 2(99) ERROR: tm [t_lookup.c:1290]: new_t(): out of mem:": "memory",
    " 3(99) ERROR: <core> [core/mem/q_malloc.c:291]: qm_malloc(): not enough free shm memory (12 bytes left)":
        "memory",
    " 3(99) ERROR: tm [h_table.c:289]: build_cell(): no more shm memory!": "memory",
    " 4(99) ERROR: <core> [core/parser/msg_parser.c:77]: f(): could not allocate private memory from pkg pool":
        "memory",
    " 4(99) ERROR: tm [t_reply.c:200]: f(): could not allocate shared memory from shm pool - required (48)":
        "memory",
    " 0(1) ERROR: <core> [core/cfg.y:3636]: yyerror_at(): parse error in config file /x/uas.cfg, line 5": "parse",
    " 0(1) ERROR: <core> [core/modparam.c:150]: set_mod_param_regex(): parameter <wt_tmer> not found in module <tm>":
        "parameter",
    " 0(1) ERROR: <core> [core/sr_module.c:608]: load_module(): could not find module <tmx>": "module",
    " 1(2) ERROR: tmx [tmx_mod.c:800]: w_t_suspend(): failed to suspend request processing": "keep",
}

BARESIP_OK = """\
baresip v1.0.0 Copyright (C) 2010 - 2020 Alfred E. Heggestad et al.
Local network address:  IPv4=lo|127.0.0.1
Populated 1 account
Populated 2 audio codecs
baresip is ready.
ua: using best effort AF: af=AF_INET
"""

BARESIP_BAD = {
    "\x1b[31mmodule nosuch.so: No such file or directory\x1b[;m": "module",
    "\x1b[31mdl: mod: /usr/lib/baresip/modules/nosuch.so (cannot open shared object file)\x1b[;m": "module",
    "\x1b[31mmodule account.so: Invalid argument\x1b[;m": "module",
    "Populated 0 audio codecs": "codec",
    "\x1b[31mua: init failed (Address already in use)\x1b[;m": "user agent",
}


def test_kamailio_log_of_a_faithful_run_has_no_finding() -> None:
    assert logscan.program_of(KAMAILIO_OK) == "kamailio"
    assert logscan.scan("kamailio-uas", KAMAILIO_OK) == []


def test_each_kamailio_configuration_mistake_is_one_finding() -> None:
    for line, meaning in KAMAILIO_BAD.items():
        found = logscan.scan("kamailio-uas", KAMAILIO_OK + line + "\n", log="k.log")
        assert len(found) == 1, (line, found)
        assert meaning in found[0].meaning and found[0].line == line.strip()
        assert found[0].line_no == KAMAILIO_OK.count("\n") + 1 and "k.log:" in str(found[0])


def test_baresip_log_findings_and_a_clean_start() -> None:
    assert logscan.program_of(BARESIP_OK) == "baresip"
    assert logscan.scan("baresip-uas", BARESIP_OK) == []
    for line, meaning in BARESIP_BAD.items():
        found = logscan.scan("baresip-uas", BARESIP_OK + line + "\n")
        assert len(found) == 1 and meaning in found[0].meaning, (line, found)
        assert "\x1b" not in found[0].line


def test_rules_of_one_program_do_not_apply_to_the_other() -> None:
    """A kamailio line in a baresip log is not judged by kamailio's rules (and an unknown log by none)."""
    line = "WARNING: tm [t_lookup.c:1523]: t_unref(): script writer didn't release transaction\n"
    assert logscan.scan("baresip-uas", BARESIP_OK + line) == []
    assert logscan.program_of("hello\n") is None and logscan.scan("x", "module a.so: oops\n" + line) == []


def test_kept_logs_are_scanned_summarised_and_written_next_to_the_verdicts(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert logscan.summary_lines(*logscan.scan_folder(reports), reports) == []  # no reference DUT ran
    good, bad = tmp_path / "good.log", tmp_path / "bad.log"
    good.write_text(KAMAILIO_OK, encoding="utf-8")
    bad.write_text(KAMAILIO_OK + next(iter(KAMAILIO_BAD)) + "\n" + next(iter(KAMAILIO_BAD)) + "\n", encoding="utf-8")
    assert logscan.keep_log("kamailio-uas", good, reports, "gw0") == reports / "dut-logs" / "kamailio-uas.gw0.log"
    assert logscan.keep_log("kamailio-uas", tmp_path / "missing.log", reports) is None
    logs, found = logscan.scan_folder(reports)
    folder = reports / logscan.LOG_FOLDER
    assert found == [] and logscan.summary_lines(logs, found, folder) == [
        f"reference DUT logs: no configuration warning (1 log(s) in {folder})"]
    logscan.keep_log("kamailio-proxy", bad, reports, "gw1")
    logs, found = logscan.scan_folder(reports)
    assert [(f.dut, f.log) for f in found] == [("kamailio-proxy", "kamailio-proxy.gw1.log")] * 2
    lines = logscan.summary_lines(logs, found, folder)
    assert lines[0].startswith("reference DUT logs: CONFIGURATION WARNING kamailio-proxy: tm released")
    assert "(2 line(s))" in lines[0] and lines[-1].endswith("findings.txt")
    assert "script writer" in (folder / logscan.FINDINGS_FILE).read_text(encoding="utf-8")
    logscan.clear_folder(reports)
    assert not folder.exists()
