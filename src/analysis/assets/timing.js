/* Drawing time, on request: open a report as `report.html?timing` (or `#timing`) to see how long
   this computer took until every chart was drawn — on the meeting room's own machine, say.
   The measure of benchmarks/browser.py: performance.now() once the document is complete and
   every chart has its SVG: plotly.js's, or the picture drawn at build time (`build --prerender`;
   then the time all are live follows). Each reload in the same tab adds a run and shows their
   median.
   Without `timing` in the address nothing runs. Never printed (report.css). */
(function () {
  if (!/(^|[?&#])timing(?![\w-])/.test(location.search + location.hash)) { return; }
  var texts = JSON.parse(document.currentScript.getAttribute('data-texts'));
  var locale = document.documentElement.lang === 'en' ? 'en-GB' : 'vi-VN';

  function drawnCharts() {  /* the number of charts once all are drawn, else -1 */
    if (document.readyState !== 'complete') { return -1; }
    var charts = document.querySelectorAll('.plotly-graph-div');
    for (var i = 0; i < charts.length; i++) {
      if (!isLive(charts[i]) && !charts[i].querySelector('.qh-picture svg')) { return -1; }
    }
    return charts.length;
  }
  function isLive(gd) { return Boolean(gd._fullLayout && gd.querySelector('.main-svg')); }
  function allLive() {
    return !document.querySelector('.qh-picture') &&
      Array.prototype.every.call(document.querySelectorAll('.plotly-graph-div'), isLive);
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return values[key]; });
  }
  function ms(value) { return Math.round(value).toLocaleString(locale); }
  function median(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; }), mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
  function show(charts, elapsed) {
    var key = 'qh-timing:' + location.pathname, runs = [];
    try { runs = JSON.parse(sessionStorage.getItem(key) || '[]'); } catch (e) { runs = []; }
    runs.push(elapsed);
    try { sessionStorage.setItem(key, JSON.stringify(runs)); } catch (e) { /* private mode: one run */ }
    var box = document.createElement('div');
    box.className = 'qh-timing';
    box.setAttribute('role', 'status');
    box.setAttribute('data-ms', String(elapsed));
    box.textContent = [
      fill(texts.drawn, { charts: charts, ms: ms(elapsed) }),
      fill(texts.runs, { run: runs.length, median: ms(median(runs)) }),
      fill(texts.cores, { cores: navigator.hardwareConcurrency || '?' })
    ].join(' · ');
    box.title = navigator.userAgent;
    box.addEventListener('click', function () { box.remove(); });  /* out of the way once read */
    document.body.appendChild(box);
    if (!allLive()) { whenLive(box); }
  }
  function whenLive(box) {
    if (!allLive()) { requestAnimationFrame(function () { whenLive(box); }); return; }
    var elapsed = performance.now();
    box.setAttribute('data-live-ms', String(elapsed));
    box.textContent += ' · ' + fill(texts.live, { ms: ms(elapsed) });
  }
  function poll() {
    var charts = drawnCharts();
    if (charts < 0) { requestAnimationFrame(poll); } else { show(charts, performance.now()); }
  }
  requestAnimationFrame(poll);
})();
