"""Periodic jobs. Each is a management command, so a site without Celery can run the same work
from cron; with Celery, beat schedules them (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.core.management import call_command

# The commands the schedule may run; a task never runs an arbitrary command by name.
PERIODIC_COMMANDS = frozenset(
    {
        "send_digests",
        "notify_phase_changes",
        "purge_unconfirmed_ideas",
        "purge_exports",
        "requeue_stale_exports",
        "purge_geocode_cache",
        "social_publish_due",
        "social_refresh_metrics",
        "social_import_comments",
        "social_draft_posts",
    }
)


@shared_task(name="civic.run_periodic_command", acks_late=True)
def run_periodic_command(command: str) -> None:
    if command not in PERIODIC_COMMANDS:
        raise ValueError(f"not a periodic command: {command}")
    call_command(command)


@shared_task(name="civic.ban_http_caches", acks_late=True)
def ban_http_caches(tags: list[str]) -> list[str]:
    """Ban the copies tagged `tags` in the shared HTTP caches (civic.httpcache); returns the
    caches that did not take it (logged; their copies age out after s-maxage)."""
    from civic.httpcache import send_bans

    return send_bans(list(tags))
