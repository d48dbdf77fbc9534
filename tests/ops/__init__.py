"""Tests of running it for real: the operations endpoint, JSON logs, graceful shutdown and
the container files."""
