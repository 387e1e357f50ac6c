from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def dashboard(request):
    return render(request, "audit/dashboard.html")


@login_required
def index(request):
    return render(request, "audit/index.html")
