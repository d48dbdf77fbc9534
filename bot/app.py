"""The one place the bot is wired: settings -> application, storage, sender, poller.

Production (`python -m bot run`) and the demo (the same command, pointed at the emulator)
both come through `run_bot`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from functools import partial

from bot.care.identity import load_verifier
from bot.care.pacing import ProgramPacing
from bot.care.purge import PurgeJob
from bot.care.self_help import self_help_programs
from bot.clock import clock_from_settings
from bot.escalation import chain as escalation_chain
from bot.escalation import on_call_note, quiet_patients, screening
from bot.ops.endpoint import OpsEndpoint
from bot.reminders import maintenance_over, missed_forms
from bot.reminders import missed_diary as diary_missed
from bot.reminders import tick as reminder_tick
from bot.reminders.kinds import registry as reminder_kinds
from bot.reminders.tick import Ticker
from bot.router import COMMAND_LISTS
from bot.routes.reminders import OPENERS as REMINDER_OPENERS
from bot.settings import Settings
from bot.supervisor import Supervisor
from bot.telegram import handlers
from bot.telegram.application import build_application, set_default_menus
from bot.telegram.polling import InboxPoller
from bot.telegram.runtime import Runtime
from bot.telegram.sender import Sender
from bot.telegram.webhook import WebhookReceiver
from bot.turn.context import World
from programs.loader import default_programs_dir, load_programs
from programs.questionnaire_loader import load_questionnaires
from storage import checkpoint, run_lock, scrub, worker_locks
from storage.database import Database, prepare_file
from storage.leases import Lease
from storage.worker_locks import ReceivingTaken, WorkerLocks

log = logging.getLogger(__name__)

# A stop (SIGTERM, SIGINT): the loops get DRAIN_SECONDS to finish the update in hand and the
# requests in flight; all of it, PTB and the database included, must end within
# SHUTDOWN_SECONDS, well inside Docker's 10 s before SIGKILL (else: exit 1 at once).
DRAIN_SECONDS = 5.0
SHUTDOWN_SECONDS = 7.5


async def run_bot(settings: Settings, *, webhook: bool = False) -> bool:
    """Run until stopped (True) or until the supervisor finds the process unhealthy (False:
    the caller exits non-zero). Updates come by long polling, or with `webhook` by
    Telegram's posts (bot/telegram/webhook.py); either way stored before they are answered."""
    # From the first moment: a SIGTERM while starting must not kill the process outright (nor,
    # as PID 1 in a container, be ignored until Docker's SIGKILL); the start finishes, then
    # the watch sees the stop and the bot stops as ever.
    stop = _stop_event()
    screening.load_crisis_rules()  # a broken rules file stops the start, not the first patient
    clock = clock_from_settings(settings.fake_clock_file)
    programs = load_programs(settings.programs_dir or default_programs_dir())
    # A reminder kind without its texts, or a program asking for a kind we lack, stops the start.
    reminder_kinds.validate(openable=REMINDER_OPENERS, programs=[programs[id_] for id_ in programs])
    questionnaires = load_questionnaires(override_dir=settings.questionnaires_dir)
    # Several workers on one PostgreSQL database: webhook workers share the work, a poller
    # runs alone (storage/worker_locks.py); refused here, before anything is started.
    try:
        locks = await WorkerLocks.open(
            settings.database_target, worker_locks.WEBHOOK if webhook else worker_locks.POLLING
        )
    except ReceivingTaken as refusal:
        log.critical("not started: %s", refusal.args[0])  # our own words, no person's
        return False
    # Held while running: `python -m bot restore` refuses to overwrite the database meanwhile
    # (storage/run_lock.py); the lock goes with the process, however it ends.
    # (SQLite only: a PostgreSQL server is shared by several workers and backed up by its own
    # tools.)
    sqlite_file = settings.sqlite_file
    lock = None
    if sqlite_file is not None:
        prepare_file(sqlite_file)
        lock = run_lock.hold_shared(sqlite_file)
    database = await Database.open(settings.database_target)
    if sqlite_file is not None:
        await database.call(checkpoint.leave_checkpoints_to_the_job)
        await database.call(scrub.ensure_incremental_vacuum)  # once, for a database made before
    application = build_application(settings)
    handlers.register(application, broken_routes=_names(settings.break_routes))
    await application.initialize()
    supervisor = Supervisor(
        hung_after_seconds=settings.loop_hung_seconds,
        exit_grace_seconds=settings.unhealthy_exit_grace_seconds,
    )
    endpoint = await _start_endpoint(settings, supervisor, database, clock)
    sender = Sender(
        application.bot,
        database,
        clock,
        poll_interval=settings.tick_interval_seconds,
        heartbeat=supervisor.heartbeat("sender"),
        language=settings.default_language,
        transport_speedup=settings.transport_speedup,
        workers=settings.send_workers,
        worker_timeout=settings.worker_timeout_seconds,
    )
    world = World(
        programs=programs,
        questionnaires=questionnaires,
        bot_username=application.bot.username,
        invite_valid_days=settings.invite_valid_days,
        default_language=settings.default_language,
        commands=COMMAND_LISTS,
        identity_verifier=load_verifier(settings.identity_verifier),
    )
    application.bot_data["runtime"] = Runtime(database, clock, world, sender, supervisor)
    await set_default_menus(application, COMMAND_LISTS.menu["patient"])
    await sender.recover()
    await application.start()
    # The tick and the purge run in one worker at a time: the lease's holder (storage/leases.py,
    # bot/reminders/tick.py `tick_lease`); another worker takes over within two tick intervals
    # of the holder's death. On SQLite the one process holds it without asking.
    lease = reminder_tick.tick_lease(settings.tick_interval_seconds)
    if database.dialect != "sqlite":
        supervisor.every("lease", lease.seconds / 2, reminder_tick.keep_lease(database, lease))
    ticker = _ticker(
        settings, database, clock, sender, supervisor, programs, questionnaires, lease.hold
    )
    _start_updates(settings, application, database, clock, supervisor, locks, webhook=webhook)
    supervisor.start("sender", sender.run, stop=sender.stop)
    supervisor.every("tick", ticker.interval, ticker.tick)  # one job for all, never per patient
    # Purge (gallring): one contained pass, then the scrub (bot/care/purge.py). As often as
    # the tick, so the supervisor sees it beat; a pass with nothing due is one query.
    purge_job = PurgeJob(database, clock, settings.purge_ledger_file, sender.wake, lease.hold)
    supervisor.every("purge", settings.tick_interval_seconds, purge_job.run)
    if sqlite_file is not None:
        # The PASSIVE checkpoint beside the writer; a purge's scrub does a TRUNCATE one itself.
        supervisor.every(
            "checkpoint",
            checkpoint.CHECKPOINT_EVERY_SECONDS,
            partial(_checkpoint, sqlite_file),
        )
    log.info("bot started as @%s", application.bot.username)
    clean = await supervisor.watch(stop)
    try:
        await asyncio.wait_for(
            _shut_down(supervisor, application, database, endpoint, locks, lease),
            timeout=SHUTDOWN_SECONDS,
        )
    except Exception as error:  # a hung thread or request must not keep a process half-alive
        log.critical("shutdown did not finish (%s)", type(error).__name__)
        clean = False
    if not clean:
        # Unhealthy: leave now with code 1 (asyncio.run would still wait for worker threads,
        # e.g. a hung chart drawing), so systemd or Docker starts a fresh process.
        logging.shutdown()
        os._exit(1)
    if lock is not None:
        run_lock.release(lock)
    log.info("bot stopped")
    return clean


