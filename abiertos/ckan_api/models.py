"""The one piece of state the CKAN adapter keeps of its own."""

from django.db import models

from abiertos.catalog.models import Dataset


class PendingPublication(models.Model):
    """A dataset a CKAN client created with ``private: false`` before it had any resource.

    CKAN lets a public dataset have no resources; our profile does not, so the dataset stays a
    draft and is published as soon as its first resource arrives through the CKAN API.
    """

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.dataset_id} (publicar al recibir un recurso)"
