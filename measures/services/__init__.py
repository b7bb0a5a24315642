"""Plans, measures, the approval workflow and follow-up: every multi-row write.

Each function owns its transaction, locks the plan it changes, checks the state and
raises WorkflowError with a Thai message, writes the log/decision row, and queues
notifications with ``transaction.on_commit`` so nothing is sent for a rolled-back move.

A package by concern (common, drafting, workflow, chain, notifications, followup); every name is
re-exported here, so callers keep writing ``from measures import services`` and
``services.submit_plan(...)``.
"""

from .chain import (  # noqa: F401
    _chain_as_data,
    _chain_log,
    _lock_organisation,
    _require_chain_open,
    add_person,
    add_step,
    add_unit,
    remove_step,
)
from .common import (  # noqa: F401
    ALLOWED_EVIDENCE,
    DEFAULT_ROUNDS,
    MAX_EVIDENCE_BYTES,
    MOVES,
    EditConflict,
    EditConflicts,
    WorkflowError,
    _contribute,
    _lock,
    _log,
    _require,
    _require_editable,
)
from .drafting import (  # noqa: F401
    Draft,
    _indicator_template,
    _item_templates,
    _ordered_names,
    _shift,
    _template_rank,
    carry_over,
    default_analysis_year,
    delete_measure,
    draft_plan_from_analysis,
    fiscal_month_bounds,
    get_or_create_plan,
    issue_area,
    move_measure,
    save_measure,
    set_followup_group,
    set_plan_documents,
    set_table_layout,
)
from .followup import (  # noqa: F401
    _build_public_ahead,
    add_evidence,
    ensure_rounds,
    evidence_problem,
    record_followup,
    record_round,
    report_round,
    round_due,
    save_round_summary,
    send_due_reminders,
)
from .notifications import (  # noqa: F401
    NOTICE_MAX_AGE,
    NOTICE_RESEND_AFTER,
    _notify_staff,
    _notify_step,
    _plan_url,
    _staff_of,
    hand_over_notification,
    notify,
    sweep_notifications,
)
from .workflow import (  # noqa: F401
    _decide,
    _document_texts,
    chain_of,
    plan_snapshot,
    record_decision,
    signer_of,
    snapshot_hash,
    start_revision,
    submit_plan,
)