async def _shut_down(
    supervisor: Supervisor,
    application,
    database,
    endpoint: OpsEndpoint | None,
    locks: WorkerLocks,
    lease: Lease,
) -> None:
    """Stop taking updates, finish the update in hand and the requests in flight (at most
    DRAIN_SECONDS), then close. What is stored and not yet handled or sent waits for the
    next start (or another worker); the tick's lease is handed back, so another worker takes
    it at its next tick instead of after the lease's expiry."""
    log.info("stopping")
    await supervisor.stop_all(drain_seconds=DRAIN_SECONDS)
    await application.stop()
    await application.shutdown()
    if endpoint is not None:
        await endpoint.stop()
    try:
        await database.transaction(lease.release)
    except Exception as error:  # it expires by itself
        log.warning("the tick lease could not be handed back: %s", type(error).__name__)
    await locks.close()
    await database.close()


def _start_updates(settings, application, database, clock, supervisor, locks, *, webhook) -> None:
    """The loop that takes updates in: the webhook's server, or the poller (the default)."""
    if webhook:
        receiver = WebhookReceiver(
            application,
            database,
            clock,
            url=settings.webhook_url,
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            secret=settings.webhook_secret,
            heartbeat=supervisor.heartbeat("webhook"),
            locks=locks,
        )
        supervisor.start("webhook", receiver.run, stop=receiver.stop)
        return
    poller = InboxPoller(
        application, database, clock, heartbeat=supervisor.heartbeat("poller"), locks=locks
    )
    supervisor.start("poller", poller.run, stop=poller.stop)


