//! Microphone (or app-supplied stream/node) → capture AudioWorklet → 20 ms planar frames on the main thread.

use std::rc::Rc;

use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AudioContext, AudioNode, AudioWorkletNode, AudioWorkletNodeOptions, ChannelCountMode,
    MediaStream, MediaStreamConstraints, MediaStreamTrack, MessageEvent,
};

use super::audio_context::failed;
use super::listener::EventListener;
use super::worklet::{ensure_loaded, Processor};
use super::{get_field, set_field};
use crate::config::{Microphone, WorkletSource};

/// Where captured audio comes from.
pub enum CaptureSource {
    /// `getUserMedia({audio: constraints})`; the tracks are ours and stopped on drop.
    Microphone(Microphone),
    /// An app-supplied stream (its tracks are the app's: not stopped).
    Stream(MediaStream),
    /// An app-supplied node (e.g. a test signal or another graph), connected into the capture node.
    Node(AudioNode),
}

/// One captured frame as the worklet posted it.
pub struct CapturedFrame<'a> {
    /// Planar samples: channel 0's `frame_samples`, then channel 1's...
    pub samples: &'a Float32Array,
    /// The context frame (sample index) just after the frame's last sample.
    pub end_frame: f64,
    /// Wall-clock time (`Date.now()`, ms) when the worklet posted the frame.
    pub posted_ms: f64,
}

/// A running capture graph; dropping it disconnects the nodes, stops our tracks and removes the listener.
#[derive(Debug)]
#[must_use = "capture stops (and the microphone is released) when dropped"]
pub struct Capture {
    node: AudioWorkletNode,
    source: Option<AudioNode>,
    own_stream: Option<MediaStream>,
    _listener: EventListener,
    /// The context's sample rate (the device rate).
    pub sample_rate: u32,
    /// Samples per channel in one frame.
    pub frame_samples: u32,
    /// The capture device's label, when known.
    pub track_label: String,
}

impl Capture {
    /// Builds the graph on `ctx` and calls `on_frame` for every frame.
    pub async fn start(
        ctx: &AudioContext,
        source: CaptureSource,
        frame_ms: u32,
        channels: u32,
        worklet: &WorkletSource,
        on_frame: Rc<dyn Fn(CapturedFrame<'_>)>,
    ) -> Result<Capture, String> {
        ensure_loaded(ctx, Processor::Capture, worklet)
            .await
            .map_err(|e| failed("could not load the capture worklet", &e))?;
        let sample_rate = ctx.sample_rate().round() as u32;
        let frame_samples = (u64::from(sample_rate) * u64::from(frame_ms) / 1000).max(128) as u32;

        let (source_node, own_stream, track_label) = match source {
            CaptureSource::Microphone(c) => {
                let stream = get_user_media(&c).await?;
                let label = first_track(&stream).map(|t| t.label()).unwrap_or_default();
                let node: AudioNode = ctx
                    .create_media_stream_source(&stream)
                    .map_err(|e| failed("could not use the microphone stream", &e))?
                    .into();
                (node, Some(stream), label)
            }
            CaptureSource::Stream(stream) => {
                let label = first_track(&stream).map(|t| t.label()).unwrap_or_default();
                let node: AudioNode = ctx
                    .create_media_stream_source(&stream)
                    .map_err(|e| failed("stream: not usable as an audio source", &e))?
                    .into();
                (node, None, label)
            }
            CaptureSource::Node(node) => (node, None, String::new()),
        };

        let opts = AudioWorkletNodeOptions::new();
        opts.set_number_of_inputs(1);
        opts.set_number_of_outputs(0);
        opts.set_channel_count(channels.max(1));
        // The graph up- or down-mixes whatever the source has to exactly `channels`.
        opts.set_channel_count_mode(ChannelCountMode::Explicit);
        let po = Object::new();
        set_field(&po, "frameSamples", frame_samples.into());
        set_field(&po, "channels", channels.max(1).into());
        opts.set_processor_options(Some(&po));
        let node = AudioWorkletNode::new_with_options(ctx, &Processor::Capture.name(), &opts)
            .map_err(|e| failed("could not create the capture node", &e))?;

        let port = node
            .port()
            .map_err(|e| failed("capture node has no port", &e))?;
        let reply_port = port.clone();
        let listener = EventListener::new(&port, "message", move |e| {
            let Some(e) = e.dyn_ref::<MessageEvent>() else {
                return;
            };
            let data = e.data();
            let Ok(samples) = get_field(&data, "samples").dyn_into::<Float32Array>() else {
                return;
            };
            let end_frame = get_field(&data, "endFrame").as_f64().unwrap_or(0.0);
            let posted_ms = get_field(&data, "t").as_f64().unwrap_or(f64::NAN);
            on_frame(CapturedFrame {
                samples: &samples,
                end_frame,
                posted_ms,
            });
            // Hand the buffer back to the worklet's pool (transferred, not copied).
            let transfer = js_sys::Array::of1(&samples.buffer());
            let _ = reply_port.post_message_with_transferable(&samples, &transfer);
        })
        .map_err(|e| failed("could not listen to the capture node", &e))?;
        port.start();

        source_node
            .connect_with_audio_node(&node)
            .map_err(|e| failed("could not connect the source", &e))?;

        Ok(Capture {
            node,
            source: Some(source_node),
            own_stream,
            _listener: listener,
            sample_rate,
            frame_samples,
            track_label,
        })
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if let Some(src) = self.source.take() {
            let _ = src.disconnect_with_audio_node(&self.node);
        }
        if let Ok(port) = self.node.port() {
            let msg = Object::new();
            set_field(&msg, "type", "stop".into());
            let _ = port.post_message(&msg);
            port.close();
        }
        let _ = self.node.disconnect();
        if let Some(stream) = self.own_stream.take() {
            for t in stream.get_tracks().iter() {
                if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                    t.stop();
                }
            }
        }
    }
}

