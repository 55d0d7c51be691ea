"""Who may see and revoke an API token: its holder only (an administrator revokes someone's
access by removing their role or deactivating the account, not by reading their tokens)."""

from org.permissions import Policy


class APITokenPolicy(Policy):
    as_change = ("add", "delete", "revoke")

    def view(self, queryset, access):
        if not access.authenticated or access.user_id is None:
            return queryset.none()
        return queryset.filter(user_id=access.user_id)

    change = view
