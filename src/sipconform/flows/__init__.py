"""Stimulus: the steps of a CANCEL call flow (RFC 3665 §3.8) as each role's peer takes them.

A step sends, answers and waits; it returns what arrived, or raises ``NoMessage`` when nothing came
within its window. It never judges: no ``assert``, no verdict. Preconditions and verdicts are the
conformance module's, taken with the checks of ``sipconform.verify``.
"""