impl Capture {
    /// Whether the microphone track we opened has ended (device removed, permission revoked).
    pub fn track_ended(&self) -> bool {
        self.own_stream
            .as_ref()
            .and_then(first_track)
            .is_some_and(|t| t.ready_state() == web_sys::MediaStreamTrackState::Ended)
    }
}

fn first_track(stream: &MediaStream) -> Option<MediaStreamTrack> {
    stream
        .get_audio_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .ok()
}

async fn get_user_media(c: &Microphone) -> Result<MediaStream, String> {
    let media = web_sys::window()
        .ok_or("no window: capture needs a page")?
        .navigator()
        .media_devices()
        .map_err(|_| "navigator.mediaDevices is missing: the page must be served over https or from localhost".to_string())?;
    let audio = Object::new();
    set_field(&audio, "echoCancellation", c.echo_cancellation.into());
    set_field(&audio, "noiseSuppression", c.noise_suppression.into());
    set_field(&audio, "autoGainControl", c.auto_gain_control.into());
    if let Some(id) = &c.device_id {
        let exact = Object::new();
        set_field(&exact, "exact", JsValue::from_str(id));
        set_field(&audio, "deviceId", exact.into());
    }
    let constraints = MediaStreamConstraints::new();
    constraints.set_audio(&audio);
    let promise = media
        .get_user_media_with_constraints(&constraints)
        .map_err(|e| failed("getUserMedia failed", &e))?;
    let stream = JsFuture::from(promise).await.map_err(|e| {
        let name = get_field(&e, "name").as_string().unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" => "microphone permission was denied: allow microphone access for this page".to_string(),
            "NotFoundError" => "no microphone found (or microphone.deviceId matches no device)".to_string(),
            "NotReadableError" => "the microphone is in use by another application or could not be opened".to_string(),
            "OverconstrainedError" => "microphone.deviceId matches no device: pick one from navigator.mediaDevices.enumerateDevices()".to_string(),
            _ => failed("getUserMedia failed", &e),
        }
    })?;
    stream
        .dyn_into::<MediaStream>()
        .map_err(|_| "getUserMedia returned no MediaStream".to_string())
}
