"""Running the bot for real: what an operations team watches and reads.

`metrics.py` (the counters, incremented where things happen, in the Prometheus format),
`endpoint.py` (the HTTP endpoint: /healthz, /readyz, /metrics; aiohttp), `logs.py` (text or
one JSON object per line, always through the privacy filter). No patient data in any of
them: ids, methods, outcomes, lanes and counts only.
"""
