"""Staff upload two photos tagging two children; each guardian sees what they may."""

import pytest

from portal.children.models import Child
from tests import media_files
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_share_and_each_family_sees_its_own(world, live_server, browser):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    sanne_context, sanne = log_in(browser, live_server, "sanne@example.test")
    sanne.get_by_role("link", name="Share photos").click()

    def share(name, content, child):
        sanne.get_by_label("Photos and videos", exact=True).set_input_files(
            files=[{"name": name, "mimeType": "image/jpeg", "buffer": content}]
        )
        sanne.get_by_label(child).check()
        sanne.get_by_role("button", name="Share").click()
        sanne.wait_for_load_state("load")
        sanne.get_by_role("heading", name="Recently shared").wait_for()

    share("bo.jpg", media_files.jpeg_with_gps(), "Bo Test")
    sanne.locator(".media-row img").nth(0).wait_for()
    share("lin.jpg", media_files.jpeg_with_gps(width=900, height=900), "Lin Test")
    sanne.locator(".media-row img").nth(1).wait_for()

    anna_context, anna = log_in(browser, live_server, "anna@example.test")
    anna.get_by_role("link", name="Photos").first.click()
    assert anna.locator(".feed img").count() == 1
    anna.locator(".feed a").first.click()
    assert anna.get_by_text("Bo", exact=False).first.is_visible()
    assert anna.get_by_role("link", name="Download").is_visible()
    assert "Lin" not in anna.content()

    bert_context, bert = log_in(browser, live_server, "bert@example.test")
    bert.get_by_role("link", name="Photos").first.click()
    assert bert.locator(".feed img").count() == 1

    carla_context, carla = log_in(browser, live_server, "carla@example.test")
    carla.get_by_role("link", name="Photos").first.click()
    assert carla.locator(".feed img").count() == 0
    assert carla.get_by_text("No photos yet").is_visible()
    for context in (sanne_context, anna_context, bert_context, carla_context):
        context.close()
