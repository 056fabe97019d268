from django.utils.functional import SimpleLazyObject


def approvals(request):
    """How many social posts wait for the signed-in planner's approval, for the header.

    Counted only when a page shows it, and only for those who may approve (one COUNT query);
    residents' pages never ask.
    """
    user = getattr(request, "user", None)
    from . import permissions, selectors

    if user is None or not permissions.can_use_composer(user):
        return {}
    return {
        "MAY_APPROVE_POSTS": True,
        "APPROVALS_WAITING": SimpleLazyObject(lambda: selectors.approvals_count(user)),
    }
