from rest_framework.pagination import CursorPagination


class StandardCursorPagination(CursorPagination):
    """Keyset pagination: `{"next", "previous", "results"}`, the same cost on page 1 and page 20,000.
    Honours `?ordering=` when the view's OrderingFilter allows the field."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-pk"
