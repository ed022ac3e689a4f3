from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("ingresar/", views.login_view, name="login"),
    path("salir/", views.logout_view, name="logout"),
    path("registro/", views.signup_view, name="signup"),
    path("registro/listo/", views.signup_done_view, name="signup_done"),
    path("confirmar/reenviar/", views.email_confirm_resend_view, name="email_confirm_resend"),
    path("confirmar/<str:token>/", views.email_confirm_view, name="email_confirm"),
    path("clave/restablecer/", views.password_reset_view, name="password_reset"),
    path("clave/restablecer/enviado/", views.password_reset_done_view, name="password_reset_done"),
    path("clave/restablecer/listo/", views.password_reset_complete_view, name="password_reset_complete"),
    path("clave/restablecer/<uidb64>/<token>/", views.password_reset_confirm_view, name="password_reset_confirm"),
    path("clave/cambiar/", views.password_change_view, name="password_change"),
    path("clave/cambiar/listo/", views.password_change_done_view, name="password_change_done"),
    path("mi-cuenta/", views.profile, name="profile"),
    path("mi-cuenta/tokens/", views.api_token_create_view, name="token_create"),
    path("mi-cuenta/tokens/<int:token_id>/revocar/", views.api_token_revoke_view, name="token_revoke"),
    path("roles/", views.roles_view, name="roles"),
    path("roles/<int:membership_id>/quitar/", views.role_revoke_view, name="role_revoke"),
]
