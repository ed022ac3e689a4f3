from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TokenScope


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Contraseña"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Nombre del token"), max_length=100, help_text=_("Para reconocerlo después."))
    scopes = forms.MultipleChoiceField(
        label=_("Permisos"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
    )
