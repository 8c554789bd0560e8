"""The tags of printed forms (web/printing.py is their machinery)."""

from operator import itemgetter

from django import template
from django.template.base import TextNode, Variable, VariableNode, render_value_in_context
from django.utils.safestring import mark_safe

register = template.Library()


@register.tag
def rows(parser, token):
    """The rows of a form's long table (one per unit: a thousand on a large case), at the cost of a string
    format per row rather than of a template loop:

        {% rows unit in units %}<tr><td>{{ forloop.counter }}</td><td>{{ unit.serial }}</td></tr>
        {% empty %}<tr><td>None.</td></tr>{% endrows %}

    The row is compiled once, with a slot for each `{{ unit.key }}` (`units` are dicts) and for
    `{{ forloop.counter }}` (the row's number, in plain digits). Each distinct value is shown as `{{ }}` shows
    it (localized, escaped unless autoescape is off), once per page: the columns of a form repeat their values.
    Only text and those two kinds of variable may stand in the row, without filters: the form's data gives
    each cell as it is printed (labels, "—" for nothing)."""
    bits = token.split_contents()
    if len(bits) != 4 or bits[2] != "in":
        raise template.TemplateSyntaxError("'rows' is written {% rows row in sequence %}")
    name, sequence = bits[1], parser.compile_filter(bits[3])
    body = parser.parse(("empty", "endrows"))
    empty = template.NodeList()
    if parser.next_token().contents == "empty":
        empty = parser.parse(("endrows",))
        parser.delete_first_token()
    row_format, slots = _compile_row(name, body)
    return RowsNode(sequence, row_format, slots, empty)


def _compile_row(name: str, body) -> tuple[str, list[str]]:
    """The row as a format string: field 0 is the row's number, 1… the row's keys in order of appearance."""
    parts, keys = [], []
    for node in body:
        if isinstance(node, TextNode):
            parts.append(node.s.replace("{", "{{").replace("}", "}}"))
            continue
        lookups = _plain_lookups(node)
        if lookups == ("forloop", "counter"):
            parts.append("{0}")
        elif lookups is not None and len(lookups) == 2 and lookups[0] == name:
            keys.append(lookups[1])
            parts.append(f"{{{len(keys)}}}")
        else:
            raise template.TemplateSyntaxError(
                f"'rows' takes text, {{{{ {name}.key }}}} and {{{{ forloop.counter }}}} in its row, without filters "
                f"or tags; found {node!r}: give the cell as printed in the form's data")
    return "".join(parts), keys


def _plain_lookups(node) -> tuple[str, ...] | None:
    if not isinstance(node, VariableNode) or node.filter_expression.filters:
        return None
    var = node.filter_expression.var
    if not isinstance(var, Variable) or var.lookups is None or var.translate or var.message_context:
        return None
    return var.lookups


def _values_of(keys: list[str]):
    """A row's values for these keys in one call, as a tuple (itemgetter of one key gives the value alone)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    return itemgetter(*keys) if keys else (lambda row: ())


class RowsNode(template.Node):
    child_nodelists = ("empty",)

    def __init__(self, sequence, row_format: str, keys: list[str], empty):
        self.sequence, self.row_format, self.keys, self.empty = sequence, row_format, keys, empty
        self.values = _values_of(keys)

    def render(self, context):
        rows = self.sequence.resolve(context, ignore_failures=True)
        if not rows:
            return self.empty.render(context)
        keys, values, row_format = self.keys, self.values, self.row_format
        invalid = context.template.engine.string_if_invalid if context.template else ""
        shown = {}  # (type, value) -> as shown: 1 and True are equal keys, but not shown alike

        def show(key) -> str:
            # Kept as a plain str: str.format would call each SafeString cell's __str__ (a Python method).
            text = shown[key] = str.__str__(render_value_in_context(key[1], context))
            return text

        drawn = []
        for number, row in enumerate(rows, 1):
            try:
                cells = values(row)
            except KeyError:  # a key the row lacks prints as an unknown variable does
                cells = [row.get(key, invalid) for key in keys]
            try:
                cells = [shown[key] if (key := (value.__class__, value)) in shown else show(key) for value in cells]
            except TypeError:  # an unhashable value (a list): this row's values shown one by one
                cells = [render_value_in_context(value, context) for value in cells]
            drawn.append(row_format.format(number, *cells))
        # Safe: the text is the template's, and every value went through render_value_in_context (escaped).
        return mark_safe("".join(drawn))
