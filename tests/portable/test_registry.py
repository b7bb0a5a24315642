"""The export's registry against the models installed: a model that belongs to an
organisation (a foreign-key path to Organisation) must be exported or excluded with a reason.

When this fails after a merge, add the model to assessments/portable/registry.py: REGISTRY
(in restore order, with its path to the organisation) or EXCLUDED (with the reason)."""

from django.contrib.auth import get_user_model

from assessments.portable.export import auto_m2m_fields
from assessments.portable.registry import EXCLUDED, GLOBAL_KEYS, REGISTRY, models_reaching_organisation


def test_every_model_that_belongs_to_an_organisation_is_exported_or_excluded_with_a_reason():
    registered = {e.label for e in REGISTRY}
    missing = {
        label: "__".join(path)
        for label, path in models_reaching_organisation().items()
        if label not in registered and not EXCLUDED.get(label, "").strip()
    }
    assert missing == {}, f"not in the export's registry nor excluded: {missing}"


def test_registered_and_excluded_models_exist_and_do_not_overlap():
    reaching = models_reaching_organisation()
    registered = [e.label for e in REGISTRY]
    assert len(registered) == len(set(registered))
    assert not set(registered) & set(EXCLUDED)
    assert set(registered) | set(EXCLUDED) <= set(reaching)


def test_every_registered_path_reaches_the_organisation():
    from assessments.models import Organisation

    for entry in REGISTRY:
        model = entry.model
        if not entry.path:
            assert model is Organisation
            continue
        target = model
        for part in entry.path.split("__"):
            target = target._meta.get_field(part).related_model
        assert target is Organisation, entry.label


def test_every_relation_of_a_registered_model_can_be_written_and_found_again():
    registered = [e.label for e in REGISTRY]
    problems = []
    for index, entry in enumerate(REGISTRY):
        model = entry.model
        relations = [f for f in model._meta.concrete_fields if f.is_relation] + auto_m2m_fields(model)
        for field in relations:
            target = field.related_model
            label = target._meta.label
            if target is get_user_model() or label in GLOBAL_KEYS:
                continue
            if label not in registered:
                problems.append(f"{entry.label}.{field.name} -> {label}: neither exported nor a global key")
            elif registered.index(label) >= index and not (field.null or field.many_to_many):
                problems.append(f"{entry.label}.{field.name} -> {label}: restored later but not nullable")
    assert problems == []
