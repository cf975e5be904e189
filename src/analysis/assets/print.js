/* Printing (Ctrl+P, or analysis.pdf): a chart wider than the page is scaled down to fit, never cut.
   One a little taller than a page is scaled onto one page; a much taller one (a ranking of 60
   people) keeps a size that can be read and is printed in slices of a page, each cut between two
   rows, so that no page break cuts a bar or a name in two. Sections start on a new page except
   the first, which follows the title. */
(function () {
  var PAGE = { width: 700, height: 960 };  /* CSS px inside A4 with report.css's @page margins */
  var SHRINK_ONTO_ONE_PAGE = 0.75;  /* smallest scale at which a tall chart is still put on one page */
  /* kept free of a page-high chart for the section heading over it: a chart that fits a page but
     not under its heading moves on and leaves the heading alone on a page */
  var HEADING_ROOM = 80;
  var SLICE = 'qh-print-slice';
  var restore = [];  /* [element, its style before printing] */
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
  /* Where the chart may be cut, in its own px from its top: the edges between two rows of every
     axis of categories up the page (bars, heatmap cells, names), where no text is crossed. */
  function cuts(gd) {
    var layout = gd._fullLayout, found = [];
    if (!layout || !layout._subplots) { return found; }
    (layout._subplots.yaxis || []).forEach(function (id) {
      var ax = layout[id.replace('y', 'yaxis')];
      if (!ax || ax.type !== 'category' || !ax._length || !ax.l2p) { return; }
      var top = ax._offset, bottom = ax._offset + ax._length;
      var n = (ax._categories || []).length;
      for (var i = 0; i <= n; i++) {
        var y = ax._offset + ax.l2p(i - 0.5);
        if (y >= top - 0.5 && y <= bottom + 0.5) { found.push(y); }
      }
    });
    var origin = gd.getBoundingClientRect().top;
    var texts = Array.prototype.map.call(gd.querySelectorAll('text'), function (node) {
      var box = node.getBoundingClientRect();
      return [box.top - origin, box.bottom - origin];
    }).filter(function (span) { return span[1] > span[0]; });
    return found.filter(function (y) {
      return texts.every(function (span) { return y <= span[0] + 0.5 || y >= span[1] - 0.5; });
    }).sort(function (a, b) { return a - b; });
  }
  /* Where slices of a page end, in the chart's px: the first within ``first``, the others within
     ``page`` (printed px, at ``zoom``), each at the last row edge that fits; [] when the chart is
     not sliced (no row edge within a page: it runs on as the browser breaks it) */
  function sliceEnds(gd, total, zoom, first, page) {
    var places = cuts(gd), ends = [], start = 0, room = first / zoom;
    while (total - start > room) {
      var end = null;
      places.forEach(function (y) { if (y > start + 1 && y <= start + room) { end = y; } });
      if (end === null) { return []; }
      ends.push(end);
      start = end;
      room = page / zoom;
    }
    return ends.length ? ends.concat([total]) : [];
  }
  /* The chart's own box shows the first slice; copies of its drawing, printed only, the others */
  function slice(gd, target, zoom, ends) {
    var drawing = gd.querySelector('.plot-container') || gd.firstElementChild;
    restore.push([target, target.style.cssText]);
    target.style.height = ends[0] + 'px';
    target.style.overflow = 'hidden';
    var after = target;
    for (var k = 1; k < ends.length; k++) {
      var part = document.createElement('div');
      part.className = SLICE + ' js-plotly-plot';  /* plotly.js's stylesheet lays the layers out in it */
      part.style.cssText = 'overflow:hidden; break-inside:avoid; position:relative;' +
        'width:' + drawing.offsetWidth + 'px; height:' + (ends[k] - ends[k - 1]) + 'px;' +
        (zoom < 1 ? 'zoom:' + zoom + ';' : '');
      var copy = drawing.cloneNode(true);
      copy.style.marginTop = -ends[k - 1] + 'px';
      part.appendChild(copy);
      after.parentNode.insertBefore(part, after.nextSibling);
      after = part;
    }
  }
  /* Measured first, all charts at their own size, then changed: no layout between two charts */
  function fit(width, height) {
    unfit();
    if (window.qhDrawLive) { window.qhDrawLive(); }  /* charts drawn at build time: live ones cut better */
    width = width || PAGE.width;
    var page = height || PAGE.height;
    height = page - HEADING_ROOM;
    var plans = Array.prototype.map.call(charts(), function (gd) {
      var box = gd.querySelector('.svg-container') || gd;
      var w = box.offsetWidth || width, h = box.offsetHeight || height;
      var zoom = Math.min(1, width / w);
      if (h * zoom > height && height / (h * zoom) >= SHRINK_ONTO_ONE_PAGE) { zoom = height / h; }
      /* a page less a little: a slice of a whole page can be pushed on by a rounding */
      var ends = h * zoom > height ? sliceEnds(gd, h, zoom, height, page - 20) : [];
      return [gd, zoom, ends];
    });
    plans.forEach(function (plan) {
      var gd = plan[0], zoom = plan[1], ends = plan[2], target = scaled(gd);
      if (zoom < 1) { target.style.zoom = String(zoom); }
      if (ends.length) { slice(gd, target, zoom, ends); }
    });
  }
  function unfit() {
    document.querySelectorAll('.' + SLICE).forEach(function (part) { part.remove(); });
    restore.forEach(function (saved) { saved[0].style.cssText = saved[1]; });
    restore = [];
    charts().forEach(function (gd) { scaled(gd).style.zoom = ''; });
  }
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
