"""The measures table's column sets, grouping and numbering, nested steps, units in their
order, and tables that use the paper (rows continue on the next page)."""

import io
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from pypdf import PdfReader

from measures import layouts
from measures import services as plans
from measures.models import OrgUnit, Plan
from reports import builders, pdf
from reports.excel import render_xlsx

pytestmark = pytest.mark.django_db


def nfkc(text):
    return unicodedata.normalize("NFKC", text)


def flat_text(data):
    """The PDF's text, NFKC, without any white space (cells wrap their lines anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return "".join(nfkc("\n".join(page.extract_text() for page in reader.pages)).split())


def flat(text):
    return "".join(nfkc(text).split())


def staff():
    return get_user_model().objects.get(username="staff")


def draft_plan(demo):
    return Plan.objects.get(organisation=demo, fiscal_year__year=2570)


def measures_pdf(demo, year=2570):
    return pdf.render_pdf(builders.build("measures", demo, year))


def headers_in_order(text, headers):
    """Each header found after the one before it (from the table's start)."""
    at = text.index(flat("ดังต่อไปนี้"))
    for header in headers:
        found = text.find(flat(header), at)
        if found < 0:
            return False
        at = found + len(flat(header))
    return True


@pytest.mark.parametrize("name", list(layouts.PRESETS))
def test_each_preset_prints_its_headers_in_order_in_the_pdf(demo, name):
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=layouts.preset(name))
    headers = [c["header"] for c in layouts.PRESETS[name]["columns"]]
    if layouts.PRESETS[name]["form"] == "list":  # each measure's labels: "(๑) กิจกรรม/โครงการ …"
        headers = [f"({'๑๒๓๔'[n]}){h}" for n, h in enumerate(headers)]
    assert headers_in_order(flat_text(measures_pdf(demo)), headers)


@pytest.mark.parametrize("name", list(layouts.PRESETS))
def test_each_preset_is_the_header_row_of_the_excel_sheet(demo, name):
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=layouts.preset(name))
    ws = load_workbook(io.BytesIO(render_xlsx(builders.build("measures", demo, 2570))))["มาตรการ"]
    rows = [[c.value for c in row if c.value is not None] for row in ws.iter_rows()]
    assert [c["header"] for c in layouts.PRESETS[name]["columns"]] in rows


def test_continuous_numbering_runs_across_groups(demo):
    spec = {**layouts.preset("issue_area"), "numbering": "continuous", "style": "paren"}
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=spec)
    plan = builders.build("measures", demo, 2570)["plan"]
    numbers = [m["number"] for g in plan["groups"] for m in g["measures"]]
    assert len(plan["groups"]) > 1
    assert numbers == [f"({n})" for n in range(1, plan["count"] + 1)]


def test_numbering_per_group_starts_again_in_each_group(demo):
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=layouts.preset("issue_area"))
    plan = builders.build("measures", demo, 2570)["plan"]
    assert all(g["measures"][0]["number"] == "1." for g in plan["groups"])


def test_grouping_by_indicator_labels_groups_by_indicator_in_number_order(demo):
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=layouts.preset("indicator"))
    plan = builders.build("measures", demo, 2570)["plan"]
    labels = [g["label"] for g in plan["groups"]]
    assert labels and all(label.startswith("ตัวชี้วัดที่") for label in labels)
    assert [g["key"] for g in plan["groups"]] == sorted(g["key"] for g in plan["groups"])
    for g in plan["groups"]:
        assert all((m["indicators"] or [0])[0] == g["key"] for m in g["measures"])


def test_grouping_none_prints_no_group_rows(demo):
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=layouts.preset("indicator_project"))
    plan = builders.build("measures", demo, 2570)["plan"]
    assert [g["label"] for g in plan["groups"]] == [""]
    from assessments.models import IssueArea

    text = flat_text(measures_pdf(demo))
    assert not any(flat(f"{n}. {name}").translate(str.maketrans("1234567", "๑๒๓๔๕๖๗")) in text
                   for n, name in IssueArea.objects.values_list("number", "name_th"))  # fmt: skip


def test_custom_columns_print_their_own_headers_and_fields(demo):
    spec = {"form": "table", "group": "none", "numbering": "continuous", "style": "dot",
            "columns": [{"field": "items", "header": "ข้อ"}, {"field": "title", "header": "กิจกรรม"},
                        {"field": "budget", "header": "งบ (บาท)"}, {"field": "target", "header": "ผลผลิต/KPI"}]}  # fmt: skip
    plans.set_table_layout(draft_plan(demo), by=staff(), spec=spec)
    assert draft_plan(demo).layout == Plan.Layout.CUSTOM
    assert headers_in_order(flat_text(measures_pdf(demo)), ["ข้อ", "กิจกรรม", "งบ (บาท)", "ผลผลิต/KPI"])


