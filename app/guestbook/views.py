from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from .forms import EntryForm
from .models import Entry

LATEST = 20


@require_http_methods(["GET", "HEAD", "POST"])
def index(request):
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST)
        if form.is_valid():
            form.save()
            return redirect("guestbook:index")
        status = 400
    else:
        form = EntryForm()
    context = {
        "form": form,
        "entries": Entry.objects.all()[:LATEST],
        "total": Entry.objects.count(),
    }
    return render(request, "guestbook/index.html", context, status=status)


@require_GET
def about(request):
    return render(request, "guestbook/about.html")
