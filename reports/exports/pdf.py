"""Printable unit reports (A4, fpdf2): the numbers of reports.selectors, the charts of
reports.charts as PNG, and the report's countermeasures.

Fonts. Droid Sans Fallback (bundled) has the Chinese glyphs but no Latin letters or digits;
DejaVu Sans (shipped inside matplotlib, like in the charts) has those. DejaVu is the main
font and Droid the fallback, so fpdf2 picks each glyph from the font that has it and the
text stays real, selectable, searchable text. Both are embedded as subsets, so the PDF
prints the same on an intranet PC without either font installed.
"""

import hashlib
import io
import struct
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
from django.utils import timezone
from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, WrapMode, XPos, YPos
from fpdf.image_datastructures import RasterImageInfo
from fpdf.image_parsing import SETTINGS as IMAGE_SETTINGS

from reports import chart_store, scoring, selectors
from reports.charts import county, profile
from reports.charts.style import FONT_PATH, PARTY_RED
from surveys.core.numbers import plain_number
from surveys.organisation.models import Unit
from surveys.ratings import selectors as rating_selectors

DEJAVU_DIR = Path(matplotlib.get_data_path()) / "fonts/ttf"
SHANGHAI = ZoneInfo("Asia/Shanghai")
RED = tuple(int(PARTY_RED[i : i + 2], 16) for i in (1, 3, 5))
GREY = (97, 97, 97)
HEAD_FILL = (242, 242, 242)
MISSING = scoring.INSUFFICIENT
TOO_FEW = "样本不足"  # a rater source below the round's k
# A PNG fpdf2 reads itself (any but our charts' kind, see ReportPDF.png) is decoded and its
# pixels deflated again: at zlib level 1, not the default, as that is most of its cost.
IMAGE_SETTINGS.compression_level = 1
NO_LINE_START = set("，。、；：？！）》」』”’…%,.;:?!)]")
# fpdf2 replaces its page-count alias wherever it appears, typed text included; its default
# "{nb}" is short enough to be typed in a unit name, so ours is one nobody types.
PAGE_COUNT = "{ronghe-page-count}"


def _score(value):
    value = scoring.round2(value)
    return MISSING if value is None else f"{value:.2f}"


def _signed(value):
    value = scoring.round2(value)
    return "—" if value is None else f"{value:+.2f}"


def _cause_label(tag):
    label = selectors.CAUSE_LABELS.get(tag)
    if not label:
        return "—"
    note = profile.CAUSE_NOTES.get(label)
    return f"{label}（{note}）" if note else label


def _chart_png(chart, *args):
    """A chart as PNG, kept under its data (reports/chart_store.py): the unit's PDF, the
    round's PDF and a second download draw each chart once."""
    return chart_store.drawn(chart, *args, fmt="png")


def _png_size(png):
    # Width and height from the IHDR chunk: no need to decode the image to lay it out.
    return struct.unpack(">II", png[16:24])


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_as_pdf_image(png):
    """The PDF image of an 8-bit RGB, non-interlaced PNG (what reports/charts/style.py
    writes), taking the PNG's own compressed pixels as they are: a PDF's FlateDecode with
    PNG predictors (/Predictor 15) reads exactly a PNG's IDAT stream, filter byte per row
    and all. fpdf2 would decode every chart and deflate its pixels again: 0.5–1 s of a
    25-unit round PDF. None for any other PNG, which fpdf2 then reads its own way."""
    if png[:8] != PNG_SIGNATURE:
        return None
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", png[16:29]
    )
    if (depth, colour, interlace) != (8, 2, 0):
        return None
    pixels, at = [], 8
    while at + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        if kind == b"IDAT":
            pixels.append(png[at + 8 : at + 8 + length])
        elif kind in (b"PLTE", b"tRNS", b"iCCP", b"gAMA", b"cHRM"):
            return None  # colours the plain RGB image would not reproduce
        elif kind == b"IEND":
            break
        at += 12 + length
    if not pixels:
        return None
    return RasterImageInfo(
        data=b"".join(pixels),
        w=width,
        h=height,
        cs="DeviceRGB",
        iccp=None,
        bpc=8,
        dpn=3,
        f="FlateDecode",
        inverted=False,
        dp=f"/Predictor 15 /Colors 3 /Columns {width}",
    )


