import pytest

from oversight.models import Recommendation
from oversight.tests.test_import import csv_file, row
from tests.browser.conftest import login_as

pytestmark = pytest.mark.browser


@pytest.fixture
def bodies(db):
    """The bodies a migration creates: an earlier transactional test may have flushed them."""
    import importlib

    from oversight.models import OversightBody

    for code, name, name_zh in importlib.import_module("oversight.migrations.0001_initial").BODIES:
        OversightBody.objects.get_or_create(code=code, defaults={"name": name, "name_zh": name_zh})


@pytest.mark.django_db(transaction=True)
def test_oios_imports_manager_reports_progress_oios_verifies(
    browser_page, bodies, oios, manager, tmp_path
):
    page = browser_page
    path = tmp_path / "recommendations.csv"
    path.write_bytes(csv_file([row(), row(number="2", priority="important")]).read())

    login_as(page, "oios")
    page.goto(f"{page.base_url}/oversight/import/")
    page.set_input_files("#id_file", str(path))
    page.click("#preview-import")
    assert page.locator("#to-create").inner_text() == "2"
    assert not Recommendation.objects.exists()
    page.click("#confirm-import")
    page.wait_for_url(f"{page.base_url}/oversight/recommendations/?import=*")
    assert Recommendation.objects.count() == 2
    rec = Recommendation.objects.get(number="1")
    page.click("form[action='/accounts/logout/'] button")

    login_as(page, "manager")
    page.goto(f"{page.base_url}{rec.get_absolute_url()}")
    page.select_option("#id_status", "pending_verification")
    page.fill("#id_note", "Monitoring dashboard in place.")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#status").inner_text() == "Pending verification"
    page.click("form[action='/accounts/logout/'] button")

    login_as(page, "oios")
    page.goto(f"{page.base_url}{rec.get_absolute_url()}")
    page.select_option("#id_status", "implemented")
    page.fill("#id_note", "Verified.")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("#status").inner_text() == "Implemented"
    assert "Monitoring dashboard in place." in page.locator("#updates").inner_text()
    rec.refresh_from_db()
    assert rec.status == "implemented"
