"""The analysts' notebooks and their synchronous facade over graph/ (needs pandas)."""
