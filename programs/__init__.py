"""Content and clinical rules as data: the treatment programs (YAML modules and steps, per
language), the questionnaires (PHQ-9, GAD-7, MADRS-S: items, scoring, risk rules) and the
crisis terms, with their loaders, models and validation (`python -m bot programs check`:
the format, then the content gate in `gate.py` with readability in `readability.py`).
"""