class ReportPDF(FPDF):
    def __init__(self, running_title):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.running_title = running_title
        self.add_font("DejaVu", "", DEJAVU_DIR / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", DEJAVU_DIR / "DejaVuSans-Bold.ttf")
        self.add_font("Droid", "", FONT_PATH)
        # Droid has no bold: exact_match=False lets bold Chinese fall back to the regular
        # face instead of dropping the glyphs.
        self.set_fallback_fonts(["Droid"], exact_match=False)
        self.set_font("DejaVu", size=10.5)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)
        self.set_title(running_title)
        self.set_creator("Ronghe 融合度测评")
        self.set_lang("zh-CN")
        self.alias_nb_pages(PAGE_COUNT)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(*GREY)
        page = f"第 {self.page_no()} 页 / 共 {PAGE_COUNT} 页"
        self.cell(0, 5, f"{self.running_title}　{page}", align="C")
        self.set_text_color(0)

    # --- building blocks ------------------------------------------------------------------

    def title_block(self, title, lines):
        self.set_font("DejaVu", "B", 18)
        self.set_text_color(*RED)
        self.multi_cell(0, 10, title, align="C", wrapmode=WrapMode.CHAR, **_NEXT)
        self.set_text_color(*GREY)
        self.set_font("DejaVu", size=10)
        for line in lines:
            self.cell(0, 6, line, align="C", **_NEXT)
        self.set_text_color(0)
        self.set_draw_color(*RED)
        self.set_line_width(0.6)
        self.line(self.l_margin, self.y + 2, self.w - self.r_margin, self.y + 2)
        self.set_line_width(0.2)
        self.set_draw_color(0)
        self.ln(6)

    def heading(self, text, *, keep=20):
        """A section heading, moved to a new page unless `keep` mm fit under it."""
        if self.will_page_break(keep + 13):
            self.add_page()
        self.ln(3)
        self.set_font("DejaVu", "B", 13)
        self.set_text_color(*RED)
        self.cell(0, 8, text, **_NEXT)
        self.set_text_color(0)
        self.set_font("DejaVu", size=10.5)
        self.ln(1)

    def paragraph(self, text, *, size=10.5, indent=0, bullet="", colour=None):
        """Left-aligned text wrapped at any character (Chinese has no spaces to wrap at),
        with a hanging indent after the bullet."""
        self.set_font("DejaVu", size=size)
        if colour:
            self.set_text_color(*colour)
        height = size * 0.55
        bullet_width = self.get_string_width(bullet + " ") if bullet else 0
        width = self.epw - indent - bullet_width
        for i, line in enumerate(self._lines(text, width, height)):
            self.set_x(self.l_margin + indent)
            if bullet_width:
                self.cell(bullet_width, height, bullet if i == 0 else "")
            self.cell(width, height, line, **_NEXT)
        self.set_text_color(0)

    def _lines(self, text, width, height):
        """fpdf2's character wrapping, then hanging punctuation (标点悬挂): a line may not
        start with a closing mark like "，" or "。", so the mark joins the line before it
        and overhangs the margin by one character, as Chinese typesetting does."""
        lines = []
        for part in str(text).splitlines() or [""]:
            wrapped = self.multi_cell(
                width,
                height,
                part,
                dry_run=True,
                output=MethodReturnValue.LINES,
                wrapmode=WrapMode.CHAR,
            )
            start = len(lines)
            for line in wrapped:
                while len(lines) > start and line[:1] in NO_LINE_START:
                    lines[-1] += line[0]
                    line = line[1:]
                if line or len(lines) == start:
                    lines.append(line)
        return lines

    def grid(self, rows, col_widths, *, align=None, size=9.5):
        self.set_font("DejaVu", size=size)
        with self.table(
            col_widths=col_widths,
            width=sum(col_widths),
            line_height=size * 0.6,
            text_align=align or "LEFT",
            wrapmode=WrapMode.CHAR,
            headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
            padding=1,
        ) as table:
            for row in rows:
                table.row([str(cell) for cell in row])
        self.set_font("DejaVu", size=10.5)

    def chart_size(self, png, *, width, max_height=None):
        """Width and height (mm) of a chart scaled to `width`, or less to fit a page."""
        px_w, px_h = _png_size(png)
        max_height = max_height or self.eph - 16
        w = min(width, max_height * px_w / px_h)
        return w, w * px_h / px_w

    def chart(self, title, png, *, width, max_height=None):
        """A section of one chart, centred; heading and chart start a page together."""
        w, h = self.chart_size(png, width=width, max_height=max_height)
        self.heading(title, keep=h)
        self.png(png, x=(self.w - w) / 2, w=w, h=h)
        self.ln(2)

    def png(self, png, **placement):
        """fpdf2's image(), with a chart's pixels taken from the PNG as they are (see
        _png_as_pdf_image). fpdf2 knows a PNG it was given as bytes by the MD5 of those
        bytes, so the image is put into its cache under that name first; should a later
        fpdf2 name images otherwise, it finds nothing there and reads the PNG itself."""
        name = hashlib.md5(png.strip(), usedforsecurity=False).hexdigest()
        images = self.image_cache.images
        if name not in images:
            info = _png_as_pdf_image(png)
            if info is not None:
                info.update(i=len(images) + 1, usages=0, iccp_i=None)
                images[name] = info
        self.image(io.BytesIO(png), **placement)


_NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


def _generated_on():
    today = timezone.now().astimezone(SHANGHAI)
    return f"{today.year}年{today.month}月{today.day}日"


# --- a unit -------------------------------------------------------------------------------


def _score1(value):
    """A rater number as the comparison page shows it: one decimal."""
    return "—" if value is None else f"{value:.1f}"


def _verified_note(own):
    """考评 (issue 12): say that the counted scores are the office's, with the self score."""
    return (
        f"以下得分为机关工委考评后的得分（{own.verified} 个支部的答卷经考评）；"
        f"自评 {_score(own.index)}。"
    )


@dataclass
class RaterNumbers:
    """A unit's row of surveys/ratings' comparison and the round's weights, for its PDF."""

    comparison: object  # UnitComparison
    settings: object  # RatingSettings


def round_rater_numbers(round_):
    """{unit id: RaterNumbers} for the units with a rater group in the round; {} before the
    round closes (nothing is shown before close) or when it has no groups."""
    rows = rating_selectors.round_comparison(round_)
    if not rows:
        return {}
    settings = rating_selectors.round_settings(round_)
    return {
        r.unit.pk: RaterNumbers(r, settings)
        for r in rows
        if r.members.status != "none" or r.public.status != "none"
    }


def _percent(value):
    return "—" if value is None else f"{value:.0f}%"


def _rater_section(pdf, numbers, dimensions):
    """党员评议 and 群众评议 beside the self-assessment, as surveys/ratings' comparison gives
    them: each source's index, n, 参评率 and 满意率 and the composite; then self − each source
    on the index and on every dimension, 自评偏高 on the dimensions the comparison flagged.
    A source below the round's k says 样本不足 and shows no number (its index and gaps are
    None there); a source without a group is left out."""
    row, settings = numbers.comparison, numbers.settings
    others = [
        (key, label, source)
        for key, label, source in (
            ("members", "党员评议", row.members),
            ("public", "群众评议", row.public),
        )
        if source.status != "none"
    ]
    table = [("来源", "得分", "评议人数", "参评率", "满意率")]
    table.append(("自评", _score1(row.self.index), "—", "—", "—"))
    for _key, label, source in others:
        if source.status == "too_few":
            table.append((label, TOO_FEW, "—", "—", "—"))
            continue
        table.append(
            (
                label,
                _score1(source.index),
                f"{source.n} 人",
                _percent(source.rate),
                _percent(source.satisfaction_rate),
            )
        )
    composite = _score1(row.composite)
    if row.composite is not None and not row.complete:
        composite += "（折算）"
    table.append(("综合指数", composite, "—", "—", "—"))

    gaps = [("项目", *[f"自评−{label}" for _key, label, _source in others])]
    gaps.append(("指数", *[_gap_cell(row, key, source) for key, _label, source in others]))
    for d in dimensions:
        cells = [_gap_cell(row, key, source, dimension=d) for key, _label, source in others]
        gaps.append((d.name, *cells))

    # Both tables and the note start on one page (a row is about 8 mm), the full text
    # width, their first columns aligned.
    pdf.heading("自评与他评", keep=8 * (len(table) + len(gaps)) + 20)
    pdf.grid(table, (42, 33, 33, 33, 33))
    pdf.ln(3)
    pdf.grid(gaps, (42, *[132 / len(others)] * len(others)))
    pdf.ln(1)
    pdf.paragraph(
        f"差距 = 自评 − 他评；自评高出他评 {plain_number(settings.gap_margin)} 分以上的维度"
        "标为“自评偏高”。满意率 = （满意 + 基本满意）÷ 回答满意度题的人数（不含“不了解”）。"
        f"综合指数 = 自评 {settings.weight_self}% + 党员评议 {settings.weight_members}% + "
        f"群众评议 {settings.weight_public}%（某一来源样本不足或无数据时，按其余来源的权重"
        f"折算）。评议人数少于 {settings.min_raters} 人的评议组不显示得分（样本不足）。",
        size=9,
        colour=GREY,
    )
    pdf.ln(2)


