"""Content negotiation for a check's exports: there `format` names the document (`?format=cyclonedx`),
not one of DRF's renderers, so the view reads it; errors are rendered as JSON like everywhere else."""

from rest_framework.negotiation import BaseContentNegotiation


class ExportNegotiation(BaseContentNegotiation):
    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
