import time

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from abiertos.core.actors import Actor
from abiertos.core.models import Municipality

from . import services
from .models import Role, TokenScope

# Bots fill a form in under a second; people take longer than this.
SIGNUP_MIN_SECONDS = 3
SIGNUP_MAX_SECONDS = 24 * 3600
_STARTED_SALT = "abiertos.accounts.signup_started"
EMAIL_ERRORS = {
    "invalid": _("Escribí un correo válido, por ejemplo nombre@dominio.com.ar."),
    "required": _("Escribí tu correo electrónico."),
}


def signup_started_sign(at: float | None = None) -> str:
    """A tamper-proof note of when the sign-up form was shown."""
    return signing.dumps(int(at if at is not None else time.time()), salt=_STARTED_SALT)


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo electrónico"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )
    password = forms.CharField(
        label=_("Contraseña"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo electrónico"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Te vamos a mandar un enlace para confirmarlo."),
        error_messages=EMAIL_ERRORS,
    )
    full_name = forms.CharField(
        label=_("Nombre y apellido"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Escribí tu nombre y apellido.")},
    )
    organization = forms.CharField(
        label=_("Organización (opcional)"),
        max_length=200,
        required=False,
        help_text=_("Organización de la sociedad civil, medio de comunicación, universidad…"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    password = forms.CharField(
        label=_("Contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Al menos 10 caracteres; que no sea solo números ni una contraseña común."),
    )
    # Honeypot: hidden from people (see the template); bots fill every field they find.
    homepage = forms.CharField(label=_("No completes este campo"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["homepage"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial["started"] = signup_started_sign()

    def looks_automated(self) -> bool:
        """Whether the honeypot was filled or the form came back too fast (or too late)."""
        if self.cleaned_data.get("homepage"):
            return True
        try:
            started = signing.loads(self.cleaned_data.get("started") or "", salt=_STARTED_SALT)
        except signing.BadSignature:
            return True
        elapsed = time.time() - started
        return not SIGNUP_MIN_SECONDS <= elapsed <= SIGNUP_MAX_SECONDS


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=_("Correo electrónico"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )


class ResendConfirmationForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo electrónico"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages=EMAIL_ERRORS,
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Nombre del token"), max_length=100, help_text=_("Para reconocerlo después."))
    scopes = forms.MultipleChoiceField(
        label=_("Permisos"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Vence"),
        choices=[("30", _("en 30 días")), ("90", _("en 90 días")), ("365", _("en un año")), ("", _("nunca"))],
        coerce=int,
        empty_value=None,
        required=False,
        initial="365",
        help_text=_("Un token que vence solo limita el daño si alguien lo copia."),
    )


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo de la persona"),
        help_text=_("Tiene que tener una cuenta. El rol se activa cuando confirma su correo."),
        error_messages={"invalid": EMAIL_ERRORS["invalid"], "required": _("Escribí el correo de la persona.")},
    )
    role = forms.ChoiceField(
        label=_("Rol"), choices=Role.choices, error_messages={"invalid_choice": _("Elegí un rol de la lista.")}
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipio"),
        queryset=Municipality.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("— Toda la provincia (solo administración provincial) —"),
        help_text=_("Obligatorio para edición municipal y acceso a la información."),
        error_messages={"invalid_choice": _("Elegí un municipio de la lista.")},
    )


class _ServicePasswordMixin:
    """Hands the new password to a service (which audits it) instead of saving it in the form."""

    def __init__(self, *args, actor: Actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)


class SetPasswordForm(_ServicePasswordMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        return services.user_password_reset(user=self.user, password=self.cleaned_data["new_password1"], by=self.actor)


class PasswordChangeForm(_ServicePasswordMixin, auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return services.user_password_change(user=self.user, password=self.cleaned_data["new_password1"], by=self.actor)
