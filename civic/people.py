"""The accounts a municipality may see (civic.tenancy): the installation shares accounts, but
another municipality's residents are not this one's business. Asked by the back office's list
of people and by Django Administration's."""

from django.db.models import Exists, OuterRef, Q

from . import tenancy
from .models import Membership, User


def people_here():
    """The accounts the municipality being served may see: everyone while it is the only one;
    with several, those with a role here or who took part here (an idea, a comment or a
    support), and those who belong nowhere yet (a new colleague to give a role). Accounts are
    shared by the installation; another municipality's residents are not this one's business.
    One statement, the subqueries inside it."""
    from debate.models import Comment
    from ideas.models import Idea, Support

    people = User.objects.filter(is_deleted=False)
    here = tenancy.active_id()
    if here is None or tenancy.table().only is not None:
        return people
    mine = OuterRef("pk")
    # Unscoped: an account that took part nowhere yet (a new colleague) is anyone's to find.
    nowhere = (
        ~Exists(Membership.objects.filter(user=mine))
        & ~Exists(Idea._base_manager.filter(author=mine))
        & ~Exists(Comment._base_manager.filter(author=mine))
        & ~Exists(Support.objects.filter(user=mine))
    )
    return people.filter(
        Q(pk__in=Membership.objects.filter(municipality_id=here).values("user_id"))
        | Q(pk__in=Idea.objects.values("author_id"))
        | Q(pk__in=Comment.objects.values("author_id"))
        | Q(pk__in=Support.objects.filter(consultation__municipality_id=here).values("user_id"))
        | nowhere
    )
