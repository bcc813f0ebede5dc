// CommonJS entry of lrlab: lrlab is an ES module (it uses top-level await), so require() cannot load it.
'use strict';
throw new Error(
  "lrlab is an ES module and cannot be loaded with require(). Use `import { ... } from 'lrlab'` in an ES module " +
    "(a .mjs file, or \"type\": \"module\" in package.json), or `const lrlab = await import('lrlab')` from CommonJS.",
);
