"""The site offers the typeset PDFs (an extension named in ``_config.yml``).

Every page's download menu links the book's PDF and the student edition's
in place of the theme's "print this page" button (which printed one page of
the site), the landing page links them through ``{{ typeset_pdf }}``, and an
HTML build copies those that ``make pdf`` and ``make pdf-student`` have made
into the site (the two targets copy them too). The student edition's site
(``student_edition`` set, see ``pdf_edition.py``) offers its own PDF only.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from booktools import ROOT
from booktools.student_edition import BOOK_PDF_NAME, STUDENT_PDF_NAME


def typeset_pdfs(config) -> list[tuple[str, str]]:
    """(file name, description) of each PDF the site offers: the book's, and the student edition's."""
    student = (STUDENT_PDF_NAME, "the student edition (PDF, without solutions)")
    return [student] if config.student_edition else [(BOOK_PDF_NAME, "the book (PDF)"), student]


def built_pdf(name: str) -> Path:
    """Where ``make pdf`` or ``make pdf-student`` leaves a PDF of the book."""
    return ROOT / "_build" / ("student" if name == STUDENT_PDF_NAME else "latex") / name


def _offer_pdfs_on_the_landing_page(app, config) -> None:
    links = "; ".join(f'<a href="{name}">{description}</a>' for name, description in typeset_pdfs(config))
    paragraph = f'<p class="typeset-pdf">The typeset book, to print or read offline: {links}.</p>'
    config.myst_substitutions = {**config.myst_substitutions, "typeset_pdf": paragraph}


def _offer_pdfs_in_the_download_menu(app, pagename, templatename, context, doctree) -> None:
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        printed = [b for b in group["buttons"] if b.get("label") == "download-pdf-button"]
        at = group["buttons"].index(printed[0]) if printed else len(group["buttons"])
        group["buttons"][at:at + len(printed)] = [{
            "type": "link",
            "url": context["pathto"](name, 1),
            "text": ".pdf" if number == 0 else "student .pdf",
            "icon": "fas fa-file-pdf",
            "tooltip": f"Download {description}",
            "label": "download-pdf-button" if number == 0 else "download-student-pdf-button",
        } for number, (name, description) in enumerate(typeset_pdfs(app.config))]


def _copy_pdfs_into_the_site(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for name, _ in typeset_pdfs(app.config):
        if built_pdf(name).is_file():
            shutil.copyfile(built_pdf(name), Path(app.outdir) / name)


def setup(app):
    app.connect("config-inited", _offer_pdfs_on_the_landing_page)
    app.connect("html-page-context", _offer_pdfs_in_the_download_menu, priority=600)  # after the theme's (501)
    app.connect("build-finished", _copy_pdfs_into_the_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
