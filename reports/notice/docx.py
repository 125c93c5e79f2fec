"""The Word 通报 of a round: an editable .docx laid out as a Chinese official document after
GB/T 9704-2012 (党政机关公文格式); see docs/notice.md.

- A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm).
- Title 方正小标宋简体 2号 (22 pt), centred. Body 仿宋_GB2312 3号 (16 pt), first line indented
  two characters, fixed 28 pt lines. Headings 黑体 3号 (一、) and 楷体_GB2312 3号 (（一）).
- Page numbers 4号 宋体 "— 1 —" in the footer through a PAGE field, odd pages right and even
  pages left, one character in from the edge.
- Fonts. Every run names its font for East Asian text in ``w:rFonts/@w:eastAsia`` (and for
  Latin text and digits in ``ascii``/``hAnsi``). A PC without the GB2312 fonts would fall back
  to a font of Word's choosing, so the font table lists each with an ``altName`` Word uses in
  its place: 仿宋_GB2312 → 仿宋 (FangSong), 楷体_GB2312 → 楷体 (KaiTi), 方正小标宋简体 → 宋体
  (SimSun); 黑体 and 宋体 ship with Windows.

``build_notice(round_, progress=None) -> bytes`` is a plain function (it may become a
background job): ``progress(done, total, what)`` is called as the document is built.
"""

import io
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from reports import scoring
from reports.charts import county, profile
from reports.charts.profile import REVERSED_NOTE
from reports.notice.content import NoticeContent, notice_content, number
from reports.selectors import CAUSE_LABELS

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# Fonts Word puts in place of a missing one (the font table's w:altName), with the GB2312
# character set (86) and family, so a PC without the official fonts shows the right kind.
FALLBACKS = {
    BODY_FONT: ("仿宋", "modern", "02010609060101010101"),
    SUBHEADING_FONT: ("楷体", "modern", "02010609060101010101"),
    TITLE_FONT: ("宋体", "auto", "02010600030101010101"),
    HEADING_FONT: ("SimHei", "modern", "02010609060101010101"),
    PAGE_NUMBER_FONT: ("SimSun", "auto", "02010600030101010101"),
}
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(12)  # 小四: a table of six columns fits the 156 mm line
LINE = Pt(28)
TEXT_WIDTH = Mm(156)
# XML 1.0 has no place for most control characters; a pasted answer may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
STEPS = 5
TABLE_STYLE = "通报表格"
TABLE_HEAD_STYLE = "通报表头"


def clean(text):
    """``text`` as a Word run may hold it."""
    return NOT_XML.sub("", str(text))


def _fonts(run_or_style, name, latin=LATIN_FONT):
    run_or_style.font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", name), ("cs", latin)):
        fonts.set(qn(f"w:{attribute}"), value)


def _run(paragraph, text, font=BODY_FONT, size=SIZE_3, bold=False):
    run = paragraph.add_run(clean(text))
    _fonts(run, font)
    run.font.size = size
    run.bold = bold
    return run


def _indent_chars(paragraph, chars):
    """First-line indent in characters (w:firstLineChars), as Word's 首行缩进 2 字符 does."""
    paragraph.paragraph_format.first_line_indent = SIZE_3 * chars
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def _no_indent(paragraph):
    paragraph.paragraph_format.first_line_indent = Pt(0)
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLineChars"), "0")


