"""Reads of sensitive records (named appraisals, disciplinary records, declarations), announced
by the apps that show them. The access log (operations) listens; core and the domain apps do not
import it, so the layers of docs/architecture.md hold."""

from django.dispatch import Signal

# Sent with request=<the request> and objects=<the records just shown to its user>.
sensitive_read = Signal()


def record_read(request, *objects) -> None:
    """Say that `request`'s user has just been shown `objects`."""
    if objects:
        sensitive_read.send(sender=type(objects[0]), request=request, objects=objects)


class ReadLoggedMixin:
    """For an API viewset of a sensitive record: retrieving one is a read (a list is not: it is
    paged, and its rows are read when opened)."""

    def get_object(self):
        obj = super().get_object()
        if getattr(self, "action", None) == "retrieve":
            record_read(self.request, obj)
        return obj
