"""What each audit action code means, in words a person reads. The log stores the code (stable
across languages and releases); pages show this label in the reader's language. Every code an
app records is listed here (a test scans the apps for codes without a label)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "account.delete": _("Account deleted"),
    "account.role_change": _("Role changed"),
    "account.api_token_create": _("API token created"),
    "account.api_token_revoke": _("API token revoked"),
    "site.settings_change": _("Municipality settings changed"),
    "consultation.create": _("Consultation created"),
    "consultation.update": _("Consultation changed"),
    "consultation.publish": _("Consultation published"),
    "consultation.close": _("Consultation closed"),
    "consultation.planners": _("Planners of the consultation changed"),
    "consultation.phase_announced": _("New phase announced"),
    "consultation.results_publish": _("Results published"),
    "consultation.results_update": _("Results changed"),
    "idea.submit": _("Idea submitted"),
    "idea.submit_anonymous": _("Idea submitted without an account"),
    "idea.submit_on_behalf": _("Idea entered on someone's behalf"),
    "idea.confirm": _("Idea confirmed by e-mail"),
    "idea.update": _("Idea edited"),
    "idea.withdraw": _("Idea withdrawn"),
    "idea.approve": _("Idea approved"),
    "idea.edit_approve": _("Edit of an idea approved"),
    "idea.edit_reject": _("Edit of an idea refused"),
    "idea.status": _("Status of an idea changed"),
    "idea.answer": _("Official answer given"),
    "idea.support": _("Idea supported"),
    "idea.unsupport": _("Support withdrawn"),
    "idea.purge_unconfirmed": _("Unconfirmed ideas removed"),
    "idea.answer_template.save": _("Answer template saved"),
    "idea.answer_template.delete": _("Answer template deleted"),
    "debate.topic_created": _("Debate topic created"),
    "debate.topic_updated": _("Debate topic changed"),
    "debate.comment_published": _("Comment published"),
    "debate.comment_edit_held": _("Edit of a comment held for moderation"),
    "debate.comment_edit_approved": _("Edit of a comment approved"),
    "debate.comment_edit_rejected": _("Edit of a comment refused"),
    "debate.official_marked": _("Marked as official answer"),
    "debate.official_unmarked": _("Official answer mark removed"),
    "moderation.report": _("Reported"),
    "moderation.auto_hide": _("Hidden automatically after several reports"),
    "moderation.keep": _("Kept (reports dismissed)"),
    "moderation.hide": _("Hidden by a moderator"),
    "moderation.restore": _("Restored"),
    "moderation.edit": _("Edited by a moderator"),
    "moderation.redact": _("Photo redacted"),
    "moderation.approve": _("Approved"),
    "moderation.reject": _("Rejected"),
    "moderation.approve_edit": _("Author's edit approved"),
    "moderation.reject_edit": _("Author's edit refused"),
    "moderation.message": _("Message to the author"),
    "moderation.appeal": _("Appealed"),
    "moderation.appeal_accept": _("Appeal accepted"),
    "moderation.appeal_reject": _("Appeal rejected"),
    "moderation.block": _("Person blocked"),
    "moderation.unblock": _("Block lifted"),
    "reports.export_full": _("Full export with personal data"),
    "social.channel_connected": _("Social channel connected"),
    "social.channel_reauthorised": _("Social channel signed in again"),
    "social.channel_removed": _("Social channel removed"),
    "social.channel_needs_reauth": _("Social channel needs signing in again"),
    "social.post_drafted": _("Social post drafted"),
    "social.post_edited": _("Social post edited"),
    "social.post_approved": _("Social post approved"),
    "social.post_scheduled": _("Social post scheduled"),
    "social.post_published": _("Social post published"),
    "social.post_failed": _("Social post failed"),
    "social.post_resent": _("Social post sent again"),
    "social.post_cancelled": _("Social post cancelled"),
    "social.post_deleted": _("Social post taken down"),
    "social.crisis_stop_started": _("Crisis stop started"),
    "social.crisis_stop_lifted": _("Crisis stop lifted"),
    "social.comment_hidden": _("Imported comment hidden"),
    "social.comment_shown": _("Imported comment shown again"),
}


def action_label(code: str) -> str:
    """The label in the active language; an unknown code (from an older release) as readable
    words rather than a bare code."""
    label = ACTION_LABELS.get(code)
    if label is not None:
        return str(label)
    return code.replace(".", ": ", 1).replace("_", " ").capitalize()
