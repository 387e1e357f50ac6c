from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from audit.views import dashboard

from . import health, views

app_name = "tenancy"

urlpatterns = [
    path("", dashboard, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("signup/", views.sign_up, name="sign_up"),
    path("signup/sent/", views.sign_up_sent, name="sign_up_sent"),
    path("signup/confirm/<uidb64>/<token>/", views.sign_up_confirm, name="sign_up_confirm"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="tenancy/password_change.html", success_url=reverse_lazy("tenancy:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="tenancy/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(
            template_name="tenancy/password_reset.html",
            email_template_name="tenancy/password_reset_email.txt",
            subject_template_name="tenancy/password_reset_subject.txt",
            success_url=reverse_lazy("tenancy:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="tenancy/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="tenancy/password_reset_confirm.html",
            success_url=reverse_lazy("tenancy:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="tenancy/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("language/", views.set_language, name="set_language"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
]
