from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import TemplateView

from core.dashboard import cards_for


class HomeView(LoginRequiredMixin, TemplateView):
    """The dashboard: each app's headline figures for what the user may see, computed once per
    scope and kept until a write changes them (core.dashboard); the page says when."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cards, context["computed_at"] = cards_for(self.request.user)
        groups: dict[str, list] = {}
        for card in cards:
            groups.setdefault(card.app, []).append(card)
        context["card_groups"] = [
            (label, apps.get_app_config(label).verbose_name, cards)
            for label, cards in groups.items()
        ]
        return context


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def health(request):
    """200 when the database and the broker answer, 503 naming the part that does not."""
    parts = {
        "database": "ok" if _database_ok() else "unavailable",
        "broker": "ok" if _broker_ok() else "unavailable",
    }
    healthy = all(v == "ok" for v in parts.values())
    return JsonResponse(parts, status=200 if healthy else 503)


@require_safe
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page's <link> says."""
    return HttpResponsePermanentRedirect(static("favicon.ico"))
