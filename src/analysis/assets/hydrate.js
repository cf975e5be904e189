/* Pages built with `build --prerender` (prerender.py): every chart is already in the page as the
   picture plotly.js drew of it at build time, shown as soon as the page is read. plotly.js is not
   run while the page loads: it is started after the first frame, then each picture is replaced
   by its live chart (hover, zoom, the mode bar), one chart a task so that scrolling and clicks
   go on in between, those on screen first and the one pointed at at once;
   all of them before printing (print.js), so that print slices charts as it always does. */
(function () {
  var PLOTLYJS = 'script[type="text/x-quyhoach-plotlyjs"]';
  var CHART = 'script[type="text/x-quyhoach-chart"]';
  var waiting = Array.prototype.slice.call(document.querySelectorAll(CHART));
  var loaded = false, loading = false, then = [];
  if (!waiting.length) { return; }

  /* a script kept from running (its type) is run by putting a live copy in its place */
  function run(kept, done) {
    var live = document.createElement('script');
    var src = kept.getAttribute('data-src');
    if (src) {
      live.src = src;
      live.charset = 'utf-8';
      live.onload = done;
      live.onerror = done;  /* no plotly.js beside the page: the pictures stay, nothing breaks */
    } else {
      live.text = kept.text;  /* an inline script runs as it is inserted */
    }
    kept.parentNode.replaceChild(live, kept);
    if (!src && done) { done(); }
  }
  function withPlotly(next) {
    if (loaded) { next(); return; }
    then.push(next);
    if (loading) { return; }
    loading = true;
    var kept = document.querySelector(PLOTLYJS);
    var ready = function () { loaded = true; then.splice(0).forEach(function (f) { f(); }); };
    if (kept) { run(kept, ready); } else { ready(); }  /* plotly.js loaded some other way */
  }
  /* the picture goes in the task that draws the chart (plotly.js draws synchronously), so no
     frame shows the box empty; before drawing, as the picture carries the classes plotly.js
     looks for in the box */
  function draw(kept) {
    var at = waiting.indexOf(kept);
    if (at < 0 || !window.Plotly) { return; }
    waiting.splice(at, 1);
    var gd = document.getElementById(kept.getAttribute('data-chart'));
    var picture = gd && gd.querySelector('.qh-picture');
    if (picture) { picture.remove(); }
    run(kept);
  }
  function scriptOf(gd) {
    for (var i = 0; i < waiting.length; i++) {
      if (waiting[i].getAttribute('data-chart') === gd.id) { return waiting[i]; }
    }
    return null;
  }
  function drawNext() {
    if (!waiting.length || !window.Plotly) { return; }  /* no plotly.js: the pictures stay */
    draw(waiting[0]);
    setTimeout(drawNext, 0);
  }
  function onScreenFirst() {
    var shown = waiting.filter(function (kept) {
      var gd = document.getElementById(kept.getAttribute('data-chart'));
      var box = gd && gd.getBoundingClientRect();
      return box && box.bottom > 0 && box.top < innerHeight;
    });
    waiting = shown.concat(waiting.filter(function (kept) { return shown.indexOf(kept) < 0; }));
  }
  function pointed(event) {
    var gd = event.target && event.target.closest && event.target.closest('.plotly-graph-div');
    var kept = gd && scriptOf(gd);
    if (kept) { withPlotly(function () { draw(kept); }); }
  }
  /* every chart live at once (print.js before printing); false while a shared plotly.js loads */
  window.qhDrawLive = function () {
    if (!loaded && document.querySelector(PLOTLYJS + '[data-src]')) { return false; }
    withPlotly(function () { while (waiting.length && window.Plotly) { draw(waiting[0]); } });
    return true;
  };
  document.addEventListener('pointerover', pointed, true);
  document.addEventListener('focusin', pointed, true);
  function start() {
    /* after a frame has shown the pictures */
    requestAnimationFrame(function () {
      setTimeout(function () { onScreenFirst(); withPlotly(drawNext); }, 0);
    });
  }
  if (document.readyState === 'complete') { start(); } else { window.addEventListener('load', start); }
})();
