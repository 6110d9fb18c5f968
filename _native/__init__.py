"""_native."""
