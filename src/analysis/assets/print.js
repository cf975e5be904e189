/* Printing (Ctrl+P, or analysis.pdf): a chart wider than the page is scaled down to fit, never cut.
   One a little taller than a page is scaled onto one page; a much taller one (a heatmap of 99
   people) runs on over the next pages at a size that can be read, which the browser does without
   losing a line. Sections start on a new page except the first, which follows the title. */
(function () {
  var PAGE = { width: 700, height: 960 };  /* CSS px inside A4 with report.css's @page margins */
  var SHRINK_ONTO_ONE_PAGE = 0.75;  /* smallest scale at which a tall chart is still put on one page */
  /* kept free of a page-high chart for the section heading over it: a chart that fits a page but
     not under its heading moves on and leaves the heading alone on a page */
  var HEADING_ROOM = 80;
  function charts() { return document.querySelectorAll('.plotly-graph-div'); }
  /* What is scaled: plotly.py's wrapper of the figure's size around the chart (zooming only the
     chart would leave the wrapper's full height on the page: white space, even a blank page) */
  function scaled(gd) {
    var wrapper = gd.parentElement;
    var alone = wrapper && Array.prototype.every.call(wrapper.children, function (child) {
      return child === gd || child.tagName === 'SCRIPT';
    });
    return alone && wrapper.style.height ? wrapper : gd;
  }
  function fit(width, height) {
    width = width || PAGE.width;
    height = (height || PAGE.height) - HEADING_ROOM;
    charts().forEach(function (gd) {
      var target = scaled(gd);
      target.style.zoom = '';
      var box = gd.querySelector('.svg-container') || gd;
      var w = box.offsetWidth || width, h = box.offsetHeight || height;
      var zoom = Math.min(1, width / w);
      if (h * zoom > height && height / (h * zoom) >= SHRINK_ONTO_ONE_PAGE) { zoom = height / h; }
      if (zoom < 1) { target.style.zoom = String(zoom); }
    });
  }
  function unfit() { charts().forEach(function (gd) { scaled(gd).style.zoom = ''; }); }
  function markFirstSection() {
    var first = document.querySelector('main h2');
    if (first) { first.classList.add('qh-first-section'); }
  }
  window.qhFitForPrint = fit;
  window.addEventListener('beforeprint', function () { fit(); });
  window.addEventListener('afterprint', unfit);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', markFirstSection);
  } else {
    markFirstSection();
  }
})();
