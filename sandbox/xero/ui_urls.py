"""The Xero emulator's web UI under /xero/ui/."""

from django.urls import path

from . import ui_views

urlpatterns = [
    path("", ui_views.index, name="ui_index"),
    path("<uuid:org_id>/contacts/", ui_views.contact_list, name="ui_contacts"),
    path("<uuid:org_id>/contacts/new/", ui_views.contact_form, name="ui_contact_new"),
    path("<uuid:org_id>/contacts/<uuid:contact_id>/", ui_views.contact_form, name="ui_contact_edit"),
    path("<uuid:org_id>/contacts/<uuid:contact_id>/archive/", ui_views.contact_archive, name="ui_contact_archive"),
    path("<uuid:org_id>/items/", ui_views.item_list, name="ui_items"),
    path("<uuid:org_id>/items/new/", ui_views.item_form, name="ui_item_new"),
    path("<uuid:org_id>/items/<uuid:item_id>/", ui_views.item_form, name="ui_item_edit"),
    path("<uuid:org_id>/items/<uuid:item_id>/delete/", ui_views.item_delete, name="ui_item_delete"),
    path("<uuid:org_id>/invoices/", ui_views.invoice_list, name="ui_invoices"),
    path("<uuid:org_id>/invoices/new/", ui_views.invoice_form, name="ui_invoice_new"),
    path("<uuid:org_id>/invoices/<uuid:invoice_id>/", ui_views.invoice_form, name="ui_invoice_edit"),
    path("<uuid:org_id>/invoices/<uuid:invoice_id>/status/", ui_views.invoice_status, name="ui_invoice_status"),
    path("<uuid:org_id>/invoices/<uuid:invoice_id>/pay/", ui_views.invoice_pay, name="ui_invoice_pay"),
]
