"""The office's form for a round's warning rules."""

from django import forms

from reports.warnings.models import WarningRules


class RulesForm(forms.ModelForm):
    class Meta:
        model = WarningRules
        fields = ["red_grades", "red_both_weak", "falls", "dimension_floor", "self_high_margin"]
        widgets = {
            "falls": forms.NumberInput(attrs={"min": 0, "max": 10, "step": 1}),
            "dimension_floor": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
            "self_high_margin": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "any"}),
        }

    def clean_falls(self):
        falls = self.cleaned_data["falls"]
        if falls is not None and falls > 10:
            raise forms.ValidationError("连续下降轮数不能超过 10。")
        return falls

    def _score(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not (0 <= value <= 100):
            raise forms.ValidationError("请填写 0 到 100 之间的分数，或留空。")
        return value

    def clean_dimension_floor(self):
        return self._score("dimension_floor")

    def clean_self_high_margin(self):
        return self._score("self_high_margin")