def _gap_cell(row, key, source, *, dimension=None):
    """Self minus one source, on the index or on one dimension, with the comparison's own
    自评偏高 flag (it names the flagged dimensions; the index is never flagged)."""
    if source.status == "too_few":
        return TOO_FEW
    index_gap, by_dimension, flagged = row.gaps[key]
    if dimension is None:
        value = index_gap
    else:
        value = by_dimension.get(dimension.code)
    text = "—" if value is None else f"{value:+.1f}"
    if dimension is not None and dimension.name in flagged:
        text += "　自评偏高"
    return text


def _unit_section(pdf, report, *, own=None, raters=None):
    """`own`: the unit's UnitSelfScores (a note when any counted branch is verified);
    `raters`: its RaterNumbers, or None when the round has no rater group for it."""
    row, county, dims = report.row, report.county, report.dimensions
    pdf.start_section(report.unit.name)
    pdf.title_block(
        f"{report.unit.name}党建与业务融合度测评报告",
        [f"测评批次：{report.round.name}　　生成日期：{_generated_on()}"],
    )
    pdf.heading("一、主要数据")
    if own is not None and own.verified:
        pdf.paragraph(_verified_note(own), size=9.5)
    numbers = [
        ("项目", "本单位", "全县平均"),
        ("融合度指数", _score(row.index), _score(county.county_index)),
        ("等次", row.grade or MISSING, county.county_grade or MISSING),
        *[
            (
                d.name,
                _score(row.dimensions.get(d.code)),
                _score(county.county_dimensions.get(d.code)),
            )
            for d in dims
        ],
        ("主要成因", _cause_label(row.main_cause), _cause_label(county.county_main_cause)),
        (
            "已提交 / 名单支部数",
            f"{row.submitted} / {row.roster}",
            f"{county.submitted_count} / {county.roster_count}",
        ),
        ("计入统计的支部数", str(row.branches_scored), "—"),
        ("较上轮变化", _signed(row.change), "—"),
    ]
    pdf.grid(numbers, (50, 62, 62))
    if raters is not None:
        _rater_section(pdf, raters, dims)
    names = [d.name for d in dims]
    if not row.branches_scored:
        # Nothing counted: no empty charts, and no "all dimensions are good" advice either
        # (no score is not a good score).
        pdf.paragraph("本批次该单位还没有计入统计的已提交答卷，暂无得分。", colour=GREY)
        pdf.heading("二、各题目平均得分")
        pdf.paragraph("暂无得分。", colour=GREY)
        _history_and_branches(pdf, report, dims, names)
        pdf.heading("六、对策建议")
        pdf.paragraph("暂无得分，未生成对策建议。", colour=GREY)
        return
    radar = _unit_radar(report)
    pdf.ln(3)
    w, h = pdf.chart_size(radar, width=95)
    if pdf.will_page_break(h):
        pdf.add_page()
    pdf.png(radar, x=(pdf.w - w) / 2, w=w, h=h)

    # The charts first, the flowing text after them: the item chart nearly fills a page,
    # and after a page and a bit of countermeasures it used to leave a page three-quarters
    # blank (issue 11). Text that flows can end anywhere; only the last page is short.
    pdf.chart("二、各题目平均得分", _unit_items(report), width=174)
    _history_and_branches(pdf, report, dims, names)

    pdf.heading("六、对策建议")
    if not report.recommendations:
        pdf.paragraph("各维度得分均达到“较好”以上，未触发针对性对策建议。", colour=GREY)
    for recommendation in report.recommendations:
        pdf.paragraph(recommendation.title, size=11)
        for action in recommendation.action_list:
            pdf.paragraph(action, size=10, indent=4, bullet="•")
        pdf.ln(1)


