"""The bibliography labelled as the text cites: "[Kingma and Ba, 2015]", not "[KB15]".

The pages cite author–year (``bibtex_reference_style: author_year``), but
sphinxcontrib-bibtex labels the list of references with the pybtex
formatting style's labels, "alpha" by default. This extension registers the
formatting style ``authoryear`` (pybtex's ``unsrt`` entries, sorted by
author, year and title) whose label of an entry is the text a citation of it
shows: the last names (one, two joined by "and", or the first with
"et al."), a comma and the year. ``_config.yml`` selects it with
``bibtex_default_style: authoryear``, for the site and the PDF alike.
"""
from __future__ import annotations

from pybtex.backends.plaintext import Backend as PlainText
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def last_names(person) -> str:
    """A person's last name as a citation shows it, "von" part included (``van der Walt``)."""
    parts = [*person.rich_prelast_names, *person.rich_last_names]
    # render(PlainText()) is render_as("text") without the plugin lookup, which
    # scans every installed distribution's entry points (5 s of a build).
    return " ".join(part.render(PlainText()) for part in parts)


def author_year_label(entry) -> str:
    """``Polyak, 1964``; ``Kingma and Ba, 2015``; ``Duchi et al., 2011``."""
    people = [last_names(person) for person in entry.persons.get("author") or entry.persons.get("editor", [])]
    if len(people) >= 3:
        who = f"{people[0]} et al."
    else:
        who = " and ".join(people)
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield author_year_label(entry)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
