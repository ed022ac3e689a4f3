"""REST endpoints of this app, mounted under /api/v1/ by abiertos/api/api.py."""

from ninja import Router

router = Router(tags=["acceso a la información"])
