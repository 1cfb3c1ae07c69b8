/* Search result snippets (search.html only).
   Sphinx builds each snippet from the text of the result page's role="main" region. In this
   theme that region also holds the page's "Contents" list, the header buttons and the
   previous/next links, so a snippet could show the contents list instead of the page's text.
   This strips the page's navigation before Sphinx makes the summary. It runs on
   DOMContentLoaded ahead of Sphinx's own handler, because this file is loaded first.

   Sphinx centres a snippet on the first place the page's text holds a search keyword. The
   site's search glues hyphenated names ("S-400" is looked up as "s400", see
   crmc.sphinxext.search), and the glued keyword is not in the text, so the snippet started at
   the page's top. A keyword the text lacks is replaced here by the form the text writes it in
   (the same letters with hyphens between them: "S-400", "Buyan-M"), so the snippet centres
   on the name. */
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const original = Search.htmlToText;
  const navigation = [
    ".bd-header-article", ".onlyprint", ".bd-sidebar-secondary", ".bd-toc", "nav",
    ".prev-next-area", ".prev-next-footer", ".toctree-wrapper", ".sbt-scroll-pixel-helper",
    ".bd-footer-article", ".bd-footer-content",
  ].join(", ");
  // makeSearchSummary reads the page's text once more after the lookup below: keep the last.
  let last = { html: null, anchor: null, text: "" };
  Search.htmlToText = (htmlString, anchor) => {
    if (last.html === htmlString && last.anchor === anchor) return last.text;
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(navigation).forEach((element) => element.remove());
    last = { html: htmlString, anchor, text: original(doc.documentElement.outerHTML, anchor) };
    return last.text;
  };

  if (typeof Search.makeSearchSummary !== "function") return;
  const summary = Search.makeSearchSummary;
  const hyphens = "[-\u2010\u2011]?";
  const escape = (character) => character.replace(/[.*+\-?^${}()|[\]\\]/g, "\\$&");
  /* The text's own spelling of a keyword: the keyword if the text has it, else its first
     occurrence with hyphens between the letters ("s400" -> "S-400"), else the keyword. */
  const asWritten = (text, keyword) => {
    if (text.toLowerCase().includes(keyword.toLowerCase())) return keyword;
    const pattern = new RegExp([...keyword].map(escape).join(hyphens), "iu");
    const found = text.match(pattern);
    return found ? found[0] : keyword;
  };
  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const text = Search.htmlToText(htmlText, anchor);
    return summary(htmlText, new Set([...keywords].map((k) => asWritten(text, k))), anchor);
  };
});
