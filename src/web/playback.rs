//! The playback AudioWorklet node: posts [`PlayoutCommand`]s to `js/playback-processor.js` and turns its messages
//! into [`WorkletReport`]s. Output: worklet → GainNode (volume) → the destination (the context's speakers, or an
//! app-supplied node).

use std::rc::Rc;

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;
use web_sys::{
    AudioContext, AudioNode, AudioWorkletNode, AudioWorkletNodeOptions, GainNode, MessageEvent,
    MessagePort,
};

use super::audio_context::{describe, failed};
use super::listener::EventListener;
use super::worklet::{ensure_loaded, Processor};
use super::{get_field, set_field};
use crate::audio::{PlayoutCommand, WorkletReport};
use crate::config::WorkletSource;

/// Sizes of the worklet's ring, in samples at the context rate.
#[derive(Debug, Clone, Copy)]
pub struct PlaybackParams {
    /// Ring capacity.
    pub capacity: u32,
    /// Samples buffered before playback starts (and restarts after an underrun).
    pub pre_roll: u32,
    /// Length of the fade on clear and on underrun.
    pub fade: u32,
    /// Samples between progress reports.
    pub report_every: u32,
}

/// A running playback node; dropping it stops the processor and disconnects the graph.
#[derive(Debug)]
#[must_use = "playback stops when dropped"]
pub struct PlaybackNode {
    node: AudioWorkletNode,
    gain: GainNode,
    port: MessagePort,
    _listener: EventListener,
    /// The context's sample rate.
    pub sample_rate: u32,
}

fn field(data: &JsValue, key: &str) -> f64 {
    get_field(data, key).as_f64().unwrap_or(0.0)
}

fn count(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        v as u64
    } else {
        0
    }
}

fn index(v: f64) -> u32 {
    if v.is_finite() && v >= 0.0 {
        v as u32
    } else {
        0
    }
}

/// Reads one message of the processor.
fn parse_report(data: &JsValue) -> Option<WorkletReport> {
    let t = get_field(data, "t").as_string()?;
    let f = |k: &str| field(data, k);
    Some(match t.as_str() {
        "p" => WorkletReport::Progress {
            buffered: count(f("b")),
            received: count(f("r")),
            played: count(f("p")),
            dropped: count(f("x")),
        },
        "s" => WorkletReport::Started {
            segment: index(f("k")),
            frame: f("f"),
        },
        "e" => WorkletReport::Ended {
            segment: index(f("k")),
            played: count(f("n")),
            frame: f("f"),
        },
        "c" => {
            let k = f("k");
            WorkletReport::Cleared {
                generation: index(f("g")),
                segment: (k >= 0.0).then(|| index(k)),
                played: count(f("n")),
                frame: f("f"),
                discarded: count(f("d")),
            }
        }
        "u" => WorkletReport::Underrun {
            segment: index(f("k")),
            frame: f("f"),
        },
        _ => return None,
    })
}

impl PlaybackNode {
    /// Loads the processor, builds worklet → gain → `destination` (default: the speakers) and calls `on_report`
    /// for every message of the processor.
    pub async fn start(
        ctx: &AudioContext,
        destination: Option<&AudioNode>,
        params: PlaybackParams,
        volume: f32,
        worklet: &WorkletSource,
        on_report: Rc<dyn Fn(WorkletReport)>,
    ) -> Result<PlaybackNode, String> {
        ensure_loaded(ctx, Processor::Playback, worklet)
            .await
            .map_err(|e| failed("could not load the playback worklet", &e))?;
        let sample_rate = ctx.sample_rate().round() as u32;
        let opts = AudioWorkletNodeOptions::new();
        opts.set_number_of_inputs(0);
        opts.set_number_of_outputs(1);
        opts.set_output_channel_count(&Array::of1(&1.into()));
        let po = Object::new();
        let set = |k: &str, v: u32| set_field(&po, k, v.into());
        set("capacity", params.capacity);
        set("preRoll", params.pre_roll);
        set("fade", params.fade);
        set("reportEvery", params.report_every);
        opts.set_processor_options(Some(&po));
        let node = AudioWorkletNode::new_with_options(ctx, &Processor::Playback.name(), &opts)
            .map_err(|e| failed("could not create the playback node", &e))?;
        let gain = ctx
            .create_gain()
            .map_err(|e| failed("could not create a GainNode", &e))?;
        gain.gain().set_value(volume);
        let port = node
            .port()
            .map_err(|e| failed("playback node has no port", &e))?;
        let listener = EventListener::new(&port, "message", move |e| {
            let Some(e) = e.dyn_ref::<MessageEvent>() else {
                return;
            };
            if let Some(report) = parse_report(&e.data()) {
                on_report(report);
            }
        })
        .map_err(|e| failed("could not listen to the playback node", &e))?;
        port.start();
        node.connect_with_audio_node(&gain)
            .map_err(|e| failed("could not connect the playback node", &e))?;
        let out: AudioNode = match destination {
            Some(d) => d.clone(),
            None => ctx.destination().into(),
        };
        gain.connect_with_audio_node(&out).map_err(|e| {
            format!(
                "could not connect to the destination node: {} (it must belong to the same AudioContext)",
                describe(&e)
            )
        })?;
        Ok(PlaybackNode {
            node,
            gain,
            port,
            _listener: listener,
            sample_rate,
        })
    }

    /// Posts one command to the processor (a block's buffer is transferred, not copied).
    pub fn post(&self, command: PlayoutCommand) -> Result<(), JsValue> {
        let msg = Object::new();
        let set = |k: &str, v: JsValue| set_field(&msg, k, v);
        match command {
            PlayoutCommand::Block {
                samples,
                generation,
                segment,
            } => {
                let array = Float32Array::new_with_length(samples.len() as u32);
                array.copy_from(&samples);
                let buffer = array.buffer();
                set("t", "a".into());
                set("s", array.into());
                set("g", generation.into());
                set("k", segment.into());
                self.port
                    .post_message_with_transferable(&msg, &Array::of1(&buffer))
            }
            PlayoutCommand::End {
                generation,
                segment,
            } => {
                set("t", "e".into());
                set("g", generation.into());
                set("k", segment.into());
                self.port.post_message(&msg)
            }
            PlayoutCommand::Clear { generation } => {
                set("t", "c".into());
                set("g", generation.into());
                self.port.post_message(&msg)
            }
        }
    }

    /// Output gain (1 = as received).
    pub fn set_volume(&self, volume: f32) {
        self.gain.gain().set_value(volume);
    }

    /// The last node of the chain (the GainNode), e.g. to route playback elsewhere as well.
    pub fn output(&self) -> &GainNode {
        &self.gain
    }
}

impl Drop for PlaybackNode {
    fn drop(&mut self) {
        let msg = Object::new();
        set_field(&msg, "t", "x".into());
        let _ = self.port.post_message(&msg);
        self.port.close();
        let _ = self.node.disconnect();
        let _ = self.gain.disconnect();
    }
}
