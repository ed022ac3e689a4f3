from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can
from abiertos.accounts.request_actor import actor_for_web
from abiertos.catalog.selectors import dataset_list_public
from abiertos.core.errors import ValidationError
from abiertos.core.models import Module

from . import health, selectors, services
from .colors import readable_text_color
from .forms import MunicipalityProfileForm


def province_home(request):
    municipalities = selectors.municipality_list_public()
    return render(
        request,
        "portal/province_home.html",
        {"municipalities": municipalities, "provinces": selectors.province_list()},
    )


def municipality_home(request, municipality_slug):
    municipality = selectors.municipality_get_public(slug=municipality_slug)
    actor = actor_for_web(request)
    context = {
        "municipality": municipality,
        "brand_text_color": readable_text_color(municipality.primary_color),
        "module_choices": Module.choices,
        "can_edit": can(actor, Action.EDIT_MUNICIPALITY, municipality),
        "can_manage_catalog": can(actor, Action.MANAGE_CATALOG, municipality),
        "can_manage_foi": can(actor, Action.MANAGE_FOI, municipality),
        "recent_datasets": dataset_list_public().filter(municipality=municipality).order_by("-updated_at")[:5],
    }
    return render(request, "portal/municipality_home.html", context)


def _apply_profile(form, municipality, actor):
    data = form.cleaned_data
    municipality = services.municipality_profile_update(
        municipality=municipality,
        by=actor,
        intro=data["intro"],
        primary_color=data["primary_color"],
        website=data["website"],
        contact_email=data["contact_email"],
        enabled_modules=data["enabled_modules"],
    )
    if data.get("remove_logo"):
        municipality = services.municipality_logo_set(municipality=municipality, by=actor, upload=None)
    elif data.get("logo"):
        municipality = services.municipality_logo_set(municipality=municipality, by=actor, upload=data["logo"])
    return municipality


@login_required
def municipality_edit(request, municipality_slug):
    actor = actor_for_web(request)
    municipality = selectors.municipality_get_for_edit(actor=actor, slug=municipality_slug)
    initial = {
        "intro": municipality.intro,
        "primary_color": municipality.primary_color,
        "website": municipality.website,
        "contact_email": municipality.contact_email,
        "enabled_modules": municipality.enabled_modules,
    }
    form = MunicipalityProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            municipality = _apply_profile(form, municipality, actor)
        except ValidationError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Guardamos los cambios de la página del municipio."))
            return redirect(municipality)
    return render(request, "portal/municipality_edit.html", {"municipality": municipality, "form": form})


AUDIT_PAGE_SIZE = 50


def audit_log(request):
    """Who changed what and when, for the staff allowed to read the audit trail."""
    actor = actor_for_web(request)
    slug = request.GET.get("municipio", "")
    municipality = selectors.municipality_get_public(slug=slug) if slug else None
    events = selectors.audit_event_list_visible_to(
        actor=actor, municipality=municipality, action=request.GET.get("accion", "")[:80]
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    context = {
        "page": page,
        "municipality": municipality,
        "action": request.GET.get("accion", ""),
        "query": query.urlencode(),
    }
    return render(request, "portal/audit_log.html", context)


def healthz(request):
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: database, cache, queue and shared folders; 503 naming what failed."""
    healthy, checks = health.readiness()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)
