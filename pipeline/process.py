"""Settings for the processes clusterprint itself runs: the ``clusterprint`` command and its worker processes.

Nothing here is applied on import: a program that uses :mod:`pipeline` as a library keeps its own settings.
"""

from __future__ import annotations

import gc

__all__ = ["GC_THRESHOLD", "collect_less"]

#: Allocations between two collections of the youngest generation (CPython's default is 700).
GC_THRESHOLD = 20_000


def collect_less() -> None:
    """Run Python's cycle collector about 30 times less often in this process.

    Importing pandas, pint, pydantic, WeasyPrint and matplotlib, and laying out a report, create hundreds of
    thousands of long-lived objects, and with CPython's default thresholds the collector scans them again and
    again while finding little to free: for the Colossus report, 0.22 s of the command's 2 s up to the PDF's HTML
    and 0.35 s of the PDF's 2.8 s layout (measured with ``gc.callbacks``), against 0.09 s and 0.08 s with a
    threshold of 20,000.  Reference counting still frees everything that is not in a cycle at once; cycles wait
    a little longer.
    """
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, second, third)
