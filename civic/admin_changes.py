"""Edits made in Django's admin announce themselves like the services' (civic.changes).

The admin writes rows without going through the services, so an admin class whose rows show on
public pages says which change it makes; saving (with its inlines) or deleting announces it.
"""

from civic.changes import Change, changed


class AnnouncesChanges:
    change_kind: Change

    def consultation_id_of(self, obj) -> int | None:
        return obj.consultation_id

    def save_related(self, request, form, formsets, change):
        # After save_model and the inlines: the whole edit is written when this announces it.
        super().save_related(request, form, formsets, change)
        changed(self.consultation_id_of(form.instance), self.change_kind)

    def delete_model(self, request, obj):
        consultation_id = self.consultation_id_of(obj)
        super().delete_model(request, obj)
        changed(consultation_id, self.change_kind)

    def delete_queryset(self, request, queryset):
        consultation_ids = {self.consultation_id_of(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for consultation_id in consultation_ids:
            changed(consultation_id, self.change_kind)
