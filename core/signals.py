"""Receivers that write a history entry for every save, delete and many-to-many change of a
TrackedModel. Bulk writes bypass signals and must call core.history.record_bulk."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core import history
from core.models import HistoryEntry, TrackedModel


def _tracked(sender) -> bool:
    return isinstance(sender, type) and issubclass(sender, TrackedModel)


@receiver(post_save)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw or not _tracked(sender):
        return
    after = history.snapshot(instance)
    ignored = instance.history_ignored_fields
    if created:
        instance._history_before = after
        history.record(
            instance, HistoryEntry.Action.CREATE, history.created_changes(after, ignored)
        )
        return
    # The row as loaded (or as last saved), built now: reads never pay for it (core.models).
    changes = history.diff(instance._history_before, after, ignored)
    instance._history_before = after
    if changes:
        history.record(instance, HistoryEntry.Action.UPDATE, changes)


@receiver(post_delete)
def _record_delete(sender, instance, **kwargs):
    if not _tracked(sender):
        return
    before = history.snapshot(instance)
    history.record(
        instance,
        HistoryEntry.Action.DELETE,
        history.deleted_changes(before, instance.history_ignored_fields),
    )


def _m2m_values(instance, field_name):
    return sorted(
        _plain_pk(pk) for pk in getattr(instance, field_name).values_list("pk", flat=True)
    )


def _plain_pk(pk):
    return pk if isinstance(pk, int | str) else str(pk)


@receiver(m2m_changed)
def _record_m2m(sender, instance, action, reverse, **kwargs):
    if reverse or not isinstance(instance, TrackedModel):
        return
    field_name = next(
        (f.name for f in instance._meta.many_to_many if f.remote_field.through is sender), None
    )
    if field_name is None:
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        instance.__dict__.setdefault("_m2m_before", {})[field_name] = _m2m_values(
            instance, field_name
        )
    elif action in ("post_add", "post_remove", "post_clear"):
        before = instance.__dict__.get("_m2m_before", {}).pop(field_name, None)
        after = _m2m_values(instance, field_name)
        if before is not None and before != after:
            history.record(instance, HistoryEntry.Action.UPDATE, {field_name: [before, after]})
