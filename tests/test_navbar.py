"""The navbar is server-written HTML (layouts/shell.py html_host): every text in it escaped, the links keep the
round and the date and mark the page shown, and a role sees only its pages."""
from __future__ import annotations

from layouts import shell
from tests.test_app_callbacks import HTMLText

HOSTILE = '<img src=x onerror="alert(1)">'


def _parse(bar) -> HTMLText:
    """Everything the navbar's HTML hosts hold, parsed as the browser reads it."""
    tree = HTMLText()
    for component in bar._traverse():
        tree.feed(getattr(component, "data-html", None) or "")
    return tree


def test_hostile_names_and_url_values_stay_text():
    user = shell.UserInfo(HOSTILE, "管理员", HOSTILE, "admin")
    state = {"round": '"><script>alert(2)</script>', "as_of": "2012-12-10"}
    tree = _parse(shell.navbar("/drill", state, "zh", user, ["R"], "2012-12-10", csrf_token='"><b>'))
    assert not {"img", "script", "b"} & set(tree.tags), tree.tags
    assert HOSTILE in tree.pieces  # shown as the user's name, letter for letter
    assert all(link["href"].startswith("/") and "<" not in link["href"] for link in tree.links)


def test_links_keep_round_and_date_and_mark_the_page_shown():
    user = shell.UserInfo("艾达", "领导", "全部", "leader")
    tree = _parse(shell.navbar("/pledges", {"round": "R1", "as_of": "2012-12-10", "system": "教育系统"}, "zh",
                               user, ["R1"], "2012-12-10"))
    hrefs = {link["href"].split("?")[0]: link for link in tree.links}
    assert hrefs["/drill"]["href"] == "/drill?round=R1&as_of=2012-12-10"  # the node stays behind, round and date go
    assert [p for p, link in hrefs.items() if "active" in link["class"].split()] == ["/pledges"]
    assert not {"/import", "/users", "/settings", "/audit"} & set(hrefs)  # a leader's navbar: no admin pages
    assert "领导" in "".join(tree.pieces) and "台账" in tree.pieces
