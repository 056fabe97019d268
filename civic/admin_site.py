from django.contrib import admin

from .permissions import is_administrator, is_signed_in


def is_operator(user) -> bool:
    return is_signed_in(user) and bool(getattr(user, "is_operator", False))


class AdministratorsOnly:
    """What every model page asks first: the administrator role in the municipality being
    served. is_superuser follows a role held in *any* municipality (civic.memberships), so
    Django's own permission checks alone would open one municipality's data to another's
    administrator, or to a platform operator."""

    def has_module_permission(self, request):
        return is_administrator(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_administrator(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_administrator(request.user) and super().has_delete_permission(request, obj)


class AdminSite(admin.AdminSite):
    """Django Administration opens to the administrator role, the one source of that power,
    and to platform operators, who see the municipalities and nothing else.

    User.save keeps is_staff in step with the role; asking the role here as well means a flag
    changed behind the model's back (a bulk update, a database console) opens nothing.
    """

    def has_permission(self, request):
        return is_administrator(request.user) or is_operator(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every model page is for the served municipality's administrators, except those
        marked `for_operators` (the municipalities), which decide for themselves."""
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "for_operators", False) and not issubclass(
            admin_class, AdministratorsOnly
        ):
            admin_class = type(admin_class.__name__, (AdministratorsOnly, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
