"""Run the test provider: `python -m tests.identity.oidc_provider.serve PORT` with
OIDC_PROVIDER_DIR set (people.json and signing-key.pem in it).  Migrates its own
SQLite database, creates the people and the OpsQM client, then serves on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

CLIENT_ID = "opsqm"
CLIENT_SECRET = "opsqm-client-secret-for-tests"
# Any port on loopback (RFC 8252 7.3, which django-oauth-toolkit follows) and the
# Django test client's host.
REDIRECT_URIS = "http://127.0.0.1/accounts/sso/callback/ http://testserver/accounts/sso/callback/"


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def setup() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    from tests.identity.oidc_provider.claims import people

    call_command("migrate", verbosity=0)
    for username, person in people().items():
        user = User.objects.create(username=username)
        user.set_password(person["password"])
        user.save()
    Application.objects.create(
        name="OpsQM",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URIS,
        skip_authorization=True,
        algorithm=Application.RS256_ALGORITHM,
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.identity.oidc_provider.settings")
    import django

    django.setup()
    setup()
    from django.core.wsgi import get_wsgi_application

    port = int(sys.argv[1])
    server = make_server(
        "127.0.0.1", port, get_wsgi_application(), server_class=Server, handler_class=QuietHandler
    )
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
