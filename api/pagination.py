from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """`?page=N`, and `?page_size=N` up to 200 (settings: PAGE_SIZE is the default)."""

    page_size_query_param = "page_size"
    max_page_size = 200
