"""The debate's background jobs."""

from celery import shared_task


@shared_task(name="debate.recount_consultation_figures", acks_late=True)
def recount_consultation_figures(consultation_id: int, announce: bool = False) -> None:
    """Count a consultation's key figures again (debate.figures)."""
    from consultations.models import Consultation

    from .figures import recount

    if Consultation.objects.filter(pk=consultation_id).exists():  # not deleted meanwhile
        recount(consultation_id, announce=announce)
