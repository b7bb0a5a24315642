"""The materialised path behind "below": kept on save, on reparenting (the subtree moves with
it) and after bulk writes; a parent below the organisation itself is still refused."""

import pytest

from assessments.models import Organisation, TreeCycle, rebuild_paths
from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


def codes_below(code):
    return sorted(Organisation.objects.below(Organisation.objects.get(code=code)).values_list("code", flat=True))


@pytest.fixture
def chain():
    """ministry → region → province → agency, and a sibling region."""
    ministry = make_organisation(code="ministry")
    region = make_organisation(code="region", parent=ministry)
    province = make_organisation(code="province", parent=region)
    make_organisation(code="agency", parent=province)
    make_organisation(code="sibling", parent=ministry)
    return ministry


def test_new_organisation_path_extends_its_parents(chain):
    agency = Organisation.objects.get(code="agency")
    province = Organisation.objects.get(code="province")
    assert agency.path == f"{province.path}{agency.pk}/" and province.path.startswith(chain.path)


def test_below_reaches_every_depth(chain):
    assert codes_below("ministry") == ["agency", "province", "region", "sibling"]


def test_reparenting_moves_the_whole_subtree(chain):
    province = Organisation.objects.get(code="province")
    province.parent = Organisation.objects.get(code="sibling")
    province.save()
    assert (codes_below("region"), codes_below("sibling")) == ([], ["agency", "province"])


def test_parent_below_itself_is_refused_and_nothing_changes(chain):
    region = Organisation.objects.get(code="region")
    region.parent = Organisation.objects.get(code="agency")
    with pytest.raises(TreeCycle):
        region.save()
    assert Organisation.objects.get(code="region").parent.code == "ministry"
    assert codes_below("ministry") == ["agency", "province", "region", "sibling"]


def test_rebuild_restores_paths_written_in_bulk(chain):
    Organisation.objects.update(path="")
    Organisation.objects.filter(code="agency").update(parent=Organisation.objects.get(code="sibling"))
    rebuild_paths()
    assert (codes_below("province"), codes_below("sibling")) == ([], ["agency"])


def test_organisation_import_keeps_the_paths(chain):
    from assessments.onboarding import import_organisations

    header = ["code", "name", "type", "province", "district", "parent"]
    import_organisations(
        [header, ["newbie", "ใหม่", "", "", "", "agency"], ["province", "จังหวัด", "", "", "", "sibling"]]
    )
    assert (codes_below("sibling"), codes_below("region")) == (["agency", "newbie", "province"], [])
