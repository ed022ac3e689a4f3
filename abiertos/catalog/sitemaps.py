"""sitemap.xml: municipal homes, catalogs and every published dataset."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from abiertos.portal.selectors import municipality_list_public

from .selectors import dataset_list_public


class MunicipalitySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return municipality_list_public()

    def location(self, item):
        return item.get_absolute_url()


class MunicipalityCatalogSitemap(MunicipalitySitemap):
    def location(self, item):
        return reverse("catalog:municipality_datasets", args=[item.slug])


class DatasetSitemap(Sitemap):
    changefreq = "weekly"
    limit = 10000

    def items(self):
        return dataset_list_public().prefetch_related(None).order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def location(self, item):
        return item.get_absolute_url()


SITEMAPS = {"municipios": MunicipalitySitemap, "catalogos": MunicipalityCatalogSitemap, "datos": DatasetSitemap}
