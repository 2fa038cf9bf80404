"""Give every existing guardian and staff relation the organisation's profile of the person.

Before profiles, every organisation saw the one name on the login, and "has an account"
meant a usable password: each profile starts from that, so nothing changes on the pages for
existing data. From now on each organisation keeps its own."""

from django.db import migrations


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Invitation = apps.get_model("accounts", "Invitation")
    OrganisationProfile = apps.get_model("accounts", "OrganisationProfile")
    Guardian = apps.get_model("children", "Guardian")
    GroupStaff = apps.get_model("organisations", "GroupStaff")
    LocationPlanner = apps.get_model("organisations", "LocationPlanner")
    OrganisationAdmin = apps.get_model("organisations", "OrganisationAdmin")

    pairs = set(Guardian.objects.values_list("child__organisation_id", "user_id"))
    pairs |= set(GroupStaff.objects.values_list("group__location__organisation_id", "user_id"))
    pairs |= set(LocationPlanner.objects.values_list("location__organisation_id", "user_id"))
    pairs |= set(OrganisationAdmin.objects.values_list("organisation_id", "user_id"))
    users = {u.pk: u for u in User.objects.filter(pk__in={user_id for _org, user_id in pairs})}
    first_invited = {}
    for user_id, created_at in Invitation.objects.order_by("created_at").values_list("user_id", "created_at"):
        first_invited.setdefault(user_id, created_at)
    existing = set(OrganisationProfile.objects.values_list("organisation_id", "user_id"))
    profiles = []
    for organisation_id, user_id in sorted(pairs - existing):
        user = users[user_id]
        has_account = bool(user.password) and not user.password.startswith("!")
        profiles.append(
            OrganisationProfile(
                organisation_id=organisation_id,
                user_id=user_id,
                full_name=user.full_name,
                phone=user.phone,
                created_at=user.date_joined,
                invited_at=first_invited.get(user_id),
                joined_at=(user.activated_at or user.date_joined) if has_account else None,
            )
        )
    OrganisationProfile.objects.bulk_create(profiles, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organisation_profile_role_invitation"),
        ("children", "0003_alter_placement_group"),
        ("organisations", "0003_alter_group_location"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
