from ..models import CaseEvent


def event_append(*, case, actor, action: str, from_state: str, to_state: str, unit_ids=(), unit_to_state: str = "",
                 changes: dict | None = None, comment: str = "") -> CaseEvent:
    """Append to the case's timeline (never updated, never deleted)."""
    return CaseEvent.objects.create(
        return_case=case, actor=actor if getattr(actor, "pk", None) else None, action=action,
        from_state=from_state, to_state=to_state, unit_ids=list(unit_ids), unit_to_state=unit_to_state,
        changes=changes or {}, comment=comment,
    )
