"""The one page shape of every list: {"count", "next", "previous", "results"}, `?page=` and `?page_size=`."""

from functools import partial

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class CountedPaginator(Paginator):
    """A paginator told the number of rows, where a selector counts them in a cheaper shape than the rows'
    query (`count()` of the rows is not run)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached property: this is its value


def paginated(request, view, rows, render=None, *, count: int | None = None) -> Response:
    """A page of `rows` (a queryset or a list) as the one page shape; `render(page)` turns the page's
    rows into the answer's (default: as they are); `count`, when given, is the number of rows. A page past
    the last is 404."""
    paginator = Pagination()
    if count is not None:
        paginator.django_paginator_class = partial(CountedPaginator, count=count)
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(render(page) if render else list(page))
