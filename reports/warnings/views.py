"""The warning lights of a round: every unit's light with the rules that fired, filterable,
and the office's rules for the round."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from reports import selectors as report_selectors
from reports.business import selectors as business_selectors
from reports.warnings import rules, selectors, services
from reports.warnings.forms import RulesForm
from reports.warnings.models import WarningRules
from surveys.core.permissions import office_required
from surveys.rounds.models import Round


@office_required
def warnings_page(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    saved = WarningRules.objects.filter(round=round_).first()
    form = RulesForm(instance=saved or WarningRules(round=round_))
    if request.method == "POST":
        form = RulesForm(request.POST, instance=saved or WarningRules(round=round_))
        if form.is_valid():
            services.set_rules(actor=request.user, round_=round_, form=form)
            messages.success(request, "预警规则已保存，各单位的预警灯已按新规则重新计算。")
            return redirect("warnings_page", round_.pk)
    overview = report_selectors.round_overview(round_)
    business = business_selectors.business_overview(overview)
    rows = selectors.lights(overview, business if business.imported else None)
    chosen = request.GET.get("light")
    shown = [r for r in rows if r.light == chosen] if chosen in rules.LIGHTS else rows
    return render(
        request,
        "reports/warnings/page.html",
        {
            "round": round_,
            "rows": shown,
            "counts": selectors.light_counts(rows),
            "chosen": chosen if chosen in rules.LIGHTS else "",
            "form": form,
            "business_imported": business.imported,
            "total": len(rows),
        },
    )
