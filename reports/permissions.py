"""Who may read a consultation's summary and which exports they get."""

from civic.permissions import (
    can_export_full,
    can_manage_consultation,
    can_read_reports,
    can_view_consultation,
    is_councillor,
    is_staff_role,
)

PUBLIC = "public"
FULL = "full"


def can_read_summary(user, consultation) -> bool:
    """Staff and councillors always; the public once the results are published."""
    return can_view_consultation(user, consultation) and can_read_reports(user, consultation)


def can_analyse_map(user, consultation) -> bool:
    """The planner's map analysis (heat map, selections, plan comparison): those who run the
    consultation, and councillors who may read its summary. Residents never, even once results
    are published: the analysis shows where people are, at a finer grain than the summary."""
    if can_manage_consultation(user, consultation):
        return can_view_consultation(user, consultation)
    return is_councillor(user) and can_read_summary(user, consultation)


def export_variants(user, consultation) -> list[str]:
    """The export variants this person may download, the fullest first."""
    if not can_read_summary(user, consultation):
        return []
    if can_export_full(user, consultation):
        return [FULL, PUBLIC]
    return [PUBLIC]


def can_export(user, consultation, variant: str) -> bool:
    return variant in export_variants(user, consultation)


def can_export_archive(user, consultation) -> bool:
    """The archive package is a record of a finished consultation, kept by the municipality."""
    return can_export_full(user, consultation) and consultation.state() == "closed"


def can_read_social_figures(user) -> bool:
    """The social media figures: planners and administrators (for the consultations they run,
    reports.social_analytics.consultations_for) and councillors (for all)."""
    return is_staff_role(user) or is_councillor(user)
