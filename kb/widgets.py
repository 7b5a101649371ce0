"""Admin widget: a Markdown textarea with a preview rendered by the one renderer (kb.markdown).

The preview of the saved text is rendered on the server, so it works without JavaScript; a small
script refreshes it while typing through a staff-only preview endpoint.
"""

from django import forms
from django.urls import reverse

from kb.markdown import render_markdown


class MarkdownPreviewWidget(forms.Textarea):
    template_name = "kb/widgets/markdown_preview.html"

    class Media:
        js = ("kb/markdown-preview.js",)
        css = {"all": ("kb/markdown-preview.css",)}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["preview"] = render_markdown(value or "")
        context["widget"]["preview_url"] = reverse("markdown_preview")
        return context
