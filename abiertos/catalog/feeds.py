"""Atom feeds of new and updated datasets, province-wide and per municipality."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from abiertos.portal.selectors import municipality_get_public

from .selectors import dataset_list_public

FEED_SIZE = 50


class ProvinceDatasetsFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Datos abiertos: novedades de todos los municipios")

    def link(self):
        return reverse("portal:province_home")

    def subtitle(self):
        return _("Conjuntos de datos publicados o actualizados recientemente.")

    def items(self):
        return dataset_list_public().order_by("-updated_at")[:FEED_SIZE]

    def item_title(self, item):
        return f"{item.title} ({item.municipality.name})"

    def item_description(self, item):
        return item.description

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid(self, item):
        return f"urn:uuid:{item.uuid}"

    def item_updateddate(self, item):
        return item.updated_at

    def item_pubdate(self, item):
        return item.issued or item.created_at

    def item_author_name(self, item):
        return item.publisher_name

    def item_categories(self, item):
        return item.keywords


class MunicipalityDatasetsFeed(ProvinceDatasetsFeed):
    def get_object(self, request, municipality_slug):
        return municipality_get_public(slug=municipality_slug)

    def title(self, obj):
        return _("Datos abiertos de %(name)s: novedades") % {"name": obj.name}

    def link(self, obj):
        return reverse("catalog:municipality_datasets", args=[obj.slug])

    def items(self, obj):
        return dataset_list_public().filter(municipality=obj).order_by("-updated_at")[:FEED_SIZE]
