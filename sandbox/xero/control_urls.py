"""Control endpoints of the Xero emulator, under /_sandbox/xero/."""

app_name = "sandbox_xero_control"

urlpatterns: list = []
