"""Choice labels (roles, workflow actions, model choices) marked for the translation catalogue.

The choice classes keep their Chinese labels as plain strings: they are the contract of SPEC §4 and
live in models.py, roles.py and workflow.py, which are not wrapped for translation. makemessages
cannot see them there, so they are listed here with ``gettext_noop``; pages show a label in the
active language with ``{% translate value %}`` in templates or ``gettext(value)`` in Python (an
unknown label falls back to itself). tests/test_i18n.py checks that this list is complete.
"""

from django.utils.translation import gettext_lazy, gettext_noop

LABELS = (
    # core.roles.Role
    gettext_noop("创建办"),
    gettext_noop("指挥部领导"),
    gettext_noop("督查员"),
    gettext_noop("责任单位联络员"),
    gettext_noop("人大代表/政协委员"),
    # supervision.workflow.Action
    gettext_noop("交办"),
    gettext_noop("作废"),
    gettext_noop("签收"),
    gettext_noop("提交整改"),
    gettext_noop("权属异议"),
    gettext_noop("改派"),
    gettext_noop("驳回异议"),
    gettext_noop("复查通过"),
    gettext_noop("退回重改"),
    gettext_noop("督办"),
    gettext_noop("申请延期"),
    gettext_noop("批准延期"),
    gettext_noop("驳回延期"),
    # org.models.Leader.Body
    gettext_noop("区委"),
    gettext_noop("区人大"),
    gettext_noop("区政府"),
    gettext_noop("区政协"),
    gettext_noop("区纪委"),
    # org.models.Leader.HqRole
    gettext_noop("总指挥"),
    gettext_noop("常务副总指挥"),
    gettext_noop("副总指挥"),
    gettext_noop("成员"),
    # org.models.Unit.Kind
    gettext_noop("街道"),
    gettext_noop("社区"),
    gettext_noop("区直部门"),
    gettext_noop("驻区单位"),
    gettext_noop("其他"),
    # org.models.Linkage.Kind
    gettext_noop("挂钩联系"),
    gettext_noop("结对共建"),
    gettext_noop("包片下点"),
    # org.models.Indicator.Level
    gettext_noop("测评项目"),
    gettext_noop("指标名称"),
    gettext_noop("测评内容"),
    # org.models.Indicator.Source
    gettext_noop("全国文明城市测评体系"),
    gettext_noop("全省文明城区测评体系"),
    # org.models.Assignment.Cycle
    gettext_noop("一次性"),
    gettext_noop("每周"),
    gettext_noop("每月"),
    gettext_noop("每季度"),
    gettext_noop("每年"),
    gettext_noop("长期"),
    # org.models.Assignment.DueState
    gettext_noop("已完成"),
    gettext_noop("已逾期"),
    gettext_noop("即将到期"),
    gettext_noop("进行中"),
    gettext_noop("长期/周期"),
    # supervision.models.InspectionTeam.Kind
    gettext_noop("人大代表政协委员巡视组"),
    gettext_noop("区级领导督查组"),
    gettext_noop("退休干部顾问组"),
    gettext_noop("创建办督查组"),
    gettext_noop("第三方测评组"),
    # supervision.models.Inspection.Kind
    gettext_noop("例行督查"),
    gettext_noop("暗访"),
    gettext_noop("专项督查"),
    gettext_noop("回头看"),
    # supervision.models.Inspection.Status
    gettext_noop("草稿"),
    gettext_noop("已提交"),
    # supervision.models.Problem.Status
    gettext_noop("待交办"),
    gettext_noop("待整改"),
    gettext_noop("待协调"),
    gettext_noop("待复查"),
    gettext_noop("已销号"),
    gettext_noop("已作废"),
    # supervision.models.Problem.Source
    gettext_noop("督查发现"),
    gettext_noop("领导交办"),
    gettext_noop("代表建议"),
    gettext_noop("热线转办"),
    # supervision.models.Problem.DueState
    gettext_noop("正常"),
    gettext_noop("逾期"),
    gettext_noop("按期销号"),
    gettext_noop("逾期销号"),
    # supervision.models.Photo.Kind
    gettext_noop("整改前"),
    gettext_noop("整改后"),
    gettext_noop("复查"),
    gettext_noop("点评"),
    # supervision.models.ExtensionRequest.Status
    gettext_noop("待审批"),
    gettext_noop("已批准"),
    gettext_noop("已驳回"),
    # supervision.models.Commentary.Kind
    gettext_noop("会议点评"),
    gettext_noop("现场点评"),
    gettext_noop("书面点评"),
    # supervision.models.Commentary.Tone
    gettext_noop("表扬"),
    gettext_noop("批评"),
    # supervision.models.Notification.Kind
    gettext_noop("新交办"),
    gettext_noop("被退回"),
    gettext_noop("被督办"),
    gettext_noop("明日到期"),
    gettext_noop("点评下发"),
    gettext_noop("延期申请"),
    gettext_noop("审批结果"),
    gettext_noop("通报发布"),
    # reports.models.Report.Kind
    gettext_noop("每周巡报"),
    gettext_noop("每月通报"),
    # reports.models.Report.Status
    gettext_noop("已发布"),
    gettext_noop("已更正"),
    # reports.scoring: the grades (等次) of the monthly and annual assessment (合格 and 不合格
    # are also supervision.inspections.visits.SiteVisitItem.Result labels)
    gettext_noop("优秀"),
    gettext_noop("良好"),
    gettext_noop("合格"),
    gettext_noop("不合格"),
    # supervision.inspections.visits.SiteVisitItem.Result
    gettext_noop("不适用"),
)


def translated(choices) -> list[tuple]:
    """``choices`` with each label shown in the active language (for form and filter choices)."""
    return [(value, gettext_lazy(label)) for value, label in choices]
