"""Which models make up an organisation's history, in the order they are restored.

Every model with a foreign-key path to ``Organisation`` is either registered here (exported
and restored) or listed in ``EXCLUDED`` with the reason it is left out;
tests/portable/test_registry.py fails on a model that is neither, so a new model that belongs
to an organisation cannot be forgotten silently.

Rows are written with their own primary key as an export-local reference (``ref``) and
foreign keys between registered models as those references; on restore every row gets a new
primary key (except where ``keep_pk`` says the key is itself data) and the references are
mapped. Foreign keys to models outside the export are written as natural keys
(``GLOBAL_KEYS``) or, for users, as usernames.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models


@dataclass(frozen=True)
class Entry:
    label: str  # "app_label.ModelName"
    path: str  # lookup from the model to its Organisation ("" for Organisation itself)
    # The primary key is kept on restore when the target database does not use it: measures'
    # ids are printed into approved snapshots (PlanRevision.snapshot) and follow-up entries'
    # measure_key, so keeping them keeps `ita_plan --json` and the follow-up matching identical.
    keep_pk: bool = False

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)


# Restore order: a foreign key to a model later in the list (or to its own model) is set in a
# second pass, so it must be nullable (Plan.approved_revision, Measure.carried_from).
REGISTRY: list[Entry] = [
    Entry("assessments.Organisation", ""),
    Entry("assessments.Membership", "organisation"),
    Entry("measures.OrgUnit", "organisation"),
    Entry("measures.Person", "organisation"),
    Entry("measures.ApprovalStep", "organisation"),
    Entry("reports.SignOff", "organisation"),
    Entry("assessments.Assessment", "organisation"),
    Entry("assessments.Score", "assessment__organisation"),
    Entry("assessments.IndicatorNarrative", "assessment__organisation"),
    Entry("assessments.Recommendation", "assessment__organisation"),
    Entry("assessments.ItemAnalysis", "assessment__organisation"),
    Entry("reports.DocumentText", "organisation"),
    Entry("measures.Plan", "organisation"),
    Entry("reports.PlanMemo", "plan__organisation"),
    Entry("measures.Measure", "plan__organisation", keep_pk=True),
    Entry("measures.PlanRevision", "plan__organisation"),
    Entry("measures.Decision", "plan__organisation"),
    Entry("measures.PlanContributor", "plan__organisation"),
    Entry("measures.FollowUpRound", "plan__organisation"),
    Entry("measures.FollowUpEntry", "round__plan__organisation"),
    Entry("measures.Evidence", "entry__round__plan__organisation"),
    Entry("reports.ApprovedDocument", "revision__plan__organisation"),
    Entry("assessments.ChangeLog", "organisation"),
]

# Models that reach an Organisation but are not an agency's history, and why.
EXCLUDED: dict[str, str] = {
    "reports.Report": "a built document on request: rebuilt from the restored data when asked; its files are a cache",
    "measures.Notification": "a person's in-app notices and e-mail state, already delivered; not the agency's record",
    "supervision.Chase": "a supervising body's deadline for the agencies below it, not one agency's history",
    "supervision.ChaseReminder": "the claim that one chase was sent to one agency; belongs to the chase",
    "supervision.CycleStatus": "derived from the agency's results and plans; recomputed after a restore (supervision.status)",
}

# Models outside the export that registered rows point to: found again by these fields.
GLOBAL_KEYS: dict[str, tuple[str, ...]] = {
    "assessments.FiscalYear": ("year",),
    "assessments.Edition": ("fiscal_year__year", "scheme"),
    "assessments.IssueArea": ("number",),
    "assessments.Organisation": ("code",),  # a parent outside the export
}


def label_of(model: type[models.Model]) -> str:
    return model._meta.label


def entry_for(label: str) -> Entry | None:
    return next((e for e in REGISTRY if e.label == label), None)


def registered_labels() -> list[str]:
    return [e.label for e in REGISTRY]


def is_user_model(model: type[models.Model]) -> bool:
    return model is get_user_model()


def models_reaching_organisation() -> dict[str, list[str]]:
    """Every installed model with a path of forward foreign keys (or one-to-one) to
    Organisation, and the shortest such path (field names), for the completeness test."""
    organisation = apps.get_model("assessments.Organisation")
    found: dict[str, list[str]] = {label_of(organisation): []}
    changed = True
    candidates = [m for m in apps.get_models(include_auto_created=False) if m is not organisation]
    while changed:
        changed = False
        for model in candidates:
            label = label_of(model)
            for field in model._meta.get_fields():
                if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
                    continue
                target = label_of(field.related_model)
                if target in found:
                    path = [field.name, *found[target]]
                    if label not in found or len(path) < len(found[label]):
                        found[label] = path
                        changed = True
    return found
