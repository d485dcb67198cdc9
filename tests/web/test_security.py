"""The dashboard's security, tested over HTTP on a real store: who may act is decided on the server for every
request, forms carry CSRF tokens, sessions are signed cookies, logins are rate-limited, user text is escaped."""

from __future__ import annotations

from cxscale.portfolio import open_store
from cxscale.portfolio.log import entries
from tests.web.conftest import PASSWORD, csrf_of, login


def _log_size(portfolio) -> int:
    store = open_store(portfolio.store_path)
    try:
        return len(entries(store))
    finally:
        store.close()


def _stage(client, iid: str) -> str:
    return client.get(f"/api/initiatives/{iid}").json()["stage"]


def test_pages_need_a_login_and_the_api_a_credential(client):
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    api = client.get("/api/initiatives")
    assert api.status_code == 401 and "not signed in" in api.json()["detail"]
    assert client.post("/api/initiatives/at-idea/stop", json={"reason": "x"}).status_code == 401


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client):
    wrong = login(client, "ana.souza", "not the password")
    nobody = login(client, "no.such.person", "not the password")
    assert wrong.status_code == nobody.status_code == 303
    assert wrong.headers["location"] == nobody.headers["location"]
    assert "cxscale_session" not in client.cookies


def test_a_session_cookie_is_http_only_same_site_and_signed(client):
    response = login(client, "ana.souza")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("samesite", "SameSite")
    assert client.get("/api/me").json()["id"] == "ana.souza"
    value = client.cookies["cxscale_session"]
    payload, mac = value.split(".")
    client.cookies.set("cxscale_session", payload[:-2] + "xx." + mac)
    assert client.get("/api/me").status_code == 401


def test_a_viewer_cannot_advance_a_gate_or_sign_off(client, portfolio):
    login(client, "vic.viewer")
    csrf = csrf_of(client, "/initiatives/at-proof")
    before = _log_size(portfolio)
    advanced = client.post("/initiatives/at-idea/advance", data={"to": "pilot", "reason": "go", "csrf": csrf})
    signed = client.post("/initiatives/at-proof/signoff", data={"function": "technology", "csrf": csrf})
    assert advanced.status_code == signed.status_code == 403
    assert "viewer" in advanced.text and "reads only" in advanced.text
    api = client.post("/api/initiatives/at-proof/signoff", json={"function": "technology"},
                      headers={"X-CSRF-Token": csrf})
    assert api.status_code == 403
    assert _log_size(portfolio) == before
    assert "Sign off for" not in client.get("/initiatives/at-proof").text


def test_a_commercial_owner_cannot_sign_off_for_technology(client, portfolio):
    login(client, "carla.mendes")
    csrf = csrf_of(client, "/initiatives/at-proof")
    page = client.get("/initiatives/at-proof").text
    assert "Sign off for commercial" in page and "Sign off for technology" not in page
    before = _log_size(portfolio)
    refused = client.post("/initiatives/at-proof/signoff", data={"function": "technology", "csrf": csrf})
    assert refused.status_code == 403 and "technology" in refused.text
    assert _log_size(portfolio) == before
    done = client.post("/initiatives/at-proof/signoff", data={"function": "commercial", "csrf": csrf},
                       follow_redirects=False)
    assert done.status_code == 303 and "flash=" in done.headers["location"]
    assert _log_size(portfolio) == before + 1


