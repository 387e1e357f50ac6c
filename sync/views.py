from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def settings_page(request):
    return render(request, "sync/settings.html")


@login_required
def historical(request):
    return render(request, "sync/historical.html")
