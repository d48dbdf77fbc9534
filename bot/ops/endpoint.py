"""The operations endpoint (aiohttp): /healthz, /readyz and /metrics, on METRICS_HOST
(127.0.0.1 unless set otherwise) and METRICS_PORT (9090; empty: off).

- `/healthz`: the process and the heartbeats of its loops (`Supervisor.status`): 200 while
  healthy, 503 naming the loop that ended or went silent. For Docker's HEALTHCHECK and a
  liveness probe.
- `/readyz`: the database answers and the loops run; 503 otherwise (also while starting and
  stopping). Telegram's reachability is reported as a field, never a reason to be unready:
  a Telegram outage is not cured by restarting us.
- `/metrics`: the Prometheus text format (bot/ops/metrics.py). The gauges that need the
  database are read at scrape time by cheap indexed queries (storage/backlog.py) on the
  database's own worker thread, so the event loop never waits on SQLite.

Bodies hold names, counts and seconds only: no chat id, no label, no text.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.clock import Clock
from bot.ops import metrics
from bot.supervisor import Supervisor
from storage import backlog
from storage.database import Database

log = logging.getLogger(__name__)

DATABASE_WAIT_SECONDS = 2.0  # a probe must answer; a database this slow is not ready
# Telegram answers a long poll at least every 25 s: silent for longer means unreachable.
TELEGRAM_SILENT_SECONDS = 70.0


class OpsEndpoint:
    def __init__(
        self,
        supervisor: Supervisor,
        database: Database,
        clock: Clock,
        *,
        host: str = "127.0.0.1",
        port: int = 9090,
    ):
        self._supervisor = supervisor
        self._db = database
        self._clock = clock
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None  # the bound port, once started

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_get("/metrics", self.metrics)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info(
            "operations endpoint on http://%s:%d (/healthz /readyz /metrics)", self._host, self.port
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def healthz(self, _request: web.Request) -> web.Response:
        self._supervisor.check()  # current, not as of the watch's last look
        status = self._supervisor.status()
        return _json(status, 200 if status["healthy"] else 503)

    async def readyz(self, _request: web.Request) -> web.Response:
        database = await self._database_answers()
        if self._supervisor.stopping:
            loops = "stopping"
        elif self._supervisor.running():
            loops = "running"
        else:
            loops = "not running"
        ready = database == "ok" and loops == "running"
        body = {
            "ready": ready,
            "database": database,
            "loops": loops,
            "telegram": _telegram(),
        }
        return _json(body, 200 if ready else 503)

    async def metrics(self, _request: web.Request) -> web.Response:
        try:
            now = self._clock.now()
            found = await asyncio.wait_for(
                self._db.call(lambda conn: backlog.snapshot(conn, now)), DATABASE_WAIT_SECONDS
            )
        except Exception as error:  # the counters still answer; the gauges keep their values
            log.warning("metrics: the database gauges could not be read: %s", type(error).__name__)
        else:
            for lane, depth in found.outbox_depth.items():
                metrics.OUTBOX_DEPTH.labels(lane=str(lane)).set(depth)
            metrics.OLDEST_PENDING_SEND.set(found.oldest_pending_seconds)
            metrics.OLDEST_RED_FLAG.set(found.oldest_red_flag_seconds)
        body = generate_latest(metrics.REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _database_answers(self) -> str:
        try:
            await asyncio.wait_for(
                self._db.call(lambda conn: conn.execute("SELECT 1").fetchone()),
                DATABASE_WAIT_SECONDS,
            )
        except TimeoutError:
            return "slow"
        except Exception as error:
            return f"error: {type(error).__name__}"
        return "ok"


def _telegram() -> dict:
    """When the Bot API last answered us; reachable: null until it has."""
    seconds = metrics.seconds_since_telegram_answered()
    if seconds is None:
        return {"reachable": None, "last_answer_seconds_ago": None}
    return {
        "reachable": seconds < TELEGRAM_SILENT_SECONDS,
        "last_answer_seconds_ago": round(seconds, 1),
    }


def _json(body: dict, status: int) -> web.Response:
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")
