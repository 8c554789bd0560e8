"""The machinery of printed forms' long tables: {% rows %} draws exactly what the {% for %} loop it replaces
drew, and the QR codes of labels are segno's own markup. No database."""

import random
import string
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import segno
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation
from django.utils.safestring import mark_safe

from aftersales.web.printing import QR_ERROR_LEVEL, QR_MASK, moment, moments, qr_svg


ENGINE = Engine(libraries={"printing": "aftersales.web.templatetags.printing"})
ROW = ('<tr><td class="num">{{ forloop.counter }}</td><td>{{ u.serial }}</td><td>{{ u.n }}</td><td>{{ u.charge }}</td>'
       '</tr>\n  ')
ROWS = [
    {"serial": "HT<1>&\"x\"", "n": 1, "charge": Decimal("1200.50")},
    {"serial": "HT2", "n": True, "charge": ""},  # True is equal to 1 as a key, but prints as True
    {"serial": mark_safe("<b>safe</b>"), "n": None, "charge": Decimal("1200.50")},
    {"serial": "{braces} 中文", "n": 1.5, "charge": 0},
    {"serial": ["<a>", 1], "n": 0, "charge": None},  # unhashable
]


def _render(loop: str, rows, **context) -> str:
    source = "{% load printing %}<tbody>" + loop + "</tbody>"
    return ENGINE.from_string(source).render(Context({"units": rows, **context}))


def _both(rows, autoescape: bool = True) -> tuple[str, str]:
    empty = '{% empty %}<tr><td class="empty">—</td></tr>'
    fast = _render("{% autoescape " + ("on" if autoescape else "off") + " %}{% rows u in units %}" + ROW + empty
                   + "{% endrows %}{% endautoescape %}", rows)
    loop = _render("{% autoescape " + ("on" if autoescape else "off") + " %}{% for u in units %}" + ROW + empty
                   + "{% endfor %}{% endautoescape %}", rows)
    return fast, loop


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rows_draw_what_the_loop_drew(language):
    with translation.override(language):
        fast, loop = _both(ROWS * 3)
    assert fast == loop
    assert "HT&lt;1&gt;&amp;&quot;x&quot;" in fast and "<b>safe</b>" in fast
    assert '<td class="num">12</td>' in fast and "<td>True</td>" in fast and "<td>None</td>" in fast


def test_rows_without_autoescape_and_without_rows():
    fast, loop = _both(ROWS, autoescape=False)
    assert fast == loop and "HT<1>&" in fast
    for nothing in ([], None):
        fast, loop = _both(nothing)
        assert fast == loop == '<tbody><tr><td class="empty">—</td></tr></tbody>'


def test_a_missing_key_prints_as_an_unknown_variable_does():
    fast, loop = _both([{"serial": "HT1"}])
    assert fast == loop


@pytest.mark.parametrize("row", [
    "<td>{{ u.serial|upper }}</td>",  # a filter
    "<td>{% if u.serial %}✓{% endif %}</td>",  # a tag
    "<td>{{ company }}</td>",  # not the row's
    "<td>{{ u.line.number }}</td>",  # deeper than a key
    "<td>{{ forloop.last }}</td>",
])
def test_rows_refuse_what_they_cannot_draw_per_row(row):
    with pytest.raises(TemplateSyntaxError, match="rows"):
        ENGINE.from_string("{% load printing %}{% rows u in units %}" + row + "{% endrows %}")


def test_moments_are_moment_once_per_value():
    text = moments()
    values = [datetime(2026, 12, 31, 17, 30, tzinfo=UTC), None, datetime(2026, 12, 31, 17, 30, tzinfo=UTC),
              datetime(2026, 6, 1, 0, 5, tzinfo=UTC)]
    assert [text(value) for value in values] == [moment(value) for value in values]
    assert text(values[0]) == "2027-01-01 01:30"  # Asia/Shanghai


def test_qr_codes_are_segnos_markup():
    picked = random.Random(20260612)
    contents = ["RMA-2026-000044|WA000000|HT-2000", "RMA-2026-000001|#17|MC-750", "x", "中文|序列号|型号"]
    alphabet = string.ascii_letters + string.digits + "|-#/ 中"
    contents += ["".join(picked.choice(alphabet) for _ in range(picked.randint(1, 150))) for _ in range(200)]
    for content in contents:
        expected = segno.make(content, error=QR_ERROR_LEVEL, micro=False, mask=QR_MASK)
        assert qr_svg(content) == expected.svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None), content
