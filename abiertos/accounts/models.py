from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from abiertos.core.models import Municipality


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("El correo electrónico es obligatorio.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, email_confirmed_at=timezone.now())
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with e-mail; what they may do comes from their memberships."""

    email = models.EmailField(_("correo electrónico"), unique=True)
    full_name = models.CharField(_("nombre y apellido"), max_length=150, blank=True)
    organization = models.CharField(
        _("organización"), max_length=200, blank=True, help_text=_("Organización de la sociedad civil, medio, etc.")
    )
    is_active = models.BooleanField(_("activo"), default=True)
    is_staff = models.BooleanField(_("acceso al panel técnico"), default=False)
    email_confirmed_at = models.DateTimeField(_("correo confirmado"), null=True, blank=True)
    email_confirmation_sent_at = models.DateTimeField(_("último enlace de confirmación enviado"), null=True, blank=True)
    date_joined = models.DateTimeField(_("alta"), default=timezone.now)
    preferred_language = models.CharField(_("idioma"), max_length=10, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("usuario")
        verbose_name_plural = _("usuarios")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Role(models.TextChoices):
    PROVINCIAL_ADMIN = "provincial_admin", _("Administración provincial")
    MUNICIPAL_EDITOR = "municipal_editor", _("Edición municipal")
    FOI_OFFICER = "foi_officer", _("Responsable de acceso a la información")


class Membership(models.Model):
    """A role held by a user, scoped to one municipality (or to all, for provincial admins)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rol asignado")
        verbose_name_plural = _("roles asignados")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "municipality"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(municipality__isnull=True), name="membership_unique_global"
            ),
            models.CheckConstraint(
                condition=models.Q(role="provincial_admin", municipality__isnull=True)
                | (~models.Q(role="provincial_admin") & models.Q(municipality__isnull=False)),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality.name if self.municipality_id else _("toda la provincia")
        return f"{self.user} · {self.get_role_display()} · {where}"


class TokenScope(models.TextChoices):
    READ = "read", _("Lectura (incluye datos no publicados a los que tenés acceso)")
    WRITE = "write", _("Escritura (crear y modificar)")


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the secret is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nombre"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("token de API")
        verbose_name_plural = _("tokens de API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class LoginAttempt(models.Model):
    """A failed login, kept to throttle guessing across every web process."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} {self.ip}"
