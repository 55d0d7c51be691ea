"""The control API of the test provider: register the client (with the live server's redirect
URIs), create its users and their groups, and choose a fault. Exists only in this provider."""

import json

from django.contrib.auth.models import Group, User
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from oauth2_provider.models import get_application_model

from tests.oidc_provider.validator import PROFILES, STATE

MODES = {"normal", "tamper", "wrong_aud", "expired"}


@csrf_exempt
@require_POST
def setup(request):
    data = json.loads(request.body)
    Application = get_application_model()
    app, _created = Application.objects.get_or_create(
        client_id=data["client_id"],
        defaults={
            "name": "tracker",
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    app.client_secret = data["client_secret"]
    app.redirect_uris = " ".join(data["redirect_uris"])
    app.post_logout_redirect_uris = " ".join(data.get("post_logout_redirect_uris", []))
    app.save()
    for spec in data.get("users", []):
        user, _created = User.objects.get_or_create(username=spec["username"])
        user.email = spec.get("email", "")
        user.set_password(spec["password"])
        user.save()
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in spec.get("groups", [])])
        PROFILES[user.username] = {
            "name": spec.get("name", user.username),
            "index_number": spec.get("index_number", ""),
        }
    STATE["mode"] = data.get("mode", "normal")
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def mode(request):
    value = json.loads(request.body).get("mode", "normal")
    if value not in MODES:
        return JsonResponse({"error": f"unknown mode {value!r}"}, status=400)
    STATE["mode"] = value
    return JsonResponse({"mode": value})


@csrf_exempt
@require_POST
def groups(request):
    data = json.loads(request.body)
    user = User.objects.get(username=data["username"])
    user.groups.set([Group.objects.get_or_create(name=g)[0] for g in data.get("groups", [])])
    return JsonResponse({"groups": data.get("groups", [])})
