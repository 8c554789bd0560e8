"""Queues: what waits for each of the user's roles now, by due moment, with overdue and due-today counts."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from aftersales.core.errors import NotFound
from aftersales.core.pagination import Pagination, paginated
from aftersales.core.roles import ROLE_LABELS, roles_of

from .selectors import deadline_data, queue, queue_counts
from .serializers import QueueCountsSerializer, QueueSerializer


def _roles(user) -> list[str]:
    return sorted(roles_of(user), key=list(ROLE_LABELS).index)


class QueuesView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=QueueCountsSerializer(many=True))
    def get(self, request):
        """Each of your roles with how many steps wait for it, how many are overdue and due today (a page)."""
        customer_id = request.user.customer_id
        return paginated(request, self, _roles(request.user), lambda roles: [
            {**queue_counts(role, customer_id=customer_id), "label": str(ROLE_LABELS[role])} for role in roles])


class QueueView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=QueueSerializer)
    def get(self, request, role: str):
        """What waits for this role now, soonest due first (page of 50; `page`, `page_size`)."""
        if role not in _roles(request.user):
            raise NotFound()
        at = timezone.now()
        customer_id = request.user.customer_id
        counts = queue_counts(role, customer_id=customer_id, at=at)
        paginator = Pagination()
        paginator.django_paginator_class = _counted(counts["open"])
        page = paginator.paginate_queryset(queue(role, customer_id=customer_id), request, view=self)
        response = paginator.get_paginated_response([deadline_data(d, at) for d in page])
        response.data = {**counts, "label": str(ROLE_LABELS[role]), **response.data}
        return response


def _counted(total: int):
    """A paginator that takes the count already made (the queue's counts query) instead of counting again."""
    from django.core.paginator import Paginator

    class CountedPaginator(Paginator):
        @property
        def count(self):
            return total

    return CountedPaginator
