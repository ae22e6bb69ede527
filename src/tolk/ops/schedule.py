"""The scheduled report: at each cron slot one worker of the fleet sends it to every notifier.

Workers race for a slot by inserting its time as a processed-event row (primary key): the one whose
insert lands sends; the others see a duplicate and skip. A slot missed while no worker ran is not sent
late (a report of a stale window helps no one).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from croniter import croniter

from tolk import reports
from tolk.config import Settings
from tolk.core import now
from tolk.notify import Notice, Notifier, NotifyError
from tolk.store import ledger
from tolk.store.repo import Store

log = logging.getLogger(__name__)
CONSUMER = "report.schedule"


def next_slot(cron: str, after: datetime) -> datetime:
    found: datetime = croniter(cron, after).get_next(datetime)
    return found


def claim(store: Store, slot: datetime) -> bool:
    """True for the one caller that gets this slot."""
    return ledger.claim_once(store, CONSUMER, slot.isoformat(), "report")


async def send(store: Store, notifiers: list[Notifier], span: str) -> list[str]:
    """Build and send the report; the channels that failed, with why (the others still get it)."""
    report = await asyncio.to_thread(reports.build, store, reports.parse_span(span))
    failed = []
    for notifier in notifiers:
        try:
            await notifier.send(Notice(report, span))
        except NotifyError as exc:
            failed.append(str(exc))
    return failed


async def run(settings: Settings, store: Store, notifiers: list[Notifier], stop: asyncio.Event) -> None:
    cron = settings.report.schedule
    if not cron or not notifiers:
        return
    while not stop.is_set():
        slot = next_slot(cron, now())
        wait = max(0.0, (slot - now()).total_seconds())
        try:
            await asyncio.wait_for(stop.wait(), timeout=wait)
            return
        except TimeoutError:
            pass
        if await asyncio.to_thread(claim, store, slot):
            for why in await send(store, notifiers, settings.report.since):
                log.warning("scheduled report: %s", why)
