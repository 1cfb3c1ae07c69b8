/* Search result snippets (search.html only).
   Sphinx builds each snippet from the text of the result page's role="main" region. In this
   theme that region also holds the page's "Contents" list, the header buttons and the
   previous/next links, so a snippet could show the contents list instead of the page's text.
   This strips the page's navigation before Sphinx makes the summary. It runs on
   DOMContentLoaded ahead of Sphinx's own handler, because this file is loaded first. */
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const original = Search.htmlToText;
  const navigation = [
    ".bd-header-article", ".onlyprint", ".bd-sidebar-secondary", ".bd-toc", "nav",
    ".prev-next-area", ".prev-next-footer", ".toctree-wrapper", ".sbt-scroll-pixel-helper",
    ".bd-footer-article", ".bd-footer-content",
  ].join(", ");
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    doc.querySelectorAll(navigation).forEach((element) => element.remove());
    return original(doc.documentElement.outerHTML, anchor);
  };
});
