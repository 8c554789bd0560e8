"""The one page shape of every list: {"count", "next", "previous", "results"}, `?page=` and `?page_size=`."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(request, view, rows, render=None) -> Response:
    """A page of `rows` (a queryset or a list) as the one page shape; `render(page)` turns the page's
    rows into the answer's (default: as they are). A page past the last is 404."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(render(page) if render else list(page))
