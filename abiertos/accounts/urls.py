from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("ingresar/", views.login_view, name="login"),
    path("salir/", views.logout_view, name="logout"),
    path("registro/", views.signup_view, name="signup"),
    path("mi-cuenta/", views.profile, name="profile"),
    path("mi-cuenta/tokens/", views.api_token_create_view, name="token_create"),
    path("mi-cuenta/tokens/<int:token_id>/revocar/", views.api_token_revoke_view, name="token_revoke"),
]
