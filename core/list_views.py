"""The list pages' small helpers: the pickers' JSON (core.pickers) and saving or deleting a
saved view (core.saved_views). Thin: each calls the action and goes back to the list."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.saved_views import SavedView, delete_view, save_view


def _list_path(request) -> str:
    """The list the form came from: a path of this site, never another host."""
    path = request.POST.get("path", "")
    if not url_has_allowed_host_and_scheme(path, allowed_hosts={request.get_host()}):
        return "/"
    return urlsplit(path).path or "/"


@login_required
@require_POST
def save_saved_view(request):
    path = _list_path(request)
    view = SavedView(
        path=path, name=request.POST.get("name", ""), query=request.POST.get("query", "")
    )
    try:
        view = save_view(view, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        query = request.POST.get("query", "")
        return HttpResponseRedirect(f"{path}?{query}" if query else path)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return HttpResponseRedirect(view.get_absolute_url())


@login_required
@require_POST
def delete_saved_view(request, pk: int):
    view = get_object_or_404(SavedView.objects.restrict(request.user, "delete"), pk=pk)
    path, name = view.path, view.name
    delete_view(view, acting_user=request.user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return HttpResponseRedirect(path)
