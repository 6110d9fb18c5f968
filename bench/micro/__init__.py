"""Micro-benchmarks (pytest-benchmark), and what the regression gate (``bench/gate.py``)
compares.

Every routine of ``_native/`` is timed against its pure-Python twin:

=======================  ==========================================  ===========================
native                   pure twin                                   benchmarks
=======================  ==========================================  ===========================
``protobuf.pyx``         ``core/protobuf.py``                        ``test_codec_bench.py``
``labels.pyx``           ``core/labels.py``, ``core/fields.py``      ``test_selectors_bench.py``,
                                                                     ``test_watch_bench.py``
``scheduler.pyx``        ``scheduler/algorithm.py`` (the native one  ``test_scheduler_bench.py``
                         is driven by ``scheduler/native.py``)
=======================  ==========================================  ===========================

and beside them the caches and batching that the gate also holds to a floor: the
scheduler's equivalence classes, the watch cache's shared encodings and node index
(``test_watch_bench.py``), LMDB group commit (``test_storage_bench.py``).  ``make test``
runs each benchmark once as a plain test; ``make bench-gate`` times them.
"""
