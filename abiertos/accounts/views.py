from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from abiertos.core.errors import Conflict, DomainError, NotFound, ValidationError

from . import selectors, services
from .confirmation import LinkExpired
from .forms import (
    ApiTokenForm,
    LoginForm,
    MembershipGrantForm,
    PasswordChangeForm,
    PasswordResetForm,
    ResendConfirmationForm,
    SetPasswordForm,
    SignupForm,
)
from .permissions import Action, can
from .request_actor import actor_for_web, client_ip

UNCONFIRMED_WARNING = gettext_lazy(
    "Todavía no confirmaste tu correo: hasta que lo hagas no vas a poder participar. "
    "Podés pedir un enlace nuevo desde «Mi cuenta»."
)


def _safe_next(request, default="portal:province_home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _form_add_domain_error(form, exc: DomainError) -> None:
    """Show a service's error next to the fields it names, or at the top of the form."""
    for field, errors in exc.fields.items():
        form.add_error(field if field in form.fields else None, errors)
    if not exc.fields:
        form.add_error(None, exc.message)


def _login_check(request, form) -> tuple[object | None, bool]:
    """The user for valid credentials (or None, with the reason added to the form), and
    whether the attempt was refused for too many failures."""
    email, ip = form.cleaned_data["email"].lower(), client_ip(request)
    if services.login_is_throttled(email=email, ip=ip):
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        message = _(
            "Hubo demasiados intentos fallidos para esta cuenta o desde esta conexión. "
            "Esperá %(minutes)d minutos o restablecé tu contraseña."
        )
        form.add_error(None, message % {"minutes": minutes})
        return None, True
    user = django_authenticate(request, username=email, password=form.cleaned_data["password"])
    if user is None:
        services.login_failure_record(email=email, ip=ip)
        form.add_error(None, _("El correo o la contraseña no son correctos."))
        return None, False
    services.login_failures_clear(email=email)
    return user, False


def login_view(request):
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        user, throttled = _login_check(request, form) if form.is_valid() else (None, False)
        if user is not None:
            login(request, user)
            if not user.email_confirmed:
                messages.warning(request, UNCONFIRMED_WARNING)
            return redirect(_safe_next(request))
        status = 429 if throttled else 400
    context = {"form": form, "next": _safe_next(request, "")}
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Cerraste la sesión."))
    return redirect("portal:province_home")


def signup_view(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.looks_automated():
            form.add_error(None, _("No pudimos procesar el formulario. Esperá unos segundos y volvé a enviarlo."))
        else:
            data = form.cleaned_data
            try:
                services.user_signup(
                    email=data["email"],
                    full_name=data["full_name"],
                    organization=data["organization"],
                    password=data["password"],
                    by=actor_for_web(request),
                    language=translation.get_language() or "",
                )
            except ValidationError as exc:
                _form_add_domain_error(form, exc)
            else:
                return redirect("accounts:signup_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def signup_done_view(request):
    return render(request, "accounts/signup_done.html")


def email_confirm_view(request, token):
    try:
        user = services.user_email_confirm(token=token, by=actor_for_web(request))
    except ValidationError as exc:
        context = {"error": exc, "expired": isinstance(exc, LinkExpired), "form": ResendConfirmationForm()}
        return render(request, "accounts/email_confirm_failed.html", context, status=400)
    return render(request, "accounts/email_confirmed.html", {"confirmed_user": user})


def email_confirm_resend_view(request):
    initial = {"email": request.user.email} if request.user.is_authenticated else None
    form = ResendConfirmationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_confirmation_resend(email=form.cleaned_data["email"])
        return render(request, "accounts/email_confirm_resend.html", {"sent": True, "form": form})
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/email_confirm_resend.html", {"form": form}, status=status)


def _profile_context(request, **extra):
    return {
        "memberships": selectors.membership_list_for(user=request.user),
        "tokens": selectors.api_token_list_for(user=request.user),
        "token_form": ApiTokenForm(),
        "can_view_members": can(actor_for_web(request), Action.VIEW_MEMBERS),
        **extra,
    }


@login_required
def profile(request):
    return render(request, "accounts/profile.html", _profile_context(request))


@never_cache
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
                expires_at=services.token_expiry(days=form.cleaned_data["expires_in_days"]),
            )
        except ValidationError as exc:
            _form_add_domain_error(form, exc)
    context = _profile_context(request, new_secret=new_secret)
    if not new_secret:
        context["token_form"] = form
    return render(request, "accounts/profile.html", context, status=200 if new_secret else 400)


@login_required
@require_POST
def api_token_revoke_view(request, token_id):
    actor = actor_for_web(request)
    token = selectors.api_token_get_own(actor=actor, token_id=token_id)
    services.api_token_revoke(token=token, by=actor)
    messages.success(request, _("Revocaste el token «%(name)s». Ya no funciona.") % {"name": token.name})
    return redirect("accounts:profile")


def _membership_grant(request, form) -> bool:
    data = form.cleaned_data
    try:
        user = services.user_get_by_email(data["email"])
        membership = services.membership_grant(
            user=user, role=data["role"], municipality=data["municipality"], by=actor_for_web(request)
        )
    except NotFound as exc:
        form.add_error("email", exc.message)
        return False
    except (ValidationError, Conflict) as exc:
        _form_add_domain_error(form, exc)
        return False
    messages.success(request, _("Listo: %(membership)s.") % {"membership": membership})
    return True


@login_required
def roles_view(request):
    query = request.GET.get("q", "").strip()
    memberships = selectors.membership_list_visible_to(actor=actor_for_web(request), email=query)
    form = MembershipGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _membership_grant(request, form):
        return redirect("accounts:roles")
    context = {"memberships": memberships, "form": form, "query": query}
    return render(request, "accounts/roles.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def role_revoke_view(request, membership_id):
    actor = actor_for_web(request)
    membership = selectors.membership_get_for_manage(actor=actor, membership_id=membership_id)
    try:
        services.membership_revoke(membership=membership, by=actor)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Quitaste el rol: %(membership)s.") % {"membership": membership})
    return redirect("accounts:roles")


class _ActorFormMixin:
    """Gives the password forms the actor, so the service they call can audit the change."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": actor_for_web(self.request)}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL, "site_name": settings.SITE_NAME}

    def form_valid(self, form):
        if services.mail_request_allowed(
            kind="password_reset", email=form.cleaned_data["email"], ip=client_ip(self.request)
        ):
            return super().form_valid(form)
        # Same answer as when the e-mail goes out: the page never reveals who has an account.
        return redirect(self.success_url)


class PasswordResetConfirmView(_ActorFormMixin, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(_ActorFormMixin, auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


password_reset_view = PasswordResetView.as_view()
password_reset_done_view = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm_view = PasswordResetConfirmView.as_view()
password_reset_complete_view = auth_views.PasswordResetCompleteView.as_view()
password_change_view = PasswordChangeView.as_view()
password_change_done_view = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
