/* Printing the briefing deck. reveal.js prints well only in its print view (?print-pdf: one slide
   a page, every chart drawn), which it lays out when the page opens, never in the middle of a
   print. So Ctrl+P (⌘P) in the slide view reopens the deck in its print view, prints there, and
   comes back to the slide that was shown. A print started from the browser's menu comes too late
   to change the layout: it prints one page saying how to print the deck (slides.css). */
(function () {
  var PRINT_VIEW = /(^|[?&])print-pdf(&|$)/i.test(location.search);
  var AUTO = /(^|[?&])qh-print(&|$)/.test(location.search);

  if (!PRINT_VIEW) {
    window.addEventListener('keydown', function (event) {
      // the P key whatever the keyboard layout or input method (Unikey, Telex) makes of it
      var isP = (event.key || '').toLowerCase() === 'p' || event.code === 'KeyP';
      if (!isP || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      // the slide shown, from reveal.js: it writes the address bar only a while after a change
      var hash = window.Reveal && Reveal.isReady() ? '#' + Reveal.getSlidePath() : location.hash;
      // replace, not assign: the history stays as it was, and Back leaves the deck as before
      location.replace(location.pathname + '?print-pdf&qh-print' + hash);
    }, true);
    return;
  }
  if (!AUTO) { return; }
  // in the print view opened by Ctrl+P: print once every chart is drawn (the deck's script says
  // so when reveal.js, loaded after this, is ready), then back to the slide view
  document.addEventListener('qh-deck-ready', function () {
    window.addEventListener('afterprint', function () {
      location.replace(location.pathname + location.hash);
    }, { once: true });
    window.print();
  }, { once: true });
})();
