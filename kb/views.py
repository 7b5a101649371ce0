from django.shortcuts import render

from kb.selectors import knowledge_base_counts


def home(request):
    return render(request, "kb/home.html", {"counts": knowledge_base_counts()})
