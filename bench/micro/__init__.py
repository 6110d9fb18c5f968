"""bench/micro."""
