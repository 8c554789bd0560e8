from aftersales.core.numbering import next_number


def next_case_number() -> str:
    """RMA-2026-000123, taken inside the transaction that creates the case."""
    return next_number("RMA", width=6)
