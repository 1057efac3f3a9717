"""Silsila's HTTP API (FastAPI): thin routes over the graph package."""
