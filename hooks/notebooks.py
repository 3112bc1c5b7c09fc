"""MkDocs hook: render the notebooks in ``examples/`` as pages, offline, with working anchors.

mkdocs-jupyter only converts files that MkDocs already knows, and it leaves three problems that
this hook fixes on every notebook page:

* ``examples/`` lives beside ``docs/``, so its notebooks are added to the site's files here;
* nbconvert's template loads MathJax and mermaid from a CDN (with an empty ``src`` when no URL is
  configured); those scripts are removed, and ``assets/javascripts/math.js`` typesets the math
  with the vendored KaTeX instead;
* headings written only in Chinese get empty or mismatched anchors; they are rebuilt with the same
  slugify as the Markdown pages, and the page's table of contents is rebuilt from them.

Notebook pages also get a lower search boost, so the chapter a notebook accompanies ranks first.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

EXAMPLES_DIR = "examples"
TOC_DEPTH = 3
NOTEBOOK_SEARCH_BOOST = 0.5
SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL)
HEADING = re.compile(r"<h(?P<level>[1-6])(?P<attrs>[^>]*)>(?P<inner>.*?)</h(?P=level)>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def is_notebook(page: Page) -> bool:
    return page.file.src_uri.endswith(".ipynb")


@event_priority(100)  # before mkdocs-jupyter wraps notebook files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    for notebook in sorted((root / EXAMPLES_DIR).glob("*.ipynb")):
        files.append(
            File(
                f"{EXAMPLES_DIR}/{notebook.name}",
                src_dir=str(root),
                dest_dir=config.site_dir,
                use_directory_urls=config.use_directory_urls,
            )
        )
    return files


def is_remote_loader(attrs: str, body: str) -> bool:
    """nbconvert's MathJax and mermaid loaders (and the empty ``src=""`` MathJax tag)."""
    return 'src=""' in attrs or "text/x-mathjax-config" in attrs or "mermaid" in body


def strip_remote_loaders(content: str) -> str:
    def keep_or_drop(match: re.Match[str]) -> str:
        return "" if is_remote_loader(match["attrs"], match["body"]) else match[0]

    return SCRIPT.sub(keep_or_drop, content)


def heading_text(inner: str) -> str:
    without_permalink = re.sub(r'<a class="anchor-link".*?</a>', "", inner, flags=re.DOTALL)
    return html.unescape(TAG.sub("", without_permalink)).strip()


def relink_headings(content: str, slugify, separator: str) -> tuple[str, list[dict]]:
    """Give every heading a unique slug id and return the table-of-contents tokens."""
    used: set[str] = set()
    flat: list[dict] = []

    def unique(slug: str) -> str:
        candidate, n = slug, 0
        while candidate in used or not candidate:
            n += 1
            candidate = f"{slug}_{n}"
        used.add(candidate)
        return candidate

    def rewrite(match: re.Match[str]) -> str:
        level, inner = int(match["level"]), match["inner"]
        title = heading_text(inner)
        anchor = unique(slugify(title, separator))
        inner = re.sub(r'(<a class="anchor-link" href=")#[^"]*(")', rf"\1#{anchor}\2", inner)
        attrs = re.sub(r'\s*id="[^"]*"', "", match["attrs"])
        if level <= TOC_DEPTH:
            flat.append({"level": level, "id": anchor, "name": html.escape(title), "children": []})
        return f'<h{level} id="{anchor}"{attrs}>{inner}</h{level}>'

    return HEADING.sub(rewrite, content), nest(flat)


def nest(flat: list[dict]) -> list[dict]:
    roots: list[dict] = []
    stack: list[dict] = []
    for token in flat:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(token)
        stack.append(token)
    return roots


def on_page_content(content: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if not is_notebook(page):
        return content
    # A notebook page repeats its code in full; let the chapter pages rank first in search.
    page.meta["search"] = {"boost": NOTEBOOK_SEARCH_BOOST}
    toc_config = config.mdx_configs.get("toc", {})
    slugify = toc_config["slugify"]
    content, tokens = relink_headings(
        strip_remote_loaders(content), slugify, toc_config.get("separator", "-")
    )
    page.toc = get_toc(tokens)
    return content
