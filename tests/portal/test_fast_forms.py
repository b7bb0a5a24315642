"""The fast form renderer writes exactly the HTML Django's widget templates write."""

from django.forms.renderers import DjangoTemplates

from measures.forms import EntryForm, RoundSummaryForm


def both(form_class, *args, **kwargs):
    """The same form rendered with the fast renderer and with Django's templates."""
    fast = form_class(*args, **kwargs)
    slow = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    fast.is_bound and fast.is_valid()
    slow.is_bound and slow.is_valid()
    return fast, slow


def rendered(form):
    return [(str(f.label_tag()), str(f), str(f.errors)) for f in form] + [form.as_p()]


def test_unbound_entry_form_renders_like_django():
    initial = {
        "status": "in_progress",
        "percent": "50",
        "done": 'ทำแล้ว <b>"ครบ"</b> & ส่ง',
        "version": 3,
        "loaded": "ab",
    }
    fast, slow = both(EntryForm, initial=initial, prefix="m7")
    assert rendered(fast) == rendered(slow)


def test_entry_form_with_errors_renders_like_django():
    data = {
        "m7-status": "zz",
        "m7-percent": "500",
        "m7-evidence_url": "not a url",
        "m7-done": "x\r\ny",
        "m7-version": "x",
    }
    fast, slow = both(EntryForm, data, prefix="m7")
    assert fast.errors and rendered(fast) == rendered(slow)


def test_round_summary_renders_like_django():
    fast, slow = both(RoundSummaryForm, {"round-problems": "<script>", "round-loaded": "1"}, prefix="round")
    assert rendered(fast) == rendered(slow)


def test_entry_form_uses_the_fast_renderer():
    from ita_portal.fast_forms import FastRenderer

    assert isinstance(EntryForm().renderer, FastRenderer)


def test_file_input_without_a_kept_file_renders_like_django():
    fast, slow = both(EntryForm, prefix="m1")
    assert str(fast["evidence_file"]) == str(slow["evidence_file"])


def test_entry_forms_share_their_fields_but_not_their_errors():
    first, second = EntryForm({"m1-status": "zz", "m1-percent": "1"}, prefix="m1"), EntryForm(prefix="m2")
    assert first.fields["status"] is second.fields["status"]
    assert not first.is_valid() and "status" in first.errors and not second.errors
