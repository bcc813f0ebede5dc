// Preloaded (node --import) by the test that compares reports made with and without --live: performance.now, which
// the report's timings come from, counts its calls instead of reading the clock, so the same calls give the same
// report.
let t = 0;
performance.now = () => (t += 0.25);
