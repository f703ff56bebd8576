//! Zero loss across dropped connections, with the real stream code and a simulated recognizer and network
//! (`support/drops.rs`): every word exactly once, in order, at its time, however the drops fall.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/drops.rs"]
mod drops;

use drops::{run, Plan, Report};
use proptest::prelude::*;

fn assert_lossless(r: &Report) {
    assert_eq!(r.lost, 0, "{r:#?}");
    assert_eq!(r.duplicated, 0, "{r:#?}");
    assert_eq!(r.out_of_order, 0, "{r:#?}");
    assert!(r.max_time_error_ms <= 15.0, "{r:#?}");
    assert_eq!(
        r.bytes_delivered, r.bytes_total,
        "every audio byte reached a recognizer: {r:#?}"
    );
    assert_eq!(r.bytes_sent, r.bytes_accepted, "{r:#?}");
    assert_eq!((r.bytes_dropped, r.bytes_unreplayed), (0, 0), "{r:#?}");
    assert_eq!(r.reconnects, r.drops, "{r:#?}");
    assert!(
        r.metadata,
        "the last connection's Metadata and a normal close: {r:#?}"
    );
    assert!(r.warnings.is_empty(), "{r:#?}");
}

#[test]
fn a_hundred_drops_lose_and_double_no_word() {
    let r = run(Plan {
        seed: 20261204,
        words: 400,
        drops: 100,
        replay_cap_ms: 30_000,
    });
    assert_eq!(r.drops, 100, "{r:#?}");
    assert!(r.mid_word_drops >= 20, "drops fall mid-word too: {r:#?}");
    assert!(r.bytes_replayed > 0, "{r:#?}");
    assert_lossless(&r);
}

#[test]
fn without_replay_the_words_at_the_drops_are_lost() {
    // The baseline the replay is for: only audio never handed to the socket goes again.
    let r = run(Plan {
        seed: 20261204,
        words: 400,
        drops: 100,
        replay_cap_ms: 0,
    });
    assert!(r.lost > 0, "{r:#?}");
    assert!(r.bytes_delivered < r.bytes_total, "{r:#?}");
    assert_eq!(r.bytes_replayed, 0, "{r:#?}");
}

#[test]
fn a_replay_cap_smaller_than_a_segment_is_warned() {
    let r = run(Plan {
        seed: 7,
        words: 200,
        drops: 30,
        replay_cap_ms: 100,
    });
    assert!(r.bytes_unreplayed > 0, "{r:#?}");
    assert!(r.warnings.iter().any(|w| w == "replay_truncated"), "{r:#?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn random_drops_over_random_words_lose_nothing(seed in any::<u64>(), words in 1usize..80, drops in 0usize..25) {
        let r = run(Plan { seed, words, drops, replay_cap_ms: 30_000 });
        prop_assert_eq!(r.lost, 0, "{:#?}", r);
        prop_assert_eq!(r.duplicated, 0, "{:#?}", r);
        prop_assert_eq!(r.out_of_order, 0, "{:#?}", r);
        prop_assert!(r.max_time_error_ms <= 15.0, "{:#?}", r);
        prop_assert_eq!(r.bytes_delivered, r.bytes_total, "{:#?}", r);
        prop_assert_eq!(r.bytes_sent, r.bytes_accepted, "{:#?}", r);
        prop_assert!(r.metadata, "{:#?}", r);
    }
}
