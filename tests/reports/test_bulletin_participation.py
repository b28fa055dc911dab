"""全民参与 in the monthly 通报 (SPEC §7): the representatives' 建议意见 and the activities of each
series, on a hand-built March 2026 with every number written out; as at the month's end (what
happens in April changes nothing), frozen on publish, on the page, in the .docx and the .xlsx."""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from civility.core.roles import Role
from civility.participation import activities, suggestions
from civility.participation.models import Activity, ActivitySeries, Suggestion
from civility.participation.suggestions import Action, ProblemDraft
from civility.reports import compile as reports
from civility.reports.models import Report
from tests.conftest import make_user
from tests.reports.conftest import at
from tests.reports.test_bulletin_sections import docx_text
from tests.reports.test_report_pages import login, page, rows

pytestmark = pytest.mark.django_db
MONTHLY = Report.Kind.MONTHLY

SUGGESTIONS_LINE = (
    "本月收到人大代表、政协委员建议意见4件，转为问题交办1件，交责任单位答复2件；答复3件，"
    "其中责任单位答复2件、按期1件（按期答复率50.0%）；转办问题全部办结0件。"
    "代表委员评价3件：满意1件，基本满意1件，不满意1件（已退回重新办理），满意率66.7%。"
    "截至本月末，逾期未答复1件。"
)
ACTIVITIES_LINE = (
    "本月2个单位组织全民参与活动3项，参与群众180人次，其中志愿者35人次、志愿服务75.5小时。"
)


def _suggestion(d, rep, when, text):
    made, _ = suggestions.submit(
        by=rep,
        headquarters=d["hq"],
        category=Suggestion.Category.ENVIRONMENT,
        text=text,
        now=when,
        notify=False,
    )
    return made


def _step(suggestion, action, when, **kwargs):
    return suggestions.perform(suggestion, action, now=when, notify=False, **kwargs)


def _activity(d, series, unit, day, participants, volunteers, hours, entered):
    made, _ = activities.record_activity(
        by=d["secretariat"],
        series=series,
        organiser=d["u"][unit],
        title=f"{unit}活动",
        date=day,
        place="辖区",
        participants=participants,
        volunteers=volunteers,
        volunteer_hours=Decimal(hours),
    )
    Activity.objects.filter(pk=made.pk).update(created_at=entered)
    return made


@pytest.fixture
def people(march):
    """March 2026 of 建议意见 and activities (see the module doc for the figures)."""
    d = march
    rep = make_user("s_rep", Role.REPRESENTATIVE)
    sec, d1 = d["secretariat"], d["u"]["D1"]
    # S1: made and assigned in February, replied on time and rated 满意 in March.
    s1 = _suggestion(d, rep, at(2, 25), "二月的建议")
    s1 = _step(s1, Action.ASSIGN, at(2, 26), by=sec, unit=d1, deadline=date(2026, 3, 5))
    s1 = _step(s1, Action.REPLY, at(3, 4), by=d["D1"], note="已处理。")
    _step(s1, Action.RATE_SATISFIED, at(3, 6), by=rep)
    # S2: replied after its deadline, rated 基本满意.
    s2 = _suggestion(d, rep, at(3, 2), "三月的建议二")
    s2 = _step(s2, Action.ASSIGN, at(3, 3), by=sec, unit=d1, deadline=date(2026, 3, 10))
    s2 = _step(s2, Action.REPLY, at(3, 12), by=d["D1"], note="已处理。")
    _step(s2, Action.RATE_BASIC, at(3, 13), by=rep)
    # S3: answered by the secretariat, 不满意, assigned again and not replied by the 31st.
    s3 = _suggestion(d, rep, at(3, 5), "三月的建议三")
    s3 = _step(s3, Action.ANSWER, at(3, 6), by=sec, note="已纳入计划。")
    s3 = _step(s3, Action.RATE_UNSATISFIED, at(3, 7), by=rep, note="没有措施。")
    _step(s3, Action.ASSIGN, at(3, 8), by=sec, unit=d1, deadline=date(2026, 3, 20))
    # S4: turned into a problem; S5: made late on the 31st; S6: made in April.
    s4 = _suggestion(d, rep, at(3, 20), "三月的建议四")
    draft = ProblemDraft(d["sites"]["SA"], d["category"], "建议转来的问题")
    suggestions.convert(s4, [draft], by=sec, now=at(3, 21), notify=False)
    _suggestion(d, rep, at(3, 31, 23), "三月的建议五")
    _suggestion(d, rep, at(4, 1, 0), "四月的建议")

    clean = ActivitySeries.objects.create(headquarters=d["hq"], name="洁净家园在行动", order=1)
    traffic = ActivitySeries.objects.create(headquarters=d["hq"], name="交通文明在行动", order=2)
    ActivitySeries.objects.create(headquarters=d["hq"], name="典型带动", order=3, active=False)
    _activity(d, clean, "A", date(2026, 3, 10), 100, 20, "40", at(3, 10, 20))
    _activity(d, clean, "B", date(2026, 3, 15), 50, 10, "25.5", at(3, 16))
    _activity(d, traffic, "A", date(2026, 3, 31), 30, 5, "10", at(3, 31, 21))
    _activity(d, traffic, "B", date(2026, 2, 28), 40, 8, "16", at(2, 28, 20))  # February
    return {**d, "rep": rep, "s3": Suggestion.objects.get(pk=s3.pk), "traffic": traffic}


