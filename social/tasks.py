"""Celery tasks of the social app. Beat runs the same work through the periodic commands."""

from celery import shared_task


@shared_task(name="social.publish_due", acks_late=True)
def publish_due() -> int:
    from social.outbox import run_due

    return len(run_due().published)


@shared_task(name="social.refresh_metrics", acks_late=True)
def refresh_metrics() -> int:
    from social.readback import refresh_metrics as refresh

    return refresh()


@shared_task(name="social.import_comments", acks_late=True)
def import_comments(post_ids: list[int] | None = None) -> int:
    """New comments on all published posts, or on those a webhook delivery named."""
    from social.readback import import_comments as read

    return read(post_ids)
