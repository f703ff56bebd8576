// Playback AudioWorklet processor of deepgram-live-wasm (being written).
export const PLAYBACK_PROCESSOR_NAME = "deepgram-live-playback";
export function playbackProcessorName() {
  return PLAYBACK_PROCESSOR_NAME;
}
