"""The investigative reads: each question the users ask, its answer models and row mappers."""
