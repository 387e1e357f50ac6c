"""Serve the sandbox (Xero and Zoho CRM emulators) on its own port: `manage.py runsandbox --port 8100`."""

from django.core.management.base import BaseCommand
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from sandbox.server import ContentTypeAsSent, get_application


class _Handler(ContentTypeAsSent, WSGIRequestHandler):
    pass


class _QuietHandler(_Handler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class Command(BaseCommand):
    help = "Run the provider sandbox: a multi-threaded WSGI server with sandbox.urls as URLconf and its own store."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8100)
        parser.add_argument("--quiet", action="store_true", help="Do not log each request.")

    def handle(self, *args, **options):
        handler = _QuietHandler if options["quiet"] else _Handler
        httpd = ThreadedWSGIServer((options["host"], options["port"]), handler)
        httpd.daemon_threads = True
        httpd.set_app(get_application())
        self.stdout.write(f"Sandbox listening on http://{options['host']}:{options['port']}/ (Ctrl-C to stop)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()
