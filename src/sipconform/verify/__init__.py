"""Checks: every judgement of the suite, as plain functions over messages and the wire log.

A check takes what the DUT sent (parsed messages, arrival times from the wire log) and what the suite
sent, and returns what it found for exactly one clause: a list of problems in words that name the
header, the expected and the actual value (empty when the clause is kept). No peer, no pytest, no
clock, so the same checks can judge a packet capture. The conformance module that owns the clause
turns the findings into its verdict in plain sight.
"""
