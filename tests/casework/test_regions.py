"""A property's region: derived from its postcode by the longest matching prefix in the lookup,
unresolved (not an error) when nothing matches, verified or overridden (with a reason) by case
managers, reviewers and supervisors only; the lookup maintained in the admin or loaded from CSV."""

import datetime
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from casework.models import PatchSource, PostcodeArea, Property
from casework.services import people, regions
from core import errors
from core.audit import events_for
from core.roles import Role
from tests.casework.factories import PatchFactory, PropertyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_manager(make_staff):
    return make_staff(Role.CASEWORKER, Role.CASE_MANAGER, email="casemanager@test.example")


@pytest.fixture
def reviewer(make_staff):
    return make_staff(Role.CASEWORKER, Role.REVIEWER, email="reviewer@test.example")


def _area(prefix: str, code: str | None = None) -> PostcodeArea:
    return PostcodeArea.objects.create(prefix=prefix, patch=PatchFactory(**({"code": code} if code else {})))


def _property(actor, postcode: str, line_1: str = "1 Mill Lane") -> Property:
    return people.property_create(actor=actor, address_line_1=line_1, town="Kingsford", postcode=postcode)


# --- the lookup ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("SW1A 1AA", ["SW1A 1AA", "SW1A 1", "SW1A", "SW"]),
        ("M1 1AE", ["M1 1AE", "M1 1", "M1", "M"]),
        ("02139", ["02139", "021"]),
        ("02139-4307", ["02139", "021"]),
    ],
)
def test_the_lookup_considers_the_postcodes_own_units_longest_first(postcode, expected):
    assert regions.postcode_lookup_keys(postcode) == expected


def test_uk_postcodes_take_the_patch_of_the_longest_matching_prefix(caseworker):
    area, district, sector, unit = _area("SW", "A1"), _area("SW1A", "D1"), _area("SW1A 1", "S1"), _area("SW1A 1AA")
    assert _property(caseworker, "sw1a 1aa", "1 A St").patch == unit.patch
    assert _property(caseworker, "SW1A 1AB", "2 A St").patch == sector.patch
    assert _property(caseworker, "SW1A 2AB", "3 A St").patch == district.patch
    assert _property(caseworker, "SW19 5AE", "4 A St").patch == area.patch


def test_a_district_prefix_never_claims_a_longer_district(caseworker):
    sw1 = _area("SW1", "D1")
    _area("SW", "A1")
    assert _property(caseworker, "SW1 1AA", "1 A St").patch == sw1.patch
    assert _property(caseworker, "SW10 9XX", "2 A St").patch.code == "A1"  # SW10 is not in SW1


def test_us_zip_codes_take_the_5_digit_zip_before_the_3_digit_prefix(caseworker):
    boston, cambridge = _area("021", "MA1"), _area("02139", "MA2")
    prop = _property(caseworker, "02139-4307", "1 Main St")
    assert (prop.patch, prop.patch_source) == (cambridge.patch, PatchSource.LOOKUP)
    assert _property(caseworker, "02115", "2 Main St").patch == boston.patch
    region = _property(caseworker, "02116", "3 Main St").region
    assert region == boston.patch.region and region.administering_agency


def test_a_postcode_the_lookup_does_not_cover_is_saved_unresolved(caseworker):
    _area("DB1")
    prop = _property(caseworker, "DB5 3QT")
    prop.refresh_from_db()
    assert (prop.patch, prop.patch_source, prop.region) == (None, PatchSource.UNRESOLVED, None)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("sw", "SW"),
        ("sw1a", "SW1A"),
        (" sw1a   1 ", "SW1A 1"),
        ("sw1a1aa", "SW1A 1AA"),
        ("021", "021"),
        ("02139", "02139"),
    ],
)
def test_prefixes_are_stored_normalised(given, stored):
    assert regions.postcode_prefix_normalise(given) == stored


@pytest.mark.parametrize("given", ["", "SW1A1", "S W", "0213", "02139-4307", "SW1A 1A", "*"])
def test_a_prefix_that_is_not_a_postcode_unit_is_refused(given):
    with pytest.raises(errors.ValidationError) as raised:
        regions.postcode_prefix_normalise(given)
    assert raised.value.fields["prefix"]