def _unit_radar(report):
    dims, county = report.dimensions, report.county
    return _chart_png(
        profile.radar,
        [d.name for d in dims],
        [
            (report.unit.name, [report.row.dimensions.get(d.code) for d in dims]),
            ("全县平均", [county.county_dimensions.get(d.code) for d in dims]),
        ],
    )


def _unit_items(report):
    return _chart_png(profile.item_bars, [(f"{q.code} {q.text}", s) for q, s in report.items])


def _unit_trend(report):
    rounds = [r[0] for r in report.trend]
    series = [("融合度指数", [r[1] for r in report.trend])] + [
        (d.name, [r[2].get(d.code) for r in report.trend]) for d in report.dimensions
    ]
    return _chart_png(profile.trend, rounds, series)


def _unit_charts(report):
    """Every chart a unit's section draws, each cached (reports/warming.py draws them ahead)."""
    if not report.row.branches_scored:
        return
    _unit_radar(report)
    _unit_items(report)
    if any(r[1] is not None for r in report.trend):
        _unit_trend(report)


def _history_and_branches(pdf, report, dims, names):
    """三 to 五: the trend (earlier rounds may have scores), the branches and their texts."""
    if any(r[1] is not None for r in report.trend):
        pdf.chart("三、历次趋势", _unit_trend(report), width=120)
    else:
        pdf.heading("三、历次趋势")
        pdf.paragraph("该单位还没有任何一轮的得分。", colour=GREY)

    pdf.heading("四、所属党支部")
    if report.branches:
        head = ("党支部", "指数", *names, "等次", "提示")
        rows = [head]
        for b in report.branches:
            notes = [
                note
                for note, flagged in (
                    ("疑似应付式作答", b["straightlined"]),
                    ("不计入统计", b["excluded"]),
                )
                if flagged
            ]
            rows.append(
                (
                    b["branch"].name,
                    _score(b["index"]),
                    *[_score(b["dimensions"].get(d.code)) for d in dims],
                    b["grade"] or MISSING,
                    "；".join(notes),
                )
            )
        rest = 174 - 44 - 18 - 18 - 26
        pdf.grid(rows, (44, 18, *[rest / max(1, len(dims))] * len(dims), 18, 26), size=9)
    else:
        pdf.paragraph("本批次没有已提交的答卷。", colour=GREY)

    pdf.heading("五、支部填写的文字内容")
    if not report.texts:
        pdf.paragraph("没有填写文字内容。", colour=GREY)
    for question, answers in report.texts:
        pdf.paragraph(f"{question.dimension.name} · {question.text}", size=10.5)
        for branch, text in answers:
            pdf.paragraph(f"{branch}：{text}", size=9.5, indent=5)
        pdf.ln(1)


def unit_report_pdf(report: selectors.UnitReport) -> bytes:
    pdf = ReportPDF(f"{report.unit.name} · {report.round.name}")
    pdf.add_page()
    _unit_section(
        pdf,
        report,
        own=selectors.unit_self_scores(report.round, report.unit),
        raters=round_rater_numbers(report.round).get(report.unit.pk),
    )
    return bytes(pdf.output())


# --- a round ------------------------------------------------------------------------------


def round_units(round_, overview):
    """The units on the round's roster: ranked ones first (ranking order), then the units
    without counted scores in their usual order."""
    units = {
        u.pk: u for u in Unit.objects.filter(branches__roster_entries__round=round_).distinct()
    }
    ranked = [units.pop(row.unit_id) for row in overview.units if row.unit_id in units]
    return ranked + sorted(units.values(), key=lambda u: (u.order, u.code))


