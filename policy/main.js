// The pack's entry point (package.json "main"): the build in dist/, refused when its sources
// have changed since (build.js says why it is JavaScript).
"use strict";
require("./build").assertCurrent(__dirname);
require("./dist/index.js");
