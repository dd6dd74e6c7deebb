from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "message"]
    search_fields = ["name", "message"]
    date_hierarchy = "created_at"
