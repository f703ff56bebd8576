//! `pkg-template/index.d.ts` against the library: every option bag interface lists exactly the fields its
//! struct reads, and every class's event map exactly the events its table names. Declaring an option or an
//! event in one place and not the other fails here.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use deepgram_live_wasm::config::{
    names, ConnectionOptions, MicrophoneOptions, ReconnectOptions, SpeakerOwn, SpeakerSettings,
    TranscriberOwn, TranscriberSettings, VoiceSessionOwn,
};
use deepgram_live_wasm::events::{Event, SPEAKER_EVENTS, TRANSCRIBER_EVENTS, VOICE_SESSION_EVENTS};
use deepgram_live_wasm::protocol::{ListenOptions, SpeakOptions};
use serde::de::IgnoredAny;

const DTS: &str = include_str!("../pkg-template/index.d.ts");

/// The member names of `export interface NAME ... { ... }`, with the members of the interfaces it extends.
fn members(name: &str) -> BTreeSet<String> {
    let head = format!("export interface {name} ");
    let start = DTS
        .find(&head)
        .unwrap_or_else(|| panic!("index.d.ts has no interface {name}"));
    let rest = &DTS[start + head.len()..];
    let open = rest.find('{').unwrap();
    let mut out = BTreeSet::new();
    if let Some(parents) = rest[..open].trim().strip_prefix("extends ") {
        for parent in parents.split(',') {
            out.extend(members(parent.trim()));
        }
    }
    // Top-level members only: lines at depth 1 that look like `name?: type`.
    let mut depth = 0usize;
    let mut in_comment = false;
    for line in rest[open..].lines() {
        let t = line.trim();
        if t.starts_with("/*") {
            in_comment = !t.contains("*/");
            continue;
        }
        if in_comment {
            in_comment = !t.contains("*/");
            continue;
        }
        if depth == 1 {
            if let Some((key, _)) = t.split_once(':') {
                let key = key.trim_end_matches('?');
                if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.insert(key.to_owned());
                }
            }
        }
        depth += line.matches('{').count();
        depth = depth.saturating_sub(line.matches('}').count());
        if depth == 0 {
            break;
        }
    }
    out
}

fn set(parts: &[&[&'static str]]) -> BTreeSet<String> {
    parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|s| s.to_string())
        .collect()
}

fn events(table: &[Event]) -> BTreeSet<String> {
    table.iter().map(|e| e.name().to_owned()).collect()
}

#[test]
fn deepgram_option_interfaces_match_the_option_structs() {
    assert_eq!(members("ListenOptions"), set(&[ListenOptions::names()]));
    assert_eq!(members("SpeakOptions"), set(&[SpeakOptions::names()]));
}

#[test]
fn class_option_interfaces_match_the_bag_structs() {
    type J = IgnoredAny;
    assert_eq!(
        members("ConnectionOptions"),
        set(&[names::<ConnectionOptions>()])
    );
    assert_eq!(
        members("MicrophoneOptions"),
        set(&[names::<MicrophoneOptions>()])
    );
    assert_eq!(
        members("ReconnectOptions"),
        set(&[names::<ReconnectOptions>()])
    );
    assert_eq!(
        members("TranscriberSettings"),
        set(&[names::<TranscriberSettings>()])
    );
    assert_eq!(
        members("SpeakerSettings"),
        set(&[names::<SpeakerSettings<J>>()])
    );
    assert_eq!(
        members("TranscriberOptions"),
        set(&[
            names::<ConnectionOptions>(),
            names::<TranscriberSettings>(),
            names::<TranscriberOwn>()
        ])
    );
    assert_eq!(
        members("SpeakerOptions"),
        set(&[
            names::<ConnectionOptions>(),
            names::<SpeakerSettings<J>>(),
            names::<SpeakerOwn<J>>()
        ])
    );
    assert_eq!(
        members("VoiceSessionOptions"),
        set(&[
            names::<ConnectionOptions>(),
            names::<TranscriberSettings>(),
            names::<SpeakerSettings<J>>(),
            names::<VoiceSessionOwn<J>>()
        ])
    );
}

#[test]
fn event_maps_match_the_event_tables() {
    assert_eq!(members("TranscriberEvents"), events(TRANSCRIBER_EVENTS));
    assert_eq!(members("SpeakerEvents"), events(SPEAKER_EVENTS));
    // VoiceSessionEvents is the union of both maps in the declarations.
    let union: BTreeSet<String> = events(TRANSCRIBER_EVENTS)
        .union(&events(SPEAKER_EVENTS))
        .cloned()
        .collect();
    assert_eq!(union, events(VOICE_SESSION_EVENTS));
}

#[test]
fn the_parser_reads_what_it_should() {
    // A guard against the test passing vacuously: known members are found, inline object types are skipped.
    let t = members("TranscriberSettings");
    assert!(
        t.contains("keepAliveMs") && t.contains("reconnect"),
        "{t:?}"
    );
    assert!(!t.contains("attempts"), "{t:?}");
    assert!(members("ListenOptions").len() > 30);
}
