"""The periodic jobs of the notifications package."""

from __future__ import annotations

import logging

from agency.models.base import utcnow
from notifications.delivery import DeliveryReport, deliver_until_idle
from notifications.runtime import JobSpec, job_context

log = logging.getLogger(__name__)

JOBS: list[JobSpec] = [
    JobSpec(
        id="notifications.deliver_outbox",
        func="notifications.jobs:deliver_outbox_job",
        trigger="interval",
        trigger_args={"seconds": 30},
        run_at_start=True,
    ),
]


def deliver_outbox_job() -> DeliveryReport:
    """Send every due message of the outbox (within one run's time budget)."""
    context = job_context()
    report = deliver_until_idle(
        context.engine, sender=context.sender, config=context.mail, clock=utcnow
    )
    if report.sent or report.failed:
        log.info("outbox: %d sent, %d failed, %d dead", report.sent, report.failed, report.dead)
    return report
