from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in OpenAPI (Swagger UI then sends `Authorization: Bearer …`)."""

    target_class = "apitokens.authentication.TokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from `manage.py create_api_token USERNAME` or the admin: `Authorization: Bearer <token>` (or `Token <token>`).",
        }
