from django.contrib import admin

from portal.children.models import Child, EmergencyContact, Guardian, PickupPerson, Placement, ScheduledDayPart


class GuardianInline(admin.TabularInline):
    model = Guardian
    extra = 0
    raw_id_fields = ["user"]


class PlacementInline(admin.TabularInline):
    model = Placement
    extra = 0


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    list_display = ["full_name", "organisation", "birth_date", "photo_consent"]
    list_filter = ["organisation"]
    search_fields = ["first_name", "last_name"]
    inlines = [GuardianInline, PlacementInline]


admin.site.register([Placement, ScheduledDayPart, PickupPerson, EmergencyContact])