def test_changing_the_postcode_rederives_the_patch_and_drops_an_override(caseworker, supervisor):
    db1, db7 = _area("DB1", "N01"), _area("DB7", "S01")
    prop = _property(caseworker, "DB1 2AB")
    regions.property_patch_override(actor=supervisor, property=prop, patch=db7.patch, reason="Checked the map.")
    moved = people.property_update(actor=caseworker, property=prop, postcode="db7 6dr")
    moved.refresh_from_db()
    assert (moved.postcode, moved.patch, moved.patch_source) == ("DB7 6DR", db7.patch, PatchSource.LOOKUP)
    assert (moved.patch_reason, moved.patch_verified_by) == ("", None)
    gone = people.property_update(actor=caseworker, property=prop, postcode="DB5 1AA")
    assert (gone.patch, gone.patch_source) == (None, PatchSource.UNRESOLVED)
    same = people.property_update(actor=caseworker, property=prop, address_line_1="1  Mill Lane ")
    assert same.address_line_1 == "1 Mill Lane" and same.patch_source == PatchSource.UNRESOLVED
    assert db1  # the first district is there too, and was not chosen


# --- verify and override ---------------------------------------------------------------------


def test_case_managers_reviewers_and_supervisors_verify_a_looked_up_patch(case_manager, reviewer, supervisor):
    area = _area("DB1")
    for number, actor in enumerate((case_manager, reviewer, supervisor), start=1):
        prop = _property(None, "DB1 2AB", f"{number} Mill Lane")
        verified = regions.property_patch_verify(actor=actor, property=prop)
        verified.refresh_from_db()
        assert (verified.patch, verified.patch_source) == (area.patch, PatchSource.VERIFIED)
        assert verified.patch_verified_by == actor and verified.patch_verified_at is not None
        event = events_for(verified).get(pgh_label="update")
        assert event.pgh_context["action"] == "property_patch_verify"
        assert event.pgh_context["user"] == actor.pk


def test_a_plain_caseworker_may_neither_verify_nor_override(caseworker):
    area = _area("DB1")
    prop = _property(caseworker, "DB1 2AB")
    with pytest.raises(errors.PermissionDenied):
        regions.property_patch_verify(actor=caseworker, property=prop)
    with pytest.raises(errors.PermissionDenied):
        regions.property_patch_override(actor=caseworker, property=prop, patch=area.patch, reason="Sure.")
    prop.refresh_from_db()
    assert prop.patch_source == PatchSource.LOOKUP and prop.patch_verified_by is None


@pytest.mark.parametrize("source", [PatchSource.UNRESOLVED, PatchSource.VERIFIED, PatchSource.OVERRIDE])
def test_only_a_looked_up_patch_can_be_verified(case_manager, source):
    extra = {}
    if source != PatchSource.UNRESOLVED:
        extra = {"patch_verified_at": datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC), "patch_reason": "Map."}
    prop = PropertyFactory(patch=None if source == PatchSource.UNRESOLVED else PatchFactory(), **extra)
    Property.objects.filter(pk=prop.pk).update(patch_source=source)
    with pytest.raises(errors.Conflict) as raised:
        regions.property_patch_verify(actor=case_manager, property=prop)
    assert raised.value.message
    prop.refresh_from_db()
    assert prop.patch_source == source


def test_an_unresolved_patch_is_overridden_with_a_reason(reviewer):
    prop = _property(reviewer, "DB5 3QT")
    patch = PatchFactory()
    done = regions.property_patch_override(actor=reviewer, property=prop, patch=patch, reason="  Council tax map. ")
    done.refresh_from_db()
    assert (done.patch, done.patch_source, done.patch_reason) == (patch, PatchSource.OVERRIDE, "Council tax map.")
    assert done.patch_verified_by == reviewer
    assert events_for(done).get(pgh_label="update").pgh_context["action"] == "property_patch_override"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_an_override_needs_a_reason(reviewer, reason):
    prop = _property(reviewer, "DB5 3QT")
    with pytest.raises(errors.ValidationError) as raised:
        regions.property_patch_override(actor=reviewer, property=prop, patch=PatchFactory(), reason=reason)
    assert raised.value.fields["reason"]
    prop.refresh_from_db()
    assert (prop.patch, prop.patch_source) == (None, PatchSource.UNRESOLVED)


