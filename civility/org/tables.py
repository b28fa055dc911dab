import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civility.org.models import Assignment


class AssignmentTable(tables.Table):
    work_group = tables.Column(
        verbose_name=_("工作组"), order_by=("work_group__order", "work_group_id")
    )
    unit = tables.Column(
        verbose_name=_("责任单位"), order_by=("unit__kind", "unit__order", "unit_id")
    )
    goal = tables.Column(verbose_name=_("目标"), attrs={"td": {"class": "wrap"}})
    responsible_person = tables.Column(verbose_name=_("责任人"))
    due_date = tables.DateColumn(verbose_name=_("完成时限"), format="Y-m-d", default="—")
    due_state = tables.Column(verbose_name=_("状态"), accessor="pk", orderable=False)
    # Shown in exports only: the rest of the 四个明确 and the progress notes.
    task = tables.Column(verbose_name=_("任务"), visible=False)
    requirements = tables.Column(verbose_name=_("要求"), visible=False)
    indicator = tables.Column(verbose_name=_("对应测评指标"), visible=False)
    cycle = tables.Column(verbose_name=_("周期"), visible=False)
    progress = tables.Column(verbose_name=_("进展情况"), visible=False)
    completed_on = tables.DateColumn(verbose_name=_("完成日期"), format="Y-m-d", visible=False)

    class Meta:
        model = Assignment
        fields = ()
        sequence = (
            "work_group",
            "unit",
            "goal",
            "responsible_person",
            "due_date",
            "due_state",
            "task",
            "requirements",
            "indicator",
            "cycle",
            "progress",
            "completed_on",
        )
        empty_text = _("没有符合条件的责任分解。")
        attrs = {"class": "table phone-cards", "id": "assignments-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def render_due_state(self, record):
        state = record.due_state()
        return format_html('<span class="badge state-{}">{}</span>', state.value, _(state.label))

    def value_due_state(self, record):
        return _(record.due_state().label)

    def value_cycle(self, record):
        return _(record.get_cycle_display())
