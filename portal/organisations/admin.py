from django.contrib import admin

from portal.organisations.models import Group, GroupStaff, Location, LocationPlanner, Organisation, OrganisationAdmin

admin.site.register([Organisation, Location, Group, GroupStaff, LocationPlanner, OrganisationAdmin])
