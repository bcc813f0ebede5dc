// The dashboard's page: static HTML and CSS. Everything it shows is filled in by its script (page/app.ts) from the
// JSON endpoints; vega and vega-lite are served from lrlab's own node_modules, so the page works offline.

/** The page's HTML. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>lrlab dashboard</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="style.css">
  <script src="vendor/vega.min.js"></script>
  <script src="vendor/vega-lite.min.js"></script>
</head>
<body>
  <header>
    <h1>lrlab dashboard</h1>
    <p id="source" class="note"></p>
    <p id="status" role="status" aria-live="polite">Loading...</p>
    <p id="updated" class="note"></p>
  </header>
  <div id="layout">
    <nav id="list-nav" aria-labelledby="list-title">
      <h2 id="list-title">Studies</h2>
      <ul id="list"></ul>
      <p id="list-empty" class="note" hidden></p>
    </nav>
    <main id="view" aria-live="off"></main>
  </div>
  <script type="module" src="app/app.js"></script>
</body>
</html>
`;

/** The page's style sheet. */
export const PAGE_CSS = `[hidden] { display: none !important; }
:root { font-family: system-ui, sans-serif; color: #222; background: #fff; }
body { margin: 0; }
header { padding: 0.6em 1.2em; border-bottom: 1px solid #ddd; display: flex; gap: 1.5em; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 1.25em; margin: 0; }
.note { color: #555; margin: 0.3em 0; }
#status, #updated { margin: 0; }
#status.error { color: #a00; font-weight: 600; }
#layout { display: flex; align-items: flex-start; }
#list-nav { width: 15em; flex: none; padding: 0.6em 1em; border-right: 1px solid #ddd; min-height: 80vh; }
#list-nav h2 { font-size: 1em; }
#list { list-style: none; padding: 0; margin: 0; }
#list button { width: 100%; text-align: left; margin: 2px 0; padding: 0.4em; background: #f4f4f4; border: 1px solid #ccc; border-radius: 4px; cursor: pointer; font: inherit; }
#list button[aria-current="true"] { background: #dbe9f7; border-color: #5b8fc7; font-weight: 600; }
#view { flex: 1; padding: 0.6em 1.2em; min-width: 0; }
#view h2 { margin: 0.2em 0; font-size: 1.2em; }
[role="tablist"] { display: flex; flex-wrap: wrap; gap: 4px; margin: 0.8em 0; border-bottom: 1px solid #ccc; }
[role="tab"] { font: inherit; padding: 0.35em 0.8em; border: 1px solid #ccc; border-bottom: none; background: #f4f4f4; border-radius: 4px 4px 0 0; cursor: pointer; }
[role="tab"][aria-selected="true"] { background: #fff; font-weight: 600; position: relative; top: 1px; }
button:focus-visible, select:focus-visible, input:focus-visible, tr:focus-visible { outline: 3px solid #1a73e8; outline-offset: 1px; }
.filters { display: flex; flex-wrap: wrap; gap: 1em; align-items: end; margin: 0.5em 0; }
.filters label { display: flex; flex-direction: column; font-size: 0.9em; gap: 2px; }
.table-wrap { max-height: 60vh; overflow: auto; border: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { position: sticky; top: 0; background: #f7f7f7; }
th button { font: inherit; font-weight: 600; background: none; border: none; cursor: pointer; padding: 2px; }
td.text, th.text { text-align: left; }
caption { text-align: left; caption-side: top; padding: 2px 8px; }
tbody tr { cursor: pointer; }
tbody tr:hover { background: #f2f7fd; }
tbody tr[aria-selected="true"] { background: #dbe9f7; }
.state-complete { color: #1b7a1b; } .state-pruned { color: #b26b00; } .state-fail { color: #b00020; } .state-running { color: #1a5fb4; }
.chart { min-height: 120px; }
.reason { color: #555; font-style: italic; }
.detail { margin-top: 1em; padding: 0.6em 1em; border: 1px solid #ddd; border-radius: 4px; }
.detail h3 { margin: 0.2em 0 0.5em; font-size: 1.05em; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 1em; margin: 0.3em 0; }
.detail dt { font-weight: 600; } .detail dd { margin: 0; font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-word; }
.fail-reason { color: #b00020; }
.recommendation { font-size: 1.1em; padding: 0.6em 1em; background: #f3f8f2; border-left: 4px solid #2e7d32; }
.live { padding: 0.4em 1em; background: #eef4fb; border-left: 4px solid #1a5fb4; margin: 0.4em 0; }
.live.error { background: #fdf0f0; border-left-color: #b00020; color: #8a0016; }
.empty { padding: 2em; font-size: 1.1em; color: #444; }
`;
