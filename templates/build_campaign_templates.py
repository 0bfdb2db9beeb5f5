"""Build the campaign letter templates: templates/campaign_letter.docx and
campaign_letter.he.docx (Hebrew right to left), with build_templates.py's Builder (the look
of the quote): a mail-merge letter, one page per recipient, a page break between them.

Run `python templates/build_templates.py` (it calls `main` here) after changing the wording;
commit the .docx files. Fields: acctbook.documents.campaign_files.letter_context (`company`,
and `letters`, each with date, client, contact, address, subject, paragraphs, opt_out).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt, RGBColor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_templates import ACCENT, HERE, Builder, save_deterministic  # noqa: E402

GREY = RGBColor(0x6B, 0x6B, 0x6B)
LETTER_EN = {"to": "To:", "attn": "Attention: ", "subject": "Subject: ",
             "core_title": "Letter"}
LETTER_HE = {"to": "לכבוד:", "attn": "לידי: ", "subject": "הנדון: ",
             "core_title": "מכתב"}


def build_letter(w: dict, rtl: bool):
    b = Builder(rtl)
    b.doc.core_properties.title = w["core_title"]
    b.tag("{%p for letter in letters %}")
    b.para([("{{ company.name }}", "b")], size=Pt(15), color=ACCENT, space_after=Pt(0))
    b.tag("{%p if company.address %}")
    b.para(["{{ company.address }}"], size=Pt(9), color=GREY, space_after=Pt(0))
    b.tag("{%p endif %}")
    b.tag("{%p if company.phone %}")
    b.para(["{{ company.phone }}"], size=Pt(9), color=GREY, space_after=Pt(0))
    b.tag("{%p endif %}")
    date = b.para(["{{ letter.date }}"], align=WD_ALIGN_PARAGRAPH.RIGHT if not rtl
                  else WD_ALIGN_PARAGRAPH.LEFT, space_after=Pt(14))
    date.paragraph_format.space_before = Pt(18)
    b.para([w["to"]], space_after=Pt(0))
    b.para([("{{ letter.client }}", "b")], space_after=Pt(0))
    b.tag("{%p if letter.contact %}")
    b.para([w["attn"], "{{ letter.contact }}"], space_after=Pt(0))
    b.tag("{%p endif %}")
    b.tag("{%p if letter.address %}")
    b.para(["{{ letter.address }}"], space_after=Pt(0))
    b.tag("{%p endif %}")
    subject = b.para([(w["subject"], "b"), ("{{ letter.subject }}", "b")], color=ACCENT,
                     space_after=Pt(10))
    subject.paragraph_format.space_before = Pt(18)
    b.tag("{%p for para in letter.paragraphs %}")
    b.para(["{{ para }}"], space_after=Pt(8))
    b.tag("{%p endfor %}")
    b.para(["{{ letter.opt_out }}"], size=Pt(8.5), color=GREY).paragraph_format.space_before = \
        Pt(20)
    b.tag("{%p if not loop.last %}")
    b.para([""]).runs[0].add_break(WD_BREAK.PAGE)
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    return b.doc


def main(folder: Path = HERE) -> list[Path]:
    out = []
    for name, words, rtl in (("campaign_letter.docx", LETTER_EN, False),
                             ("campaign_letter.he.docx", LETTER_HE, True)):
        path = folder / name
        save_deterministic(build_letter(words, rtl), path)
        out.append(path)
    return out


if __name__ == "__main__":
    for p in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {p}")
