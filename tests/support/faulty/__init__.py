"""The project's own faulty DUTs: a small, honest UAS, proxy and UAC on ``SipPeer``'s public API, each
with faults that break one clause (``tests/mutation`` shows every fault caught by its clause alone).

Importable because ``tests/support`` is on pytest's ``pythonpath``: ``from faulty.uas import FaultyUas``.
"""
