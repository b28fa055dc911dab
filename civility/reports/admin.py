"""Admin for scoring policies, vetoes and reports (SPEC §5–6).

The admin edits the rules (考评规则) and records 一票否决; it never compiles, publishes or edits
a published report: reports are made by ``compile_reports`` and the report pages, and here they
are read-only apart from a draft's title and 主送. A published report shows its frozen snapshot.
"""

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join, linebreaks
from django.utils.safestring import mark_safe

from civility.reports import compile as compiling
from civility.reports.models import Report, ReportRead, ScoringPolicy, Veto

NARRATIVE_LABELS = {
    "overview": "一、总体情况",
    "problems": "四、存在问题",
    "requirements": "五、整改要求",
}


def pretty_json(value) -> str:
    if value in (None, {}, []):
        return "—"
    return format_html("<pre>{}</pre>", json.dumps(value, ensure_ascii=False, indent=2))


# --- 考评规则 ---------------------------------------------------------------------------------


class ScoringPolicyForm(forms.ModelForm):
    class Meta:
        model = ScoringPolicy
        fields = [
            "headquarters",
            "year",
            "field_weight",
            "rectification_weight",
            "pairing_weight",
            "excellent_min",
            "good_min",
            "pass_min",
            "red_list_min",
            "red_list_size",
            "black_list_below",
            "black_list_last_below",
            "black_list_last_min_units",
            "min_site_visits",
            "min_problems_due",
            "on_time_weight",
            "rework_weight",
            "escalation_weight",
            "checklist_version",
            "annual_months_weight",
            "annual_assignments_weight",
            "min_assessed_months",
        ]

    def clean(self):
        cleaned = super().clean()
        field, rectification = cleaned.get("field_weight"), cleaned.get("rectification_weight")
        if field is not None and rectification is not None and field + rectification != 1:
            self.add_error("rectification_weight", "现场分权重与整改分权重之和应为 1。")
        excellent, good, passing = (
            cleaned.get("excellent_min"),
            cleaned.get("good_min"),
            cleaned.get("pass_min"),
        )
        months, assignments = (
            cleaned.get("annual_months_weight"),
            cleaned.get("annual_assignments_weight"),
        )
        if months is not None and assignments is not None and months + assignments != 1:
            self.add_error(
                "annual_assignments_weight", "月度总分权重与责任分解完成率权重之和应为 1。"
            )
        if None not in (excellent, good, passing) and not excellent >= good >= passing:
            self.add_error("good_min", "分数线应满足：优秀 ≥ 良好 ≥ 合格。")
        return cleaned


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(admin.ModelAdmin):
    form = ScoringPolicyForm
    list_display = (
        "year",
        "headquarters",
        "field_weight",
        "rectification_weight",
        "excellent_min",
        "good_min",
        "pass_min",
        "red_list_min",
        "black_list_below",
    )
    list_display_links = ("year",)
    list_filter = ("headquarters",)
    ordering = ("headquarters", "-year")
    fieldsets = (
        (None, {"fields": ("headquarters", "year")}),
        ("总分构成", {"fields": ("field_weight", "rectification_weight", "pairing_weight")}),
        ("等次分数线", {"fields": ("excellent_min", "good_min", "pass_min")}),
        ("现场分", {"fields": ("checklist_version", "min_site_visits")}),
        (
            "整改分（按比率）",
            {
                "fields": (
                    "min_problems_due",
                    "on_time_weight",
                    "rework_weight",
                    "escalation_weight",
                )
            },
        ),
        (
            "红黑榜",
            {
                "fields": (
                    "red_list_min",
                    "red_list_size",
                    "black_list_below",
                    "black_list_last_below",
                    "black_list_last_min_units",
                )
            },
        ),
        (
            "年度考评",
            {
                "fields": (
                    "annual_months_weight",
                    "annual_assignments_weight",
                    "min_assessed_months",
                )
            },
        ),
    )


# --- 一票否决 ---------------------------------------------------------------------------------


class VetoAdminForm(forms.ModelForm):
    class Meta:
        model = Veto
        fields = ("unit", "year", "reason")
        error_messages = {"reason": {"required": "请填写否决理由。"}}

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError("请填写否决理由。")
        return reason

    def clean(self):
        cleaned = super().clean()
        unit, year = cleaned.get("unit"), cleaned.get("year")
        if unit and not unit.is_committee_member:
            self.add_error("unit", "只能对文明委成员单位实行一票否决。")
        if unit and year:
            others = Veto.objects.filter(unit=unit, year=year).exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("year", f"{unit.name}{year}年已有一票否决记录。")
        return cleaned

    def validate_constraints(self, exclude=None):
        return None  # said in Chinese by clean(); the database constraint still guards it