class NoticeDocument:
    def __init__(self):
        self.doc = Document()
        self._page()
        self._styles()
        self._font_table()
        self._page_numbers()

    def _page(self):
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.footer_distance = Mm(28) - Mm(7)  # the page number 7 mm below the 版心

    def _styles(self):
        normal = self.doc.styles["Normal"]
        _fonts(normal, BODY_FONT)
        normal.font.size = SIZE_3
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.space_before = fmt.space_after = Pt(0)
        # Chinese text may break between any two characters; no widow control shuffling.
        fmt.widow_control = False
        # Table cells by style, not run by run: a ranking has hundreds of cells.
        for name, font in ((TABLE_STYLE, BODY_FONT), (TABLE_HEAD_STYLE, HEADING_FONT)):
            style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            _fonts(style, font)
            style.font.size = SIZE_TABLE
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            style.paragraph_format.line_spacing = Pt(20)
            style.paragraph_format.first_line_indent = Pt(0)

    def _font_table(self):
        part = self.doc.part.part_related_by(RT.FONT_TABLE)
        root = etree.fromstring(part.blob)
        for name, (alt, family, panose) in FALLBACKS.items():
            font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): alt})
            etree.SubElement(font, qn("w:panose1"), {qn("w:val"): panose})
            etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})
            etree.SubElement(font, qn("w:family"), {qn("w:val"): family})
            etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self):
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.alignment = align
            _no_indent(paragraph)
            fmt = paragraph.paragraph_format
            # 单页码居右空一字，双页码居左空一字 (GB/T 9704-2012, 7.5).
            fmt.right_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.RIGHT else None
            fmt.left_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.LEFT else None
            _run(paragraph, "— ", PAGE_NUMBER_FONT, SIZE_4)
            self._page_field(paragraph)
            _run(paragraph, " —", PAGE_NUMBER_FONT, SIZE_4)

    def _page_field(self, paragraph):
        def part(kind=None, text=None):
            run = _run(paragraph, "", PAGE_NUMBER_FONT, SIZE_4)
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            if text is not None:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            return run

        part("begin")
        part(text=" PAGE ")
        part("separate")
        part().text = "1"
        part("end")

    # --- blocks -------------------------------------------------------------------------

    def title(self, text):
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_indent(paragraph)
        paragraph.paragraph_format.line_spacing = Pt(35)
        _run(paragraph, text, TITLE_FONT, SIZE_2)
        self.doc.add_paragraph()  # one blank line under the title
        return paragraph

    def addressee(self, text):
        paragraph = self.doc.add_paragraph()
        _no_indent(paragraph)
        _run(paragraph, text)

    def heading(self, text):
        paragraph = self.doc.add_paragraph()
        _indent_chars(paragraph, 2)
        paragraph.paragraph_format.keep_with_next = True
        _run(paragraph, text, HEADING_FONT)
        return paragraph

    def subheading(self, text):
        paragraph = self.doc.add_paragraph()
        _indent_chars(paragraph, 2)
        paragraph.paragraph_format.keep_with_next = True
        _run(paragraph, text, SUBHEADING_FONT)
        return paragraph

    def paragraph(self, text, *, lead=None):
        """A body paragraph; ``lead`` is a bold start (一是…) in the body font."""
        paragraph = self.doc.add_paragraph()
        _indent_chars(paragraph, 2)
        if lead:
            _run(paragraph, lead, bold=True)
        _run(paragraph, text)
        return paragraph

    def table(self, rows, widths_mm):
        table = self.doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        heading = self.doc.styles[TABLE_HEAD_STYLE].style_id
        body = self.doc.styles[TABLE_STYLE].style_id
        # Row by row: table.cell(r, c) walks every cell of the table on each call, which is
        # quadratic for a ranking of hundreds of units.
        for r, (table_row, row) in enumerate(zip(table.rows, rows, strict=True)):
            for c, (cell, value) in enumerate(zip(table_row.cells, row, strict=True)):
                cell.width = Mm(widths_mm[c])
                paragraph = cell.paragraphs[0]
                # The style's id straight into w:pStyle: paragraph.style = … looks the style
                # up among all styles for every cell.
                paragraph._p.style = heading if r == 0 else body
                paragraph.add_run(clean(value))
        self.doc.add_paragraph()
        return table

    def picture(self, png, caption, width=TEXT_WIDTH):
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_indent(paragraph)
        # An exact line height would clip the picture to one line.
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.add_run().add_picture(io.BytesIO(png), width=width)
        label = self.doc.add_paragraph()
        label.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _no_indent(label)
        _run(label, caption, BODY_FONT, SIZE_TABLE)

    def to_bytes(self):
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# --- the 通报 ------------------------------------------------------------------------------

CHINESE_NUMBERS = "一二三四五六七八九十"


def _list(rows):
    return "、".join(rows)


def _unit_phrase(unit):
    return f"{unit.name}（{number(unit.index)}，{unit.grade}）"


def _item_phrase(question, mean):
    # Quotation marks inside a quotation are single (‘’), as in any official document.
    text = clean(question.text).rstrip("。").replace("“", "‘").replace("”", "’")
    return f"“{text}”（{number(mean)}）"


def ranking_rows(content: NoticeContent):
    """The ranking table: every unit of the dashboard's list, in its order."""
    rows = [("排名", "单位", "融合度指数", "等次", "已提交/应提交", "主要成因")]
    for unit in content.overview.units:
        rows.append(
            (
                str(unit.position) if unit.index is not None else "—",
                unit.name,
                number(unit.index),
                unit.grade or scoring.INSUFFICIENT,
                f"{unit.submitted}/{unit.roster}",
                unit.main_cause_label or "—",
            )
        )
    return rows


def _overview_section(notice, content):
    o = content.overview
    notice.heading("一、基本情况")
    dims = "，".join(f"{d.name}{number(o.county_dimensions.get(d.code))}" for d in o.dimensions)
    notice.paragraph(
        f"本次测评（{o.round.name}）共有 {len(o.units)} 个单位、{o.roster_count} 个党支部参加，"
        f"已提交答卷 {content.completion}，"
        f"其中 {len(content.scored_units)} 个单位有计入统计的得分。"
        f"全县融合度指数为 {number(o.county_index)}，"
        f"等次为“{o.county_grade or scoring.INSUFFICIENT}”。"
        f"分维度看，{dims}。"
    )
    notice.subheading("（一）等次分布")
    counts = "，".join(f"“{label}” {count} 个" for label, count in o.grade_counts)
    notice.paragraph(f"按融合度指数划分等次，{counts}。")
    notice.table(
        [
            ("等次", *[label for label, _ in o.grade_counts]),
            ("单位数", *[str(count) for _, count in o.grade_counts]),
        ],
        [30] + [126 / len(o.grade_counts)] * len(o.grade_counts),
    )
    notice.picture(county.grade_distribution(o.grade_counts, fmt="png"), "图 1  等次分布", Mm(110))
    notice.subheading("（二）单位排名")
    notice.paragraph("各单位融合度指数及等次如下表（得分相同的单位并列）。")
    notice.table(ranking_rows(content), (14, 52, 24, 18, 26, 22))
    _ranking_charts(notice, o)