async def _start_endpoint(settings, supervisor, database, clock) -> OpsEndpoint | None:
    """The operations endpoint (bot/ops/endpoint.py), unless METRICS_PORT is empty. A port
    that cannot be bound is an ERROR line, not a reason to leave patients unanswered."""
    if settings.metrics_port is None:
        return None
    endpoint = OpsEndpoint(
        supervisor, database, clock, host=settings.metrics_host, port=settings.metrics_port
    )
    try:
        await endpoint.start()
    except OSError as error:
        log.error(
            "operations endpoint not started on %s:%d: %s",
            settings.metrics_host,
            settings.metrics_port,
            type(error).__name__,
        )
        await endpoint.stop()
        return None
    return endpoint


def _ticker(
    settings, database, clock, sender, supervisor, programs, questionnaires, lease
) -> Ticker:
    language = settings.default_language
    titles = {qid: q.text(q.title, language) for qid, q in questionnaires.items()}
    diary_parts = {pid: len(p.meta.diary.parts) for pid, p in programs.items() if p.meta.diary}
    self_help_ids = self_help_programs(programs)  # no amber flags there unless staff ordered
    pacing = {pid: ProgramPacing.of(p.meta) for pid, p in programs.items()}
    return Ticker(
        database,
        clock,
        settings.tick_interval_seconds,
        sender.wake,
        batches=[  # safety first
            (partial(escalation_chain.run_batch, language=language), escalation_chain.BATCH_SIZE),
            (
                partial(
                    missed_forms.run_batch,
                    language=language,
                    titles=titles,
                    self_help_programs=self_help_ids,
                ),
                missed_forms.BATCH_SIZE,
            ),
            (
                partial(
                    diary_missed.run_batch, language=language, self_help_programs=self_help_ids
                ),
                diary_missed.BATCH_SIZE,
            ),
            (
                partial(
                    quiet_patients.run_batch, language=language, self_help_programs=self_help_ids
                ),
                quiet_patients.BATCH_SIZE,
            ),
            (partial(on_call_note.run_batch, language=language), on_call_note.BATCH_SIZE),
            (maintenance_over.run_batch, maintenance_over.BATCH_SIZE),
            (
                partial(reminder_tick.run_batch, diary_parts=diary_parts, pacing=pacing),
                reminder_tick.BATCH_SIZE,
            ),
        ],
        heartbeat=supervisor.heartbeat("tick"),
        lease=lease,
    )


async def _checkpoint(path) -> None:
    """The write-ahead log into the database file, in a worker thread with a connection of
    its own: the bot's connection never waits for it (storage/checkpoint.py)."""
    await asyncio.to_thread(checkpoint.checkpoint, path)


def _names(comma_separated: str) -> frozenset[str]:
    return frozenset(name.strip() for name in comma_separated.split(",") if name.strip())


def _stop_event() -> asyncio.Event:
    """Set by SIGINT or SIGTERM: a clean stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop
