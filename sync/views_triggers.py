"""Views of the sync triggers: Historical Sync (dry run, progress, controls), Copy to Xero (portal search and the
Zoho button URL), and the provider callbacks (Zoho notifications and workflow webhooks, Xero webhooks).

The callbacks are csrf-exempt POST endpoints that verify before they parse, queue the work on the "realtime"
queue after commit and answer at once; anything unknown, malformed or forged gets a 4xx, is logged and queues
nothing. Views stay thin: the logic is in sync/triggers/."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from audit.models import translate_message
from connections.exceptions import ProviderError
from connections.models import XeroOrganisation
from tenancy import safe_json
from tenancy.access import current_organisation, require_manager, scoped, tenant_object_or_404
from tenancy.models import Organisation

from . import retries
from .engine import messages as engine_messages
from .engine.modules import MODULE_ORDER, XERO_TO_ZOHO, ZOHO_TO_XERO, spec
from .forms_triggers import CopyForm, CopySearchForm, HistoricalSyncForm
from .models import MODULE_LABELS, RunProblem
from .readiness import services as readiness
from .trigger_models import ButtonKey, HistoricalJob, JobStatus
from .triggers import coalesce, copy, historical, keys, notifications, webhooks
from .triggers import reasons as reasons_module

logger = logging.getLogger(__name__)

# Zoho's callbacks are small and flat (a notification names at most 1,000 ids): anything larger or deeper is
# refused before it is parsed.
CALLBACK_MAX_BYTES = 256 * 1024
CALLBACK_MAX_DEPTH = 8


# --- Historical Sync -----------------------------------------------------------------------------------------


def _xero_organisations(request):
    return scoped(request, XeroOrganisation).filter(selected=True).order_by("tenant_name", "created_at")


@login_required
def historical_page(request):
    organisation = current_organisation(request)
    xero_organisations = _xero_organisations(request)
    form = HistoricalSyncForm(request.POST or None, xero_organisations=xero_organisations,
                              initial={"modules": ["accounts"]})
    if request.method == "POST":
        require_manager(request)
        if form.is_valid():
            data = form.cleaned_data
            job = historical.create_job(
                data["xero_organisation"], modules=data["modules"],
                direction=XERO_TO_ZOHO if data["xero_to_zoho"] else ZOHO_TO_XERO,
                date_from=data["date_from"], date_to=data["date_to"], resync_all=data["resync_all"],
                user=request.user)
            messages.info(request, _("The dry run has started: nothing is written until you start the sync."))
            return redirect("sync:historical_job", pk=job.pk)
        messages.error(request, _("The historical sync was not started. Please correct the fields marked below."))
    jobs = scoped(request, HistoricalJob).select_related("xero_organisation")[:10]
    return render(request, "sync/historical.html", {
        "form": form, "jobs": jobs, "organisation": organisation, "can_manage": request.membership.can_manage,
        "has_xero": xero_organisations.exists(),
    }, status=400 if request.method == "POST" else 200)


# Parameters that name one record: never shown for a group of different records.
RECORD_PARAMS = frozenset({"name", "new_name", "zoho_id", "xero_id", "record_id", "record", "number", "code",
                           "email", "value"})
# Reasons that only say what the outcome says (the plan sentence says it better), and reasons phrased as done
# that a dry run must phrase as a plan.
PLAIN_OUTCOMES = frozenset({engine_messages.CREATED, engine_messages.UPDATED, reasons_module.UNCHANGED})
PLANNED_REASONS = {
    engine_messages.MATCHED: gettext_noop("They will be linked to the existing %(target)s records with the same "
                                          "%(rule)s; nothing is created."),
    engine_messages.MATCHED_AND_UPDATED: gettext_noop("They will be linked to the existing %(target)s records with "
                                                      "the same %(rule)s, then updated."),
}


def _render(message_key: str, params: dict | None, count: int = 1) -> str:
    """A dry-run reason in the reader's language. The example record's values are used only when the reason
    concerns one record: a group of different records never shows one record's name."""
    if not message_key:
        return ""
    params = dict(params or {})
    varies = set(params.pop(historical.VARIES, []))
    if count > 1:
        params = {key: ("…" if key in RECORD_PARAMS or key in varies else value) for key, value in params.items()}
    message_key = PLANNED_REASONS.get(message_key, message_key)
    # The audit log's own translator: the same labels translated, and a reason that carries another whole message
    # ("Waits for its product …, which could not be synced: <that product's reason>") built in the reader's
    # language instead of showing the nested message's %(placeholders)s.
    return translate_message(message_key, params, "") or _(message_key)


def _plan_sentence(outcome: str, count: int, target: str) -> str:
    """What the job will do, as a plan ("Will update 200 in Xero"), never as if it were done."""
    if outcome == "create":
        return ngettext("Will create %(count)s record in %(target)s", "Will create %(count)s records in %(target)s",
                        count) % {"count": count, "target": target}
    if outcome == "update":
        return ngettext("Will update %(count)s record in %(target)s", "Will update %(count)s records in %(target)s",
                        count) % {"count": count, "target": target}
    if outcome == "refuse":
        return ngettext("%(count)s record would be refused", "%(count)s records would be refused", count) % {
            "count": count}
    return ngettext("Will skip %(count)s record", "Will skip %(count)s records", count) % {"count": count}


def _job_context(request, job):
    target = _("Xero") if job.direction == ZOHO_TO_XERO else _("Zoho CRM")
    dry_run = []
    for module in job.modules:
        counts = job.dry_run.get(module) or {}
        reasons = []
        examples = counts.get("examples") or {}
        for key, count in sorted((counts.get("reasons") or {}).items()):
            outcome, _sep, message_key = key.partition("|")
            detail = "" if message_key in PLAIN_OUTCOMES else _render(message_key, examples.get(key), count)
            reasons.append({"outcome": outcome, "plan": _plan_sentence(outcome, count, target), "message": detail,
                            "count": count})
        dry_run.append({"module": module, "label": MODULE_LABELS[module], "counts": counts, "reasons": reasons,
                        "planned": module in job.planned_modules})
    waiting = bool(job.problem) and job.status in (JobStatus.PLANNING, JobStatus.RUNNING)
    active = job.status in (JobStatus.RUNNING, JobStatus.PAUSED)
    seconds = historical.seconds_left(job) if active and job.processed < job.total and not waiting else None
    if job.status != JobStatus.PLANNING:
        readiness.mark_dry_run_seen(job.xero_organisation)
    return {"job": job, "dry_run": dry_run,
            "minutes_left": None if seconds is None else max(1, round(seconds / 60)),  # None once all processed
            "seconds_left": seconds, "can_manage": request.membership.can_manage,
            "all_processed": job.total > 0 and job.processed >= job.total,
            "summary": historical.summary(job) if job.status in (JobStatus.DONE, JobStatus.CANCELLED) else None,
            "live": job.status in (JobStatus.PLANNING, JobStatus.RUNNING),
            "waiting": waiting, "provider": retries.PROVIDER_NAMES.get(job.problem_provider, ""),
            "problem_label": RunProblem(job.problem).label if job.problem in RunProblem.values else ""}


@login_required
def historical_job(request, pk):
    job = tenant_object_or_404(request, HistoricalJob.objects.select_related("xero_organisation"), pk=pk)
    return render(request, "sync/historical_job.html", _job_context(request, job))


@login_required
def historical_progress(request, pk):
    job = tenant_object_or_404(request, HistoricalJob.objects.select_related("xero_organisation"), pk=pk)
    return render(request, "sync/_historical_progress.html", _job_context(request, job))


@login_required
@require_POST
def historical_control(request, pk, action):
    require_manager(request)
    job = tenant_object_or_404(request, HistoricalJob, pk=pk)
    moves = {"start": historical.start, "pause": historical.pause, "resume": historical.resume,
             "cancel": historical.cancel}
    if action not in moves:
        return HttpResponseBadRequest()
    if action == "pause" and job.total and job.processed >= job.total:
        messages.error(request, _("There is nothing left to pause: every record of this job has been processed."))
    elif not moves[action](job):
        messages.error(request, _("That is not possible while the job is %(status)s.") % {
            "status": job.get_status_display()})
    if request.headers.get("HX-Request"):
        return render(request, "sync/_historical_progress.html", _job_context(request, job))
    return redirect("sync:historical_job", pk=job.pk)


# --- Copy to Xero --------------------------------------------------------------------------------------------


def _button_urls(request, organisation):
    """The URLs to paste into Zoho. The signed key travels in the query string (`?key=`), which the access logs
    of runserver and gunicorn write with `[redacted]` in its place (tenancy/log_redaction.py)."""
    base = request.build_absolute_uri(reverse("sync:copy_button", kwargs={"organisation_id": organisation.pk}))
    key = keys.token_for(organisation, ButtonKey.COPY)
    workflow = request.build_absolute_uri(reverse("sync:zoho_workflow", kwargs={"organisation_id": organisation.pk}))
    workflow += f"?key={keys.token_for(organisation, ButtonKey.WORKFLOW)}"
    return [(MODULE_LABELS[module], module,
             f"{base}?key={key}&module={module}&record_id=${{{_merge_field(module)}}}") for module in MODULE_ORDER], workflow


def _merge_field(module: str) -> str:
    """Zoho's merge field of a record's id, as a Zoho button's URL takes it: Accounts.Account Id."""
    return f"{spec(module).zoho_module}.{spec(module).zoho_id_merge_field}"


@login_required
def copy_page(request):
    organisation = current_organisation(request)
    search_form = CopySearchForm(request.GET if "name" in request.GET else None)
    results, entries, searched, more = [], [], False, False
    if request.method == "POST":
        require_manager(request)
        form = CopyForm(request.POST)
        if form.is_valid():
            entries = copy.copy_record(organisation, form.cleaned_data["module"], form.cleaned_data["record_id"])
            _message(request, entries)
        else:
            messages.error(request, _("Choose a record to copy."))
    if search_form.is_bound and search_form.is_valid():
        try:
            results = copy.search(organisation, search_form.cleaned_data["module"], search_form.cleaned_data["name"])
            more, results = len(results) > copy.SEARCH_LIMIT, results[:copy.SEARCH_LIMIT]
            searched = True  # only then can "no record" be said; a refused or failed search says why instead
        except ProviderError as error:
            messages.error(request, str(getattr(error, "user_message", "") or _("Zoho CRM could not be searched.")))
    button_urls, workflow_url = _button_urls(request, organisation) if request.membership.can_manage else ([], "")
    return render(request, "sync/copy.html", {
        "search_form": search_form, "results": results, "searched": searched, "entries": entries,
        "more": more, "limit": copy.SEARCH_LIMIT,
        "button_urls": button_urls,
        "workflow_url": workflow_url, "can_manage": request.membership.can_manage,
        "module": search_form.cleaned_data.get("module") if search_form.is_bound and search_form.is_valid() else "",
    })


def _message(request, entries):
    failed = [entry for entry in entries if entry.status == "failed"]
    if failed:
        messages.error(request, _("Copy to Xero failed: %(reason)s") % {"reason": failed[0].translated_message})
    else:
        messages.success(request, _("Copied to Xero: %(reason)s") % {
            "reason": entries[0].translated_message if entries else ""})


def copy_button(request, organisation_id):
    """The URL of the Zoho custom button: the signed key must belong to the organisation in the URL."""
    if not keys.check(organisation_id, request.GET.get("key", ""), ButtonKey.COPY):
        logger.warning("Copy to Xero refused: invalid token for organisation %s", organisation_id)
        return render(request, "sync/copy_result.html", {"refused": True}, status=403)
    form = CopyForm(request.GET)
    if not form.is_valid():
        return render(request, "sync/copy_result.html", {"invalid": True}, status=400)
    organisation = Organisation.objects.get(pk=organisation_id)
    entries = copy.copy_record(organisation, form.cleaned_data["module"], form.cleaned_data["record_id"])
    failed = any(entry.status == "failed" for entry in entries)
    return render(request, "sync/copy_result.html", {"entries": entries, "failed": failed},
                  status=200 if not failed else 422)


