"""What every API endpoint shares, whichever app it belongs to: the error body (errors), the JSON
parser with its size limit (parsers), pagination, throttles and the OpenAPI error documentation
(schema). config/settings.py names these classes in REST_FRAMEWORK; responses are rendered by DRF's
own JSONRenderer."""
