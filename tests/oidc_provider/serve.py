"""Run the test OpenID Connect provider: `python -m tests.oidc_provider.serve <port> <dir>`.

Makes an RSA signing key and a SQLite database under <dir>, migrates, and serves on
127.0.0.1:<port> until killed. The tests start it (tests/browser/test_oidc.py)."""

import os
import sys
from pathlib import Path


def main() -> None:
    port, workdir = int(sys.argv[1]), Path(sys.argv[2])
    workdir.mkdir(parents=True, exist_ok=True)
    key_file = workdir / "signing-key.pem"
    if not key_file.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    os.environ["OIDC_PROVIDER_KEY"] = str(key_file)
    os.environ["OIDC_PROVIDER_DB"] = str(workdir / "provider.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main()
