"""Helpers for the Zoho emulator tests (no tests here): sign in through the authorize page, call the API."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import requests

ALL_SCOPES = ("ZohoCRM.modules.ALL,ZohoCRM.settings.ALL,ZohoCRM.notifications.ALL,ZohoCRM.users.READ,"
              "ZohoCRM.org.READ,ZohoCRM.coql.READ")
PASSWORD = "sandbox"
EMAIL = "demo@zoho.sandbox"
REDIRECT_URI = "http://127.0.0.1:8000/connections/zoho/callback/"


def seed(sandbox, accounts=3, products=3, invoices=2):
    return sandbox.seed(zoho={"accounts": accounts, "products": products, "invoices": invoices})["zoho"]


def authorize(sandbox, *, dc="eu", scope=ALL_SCOPES, offline=True, action="accept", password=PASSWORD,
              state="xyz", redirect_uri=REDIRECT_URI, prompt="consent"):
    """Post the sign-in form of the US accounts server; returns the redirect's query parameters."""
    params = {"client_id": "sandbox-zoho-client", "response_type": "code", "redirect_uri": redirect_uri,
              "scope": scope, "access_type": "offline" if offline else "online", "prompt": prompt,
              "state": state}
    url = f"{sandbox.url}/zoho/us/accounts/oauth/v2/auth"
    page = requests.get(url, params=params, timeout=10)
    assert page.status_code == 200, page.text
    response = requests.post(url, data={**params, "email": EMAIL, "password": password, "dc": dc,
                                        "action": action},
                             headers={"Origin": sandbox.url}, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        return {"_status": response.status_code, "_text": response.text}
    location = response.headers["Location"]
    assert location.startswith(redirect_uri)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def exchange(accounts_server, code, redirect_uri=REDIRECT_URI):
    return requests.post(f"{accounts_server}/oauth/v2/token", data={
        "grant_type": "authorization_code", "client_id": "sandbox-zoho-client",
        "client_secret": "sandbox-zoho-secret", "redirect_uri": redirect_uri, "code": code}, timeout=10)


def refresh(accounts_server, refresh_token):
    return requests.post(f"{accounts_server}/oauth/v2/token", params={
        "grant_type": "refresh_token", "client_id": "sandbox-zoho-client", "client_secret": "sandbox-zoho-secret",
        "refresh_token": refresh_token}, timeout=10)


class Connection:
    def __init__(self, tokens: dict, accounts_server: str):
        self.tokens, self.accounts_server = tokens, accounts_server
        self.api_domain = tokens["api_domain"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Zoho-oauthtoken {tokens['access_token']}"

    def call(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 15)
        return self.http.request(method, f"{self.api_domain}/crm/v8/{path.lstrip('/')}", **kwargs)

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.call("POST", path, **kwargs)


def connect(sandbox, *, dc="eu", scope=ALL_SCOPES) -> Connection:
    redirect = authorize(sandbox, dc=dc, scope=scope)
    response = exchange(redirect["accounts-server"], redirect["code"])
    assert response.status_code == 200 and "access_token" in response.json(), response.text
    return Connection(response.json(), redirect["accounts-server"])


class Receiver:
    """A local notify_url: records every JSON body POSTed to it."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with receiver.arrived:
                    receiver.bodies.append(body)
                    receiver.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zoho/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[dict]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.bodies) >= count, timeout=timeout)
            return list(self.bodies)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
