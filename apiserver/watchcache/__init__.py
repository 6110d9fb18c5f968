"""The watch cache: the ring buffer of recent events (ring.py), the fan-out to watchers
(fanout.py), and the per-resource store that serves GET/LIST and decides whether a watch
can be served from memory (cacher.py)."""