# --- provider callbacks --------------------------------------------------------------------------------------


def _enqueue(task, args, **options) -> bool:
    """Queue a task; when the broker is unreachable, log it and let the caller answer 503 (providers retry)."""
    try:
        task.apply_async(args=args, **options)
    except Exception:  # noqa: BLE001 - any broker failure: the provider retries the delivery
        logger.exception("Could not queue %s", task.name)
        return False
    return True


def _json(request):
    """The body as JSON, or None when it is not JSON or too large or too deep to parse (checked first)."""
    try:
        return safe_json.loads(request.body, max_bytes=CALLBACK_MAX_BYTES, max_depth=CALLBACK_MAX_DEPTH)
    except safe_json.JSONRefused:
        return None


@csrf_exempt
@require_POST
def zoho_notification(request):
    """Zoho's watch callback: verify channel and token, queue the ids, answer at once."""
    from .triggers.tasks import zoho_changed_task

    try:
        notification = notifications.verify(_json(request))
    except notifications.InvalidNotification as error:
        logger.warning("Zoho notification refused (%s): %s", error.status, error.reason)
        return HttpResponse(status=error.status)
    coalesce.register(notification.organisation_id, notification.module, notification.ids)
    queued = _enqueue(zoho_changed_task, [str(notification.organisation_id), notification.module, notification.ids],
                      kwargs={"trigger": "on_save"}, queue="realtime")
    return HttpResponse(status=200 if queued else 503)


@csrf_exempt
@require_POST
def zoho_workflow(request, organisation_id):
    """A Zoho workflow-rule webhook (the alternative to notifications): body `{"module": "Accounts", "ids": [...]}`
    or form fields `module` and `id`; the URL carries the organisation's signed key (`?key=`)."""
    from .triggers.tasks import zoho_changed_task

    if not keys.check(organisation_id, request.GET.get("key", ""), ButtonKey.WORKFLOW):
        logger.warning("Zoho workflow webhook refused: invalid token for organisation %s", organisation_id)
        return HttpResponse(status=401)
    body = _json(request) if request.content_type == "application/json" else None
    if body is None:
        body = {"module": request.POST.get("module") or request.GET.get("module"),
                "ids": request.POST.getlist("id") or request.GET.getlist("id")}
    ids = body.get("ids") if isinstance(body, dict) else None
    if isinstance(body, dict) and ids is None and body.get("id"):
        ids = [body["id"]]
    module = notifications._engine_module(str(body.get("module") or "")) if isinstance(body, dict) else None
    if module is None or not isinstance(ids, list) or not ids or len(ids) > notifications.MAX_IDS or not all(
            notifications.is_zoho_id(i) for i in ids):
        logger.warning("Zoho workflow webhook refused: malformed body")
        return HttpResponse(status=400)
    coalesce.register(organisation_id, module, ids)
    queued = _enqueue(zoho_changed_task, [str(organisation_id), module, [str(i) for i in ids]],
                      kwargs={"trigger": "on_save"}, queue="realtime")
    return HttpResponse(status=200 if queued else 503)


@csrf_exempt
@require_POST
def xero_webhook(request):
    """Xero's webhook: 401 for a bad signature, 200 with an empty body otherwise (also the intent to receive)."""
    from .triggers.tasks import xero_changed_task

    body = request.body
    if not webhooks.signature_valid(body, request.headers.get("x-xero-signature")):
        logger.warning("Xero webhook refused: invalid signature")
        return HttpResponse(status=401)
    try:
        work = webhooks.parse(body)
    except webhooks.InvalidWebhook as error:
        logger.warning("Xero webhook refused: %s", error.reason)
        return HttpResponse(status=400)
    queued = True
    for (tenant_id, module), ids in work.items():
        for xero_organisation in webhooks.targets(tenant_id):
            for start in range(0, len(ids), 100):
                queued &= _enqueue(xero_changed_task, [str(xero_organisation.pk), module, ids[start : start + 100]],
                                   queue="realtime")
    return HttpResponse(status=200 if queued else 503)