@admin.register(Veto)
class VetoAdmin(admin.ModelAdmin):
    form = VetoAdminForm
    list_display = ("unit", "year", "headquarters", "decided_by", "decided_at")
    list_filter = ("year", "headquarters", "unit__kind")
    search_fields = ("unit__name", "unit__short_name", "reason")
    autocomplete_fields = ("unit",)
    readonly_fields = ("headquarters", "decided_by", "decided_at")
    fields = ("unit", "year", "reason", "headquarters", "decided_by", "decided_at")
    list_select_related = ("unit", "headquarters", "decided_by")

    def save_model(self, request, obj, form, change):
        # Whoever saves the decision is recorded as its decider; the unit fixes the headquarters.
        obj.decided_by = request.user
        obj.headquarters_id = obj.unit.headquarters_id
        super().save_model(request, obj, form, change)


# --- 通报 -----------------------------------------------------------------------------------


class ReportReadInline(admin.TabularInline):
    model = ReportRead
    fields = ("user", "read_at")
    readonly_fields = ("user", "read_at")
    extra = 0
    can_delete = False
    verbose_name_plural = "阅读记录（已阅）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "kind", "period", "status", "published_at")
    list_filter = ("kind", "status", "headquarters", "year")
    search_fields = ("title", "number", "period")
    date_hierarchy = "period_start"
    list_select_related = ("headquarters",)
    inlines = (ReportReadInline,)
    DRAFT_EDITABLE = ("title", "addressees")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "headquarters",
                    "kind",
                    "period",
                    "period_start",
                    "period_end",
                    "status",
                    "number",
                    "title",
                    "addressees",
                    "corrects",
                )
            },
        ),
        (
            "生成与发布",
            {"fields": ("compiled_at", "published_at", "published_by", "read_count")},
        ),
        ("内容", {"fields": ("content_view",)}),
        ("原始数据", {"classes": ("collapse",), "fields": ("snapshot_json", "data_json")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("corrects", "published_by")

    def get_readonly_fields(self, request, obj=None):
        names = [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]
        if obj is not None and obj.is_draft:
            return [name for name in names if name not in self.DRAFT_EDITABLE]
        return names

    def has_add_permission(self, request):
        return False  # reports are compiled (compile_reports or 生成草稿), never typed in

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False  # a published report is frozen; a 更正 supersedes it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None or not obj.is_draft:
            return False  # only a draft may go (the next compilation makes it again)
        return super().has_delete_permission(request, obj)

    def view_on_site(self, obj):
        return compiling.report_url(obj)

    @admin.display(description="已阅人数")
    def read_count(self, obj):
        return obj.reads.count()

    @admin.display(description="通报内容")
    def content_view(self, obj):
        content = obj.content
        narrative = content.get("narrative") or {}
        overview = (content.get("data") or {}).get("overview") or {}
        parts = [
            format_html(
                "<p><strong>{}</strong><br>{}</p>",
                content.get("number") or "（未编号）",
                content.get("title") or obj.title,
            )
        ]
        if overview:
            parts.append(
                format_html(
                    "<p>督查 {} 次，点位 {} 个次；发现问题 {} 个，销号 {} 个，"
                    "到期 {} 个，逾期 {} 个，督办 {} 件。</p>",
                    overview.get("inspections", "—"),
                    overview.get("site_visits", "—"),
                    overview.get("found", "—"),
                    overview.get("found_closed", "—"),
                    overview.get("due", "—"),
                    overview.get("overdue", "—"),
                    overview.get("escalations", "—"),
                )
            )
        parts.append(
            format_html_join(
                "",
                "<h4>{}</h4>{}",
                (
                    # linebreaks() escapes the text itself (autoescape=True), then adds <p>/<br>.
                    (
                        NARRATIVE_LABELS.get(key, key),
                        mark_safe(linebreaks(text or "—", autoescape=True)),
                    )
                    for key, text in narrative.items()
                ),
            )
        )
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description="发布快照")
    def snapshot_json(self, obj):
        return pretty_json(obj.snapshot)

    @admin.display(description="草稿数据")
    def data_json(self, obj):
        return pretty_json(obj.data)


@admin.register(ReportRead)
class ReportReadAdmin(admin.ModelAdmin):
    list_display = ("report", "user", "read_at")
    list_filter = ("report__kind", "read_at")
    search_fields = ("report__title", "report__number", "user__username", "user__name")
    list_select_related = ("report", "user")
    readonly_fields = ("report", "user", "read_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
