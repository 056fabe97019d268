"""The staff back office (/staff/): users and roles, API tokens, the audit log and the
municipality's settings, in the site's own pages. Answer templates are the ideas app's
(ideas.staff_views); the back office links to them."""
