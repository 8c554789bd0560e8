"""Planning closes a replenishment instruction (补货指令) once production has replaced the units."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core.errors import Conflict, NotFound
from aftersales.core.roles import require_roles

from ..models import Replenishment


@transaction.atomic
def replenishment_done(*, actor, replenishment_id: int) -> Replenishment:
    require_roles(actor, "planning", "manager")
    row = Replenishment.objects.select_for_update().filter(pk=replenishment_id).first()
    if row is None:
        raise NotFound()
    if row.state != Replenishment.State.OPEN:
        raise Conflict(_("This replenishment instruction is done already."), code="invalid_state",
                       details={"state": row.state})
    row.state, row.done_at = Replenishment.State.DONE, timezone.now()
    row.save(update_fields=["state", "done_at"])
    return row
