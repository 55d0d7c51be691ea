"""A real OpenID Connect provider for the sign-on tests: django-oauth-toolkit's OIDC support in a
process of its own (its own settings, database and port), driven by a small control API that
only this test provider has. See serve.py."""
