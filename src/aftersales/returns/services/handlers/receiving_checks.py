"""The receiving checklist (售后返退货流程描述 二.1, 服装返货 三.5) and loose accessories, recorded with a
`receive`: per unit (an item's `check`) or per parcel (`parcel_check`), and accessories that arrived
apart from their units (`accessories`), each a receipt line of its own."""

from django.utils.translation import gettext as _

from aftersales.core import parsing
from aftersales.core.errors import InvalidInput

from ...models import PackagingCondition, ReceivedAccessory, ReceivingCheck

CHECK_FLAGS = ("contents_match", "outer_damage", "wiring_cut", "non_genuine_parts", "accessories_complete")
PARCEL_LENGTH, NOTES_LENGTH, ACCESSORY_LENGTH = 40, 500, 200
MAX_ACCESSORIES = 200


def check_values(raw, field: str) -> dict | None:
    """A checklist from the request, each flag true or false, packaging one of its kinds; None if not given."""
    if raw in (None, ""):
        return None
    if not isinstance(raw, dict):
        raise InvalidInput(details={field: [_("The checklist is an object of its items.")]})
    errors, values = {}, {}
    for name in CHECK_FLAGS:
        if name in raw and raw[name] is not None:
            try:
                values[name] = parsing.flag(raw[name], name)
            except InvalidInput as error:
                errors.update(error.details)
    packaging = raw.get("packaging")
    if packaging not in (None, ""):
        if packaging not in PackagingCondition.values:
            errors["packaging"] = [_("Must be one of: %(allowed)s.") % {"allowed": ", ".join(PackagingCondition.values)}]
        else:
            values["packaging"] = packaging
    try:
        values.update(parsing.texts(raw, {"parcel": PARCEL_LENGTH, "notes": NOTES_LENGTH}))
    except InvalidInput as error:
        errors.update(error.details)
    if errors:
        raise InvalidInput(details={field: errors})
    return values


def accessories_values(raw, lines_by_no: dict) -> list[dict]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or len(raw) > MAX_ACCESSORIES:
        raise InvalidInput(details={"accessories": [_("A list of at most %(maximum)s accessories.")
                                                    % {"maximum": MAX_ACCESSORIES}]})
    errors, values = {}, []
    for index, item in enumerate(raw):
        try:
            if not isinstance(item, dict):
                raise InvalidInput(details={"accessory": [_("Each item is an object.")]})
            entry = parsing.texts(item, {"name": ACCESSORY_LENGTH, "parcel": PARCEL_LENGTH}, required=("name",))
            entry["quantity"] = parsing.whole_number(item.get("quantity", 1), "quantity", minimum=1,
                                                     maximum=parsing.MAX_UNITS)
            line = item.get("line")
            if line not in (None, ""):
                number = parsing.whole_number(line, "line", minimum=1, maximum=10_000)
                if number not in lines_by_no:
                    raise InvalidInput(details={"line": [_("No such line on the note.")]})
                entry["line"] = lines_by_no[number]
            values.append(entry)
        except InvalidInput as error:
            errors[str(index)] = [m for messages in error.details.values() for m in messages]
    if errors:
        raise InvalidInput(details={"accessories": errors})
    return values


def checks_record(ctx, *, unit_checks: list[tuple[object, dict]], parcel_check: dict | None,
                  accessories: list[dict]) -> dict:
    """Write what the warehouse found; the counts for the answer."""
    rows = [ReceivingCheck(return_case=ctx.case, unit_id=unit.pk if unit is not None else None,
                           recorded_by=ctx.actor, **values) for unit, values in unit_checks]
    if parcel_check is not None:
        rows.append(ReceivingCheck(return_case=ctx.case, recorded_by=ctx.actor, **parcel_check))
    if rows:
        ReceivingCheck.objects.bulk_create(rows)
    if accessories:
        ReceivedAccessory.objects.bulk_create([ReceivedAccessory(return_case=ctx.case, recorded_by=ctx.actor, **entry)
                                               for entry in accessories])
    return {"checks": len(rows), "accessories": sum(entry["quantity"] for entry in accessories)}
