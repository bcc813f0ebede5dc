// lrlab's browser entry: the same API as the Node entry. What needs Node (files, worker threads, SQL drivers) is
// replaced in the browser bundle by scripts/build-browser.mjs: with a browser implementation where one exists
// (src/platform/browser/), otherwise with a function that throws a clear error naming what needs Node.
export * from './index.js';
