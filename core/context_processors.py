from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAV = [
    ("home", _("Dashboard"), "/"),
    ("resolution", _("Resolution"), "/resolution/"),
    ("accountability", _("Accountability"), "/accountability/"),
    ("oversight", _("Oversight"), "/oversight/"),
    ("performance", _("Performance"), "/performance/"),
    ("risk", _("Risk"), "/risk/"),
    ("reports", _("Reports"), "/reports/"),
]


def navigation(request):
    path = request.path
    items = []
    for key, label, url in NAV:
        current = path == "/" if url == "/" else path.startswith(url)
        items.append({"key": key, "label": label, "url": url, "current": current})
    return {"nav_items": items, "admin_url": reverse("admin:index")}