def _cover(pdf, overview, units):
    pdf.start_section("全县概况")
    pdf.title_block(
        "县直机关党建与业务融合度测评报告",
        [f"测评批次：{overview.round.name}", f"生成日期：{_generated_on()}"],
    )
    pdf.heading("全县概况")
    rows = [
        ("项目", "数值"),
        ("全县融合度指数", _score(overview.county_index)),
        ("等次", overview.county_grade or MISSING),
        *[(d.name, _score(overview.county_dimensions.get(d.code))) for d in overview.dimensions],
        ("主要成因", _cause_label(overview.county_main_cause)),
        (
            "参评单位 / 已提交支部 / 参评支部",
            f"{len(units)} / {overview.submitted_count} / {overview.roster_count}",
        ),
    ]
    pdf.grid(rows, (80, 94))
    _county_charts(pdf, overview)
    pdf.heading("各单位融合度指数")
    by_id = {row.unit_id: row for row in overview.units}
    rows = [("排名", "单位", "融合度指数", "等次", "主要成因", "较上轮")]
    for unit in units:
        row = by_id.get(unit.pk)
        if row is None:
            rows.append(("—", unit.name, MISSING, MISSING, "—", "—"))
            continue
        rows.append(
            (
                str(row.position) if row.position else "—",
                unit.name,
                _score(row.index),
                row.grade or MISSING,
                row.main_cause_label or "—",
                _signed(row.change),
            )
        )
    pdf.grid(rows, (14, 60, 28, 22, 26, 24), size=9)


def _county_charts(pdf, overview):
    """The dashboard's ranking, heatmap and trend, near the front of the round's PDF."""
    ranking, heatmap, trend = _county_chart_pngs(overview)
    pdf.chart("各单位融合度指数排名", ranking, width=174)
    pdf.chart("各单位分维度得分", heatmap, width=174)
    pdf.chart("历次测评趋势", trend, width=130)


def _county_chart_pngs(overview):
    codes = [d.code for d in overview.dimensions]
    ranking = _chart_png(county.ranking_bar, [(u.name, u.index, u.grade) for u in overview.units])
    heatmap = _chart_png(
        county.dimension_heatmap,
        [u.name for u in overview.units],
        [d.name for d in overview.dimensions],
        [[u.dimensions.get(c) for c in codes] for u in overview.units],
    )
    rounds = [r[0] for r in overview.trend]
    series = [("融合度指数", [r[1] for r in overview.trend])] + [
        (d.name, [r[2].get(d.code) for r in overview.trend]) for d in overview.dimensions
    ]
    return ranking, heatmap, _chart_png(profile.trend, rounds, series)


def round_report_charts(round_):
    """Draw (into the cache) every chart round_report_pdf will place, without building the
    PDF: what reports/warming.py runs after the scores change. Returns the round's units,
    in the PDF's order."""
    overview = selectors.round_overview(round_)
    _county_chart_pngs(overview)
    units = round_units(round_, overview)
    for unit in units:
        _unit_charts(selectors.unit_report(round_, unit, county=overview))
    return units


def round_report_pdf(round_, *, progress=None) -> bytes:
    """Every unit of the round in one PDF: a cover with the county numbers and the ranking,
    then one section per unit, each starting on a new page (and bookmarked).

    `progress(done, total)`, if given, is called before the first unit and after each one
    (the cover counts as one step): the background job shows it as a progress bar."""
    overview = selectors.round_overview(round_)
    units = round_units(round_, overview)
    raters = round_rater_numbers(round_)
    total = len(units) + 1
    report = progress or (lambda done, total: None)
    report(0, total)
    pdf = ReportPDF(f"{round_.name} · 融合度测评报告")
    pdf.add_page()
    _cover(pdf, overview, units)
    report(1, total)
    for done, unit in enumerate(units, start=2):
        pdf.add_page()
        _unit_section(
            pdf,
            selectors.unit_report(round_, unit, county=overview),
            own=selectors.unit_self_scores(round_, unit),
            raters=raters.get(unit.pk),
        )
        report(done, total)
    return bytes(pdf.output())


