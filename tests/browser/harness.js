// The browser tests' own JS, imported by the tests as this one module; its imports load after it, over the
// connections the page already has open.
//
// Why one module: the test runner's HTTP server (tiny_http under wasm-bindgen-test-runner) gives each keep-alive
// connection one thread of a pool of four, and when connections arrive faster than its idle threads wake up it
// queues the newest instead of starting a thread for it. A page whose glue imports more than four modules at once
// makes the browser open that many connections, and one request can then wait forever: the page never loads and
// the run ends, minutes later, with the driver's "timed out receiving message from renderer". The library's glue
// imports three (js/main-thread.js and the two worklet files); this is the fourth.
export { fuzz } from "./fuzz.js";
export { createTap, collectTap, contextFrame } from "../../benches/browser/tap.js";
