"""The blocks of a MyST page, read by ``markdown-it-py`` as MyST-Parser reads them.

A MyST directive is a fence: backticks (```` ```{name} args ````) or colons
(``:::{name} args``, the ``colon_fence`` extension). :func:`blocks` lists the
top-level fences and paragraphs of a page with the lines they span, so a
tool can cut a directive out of the source or write into a paragraph without
a second, hand-written parser.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

_PARSER = MarkdownIt("commonmark").use(front_matter_plugin).use(colon_fence_plugin)


@dataclass(frozen=True)
class Block:
    """A top-level block of a page: lines ``start`` to ``end - 1`` (0-based) of the source.

    ``kind`` is ``"directive"``, ``"fence"`` (a plain code fence),
    ``"paragraph"`` or ``"front_matter"``; ``name`` is a directive's name
    (``"solution-start"``), ``args`` what follows it on the opening line;
    ``closed`` says whether a fence has its closing marker (an unclosed fence
    runs to the end of the page); ``text`` is a paragraph's inline text.
    """

    kind: str
    start: int
    end: int
    name: str = ""
    args: str = ""
    closed: bool = True
    text: str = ""


def _fence_block(token, lines: list[str]) -> Block:
    start, end = token.map
    last = lines[end - 1].strip() if end - 1 > start else ""
    closed = last.startswith(token.markup) and set(last) == {token.markup[0]} and len(last) >= len(token.markup)
    info = token.info.strip()
    if info.startswith("{") and "}" in info:
        name, _, args = info[1:].partition("}")
        return Block("directive", start, end, name=name, args=args.strip(), closed=closed)
    return Block("fence", start, end, args=info, closed=closed)


def blocks(text: str) -> list[Block]:
    """The top-level directives, fences, paragraphs and front matter of a MyST page, in order."""
    lines = text.splitlines()
    tokens = _PARSER.parse(text)
    found = []
    for index, token in enumerate(tokens):
        if token.level != 0 or token.map is None:
            continue
        if token.type in ("fence", "colon_fence"):
            found.append(_fence_block(token, lines))
        elif token.type == "paragraph_open":
            found.append(Block("paragraph", *token.map, text=tokens[index + 1].content))
        elif token.type == "front_matter":
            found.append(Block("front_matter", *token.map))
    return found


def directives(text: str, name: str) -> list[Block]:
    """The top-level ``{name}`` directives of a page."""
    return [block for block in blocks(text) if block.kind == "directive" and block.name == name]
