"""Re-exports for the proxy modules that import the request variants from here: they live in
``sipconform.flows.variants``."""

from __future__ import annotations

from sipconform.flows.variants import (cancel_for_no_call, cancel_with_other_branch, cancel_with_other_sent_by,
                                       with_sent_by, with_top_via)

__all__ = ["cancel_for_no_call", "cancel_with_other_branch", "cancel_with_other_sent_by", "with_sent_by",
           "with_top_via"]
