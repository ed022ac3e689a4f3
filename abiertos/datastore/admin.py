from django.contrib import admin

from .models import DatastoreTable, IngestionRun


@admin.register(DatastoreTable)
class DatastoreTableAdmin(admin.ModelAdmin):
    list_display = ["distribution", "status", "version", "row_count", "loaded_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in DatastoreTable._meta.fields]


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["table", "outcome", "reason", "row_count", "started_at", "seconds"]
    list_filter = ["outcome", "reason"]
    readonly_fields = [f.name for f in IngestionRun._meta.fields]
