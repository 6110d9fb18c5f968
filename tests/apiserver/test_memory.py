"""malloc_trim hands the free holes of a fragmented heap back to the system."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import orjson
from paddock.apiserver import memory

def rss_mb():
    with open('/proc/self/status') as f:
        return int(f.read().split('VmRSS:')[1].split()[0]) // 1024

keep, churn = [], []
for i in range(100_000):  # 300 MB of 3 KB buffers; a tenth of them stay
    (keep if i % 10 == 0 else churn).append(orjson.dumps({'x': 'y' * 3000, 'i': i}))
del churn
before = rss_mb()
trimmed = memory.trim()
print(before, rss_mb(), trimmed)
"""


def test_trim_releases_the_free_pages_of_a_fragmented_heap() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    before, after, trimmed = int(out[0]), int(out[1]), out[2]
    assert trimmed == "True"
    assert before > 250 and after < before / 2