def test_a_spec_naming_a_field_twice_is_refused_in_thai(demo):
    spec = {"columns": [{"field": "title", "header": ""}, {"field": "title", "header": "ซ้ำ"}]}
    with pytest.raises(plans.WorkflowError, match="เลือกซ้ำ"):
        plans.set_table_layout(draft_plan(demo), by=staff(), spec=spec)


def test_a_layout_change_on_an_approved_plan_needs_a_new_revision(demo):
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    with pytest.raises(plans.WorkflowError):
        plans.set_table_layout(plan, by=staff(), spec=layouts.preset("labelled"))
    plan = plans.start_revision(plan, by=staff())
    plans.set_table_layout(plan, by=staff(), spec=layouts.preset("labelled"))
    # the approved revision still prints as it was signed
    signed = builders.revision_measures_context(plan, plan.approved_revision)
    assert signed["table"]["form"] == "table" and signed["layout"] == "issue_area"


def test_the_layout_is_part_of_the_approved_snapshot(demo):
    plan = draft_plan(demo)
    plans.set_table_layout(plan, by=staff(), spec=layouts.preset("indicator_project"))
    snapshot = plans.plan_snapshot(Plan.objects.get(pk=plan.pk))
    assert snapshot["table"] == layouts.preset("indicator_project")


def test_followup_groups_by_indicator_when_chosen(demo):
    plan = Plan.objects.get(organisation=demo, fiscal_year__year=2566)
    plans.set_followup_group(plan, by=staff(), group="indicator")
    built = builders.build("followup", demo, 2566, round_number=1)
    assert built["groups"] and all(g["label"].startswith("ตัวชี้วัดที่") for g in built["groups"])
    assert flat("ตัวชี้วัดที่ ๘") in flat_text(pdf.render_pdf(built))


def test_followup_groups_by_issue_area_by_default(demo):
    built = builders.build("followup", demo, 2566, round_number=1)
    assert all(g["label"][0].isdigit() for g in built["groups"])


# --------------------------------------------------------------------------- #
# Steps and units
# --------------------------------------------------------------------------- #

NESTED = ["กองการเจ้าหน้าที่", "- ขับเคลื่อนมาตรฐานทางจริยธรรมของเจ้าหน้าที่ในสังกัด",
          "หัวหน้าส่วนราชการทุกส่วนราชการ", "- ควบคุม กำกับติดตามการปฏิบัติงานของเจ้าหน้าที่ในสังกัด"]  # fmt: skip


def test_step_tree_keeps_nesting_and_numbers_steps_in_order():
    tree = layouts.step_tree(["๑. คณะทำงานด้านเทคโนโลยี", "๑) จัดให้มีแบนเนอร์", "๒) มอบหมายเจ้าหน้าที่", "๒. กองช่าง",
                              "๑) ประสานข้อมูล"])  # fmt: skip
    assert [(n["label"], n["text"]) for n in tree] == [("1.", "คณะทำงานด้านเทคโนโลยี"), ("2.", "กองช่าง")]
    assert [(n["label"], n["text"]) for n in tree[0]["children"]] == [("1)", "จัดให้มีแบนเนอร์"),
                                                                     ("2)", "มอบหมายเจ้าหน้าที่")]  # fmt: skip
    assert [n["label"] for n in tree[1]["children"]] == ["1)"]


def test_a_dash_line_is_a_point_under_the_step_above():
    tree = layouts.step_tree(NESTED)
    assert [n["label"] for n in tree] == ["1.", "2."]
    assert tree[0]["children"] == [{"label": "-", "text": NESTED[1][2:], "children": []}]


def test_nested_steps_print_with_their_numbering(demo):
    measure = draft_plan(demo).measures.order_by("order").first()
    plans.save_measure(measure.plan, by=staff(), measure=measure, steps=NESTED)
    plans.set_table_layout(measure.plan, by=staff(), spec=layouts.preset("issue_area"))
    text = flat_text(measures_pdf(demo))
    assert flat("๑. กองการเจ้าหน้าที่ - ขับเคลื่อน") in text
    assert flat("๒. หัวหน้าส่วนราชการทุกส่วนราชการ") in text and flat("- ควบคุม กำกับ") in text
    assert flat("๒. - ขับเคลื่อน") not in text and flat("๔. - ควบคุม") not in text


