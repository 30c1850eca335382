"""Steps that conformance tests share, one module per DUT role: they read like the call flows of
RFC 3665 and turn a DUT that never reaches a step's state into an ``Inconclusive`` verdict."""
