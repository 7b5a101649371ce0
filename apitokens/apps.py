from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    """API tokens: django-rest-knox stores them (SHA-512 digests only); this app adds the header
    schemes we accept and the `create_api_token` command."""

    name = "apitokens"
    verbose_name = "API tokens"

    def ready(self):
        from apitokens import schema  # noqa: F401  (registers the OpenAPI security scheme)