def april(d):
    """What happens after March's end: a late reply and rating, an activity of March 30th
    entered on April 2nd, a new activity in April."""
    s3 = _step(d["s3"], Action.REPLY, at(4, 2), by=d["D1"], note="四月才答复。")
    _step(s3, Action.RATE_SATISFIED, at(4, 3), by=d["rep"])
    _activity(d, d["traffic"], "D1", date(2026, 3, 30), 60, 12, "24", at(4, 2))
    _activity(d, d["traffic"], "D1", date(2026, 4, 2), 60, 12, "24", at(4, 2))


def compile_march(d) -> Report:
    report, _ = reports.compile_report(d["hq"], MONTHLY, "2026-03")
    return report


def test_march_participation_figures_are_the_hand_worked_ones(people):
    data = compile_march(people).data["participation"]
    assert data["suggestions"] == {
        "received": 4,
        "converted": 1,
        "assigned": 2,
        "replied": 3,
        "unit_replies": 2,
        "on_time": 1,
        "closed": 0,
        "rated": 3,
        "satisfied": 1,
        "basic": 1,
        "unsatisfied": 1,
        "overdue_replies": 1,
        "on_time_rate": "50.0",
        "satisfaction_rate": "66.7",
    }
    assert data["activities"] == {
        "activities": 3,
        "participants": 180,
        "volunteers": 35,
        "volunteer_hours": "75.5",
        "units": 2,
        "series": [
            {
                "name": "洁净家园在行动",
                "activities": 2,
                "participants": 150,
                "volunteers": 30,
                "volunteer_hours": "65.5",
            },
            {
                "name": "交通文明在行动",
                "activities": 1,
                "participants": 30,
                "volunteers": 5,
                "volunteer_hours": "10.0",
            },
        ],
    }


def test_compiling_again_in_april_gives_the_same_participation(people):
    first = compile_march(people).data["participation"]
    april(people)
    assert compile_march(people).data["participation"] == first


def test_the_document_says_it_and_publishing_freezes_it(client, people):
    report = compile_march(people)
    report.narrative["requirements"] = "立即整改。"
    report.save()
    report = reports.publish(report, by=people["secretariat"])
    assert report.snapshot["data"]["participation"] == report.data["participation"]
    april(people)

    client = login(client, people["leader"])
    tree = page(client.get("/reports/monthly/2026-03/").content)
    headings = [h.strip() for h in tree.xpath("//*[starts-with(@id, 'sec-')]/text()")]
    assert "六、全民参与和代表委员建议意见" in headings
    assert tree.xpath("string(//*[@id='doc-suggestions'])").strip() == SUGGESTIONS_LINE
    assert tree.xpath("string(//*[@id='doc-activities'])").strip() == ACTIVITIES_LINE
    assert rows(tree, "//table[@id='activity-table']/tbody/tr") == [
        ["洁净家园在行动", "2", "150", "30", "65.5"],
        ["交通文明在行动", "1", "30", "5", "10.0"],
    ]

    word = docx_text(client.get("/reports/monthly/2026-03.docx").content)
    assert SUGGESTIONS_LINE in word
    assert ACTIVITIES_LINE in word

    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/monthly/2026-03.xlsx").content))
    sheet = book["全民参与活动"]
    assert [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        ["洁净家园在行动", 2, 150, 30, 65.5],
        ["交通文明在行动", 1, 30, 5, 10],
    ]


def test_a_report_compiled_before_the_section_existed_has_none(client, people):
    report = compile_march(people)
    del report.data["participation"]
    report.save()
    client = login(client, people["leader"])
    tree = page(client.get("/reports/monthly/2026-03/").content)
    assert not tree.xpath("//*[@id='sec-participation']")
