// Where the AudioWorklet modules live: beside this file. The literal `new URL('./x.js', import.meta.url)` form is
// what bundlers (Vite, webpack 5, esbuild, Parcel) recognise and rewrite, so the worklets ship as real files and
// load under a `script-src 'self'` Content-Security-Policy (no blob:, no data:). `?no-inline` stops Vite from
// inlining these small files as data: URLs (its 4 KB asset limit), which such a policy would block; servers and
// other bundlers ignore the query.
export function captureProcessorUrl() {
  return new URL("./capture-processor.js?no-inline", import.meta.url).href;
}
export function playbackProcessorUrl() {
  return new URL("./playback-processor.js?no-inline", import.meta.url).href;
}
