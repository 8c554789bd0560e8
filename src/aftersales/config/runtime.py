"""Process settings for serving requests.

A request that renders a large case allocates tens of thousands of objects; with Python's
default thresholds (700, 10, 10) that sets off full collections that walk every object the
process holds (the whole of Django included), the slow tail measured in docs/benchmarks.md.
So a serving process freezes what it loaded at start (never collected again) and collects the
young generation less often.
"""

import gc

GC_THRESHOLDS = (50_000, 20, 100)


def tune_for_serving() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
