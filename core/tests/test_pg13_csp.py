"""The Content-Security-Policy headers (core.middleware.CSPMiddleware): the settings' policy is
built once per process, and every response carries exactly the headers django-csp's own
middleware gives it, whatever the response changes (a view's update, an exemption, a nonce)."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware as DjangoCspMiddleware
from csp.utils import build_policy
from django.http import HttpResponse, HttpResponseNotFound, JsonResponse
from django.test import RequestFactory

from core.middleware import CSPMiddleware

HEADERS = (HEADER, HEADER_REPORT_ONLY)


def answer(middleware_class, path="/api/oversight/bodies/", response=None, before=None):
    """The headers and the request after `middleware_class` handled a response to `path`."""
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda r: None)
    middleware.process_request(request)
    if before:
        before(request)
    response = response() if response else JsonResponse({"results": []})
    response = middleware.process_response(request, response)
    return {h: response.get(h) for h in HEADERS}, request


def same_as_django_csp(**kwargs):
    ours, request = answer(CSPMiddleware, **kwargs)
    theirs, _ = answer(DjangoCspMiddleware, **kwargs)
    assert ours == theirs
    return ours, request


def updated():
    response = HttpResponse("<p>report</p>")
    response._csp_update = {"style-src": ["'sha256-abc='"]}
    return response


def exempt():
    response = HttpResponse("")
    response._csp_exempt = True
    return response


def already_set():
    response = HttpResponse("")
    response[HEADER] = "default-src 'none'"
    return response


def test_the_settings_policy_is_built_once_and_is_django_csps(monkeypatch):
    headers, request = same_as_django_csp()
    assert headers[HEADER] == build_policy() and "default-src 'self'" in headers[HEADER]
    assert headers[HEADER_REPORT_ONLY] is None
    # Built once: later responses do not build it again.
    calls = []
    monkeypatch.setattr("core.middleware.build_policy", lambda **kw: calls.append(kw) or "x")
    assert answer(CSPMiddleware)[0][HEADER] == headers[HEADER]
    assert calls == []
    # A nonce asked for after the header was written is refused, as django-csp refuses it.
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


@pytest.mark.parametrize(
    "response", [updated, exempt, already_set, lambda: HttpResponseNotFound("gone")]
)
def test_a_response_that_changes_its_policy_gets_django_csps_headers(response):
    headers, _ = same_as_django_csp(response=response)
    if response is updated:
        assert "'sha256-abc='" in headers[HEADER]
    if response is exempt:
        assert headers[HEADER] is None


def test_a_used_nonce_goes_into_the_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    ours, request = answer(CSPMiddleware, before=lambda r: str(r.csp_nonce))
    assert f"'nonce-{request._csp_nonce}'" in ours[HEADER]
    theirs, _ = answer(
        DjangoCspMiddleware,
        before=lambda r: setattr(r, "_csp_nonce", request._csp_nonce) or str(r.csp_nonce),
    )
    assert ours == theirs


def test_changed_settings_are_followed(settings):
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
        "DIRECTIVES": {"default-src": ["'none'"]},
    }
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    headers, _ = same_as_django_csp()
    assert headers[HEADER] == "default-src 'none'"
    assert "img-src 'self'" in headers[HEADER_REPORT_ONLY]
    excluded, _ = same_as_django_csp(path="/admin/login/")
    assert excluded == {HEADER: None, HEADER_REPORT_ONLY: headers[HEADER_REPORT_ONLY]}
    settings.DEBUG = True  # DEBUG's error pages carry no policy
    assert same_as_django_csp(response=lambda: HttpResponseNotFound("gone"))[0] == {
        HEADER: None,
        HEADER_REPORT_ONLY: None,
    }


@pytest.mark.django_db
def test_pages_and_the_api_carry_the_policy(api, web, oios, manager, recs):
    for response in (
        api(oios).get("/api/oversight/bodies/"),
        api(manager).get("/api/oversight/recommendations/"),
        web(manager).get("/oversight/recommendations/"),
    ):
        assert response.status_code == 200
        assert response[HEADER] == build_policy()
        assert HEADER_REPORT_ONLY not in response
