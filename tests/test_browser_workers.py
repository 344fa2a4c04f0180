"""Two worker processes on one PostgreSQL database (docs/DEPLOY.md), in Chromium: an import through one
worker is seen at once by the other, with the report cache at its production setting (no stale table)."""
from __future__ import annotations

import secrets


from tests.test_browser_app import (browser_context_args, browser_type_launch_args, errors,  # noqa: F401
                                    log_in, shot)
from tests.test_deploy import demo_database, pg_database, workers


def _kpi(page, label: str) -> str:
    handle = page.wait_for_function("""label => {
        const card = [...document.querySelectorAll('#overview-kpis .kpi-card')]
            .find(c => c.querySelector('.kpi-label').innerText.trim() === label);
        return card ? card.querySelector('.kpi-value').innerText.trim() : null;
    }""", arg=label)
    return handle.json_value()


def test_an_import_through_one_worker_is_seen_at_once_by_the_other(page, errors, tmp_path):  # noqa: F811
    from data.db import make_engine, make_session_factory
    from data.demo import demo_as_of
    from data.lookups import round_names
    from data.models import Org

    password = secrets.token_urlsafe(12)
    with pg_database("dashboard_workers") as url:
        demo_database(url, admin_password=password)
        engine = make_engine(url)
        with make_session_factory(engine)() as s:
            newest = round_names(s)[0]
            org = s.query(Org.code).order_by(Org.depth.desc(), Org.code).first()[0]
        engine.dispose()
        # Three rectifications past their deadline: the overview's 超期整改 goes up by exactly three.
        csv = "问题编号,评议批次,组织编码,问题描述,登记日期,整改时限,状态\n" + "".join(
            f"WK-{i},{newest},{org},窗口排队时间长,2012-10-08,2012-11-15,整改中\n" for i in range(3))
        with workers(url, 2, tmp_path) as (first, second):
            overview = f"/?as_of={demo_as_of().isoformat()}"
            live = {"base": first, "password": password}
            log_in(page, live, "/import")  # one cookie for both: same host, one SECRET_KEY, one database
            page.locator("#import-upload input[type=file]").set_input_files(
                files=[{"name": "整改台账.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8-sig")}])
            page.get_by_text("校验通过（试运行，未写入）").wait_for()
            other = page.context.new_page()
            other.goto(second + overview)
            before = int(_kpi(other, "超期整改"))  # the second worker has the overview in its cache now
            page.get_by_role("button", name="确认导入").click()
            page.get_by_text("导入完成").wait_for()
            other.goto(second + overview)
            assert int(_kpi(other, "超期整改")) == before + 3
            shot(other, "second_worker_after_import")
    assert not errors, errors
