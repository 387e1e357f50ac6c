"""`make run` on the embedded defaults (SQLite, filesystem broker) serves the sign-in page, the printed demo admin
can sign in, the sandbox answers, and one Ctrl-C stops every process. The stack is started by tests/stack.py, the
one module that starts servers for tests and benchmarks."""

import re
import time

import requests

from tests.stack import alive, start_stack, wait_until_answers


def test_make_run_serves_the_sign_in_page_and_the_demo_admin_can_sign_in(tmp_path):
    with start_stack(tmp_path, make_run=True) as stack:  # fails naming the output unless both answer 200
        output = stack.log()
        credentials = re.search(r"Sign in with\s+(\S+)\s+/\s+(\S+)", output)
        assert credentials, output[-3000:]
        login_url = f"{stack.url}/login/"
        session = requests.Session()
        session.get(login_url, timeout=10)
        token = session.cookies["syncportal_csrftoken"]
        response = session.post(
            login_url,
            data={"username": credentials[1], "password": credentials[2], "csrfmiddlewaretoken": token},
            headers={"Referer": login_url},
            timeout=30,
        )
        assert response.status_code == 200
        assert 'data-testid="sidebar"' in response.text, "the demo admin could not sign in"
        sandbox = stack.sandbox_url
        assert wait_until_answers(f"{sandbox}/", time.monotonic() + 30) is not None
        # The sandbox's UI shows the seeded records of both emulators, and its call counters.
        zoho_accounts = requests.get(f"{sandbox}/zoho/ui/Accounts/", timeout=30)
        assert zoho_accounts.status_code == 200 and zoho_accounts.text.count("<tr") > 5
        xero_home = requests.get(f"{sandbox}/xero/ui/", timeout=30).text
        assert "Demo Company (AU)" in xero_home and "Demo Company (UK)" in xero_home
        contacts_path = re.search(r'href="(/xero/ui/[^"]+/contacts/)"', xero_home)[1]
        contacts = requests.get(f"{sandbox}{contacts_path}", timeout=30)
        assert contacts.status_code == 200 and contacts.text.count("<tr") > 5
        assert requests.get(f"{sandbox}/counters", timeout=30).status_code == 200

        stack.interrupt()  # one Ctrl-C in the terminal
        children = stack.children()
        assert set(children) == {"web", "worker", "beat", "sandbox"}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in children.values()):
            time.sleep(0.2)
        assert [name for name, pid in children.items() if alive(pid)] == [], "still running after one Ctrl-C"
