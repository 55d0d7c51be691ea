"""Reads of sensitive records (named appraisals, disciplinary records, declarations), announced
by the apps that show them. The access log (operations) listens; core and the domain apps do not
import it, so the layers of docs/architecture.md hold."""

from django.dispatch import Signal

# Sent with request=<the request>, objects=<the records just shown to its user> and
# listed=<True when they were the rows of a list, which shows no more than each row>.
sensitive_read = Signal()


def record_read(request, *objects, listed: bool = False) -> None:
    """Say that `request`'s user has just been shown `objects`."""
    if objects:
        sensitive_read.send(
            sender=type(objects[0]), request=request, objects=objects, listed=listed
        )


class ReadLoggedMixin:
    """For an API viewset of a sensitive record: retrieving one is a read, and so is each row of
    a list page (all announced at once, so the log writes them in one insert)."""

    def get_object(self):
        obj = super().get_object()
        if getattr(self, "action", None) == "retrieve":
            record_read(self.request, obj)
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if getattr(self, "action", None) == "list":
            record_read(self.request, *(queryset if page is None else page), listed=True)
        return page


class ReadLoggedListMixin:
    """For a browser list of sensitive records (core.generic.ScopedListView): each row shown is
    a read, as on the API's list pages, and so is each row of an export (logged before the file
    streams, so the log names every row the file holds)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record_read(self.request, *context["object_list"], listed=True)
        return context

    def export(self, kind):
        record_read(self.request, *self.get_queryset()[: self.export_limit], listed=True)
        return super().export(kind)