def test_units_keep_the_order_staff_gave_them(demo):
    measure = draft_plan(demo).measures.order_by("order").first()
    a, _ = OrgUnit.objects.get_or_create(organisation=demo, name="กองคลัง", defaults={"order": 1})
    b, _ = OrgUnit.objects.get_or_create(organisation=demo, name="สำนักปลัดฯ", defaults={"order": 9})
    plans.save_measure(measure.plan, by=staff(), measure=measure, units=[b, a], people=[])
    snapshot = plans.plan_snapshot(measure.plan)
    assert next(m for m in snapshot["measures"] if m["id"] == measure.pk)["units"] == ["สำนักปลัดฯ", "กองคลัง"]
    assert flat("๑. สำนักปลัดฯ ๒. กองคลัง") in flat_text(measures_pdf(demo))


def test_the_measure_form_orders_units_by_the_lines_typed(demo):
    from measures.forms import MeasureForm

    a, _ = OrgUnit.objects.get_or_create(organisation=demo, name="กองคลัง", defaults={"order": 1})
    b, _ = OrgUnit.objects.get_or_create(organisation=demo, name="สำนักปลัดฯ", defaults={"order": 9})
    data = {"issue_area": 1, "title": "มาตรการ", "start": "01/10/2569", "end": "30/09/2570",
            "units": [a.pk, b.pk], "responsible_text": "๑. สำนักปลัดฯ\n๒. กองคลัง"}  # fmt: skip
    form = MeasureForm(data, organisation=demo)
    assert form.is_valid(), form.errors
    assert [u.name for u in form.cleaned_data["units"]] == ["สำนักปลัดฯ", "กองคลัง"]
    assert form.cleaned_data["responsible_order"] == [f"u{b.pk}", f"u{a.pk}"]


def test_the_measure_form_names_a_typed_unit_not_chosen(demo):
    from measures.forms import MeasureForm

    data = {"issue_area": 1, "title": "มาตรการ", "start": "01/10/2569", "end": "30/09/2570",
            "responsible_text": "กองช่าง"}  # fmt: skip
    form = MeasureForm(data, organisation=demo)
    assert not form.is_valid()
    assert "“กองช่าง” ไม่ได้เลือกไว้" in form.errors["responsible_text"][0]


# --------------------------------------------------------------------------- #
# Tables use the paper
# --------------------------------------------------------------------------- #


def page_gaps(html):
    """(pages, the empty fraction of each page's content area below its last line)."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    gaps = []
    for page in document.pages:
        box = page._page_box
        top, bottom = box.content_box_y(), box.content_box_y()
        stack = [box]
        while stack:
            b = stack.pop()
            if type(b).__name__ == "LineBox":
                bottom = max(bottom, b.position_y + b.height)
            stack.extend(getattr(b, "children", None) or [])
        gaps.append(1 - (bottom - top) / box.height)
    return len(document.pages), gaps


ROWS_WHOLE = "<style>body table.measures tr { break-inside: avoid; }</style></head>"  # as before: rows whole


def test_a_tall_measure_continues_on_the_next_page_and_leaves_no_page_a_third_empty(demo):
    plan = draft_plan(demo)
    steps = [f"ขั้นตอนที่ {n} ของการดำเนินงานตามมาตรการ โดยให้ทุกส่วนราชการจัดทำรายงานผลการดำเนินงาน "
             "เสนอผู้บริหารเพื่อทราบและพิจารณาสั่งการต่อไปตามลำดับ" for n in range(1, 7)]  # fmt: skip
    for measure in plan.measures.all():  # every measure about half a landscape page tall
        plans.save_measure(plan, by=staff(), measure=measure, steps=steps)
    html = pdf.render_html(builders.build("measures", demo, 2570))
    pages, gaps = page_gaps(html)
    whole_pages, whole_gaps = page_gaps(html.replace("</head>", ROWS_WHOLE, 1))
    assert max(whole_gaps[:-1]) > 1 / 3, (
        pages,
        gaps,
        whole_pages,
        whole_gaps,
    )  # rows kept whole leave pages more than a third empty …
    assert pages < whole_pages  # … and need more paper
    assert max(gaps[:-1]) < 1 / 3, (pages, gaps, whole_pages, whole_gaps)


@pytest.mark.parametrize(
    ("period", "parts"),
    [("ต.ค. ๖๙ – ก.ย. ๗๐", ["ต.ค. ๖๙", "ก.ย. ๗๐"]), ("ตลอดปีงบประมาณ", [""]), ("ก.ย. ๖๙", [""])],
)
def test_only_the_ends_of_a_range_are_kept_on_one_line_each(period, parts):
    # "ตลอดปีงบประมาณ" kept on one line overflowed the period column into the next one
    assert builders._period_parts(period) == parts
