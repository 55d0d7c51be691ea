"""Saved views: a user keeps a list's filters and sort under a name ("My overdue commitments")
and opens it again from the list page. Each belongs to one user, who alone sees, renames or
deletes it; creating and deleting go through the actions below and leave history entries."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.actions import action
from core.models import TrackedModel

# Paging and one-off requests are not part of a view.
TRANSIENT = ("cursor", "page", "export", "selected", "csrfmiddlewaretoken")
MAX_PER_LIST = 30


class OwnRowsQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Whoever created a saved view, and no one else, may see, change or delete it."""
        if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
            return self.none()
        return self.filter(user_id=user.pk)


class SavedView(TrackedModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    path = models.CharField(_("list"), max_length=200)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters and sort"), max_length=2000, blank=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        app_label = "core"
        ordering = ["name", "pk"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "path", "name"], name="saved_view_name_unique_per_list"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def clean_query(raw: str) -> str:
    query = QueryDict(raw or "", mutable=True)
    for key in TRANSIENT:
        query.pop(key, None)
    return query.urlencode()


@action(SavedView, "save")
def save_view(view: SavedView, *, acting_user) -> SavedView:
    """Keep a list's filters and sort under a name: one name per list and user, replacing the
    filters of a view saved under the same name before."""
    view.user = acting_user
    view.name = (view.name or "").strip()
    view.query = clean_query(view.query)
    if not view.name:
        raise ValidationError({"name": _("Give the view a name.")})
    if not view.path.startswith("/") or "//" in view.path:
        raise ValidationError({"path": _("This is not a list of the tracker.")})
    existing = (
        SavedView.objects.filter(user_id=acting_user.pk, path=view.path, name=view.name)
        .exclude(pk=view.pk)
        .first()
    )
    forget(acting_user)
    if existing is not None:
        existing.query = view.query
        existing.full_clean()
        existing.save()
        return existing
    if SavedView.objects.filter(user_id=acting_user.pk, path=view.path).count() >= MAX_PER_LIST:
        raise ValidationError(
            {
                "name": _("You have %(count)s saved views of this list; delete one first.")
                % {"count": MAX_PER_LIST}
            }
        )
    view.full_clean()
    view.save()
    return view


@action(SavedView, "delete")
def delete_view(view: SavedView, *, acting_user) -> None:
    forget(acting_user)
    view.delete()


@dataclass(frozen=True)
class Saved:
    pk: int
    name: str
    path: str
    query: str

    def get_absolute_url(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def _cache_key(user) -> str:
    # The account's creation time too: an id reused by a new database never reads old views.
    joined = int(user.date_joined.timestamp()) if getattr(user, "date_joined", None) else 0
    return f"saved-views:{user.pk}:{joined}"


def forget(user) -> None:
    """Drop the user's cached views: now, and again once the change is committed (so a read
    between the two cannot keep the old list)."""
    key = _cache_key(user)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def saved_views_for(request) -> list[Saved]:
    """The user's saved views of the list at this path. Kept in the cache per user, so a list
    page runs no query for them (its query count stays what it was)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    key = _cache_key(user)
    views = cache.get(key)
    if views is None:
        views = [
            Saved(v.pk, v.name, v.path, v.query)
            for v in SavedView.objects.restrict(user).order_by("name", "pk")
        ]
        cache.set(key, views, 24 * 3600)
    return [v for v in views if v.path == request.path]
