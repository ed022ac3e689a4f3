from django.contrib import messages
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abiertos.core.errors import ValidationError

from . import selectors, services
from .forms import ApiTokenForm, LoginForm
from .request_actor import actor_for_web, client_ip


def _safe_next(request, default="portal:province_home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"].lower(), client_ip(request)
        if services.login_is_throttled(email=email, ip=ip):
            form.add_error(None, _("Hubo demasiados intentos fallidos. Esperá 15 minutos o restablecé tu contraseña."))
        else:
            user = django_authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                services.login_failure_record(email=email, ip=ip)
                form.add_error(None, _("El correo o la contraseña no son correctos."))
            else:
                services.login_failures_clear(email=email)
                login(request, user)
                return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Cerraste la sesión."))
    return redirect("portal:province_home")


@login_required
def profile(request):
    context = {
        "memberships": selectors.membership_list_for(user=request.user),
        "tokens": selectors.api_token_list_for(user=request.user),
        "token_form": ApiTokenForm(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def api_token_create_view(request):
    form = ApiTokenForm(request.POST)
    new_secret = None
    if form.is_valid():
        try:
            _token, new_secret = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                by=actor_for_web(request),
            )
        except ValidationError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
    context = {
        "memberships": selectors.membership_list_for(user=request.user),
        "tokens": selectors.api_token_list_for(user=request.user),
        "token_form": ApiTokenForm() if new_secret else form,
        "new_secret": new_secret,
    }
    return render(request, "accounts/profile.html", context, status=200 if new_secret else 400)


@login_required
@require_POST
def api_token_revoke_view(request, token_id):
    actor = actor_for_web(request)
    token = selectors.api_token_get_own(actor=actor, token_id=token_id)
    services.api_token_revoke(token=token, by=actor)
    messages.success(request, _("Revocaste el token «%(name)s». Ya no funciona.") % {"name": token.name})
    return redirect("accounts:profile")


def signup_view(request):
    return render(request, "accounts/signup.html", {})
