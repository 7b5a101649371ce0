from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from kb.markdown import render_markdown


@require_POST
@staff_member_required
def markdown_preview(request):
    """Rendered, sanitized HTML of a Markdown text, for the admin's live preview."""
    return HttpResponse(render_markdown(request.POST.get("text", "")), content_type="text/html; charset=utf-8")
