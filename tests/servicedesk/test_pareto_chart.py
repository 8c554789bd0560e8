"""The complaint ledger's Pareto chart: the frequency embedded in the page as JSON (json_script) for the vendored
ECharts: the keys most frequent first, their counts and the cumulative percent, by cause, model, customer and
month (the groupings of the frequency table)."""

import json
import re

import pytest

from tests.flows import IN_WARRANTY

BASE = "/api/v1/service-requests/"
ALICES_UNIT = IN_WARRANTY.format(1)


@pytest.fixture
def complaint(api, registry, units):
    def register(cause, serial=ALICES_UNIT):
        made = api("service").post(BASE, {"channel": "phone", "serial": serial, "category": "product_complaint",
                                          "description": "漏水"}, format="json").json()
        assert api("service").post(f"{BASE}{made['id']}/classify/", {"cause": cause},
                                   format="json").status_code == 200
        return made

    return register


def _chart(page) -> dict:
    html = page.content.decode()
    found = re.search(r'<script id="pareto-data" type="application/json">(.*?)</script>', html, re.DOTALL)
    assert found, "the page embeds the chart's data"
    assert 'id="pareto-chart"' in html and "/static/web/vendor/echarts-5.6.0.min.js" in html
    assert "/static/servicedesk/charts.js" in html
    return json.loads(found.group(1))


def test_the_pareto_chart_data_by_cause_model_customer_and_month(complaint, browser_as):
    for cause in ("transport", "manufacturing", "transport", "usage", "transport", "manufacturing"):
        complaint(cause)
    complaint("transport", serial="HT260100004")  # Bob's unit: another customer
    quality = browser_as("quality")
    by_cause = _chart(quality.get("/service-desk/complaints/", {"by": "cause"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert by_cause["keys"] == ["运输", "制造工艺", "使用不当"]  # most frequent first
    assert by_cause["counts"] == [4, 2, 1] and by_cause["cumulative"] == [57.1, 85.7, 100.0]
    assert by_cause["count_label"] and by_cause["cumulative_label"]
    by_customer = _chart(quality.get("/service-desk/complaints/", {"by": "customer"}))
    assert by_customer["counts"] == [6, 1] and by_customer["cumulative"] == [85.7, 100.0]
    assert by_customer["keys"] == ["华东经销商（上海）", "天猫旗舰店"]
    assert _chart(quality.get("/service-desk/complaints/", {"by": "model"}))["keys"] == ["HT-2000"]
    by_month = _chart(quality.get("/service-desk/complaints/", {"by": "month"}))
    assert len(by_month["keys"]) == 1 and re.fullmatch(r"\d{4}-\d{2}", by_month["keys"][0])
    assert by_month["counts"] == [7] and by_month["cumulative"] == [100.0]
    filtered = _chart(quality.get("/service-desk/complaints/", {"by": "cause", "customer": "C-BOB"}))
    assert (filtered["keys"], filtered["counts"]) == (["运输"], [1])


def test_no_chart_without_complaints(browser_as, db):
    page = browser_as("manager").get("/service-desk/complaints/").content.decode()
    assert 'id="pareto-data"' not in page and 'id="pareto-chart"' not in page