def test_nobody_approves_their_own_proposal(client, portfolio):
    """The sponsor proposing an override of their own initiative cannot be the one who approves it."""
    login(client, "daniel.rocha")
    csrf = csrf_of(client, "/initiatives/at-pilot")
    before = _log_size(portfolio)
    response = client.post("/initiatives/at-pilot/advance", data={"to": "proof", "reason": "we trust it",
                                                                  "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303 and "error=" in response.headers["location"]
    shown = client.get(response.headers["location"]).text
    assert "own proposal" in shown
    assert _stage(client, "at-pilot") == "pilot" and _log_size(portfolio) == before


def test_an_override_waits_for_the_sponsor(client, portfolio):
    login(client, "ana.souza")
    csrf = csrf_of(client, "/initiatives/at-pilot")
    client.post("/initiatives/at-pilot/advance", data={"to": "proof", "reason": "the trend is clear", "csrf": csrf})
    assert _stage(client, "at-pilot") == "pilot"
    assert "waits for the executive sponsor" in client.get("/initiatives/at-pilot").text
    refused = client.post("/initiatives/at-pilot/approve", data={"csrf": csrf})
    assert refused.status_code == 403
    client.post("/logout", data={"csrf": csrf})
    login(client, "daniel.rocha")
    csrf = csrf_of(client, "/initiatives/at-pilot")
    client.post("/initiatives/at-pilot/approve", data={"csrf": csrf})
    assert _stage(client, "at-pilot") == "proof"
    log = client.get("/log").text
    assert "override" in log and "approved by daniel.rocha" in log


def test_a_forged_or_missing_csrf_token_is_refused(client, portfolio):
    login(client, "eva.council")
    before = _log_size(portfolio)
    for data in ({"reason": "stop it"}, {"reason": "stop it", "csrf": "forged"}):
        assert client.post("/initiatives/at-idea/stop", data=data).status_code == 403
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        assert client.post("/api/initiatives/at-idea/stop", json={"reason": "stop it"},
                           headers=headers).status_code == 403
    assert _log_size(portfolio) == before and _stage(client, "at-idea") == "idea"
    good = client.post("/api/initiatives/at-idea/stop", json={"reason": "stop it"},
                       headers={"X-CSRF-Token": csrf_of(client)})
    assert good.status_code == 200 and good.json()["to_stage"] == "stopped"


def test_a_login_form_from_elsewhere_is_refused(client):
    forged = client.post("/login", data={"user": "ana.souza", "password": PASSWORD, "csrf": "x"})
    assert forged.status_code == 403 and "cxscale_session" not in client.cookies


def test_logins_are_rate_limited(client):
    for _ in range(5):
        login(client, "ana.souza", "wrong")
    limited = login(client, "ana.souza")
    assert limited.status_code == 429 and "too many failed logins" in limited.text
    assert "cxscale_session" not in client.cookies


def test_a_script_in_a_title_is_shown_as_text(client):
    login(client, "ana.souza")
    for path in ("/", "/initiatives/at-idea"):
        page = client.get(path).text
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in page


def test_security_headers_forbid_inline_script_and_framing(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script" not in response.text


def test_login_never_redirects_to_another_site(client):
    page = client.get("/login?next=//evil.example/")
    assert 'value="/"' in page.text and "evil" not in page.text


def test_a_personal_api_token_acts_without_csrf_and_a_forged_one_is_refused(client, portfolio):
    from cxscale.portfolio import service

    store = open_store(portfolio.store_path)
    try:
        token = service.issue_token(store, "eva.council", portfolio.person("root"))
    finally:
        store.close()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json() == {**me.json(), "id": "eva.council", "via": "token"}
    forged = token[:-4] + "AAAA"
    assert client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    stopped = client.post("/api/initiatives/at-idea/stop", json={"reason": "no budget"},
                          headers={"Authorization": f"Bearer {token}"})
    assert stopped.status_code == 200


def test_someone_who_left_is_logged_out_at_once(client, portfolio):
    from cxscale.portfolio import service

    login(client, "bruno.lima")
    assert client.get("/api/me").status_code == 200
    store = open_store(portfolio.store_path)
    try:
        service.deactivate(store, "bruno.lima", "left the company", portfolio.person("root"))
    finally:
        store.close()
    assert client.get("/api/me").status_code == 401


def test_a_token_used_once_is_refused_at_once_after_its_person_leaves(client, portfolio):
    """The dashboard remembers a verified token to spare argon2 on every call; leaving still takes effect at once."""
    from cxscale.portfolio import service

    store = open_store(portfolio.store_path)
    try:
        token = service.issue_token(store, "bruno.lima", portfolio.person("root"))
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/me", headers=auth).status_code == 200
        assert client.get("/api/me", headers=auth).status_code == 200
        service.deactivate(store, "bruno.lima", "left the company", portfolio.person("root"))
    finally:
        store.close()
    assert client.get("/api/me", headers=auth).status_code == 401
