"""Forms and formsets used only by the admin of the organisation app."""

from django import forms

from civility.org.models import Unit


class CommunityInlineForm(forms.ModelForm):
    """A community edited on its street's page.

    The inline shows neither headquarters nor kind, so Django leaves the (headquarters, name)
    constraint out of validation; check it here instead of failing on the database.
    """

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and (
            Unit.objects.filter(headquarters_id=self.instance.headquarters_id, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("name", "本指挥部已有同名单位。")
        return cleaned


class CommunityInlineFormSet(forms.BaseInlineFormSet):
    """New rows become communities of the street's headquarters before they are validated."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if form.instance.pk is None:
            form.instance.kind = Unit.Kind.COMMUNITY
            form.instance.headquarters_id = self.instance.headquarters_id
        return form