def test_the_database_refuses_a_patch_that_disagrees_with_its_source():
    prop = PropertyFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Property.objects.filter(pk=prop.pk).update(patch_source=PatchSource.UNRESOLVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Property.objects.filter(pk=prop.pk).update(patch_source=PatchSource.OVERRIDE)  # no reason, no time


# --- the worklist and the API ----------------------------------------------------------------


def test_the_worklist_lists_only_unresolved_properties(client, caseworker):
    _area("DB1")
    _property(caseworker, "DB1 2AB", "1 Mill Lane")
    lost = _property(caseworker, "DB5 3QT", "2 Quarry Row")
    client.force_login(caseworker)
    response = client.get("/api/v1/properties/patch-worklist/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [lost.pk]
    assert response.json()["results"][0]["patch_source"] == "unresolved"
    filtered = client.get("/api/v1/properties/", {"patch_source": "unresolved"})
    assert [row["id"] for row in filtered.json()["results"]] == [lost.pk]


def test_the_api_verifies_a_patch_and_shows_region_and_agency(client, case_manager):
    area = _area("DB1")
    prop = _property(None, "DB1 2AB")
    client.force_login(case_manager)
    response = client.post(f"/api/v1/properties/{prop.pk}/verify-patch/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["patch_source"] == "verified"
    assert body["patch"]["code"] == area.patch.code
    assert body["region"]["administering_agency"] == area.patch.region.administering_agency
    assert body["patch_verified_by"]["id"] == case_manager.pk
    again = client.post(f"/api/v1/properties/{prop.pk}/verify-patch/")
    assert again.status_code == 409
    assert again.json()["error"]["message"] == f"The patch ({area.patch.code}) has already been verified."


def test_the_api_refuses_a_caseworker_with_403_and_changes_nothing(client, caseworker):
    _area("DB1")
    prop = _property(None, "DB1 2AB")
    client.force_login(caseworker)
    response = client.post(f"/api/v1/properties/{prop.pk}/verify-patch/")
    assert response.status_code == 403
    assert "case managers, reviewers and supervisors" in response.json()["error"]["message"]
    prop.refresh_from_db()
    assert prop.patch_source == PatchSource.LOOKUP


def test_the_api_overrides_a_patch_by_code_with_a_reason(client, reviewer):
    prop = _property(None, "DB5 3QT")
    patch = PatchFactory(code="S02")
    client.force_login(reviewer)
    url = f"/api/v1/properties/{prop.pk}/override-patch/"
    missing = client.post(url, {"patch": "S02"}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"]["reason"]
    unknown = client.post(url, {"patch": "Z99", "reason": "Map."}, content_type="application/json")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"]["patch"] == ["There is no patch with the code Z99."]
    prop.refresh_from_db()
    assert prop.patch_source == PatchSource.UNRESOLVED
    done = client.post(url, {"patch": "S02", "reason": "Checked the council tax map."}, content_type="application/json")
    assert done.status_code == 200, done.content
    assert (done.json()["patch"]["id"], done.json()["patch_source"]) == (patch.pk, "override")
    assert done.json()["patch_reason"] == "Checked the council tax map."


# --- maintaining the lookup ------------------------------------------------------------------


def test_loading_the_lookup_rederives_properties_that_follow_it_but_not_human_decisions(caseworker, supervisor):
    n01, n02 = PatchFactory(code="N01"), PatchFactory(code="N02")
    waiting = _property(caseworker, "DB5 3QT", "1 Quarry Row")
    decided = _property(caseworker, "DB5 3QU", "2 Quarry Row")
    regions.property_patch_override(actor=supervisor, property=decided, patch=n01, reason="Checked the map.")
    result = regions.postcode_areas_import(actor=supervisor, rows=[(1, ["DB5", "n02"])])
    assert (result.created, result.properties_changed) == (1, 1)
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert (waiting.patch, waiting.patch_source) == (n02, PatchSource.LOOKUP)
    assert (decided.patch, decided.patch_source) == (n01, PatchSource.OVERRIDE)


def test_only_supervisors_load_the_lookup(case_manager):
    PatchFactory(code="N01")
    with pytest.raises(errors.PermissionDenied):
        regions.postcode_areas_import(actor=case_manager, rows=[(1, ["DB1", "N01"])])
    assert not PostcodeArea.objects.exists()


def _csv(tmp_path, text: str):
    path = tmp_path / "areas.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_import_command_loads_a_good_file(tmp_path, capsys):
    n01, n02 = PatchFactory(code="N01"), PatchFactory(code="N02")
    PostcodeArea.objects.create(prefix="DB1", patch=n02)
    PostcodeArea.objects.create(prefix="DB9", patch=n02)
    path = _csv(tmp_path, "prefix,patch_code\ndb1,N01\n\nDB1 9, n02 \n02139,N01\n")
    call_command("postcode_areas_import", str(path))
    assert dict(PostcodeArea.objects.values_list("prefix", "patch__code")) == {
        "DB1": "N01",
        "DB1 9": "N02",
        "02139": "N01",
        "DB9": "N02",
    }
    assert "2 new, 1 changed, 0 unchanged, 0 removed" in capsys.readouterr().out
    call_command("postcode_areas_import", str(path), "--replace")
    assert not PostcodeArea.objects.filter(prefix="DB9").exists()
    assert n01.postcode_areas.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("prefix,patch_code\nDB1,N01\nDB2,Z99\n", "Line 3: there is no patch with code 'Z99'."),
        ("DB1,N01\nSW1A1,N01\n", "Line 2: 'SW1A1' is not a postcode prefix we recognise."),
        ("DB1,N01\nDB2\n", "Line 2: expected 2 columns (prefix,patch_code), found 1."),
        ("DB1,N01\n\ndb1,N01\n", "Line 3: the prefix DB1 is already on line 1."),
        ("prefix,patch_code\n", "The file has no rows to load."),
    ],
)
def test_a_bad_file_loads_nothing_and_names_the_line(tmp_path, content, message):
    PatchFactory(code="N01")
    path = _csv(tmp_path, content)
    with pytest.raises(CommandError) as raised:
        call_command("postcode_areas_import", str(path))
    assert str(raised.value).startswith(message)
    assert "Nothing was loaded." in str(raised.value)
    assert not PostcodeArea.objects.exists()


def test_the_import_command_exits_non_zero_on_a_bad_file(tmp_path):
    db = connection.settings_dict  # the test database (per xdist worker), migrated and empty
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    path = _csv(tmp_path, "DB1,NOPE\n")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "postcode_areas_import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode != 0
    assert "Line 1: there is no patch with code 'NOPE'." in result.stderr


def test_the_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("postcode_areas_import", str(tmp_path / "missing.csv"))


# --- the admin -------------------------------------------------------------------------------


def test_supervisors_maintain_the_lookup_in_the_admin_and_properties_follow(client, supervisor, caseworker):
    patch = PatchFactory(code="N01")
    waiting = _property(caseworker, "DB5 3QT")
    client.force_login(supervisor)
    bad = client.post("/admin/casework/postcodearea/add/", {"prefix": "DB5X9", "patch": patch.pk})
    assert bad.status_code == 200
    assert "not a postcode prefix we recognise" in bad.content.decode()
    response = client.post("/admin/casework/postcodearea/add/", {"prefix": "db5 3", "patch": patch.pk})
    assert response.status_code == 302, response.content
    area = PostcodeArea.objects.get()
    assert (area.prefix, area.created_by) == ("DB5 3", supervisor)
    waiting.refresh_from_db()
    assert (waiting.patch, waiting.patch_source) == (patch, PatchSource.LOOKUP)
    deleted = client.post(f"/admin/casework/postcodearea/{area.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    waiting.refresh_from_db()
    assert waiting.patch_source == PatchSource.UNRESOLVED


def _property_form(prop, **extra) -> dict:
    return {
        "address_line_1": prop.address_line_1,
        "address_line_2": prop.address_line_2,
        "town": prop.town,
        "postcode": prop.postcode,
        "landlord_contact": "",
        "landlord_organisation": "",
        **extra,
    }


def test_the_property_admin_overrides_the_patch_only_with_a_reason(client, supervisor):
    prop = _property(None, "DB5 3QT")
    patch = PatchFactory(code="S02")
    client.force_login(supervisor)
    page = client.get(f"/admin/casework/property/{prop.pk}/change/").content.decode()
    assert "Unresolved: postcode not in the lookup" in page  # patch_source shown, read-only
    url = f"/admin/casework/property/{prop.pk}/change/"
    refused = client.post(url, _property_form(prop, override_patch=patch.pk, override_reason=""))
    assert refused.status_code == 200
    assert "Give the reason for overriding the patch." in refused.content.decode()
    prop.refresh_from_db()
    assert prop.patch_source == PatchSource.UNRESOLVED
    done = client.post(url, _property_form(prop, override_patch=patch.pk, override_reason="Checked the map."))
    assert done.status_code == 302, done.content
    prop.refresh_from_db()
    assert (prop.patch, prop.patch_source, prop.patch_reason) == (patch, PatchSource.OVERRIDE, "Checked the map.")


def test_the_property_admin_ignores_a_patch_typed_into_the_form(client, supervisor):
    prop = _property(None, "DB5 3QT")
    client.force_login(supervisor)
    response = client.post(f"/admin/casework/property/{prop.pk}/change/", _property_form(prop, patch=PatchFactory().pk))
    assert response.status_code == 302, response.content
    prop.refresh_from_db()
    assert (prop.patch, prop.patch_source) == (None, PatchSource.UNRESOLVED)


def test_the_property_admin_action_verifies_looked_up_patches(client, supervisor):
    _area("DB1")
    looked_up = _property(None, "DB1 2AB")
    unresolved = _property(None, "DB5 3QT")
    client.force_login(supervisor)
    response = client.post(
        "/admin/casework/property/",
        {"action": "verify_patches", "_selected_action": [looked_up.pk, unresolved.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Verified the patch of 1 properties." in response.content.decode()
    assert "not in the region lookup" in response.content.decode()
    looked_up.refresh_from_db()
    unresolved.refresh_from_db()
    assert (looked_up.patch_source, unresolved.patch_source) == (PatchSource.VERIFIED, PatchSource.UNRESOLVED)