def _findings_section(notice, content):
    o = content.overview
    notice.heading("二、主要特点")
    notice.subheading("（一）表现较好和有待提升的单位")
    notice.paragraph(f"融合度指数位居前列的是{_list(_unit_phrase(u) for u in content.strongest)}。")
    if content.weakest:
        notice.paragraph(
            f"得分相对靠后的是{_list(_unit_phrase(u) for u in content.weakest)}，需重点关注。"
        )
    notice.subheading("（二）得分较高和较低的指标")
    if content.strong_items:
        notice.paragraph(
            "全县平均得分较高的指标有"
            + _list(_item_phrase(q, m) for q, m in content.strong_items)
            + "。"
        )
    if content.weak_items:
        notice.paragraph(
            f"得分较低的指标有{_list(_item_phrase(q, m) for q, m in content.weak_items)}"
            f"（{REVERSED_NOTE}）。"
        )
    notice.subheading("（三）主要成因")
    causes = "，".join(
        f"{label}{number(o.county_causes.get(tag))}" for tag, label in CAUSE_LABELS.items()
    )
    main = CAUSE_LABELS.get(o.county_main_cause)
    notice.paragraph(
        f"从成因看，{causes}（得分越低，该成因越突出）"
        + (f"，主要成因为“{main}”。" if main else "。")
    )
    _causes_chart(notice, o)


def _quotes(notice, heading, rows, empty):
    notice.heading(heading)
    if not rows:
        notice.paragraph(empty)
    for i, (branch, text) in enumerate(rows):
        lead = f"{CHINESE_NUMBERS[i] if i < len(CHINESE_NUMBERS) else i + 1}是{branch}："
        notice.paragraph(clean(text).strip().rstrip("。；;") + "。", lead=lead)


def _next_steps(notice, content):
    notice.heading("五、下一步工作")
    if not content.recommendations:
        notice.paragraph(
            "各单位要巩固测评成果，坚持党建和业务同谋划、同部署、同落实、同考核，推动机关党建与业务工作深度融合。"
        )
    for i, rec in enumerate(content.recommendations):
        notice.subheading(
            f"（{CHINESE_NUMBERS[i] if i < len(CHINESE_NUMBERS) else i + 1}）{clean(rec.title)}"
        )
        for action in rec.actions.splitlines():
            if action.strip():
                notice.paragraph(action.strip())


def _ranking_charts(notice, o):
    codes = [d.code for d in o.dimensions]
    ranking = county.ranking_bar([(u.name, u.index, u.grade) for u in o.units], fmt="png")
    notice.picture(ranking, "图 2  各单位融合度指数排名")
    heatmap = county.dimension_heatmap(
        [u.name for u in o.units],
        [d.name for d in o.dimensions],
        [[u.dimensions.get(c) for c in codes] for u in o.units],
        fmt="png",
    )
    notice.picture(heatmap, "图 3  各单位分维度得分")


def _causes_chart(notice, o):
    causes = profile.cause_profile(
        [(label, o.county_causes.get(tag)) for tag, label in CAUSE_LABELS.items()],
        CAUSE_LABELS.get(o.county_main_cause),
        fmt="png",
    )
    notice.picture(causes, "图 4  全县成因分析", width=Mm(110))


def build_notice(round_, progress=None) -> bytes:
    """The round's 通报 as .docx bytes. Raises content.NothingSubmitted when no submission
    counts yet."""
    report = progress or (lambda done, total, what: None)
    report(0, STEPS, "读取得分")
    content = notice_content(round_)
    notice = NoticeDocument()
    notice.title(f"关于{round_.name}结果的通报")
    notice.addressee("各县直机关党组织：")
    notice.paragraph(
        "为推动机关党建和业务工作深度融合，破解“两张皮”问题，县直机关工委组织开展了"
        f"{round_.name}。现将测评结果通报如下。"
    )
    report(1, STEPS, "基本情况")
    _overview_section(notice, content)
    report(2, STEPS, "主要特点")
    _findings_section(notice, content)
    report(3, STEPS, "典型做法和存在问题")
    _quotes(notice, "三、典型做法", content.practices, "本次测评暂未收到典型做法的文字材料。")
    _quotes(notice, "四、存在问题", content.problems, "本次测评暂未收到存在问题的文字材料。")
    report(4, STEPS, "下一步工作")
    _next_steps(notice, content)
    body = notice.to_bytes()
    report(STEPS, STEPS, "完成")
    return body
