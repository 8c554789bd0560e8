"""Queries an outside test sent to the calendar API (issue 10, item 15): impossible dates, the
calendar's edge, numbers no limit could be. Each is a 400 with a code, never a server error."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [
    {"start": "2026-02-30T10:00", "working_days": "1"},
    {"start": "9999-12-31T23:00", "working_days": "3650"},
    {"start": "2026-12-01T10:00", "working_days": "1e300"},
    {"start": "2026-12-01T10:00", "hours": "nan"},
    {"start": "2026-12-01", "working_days": "3650000"},
    {"start": "0001-01-01T00:00", "working_days": "-5"},
    {"start": "2026-12-01T10:00", "working_hours": "99999999"},
    {"start": "²", "working_days": "1"},
])
def test_impossible_dues_are_refused(api, users, query):
    response = api("service").get("/api/v1/calendar/due/", query)
    assert response.status_code == 400 and response.json()["code"], (query, response.content[:300])


@pytest.mark.parametrize("day", ["2026-02-30", "9999-12-31", "0000-01-01", "²"])
def test_impossible_days_are_refused_or_answered(api, users, day):
    response = api("service").get("/api/v1/calendar/workday/", {"date": day})
    assert response.status_code in (200, 400), (day, response.content[:300])
    if response.status_code == 400:
        assert response.json()["code"] == "invalid"
