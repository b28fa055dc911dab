"""点评 pages: the list, writing a commentary, its detail with each unit's 签收 and reply, print."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from civility.core.htmx import toast, wants_partial
from civility.core.permissions import is_unit_liaison
from civility.core.tables import HtmxTableView
from civility.org.models import Headquarters, Unit
from civility.supervision.commentary import services
from civility.supervision.commentary.forms import CommentaryFilter, CommentaryForm, ReplyForm
from civility.supervision.commentary.models import Commentary, CommentaryReceipt
from civility.supervision.commentary.permissions import (
    can_acknowledge_commentary,
    can_reply_commentary,
    can_view_commentary_list,
    can_write_commentary,
    commentary_receipts_visible_to,
    commentary_visible_to,
    sees_all_commentary_receipts,
)
from civility.supervision.notifications.models import Notification
from civility.supervision.problems.permissions import problems_visible_to

NAV = {"nav_section": "commentary"}


def _unit_rank(prefix: str = "") -> Case:
    """Streets first, then departments, then communities and the rest (as the campaign lists
    them)."""
    kind = f"{prefix}kind"
    return Case(
        When(**{kind: Unit.Kind.STREET}, then=Value(0)),
        When(**{kind: Unit.Kind.DEPARTMENT}, then=Value(1)),
        When(**{kind: Unit.Kind.COMMUNITY}, then=Value(2)),
        default=Value(3),
    )


UNIT_ORDER = (_unit_rank("unit__"), "unit__order", "unit_id")


def _headquarters_for(user):
    if user.unit_id:
        return user.unit.headquarters
    return Headquarters.objects.order_by("id").first()


# --- list ------------------------------------------------------------------------------------


class CommentaryTable(tables.Table):
    date = tables.DateColumn(verbose_name=gettext_lazy("日期"), format="Y-m-d")
    kind = tables.Column(verbose_name=gettext_lazy("方式"))
    tone = tables.Column(verbose_name=gettext_lazy("性质"))
    title = tables.Column(verbose_name=gettext_lazy("标题"), attrs={"td": {"class": "wrap"}})
    author = tables.Column(
        verbose_name=gettext_lazy("点评领导"), order_by=("author__name", "author_id")
    )
    units = tables.Column(
        verbose_name=gettext_lazy("被点评单位"),
        accessor="pk",
        orderable=False,
        attrs={"td": {"class": "wrap"}},
    )
    progress = tables.Column(verbose_name=gettext_lazy("签收/回复"), accessor="pk", orderable=False)
    text = tables.Column(verbose_name=gettext_lazy("点评内容"), visible=False)
    reply_due = tables.Column(verbose_name=gettext_lazy("回复期限"), accessor="pk", visible=False)

    class Meta:
        model = Commentary
        fields = ()
        sequence = (
            "date",
            "title",
            "tone",
            "progress",
            "kind",
            "units",
            "author",
            "text",
            "reply_due",
        )
        empty_text = gettext_lazy("没有符合条件的点评。")
        attrs = {"class": "table", "id": "commentary-table"}
        row_attrs = {"data-pk": lambda record: record.pk}

    def __init__(self, *args, scoped: bool = False, **kwargs):
        # scoped: the person sees only their own unit's receipt (a liaison).
        self.scoped = scoped
        super().__init__(*args, **kwargs)

    def render_tone(self, record):
        return format_html(
            '<span class="badge tone-{}">{}</span>', record.tone, _(record.get_tone_display())
        )

    def value_tone(self, record):
        return _(record.get_tone_display())

    def render_kind(self, record):
        return _(record.get_kind_display())

    def value_kind(self, record):
        return _(record.get_kind_display())

    def render_title(self, record):
        url = reverse("commentary_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, record.title)

    def value_title(self, record):
        return record.title

    def render_author(self, record):
        return str(record.author)

    def value_units(self, record):
        return "、".join(unit.name for unit in record.units.all())

    def render_units(self, record):
        return format_html_join(
            "", '<span class="tag">{}</span>', ((u.display_name,) for u in record.units.all())
        )

    def _progress_parts(self, record) -> list[str]:
        if not record.needs_receipt:
            return []
        total, acked, replied = record.receipt_total, record.receipt_acked, record.receipt_replied
        if self.scoped:
            parts = [_("已签收") if acked else _("待签收")]
            if record.needs_reply:
                parts.append(_("已回复") if replied else _("待回复"))
            return parts
        parts = [_("已签收 %(done)s/%(total)s") % {"done": acked, "total": total}]
        if record.needs_reply:
            parts.append(_("已回复 %(done)s/%(total)s") % {"done": replied, "total": total})
        return parts

    def render_progress(self, record):
        parts = self._progress_parts(record)
        if not parts:
            return "—"
        html = format_html_join(" ", '<span class="progress-part">{}</span>', ((p,) for p in parts))
        if record.reply_overdue:
            html += format_html(' <span class="badge state-overdue">{}</span>', _("回复逾期"))
        return html

    def value_progress(self, record):
        parts = self._progress_parts(record)
        if record.reply_overdue:
            parts.append(_("回复逾期"))
        return "，".join(parts)

    def value_reply_due(self, record):
        return f"{record.reply_due:%Y-%m-%d}" if record.needs_reply else ""


class CommentaryListView(HtmxTableView):
    template_name = "supervision/commentary/list.html"
    table_class = CommentaryTable
    filterset_class = CommentaryFilter
    export_name = "commentary"

    def has_permission(self) -> bool:
        return can_view_commentary_list(self.request.user)

    def _reply_days(self) -> list[int]:
        if not hasattr(self, "_reply_days_values"):
            self._reply_days_values = list(
                Commentary.objects.filter(
                    kind=Commentary.Kind.WRITTEN, tone=Commentary.Tone.CRITICISM
                )
                .values_list("reply_days", flat=True)
                .distinct()
                .order_by()
            )
        return self._reply_days_values

    def _scoped(self) -> bool:
        return not sees_all_commentary_receipts(self.request.user)

    def get_queryset(self):
        user = self.request.user
        receipts = commentary_receipts_visible_to(user)
        scope = Q(receipts__unit_id=user.unit_id) if self._scoped() else Q()
        overdue = receipts.filter(
            services.reply_overdue_q(timezone.localdate(), self._reply_days()),
            commentary=OuterRef("pk"),
        )
        return (
            commentary_visible_to(user)
            .select_related("author")
            .prefetch_related(
                Prefetch("units", queryset=Unit.objects.order_by(_unit_rank(), "order", "id"))
            )
            .annotate(
                receipt_total=Count("receipts", filter=scope, distinct=True),
                receipt_acked=Count(
                    "receipts",
                    filter=scope & Q(receipts__acknowledged_at__isnull=False),
                    distinct=True,
                ),
                receipt_replied=Count(
                    "receipts",
                    filter=scope & Q(receipts__replied_at__isnull=False),
                    distinct=True,
                ),
                reply_overdue=Exists(overdue),
            )
            # Aggregating queries ignore Meta.ordering; pagination needs a stable order.
            .order_by("-date", "-id")
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user = self.request.user
        if self._scoped():
            kwargs["units"] = Unit.objects.filter(pk=user.unit_id)
        else:
            kwargs["units"] = Unit.objects.filter(active=True)
        kwargs["receipts"] = commentary_receipts_visible_to(user)
        kwargs["reply_days"] = self._reply_days()
        return kwargs

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "scoped": self._scoped()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(NAV)
        context["can_write"] = can_write_commentary(self.request.user)
        return context


commentary_list = CommentaryListView.as_view()


# --- new ---------------------------------------------------------------------------------------


@login_required
def commentary_new(request):
    user = request.user
    if not can_write_commentary(user):
        raise PermissionDenied
    headquarters = _headquarters_for(user)
    if headquarters is None:
        raise Http404("没有指挥部。")
    if request.method == "POST":
        form = CommentaryForm(request.POST, request.FILES, user=user, headquarters=headquarters)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commentary, created = services.issue_commentary(
                    by=user,
                    headquarters=headquarters,
                    kind=data["kind"],
                    tone=data["tone"],
                    date=data["date"],
                    title=data["title"],
                    text=data["text"],
                    units=data["units"],
                    inspection=data["inspection"],
                    site=data["site"],
                    problems=data["problems"],
                    photos=data["photos"],
                    reply_days=data["reply_days"],
                    client_token=data["client_token"],
                )
            except services.NotAllowed as error:
                raise PermissionDenied(error.message) from error
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(request, _("点评已发布，已通知被点评单位。"))
                else:
                    messages.info(request, _("该点评已经发布过，没有重复创建。"))
                url = reverse("commentary_detail", args=[commentary.pk])
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(url)
                return redirect(url)
    else:
        form = CommentaryForm(user=user, headquarters=headquarters)
    template = "supervision/commentary/form.html"
    if wants_partial(request, "commentary-form"):
        template += "#form"
    context = {**NAV, "form": form, "headquarters": headquarters}
    return render(request, template, context)


# --- detail, 签收, reply, print ---------------------------------------------------------------


def _visible_commentary(user, pk) -> Commentary:
    return get_object_or_404(
        commentary_visible_to(user).select_related(
            "author", "headquarters", "inspection__team", "site"
        ),
        pk=pk,
    )


def _prepare(receipt, commentary, user, today, reply_form=None):
    """Attach what the receipt template needs: state, allowed actions and the reply form."""
    receipt.commentary = commentary
    receipt.state = services.receipt_state(receipt, today)
    receipt.can_acknowledge = can_acknowledge_commentary(user, receipt)
    receipt.can_reply = can_reply_commentary(user, receipt)
    if receipt.can_reply:
        receipt.reply_form = reply_form or ReplyForm(auto_id=f"id_%s_{receipt.pk}")
    return receipt


def _receipts(user, commentary, today):
    receipts = (
        commentary_receipts_visible_to(user)
        .filter(commentary=commentary)
        .select_related("unit", "acknowledged_by", "replied_by")
        .order_by(*UNIT_ORDER)
    )
    return [_prepare(r, commentary, user, today) for r in receipts]


def _detail_context(request, commentary):
    user = request.user
    today = timezone.localdate()
    receipts = _receipts(user, commentary, today)
    return {
        **NAV,
        "commentary": commentary,
        "today": today,
        "receipts": receipts,
        "units": [
            r.unit
            for r in CommentaryReceipt.objects.filter(commentary=commentary)
            .select_related("unit")
            .order_by(*UNIT_ORDER)
        ],
        "photos": commentary.photos.all(),
        "problems": problems_visible_to(user)
        .filter(commentaries=commentary)
        .select_related("site", "category"),
        "sees_all_receipts": sees_all_commentary_receipts(user),
        "overdue_count": sum(1 for r in receipts if r.state.overdue),
    }


@login_required
def commentary_detail(request, pk):
    commentary = _visible_commentary(request.user, pk)
    # Opening the commentary reads its notifications.
    Notification.objects.filter(
        user=request.user, commentary=commentary, read_at__isnull=True
    ).update(read_at=timezone.now())
    return render(
        request, "supervision/commentary/detail.html", _detail_context(request, commentary)
    )


@login_required
def commentary_print(request, pk):
    commentary = _visible_commentary(request.user, pk)
    if not commentary.needs_receipt:
        raise Http404("只有书面点评有点评单。")
    context = _detail_context(request, commentary)
    context["headquarters"] = commentary.headquarters
    context["paragraphs"] = [line.strip() for line in commentary.text.splitlines() if line.strip()]
    prefix = commentary.headquarters.doc_prefix
    context["number"] = f"{prefix}点评〔{commentary.date:%Y}〕{commentary.pk}号"
    return render(request, "supervision/commentary/print.html", context)


def _receipt(request, pk, receipt_pk) -> CommentaryReceipt:
    commentary = _visible_commentary(request.user, pk)
    receipt = get_object_or_404(
        commentary_receipts_visible_to(request.user).select_related("unit"),
        pk=receipt_pk,
        commentary=commentary,
    )
    receipt.commentary = commentary
    if not is_unit_liaison(request.user, receipt.unit_id):
        raise PermissionDenied
    return receipt


def _receipt_response(request, receipt, message, level, *, reply_form=None, status=200):
    """HTMX: the receipt card re-rendered with a toast; otherwise back to the detail page."""
    if wants_partial(request, f"receipt-{receipt.pk}"):
        receipt = CommentaryReceipt.objects.select_related(
            "unit", "acknowledged_by", "replied_by"
        ).get(pk=receipt.pk)
        commentary = _visible_commentary(request.user, receipt.commentary_id)
        today = timezone.localdate()
        context = {
            "commentary": commentary,
            "today": today,
            "r": _prepare(receipt, commentary, request.user, today, reply_form),
        }
        response = render(
            request, "supervision/commentary/detail.html#receipt", context, status=status
        )
        return toast(response, message, level) if message else response
    if reply_form is not None:
        commentary = _visible_commentary(request.user, receipt.commentary_id)
        context = _detail_context(request, commentary)
        for r in context["receipts"]:
            if r.pk == receipt.pk and r.can_reply:
                r.reply_form = reply_form
        return render(request, "supervision/commentary/detail.html", context, status=status)
    getattr(messages, level)(request, message)
    return redirect("commentary_detail", pk=receipt.commentary_id)


@require_POST
@login_required
def commentary_acknowledge(request, pk, receipt_pk):
    receipt = _receipt(request, pk, receipt_pk)
    try:
        services.acknowledge_receipt(receipt, request.user)
    except (services.NotAllowed, services.Conflict) as error:
        return _receipt_response(request, receipt, error.message, "error")
    return _receipt_response(request, receipt, _("已签收。"), "success")


@require_POST
@login_required
def commentary_reply(request, pk, receipt_pk):
    receipt = _receipt(request, pk, receipt_pk)
    form = ReplyForm(request.POST, auto_id=f"id_%s_{receipt.pk}")
    if not form.is_valid():
        return _receipt_response(request, receipt, "", "error", reply_form=form)
    try:
        services.reply_receipt(receipt, request.user, form.cleaned_data["reply"])
    except ValidationError as error:
        form.add_error(None, error)
        return _receipt_response(request, receipt, "", "error", reply_form=form)
    except (services.NotAllowed, services.Conflict) as error:
        return _receipt_response(request, receipt, error.message, "error")
    return _receipt_response(request, receipt, _("整改措施已回复。"), "success")
