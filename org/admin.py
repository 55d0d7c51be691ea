from django.contrib import admin

from core.admin import TrackedModelAdmin
from org.models import OrgUnit, Paragraph, Person, Role, Section


@admin.register(OrgUnit)
class OrgUnitAdmin(TrackedModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_zh"]
    readonly_fields = [*TrackedModelAdmin.readonly_fields, "path"]


@admin.register(Person)
class PersonAdmin(TrackedModelAdmin):
    list_display = ["index_number", "name", "unit", "grade", "user"]
    list_filter = ["grade", "is_head_of_entity"]
    search_fields = ["index_number", "name", "email"]
    autocomplete_fields = ["unit", "user"]
    show_full_result_count = False


@admin.register(Role)
class RoleAdmin(TrackedModelAdmin):
    list_display = ["user", "kind", "unit", "body_code"]
    list_filter = ["kind"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Section)
class SectionAdmin(TrackedModelAdmin):
    list_display = ["code", "heading_en"]


@admin.register(Paragraph)
class ParagraphAdmin(TrackedModelAdmin):
    list_display = ["number", "section", "requests", "tracked_in"]
    list_filter = ["section", "tracked_in"]
