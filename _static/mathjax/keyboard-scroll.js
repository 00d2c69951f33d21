/* The book's own MathJax component (not part of MathJax's package; see SOURCE.txt).
 *
 * The theme lets a display formula wider than the column scroll sideways. A
 * reader without a mouse can scroll it only once it takes the keyboard focus,
 * which MathJax's context menu used to give every formula; the book loads
 * MathJax without that menu, so this render action puts each display formula
 * in the tab order itself (axe: scrollable-region-focusable).
 */
(function () {
  "use strict";
  function focusable(math) {
    if (math.display && math.typesetRoot) {
      math.typesetRoot.setAttribute("tabindex", "0");
    }
  }
  const options = MathJax.config.options || (MathJax.config.options = {});
  options.renderActions = Object.assign(options.renderActions || {}, {
    // After typeset (150), before the formula is put into the page (update, 200).
    keyboardScroll: [160, (doc) => { for (const math of doc.math) focusable(math); }, (math) => focusable(math)],
  });
  MathJax.loader.checkVersion("[mathjax]/keyboard-scroll", MathJax.version, "keyboard-scroll");
})();