# --- a branch's own report -----------------------------------------------------------------


def _branch_numbers(report):
    """一: the branch's numbers, with the county's beside them only once they are final."""
    score = report.score
    head = ("项目", "本支部", "全县平均") if report.closed else ("项目", "本支部")
    county = report.county

    def row(label, own, county_value=None):
        return (label, own, county_value) if report.closed else (label, own)

    rows = [
        head,
        row("融合度指数", _score(score.index), county and _score(county.county_index)),
        row("等次", score.grade or MISSING, county and (county.county_grade or MISSING)),
        *[
            row(d.dimension.name, _score(d.score), _score(county_value))
            for d, county_value in report.dim_rows
        ],
        row(
            "主要成因",
            _cause_label(score.main_cause),
            county and _cause_label(county.county_main_cause),
        ),
    ]
    if report.closed and report.position:
        rows.append(row("全县位次", f"第 {report.position} 名", f"共 {report.ranked_count} 个支部"))
    return rows


def branch_report_pdf(report: selectors.BranchReport) -> bytes:
    """A branch's own report, laid out like a unit's. Other branches appear only as county
    aggregates and a position; before the county numbers are final, the branch alone."""
    submission = report.submission
    branch = submission.branch
    pdf = ReportPDF(f"{branch.name} · {submission.round.name}")
    pdf.add_page()
    pdf.title_block(
        f"{branch.name}党建与业务融合度测评报告",
        [
            f"{branch.unit.name}　　测评批次：{submission.round.name}",
            f"生成日期：{_generated_on()}",
        ],
    )
    pdf.heading("一、主要数据")
    if report.score.verified:
        pdf.paragraph(
            f"以下得分为机关工委考评后的得分；自评 {_score(report.score.self_index)}。", size=9.5
        )
    rows = _branch_numbers(report)
    pdf.grid(rows, (50, 62, 62) if report.closed else (80, 94))
    if not report.closed:
        pdf.paragraph(
            "本批次截止（含各支部单独延期）后，这里还会列出全县的数字、本支部位次和对策建议。",
            size=9.5,
            colour=GREY,
        )
    dims = report.dims
    names = [d.dimension.name for d in dims]
    series = [(branch.name, [d.score for d in dims])]
    if report.closed:
        series.append(("全县平均", [report.county_dims.get(d.dimension.code) for d in dims]))
    radar = _chart_png(profile.radar, names, series)
    pdf.ln(3)
    w, h = pdf.chart_size(radar, width=95)
    if pdf.will_page_break(h):
        pdf.add_page()
    pdf.png(radar, x=(pdf.w - w) / 2, w=w, h=h)

    # Charts first, the flowing countermeasures last, as in the unit's report: no page is
    # left mostly blank before a chart that needs a whole page.
    items = [(f"{q.code} {q.text}", s) for q, s in report.items]
    pdf.chart("二、各题目得分", _chart_png(profile.item_bars, items, 3, "各题目得分"), width=174)

    if len(report.trend) > 1:
        rounds = [r[0] for r in report.trend]
        trend = [("融合度指数", [r[1] for r in report.trend])] + [
            (d.dimension.name, [r[2].get(d.dimension.code) for r in report.trend]) for d in dims
        ]
        pdf.chart("三、本支部历次得分", _chart_png(profile.trend, rounds, trend), width=120)
    else:
        pdf.heading("三、本支部历次得分")
        pdf.paragraph("这是本支部第一次参加测评，暂无历次得分。", colour=GREY)

    pdf.heading("四、对策建议")
    if not report.closed:
        pdf.paragraph("本批次截止后生成对策建议。", colour=GREY)
    elif not report.recommendations:
        pdf.paragraph("各维度得分均达到“较好”以上，请继续保持并总结推广典型做法。", colour=GREY)
    for recommendation in report.recommendations if report.closed else ():
        pdf.paragraph(recommendation.title, size=11)
        for action in recommendation.action_list:
            pdf.paragraph(action, size=10, indent=4, bullet="•")
        pdf.ln(1)
    return bytes(pdf.output())
