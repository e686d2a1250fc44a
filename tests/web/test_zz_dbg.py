import re
from tests.web.test_hostile_forms import *  # noqa
from tests.web.test_hostile_forms import web_engine, demo_template  # noqa

def test_dbg(client, web_engine):
    d = find_demo(web_engine)
    sign_in(client, "admin")
    page = client.get("/admin/barrier-categories").text
    token = csrf_from(page)
    r = client.post(f"/admin/barrier-categories/{d.category}/rename", data={"name_cs": UNICODE, "name_en": "x", "_csrf_token": token}, follow_redirects=False)
    print(r.status_code, r.headers.get("location"))
    with web_engine.connect() as c:
        print(repr(c.exec_driver_sql(f"select * from barrier_category where id={d.category}").fetchall()))
    print(repr(UNICODE))
    assert 0
