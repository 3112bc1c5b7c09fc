// Typesets the book's math with the vendored KaTeX (docs/assets/vendor/katex).
// Material's document$ emits on the first load and after every instant navigation.
(function () {
  "use strict";

  // pymdownx.arithmatex (generic mode) wraps each formula in .arithmatex with \( \) or \[ \].
  const markdownDelimiters = [
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
  ];
  // Markdown cells of notebooks keep Jupyter's dollar signs.
  const notebookDelimiters = [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
    ...markdownDelimiters,
  ];

  function typeset(root) {
    root.querySelectorAll(".arithmatex").forEach((element) =>
      renderMathInElement(element, { delimiters: markdownDelimiters, throwOnError: false }),
    );
    root.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown").forEach((cell) =>
      renderMathInElement(cell, { delimiters: notebookDelimiters, throwOnError: false }),
    );
  }

  document$.subscribe(({ body }) => typeset(body));
})();
