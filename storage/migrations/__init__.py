"""Numbered SQL migrations (`0001_initial.sql`, ...), applied in order at start-up and tracked
by `PRAGMA user_version`; numbers run 1..n without gaps.
"""
