//! The text edges of `speak()`: a JS string is UTF-16, and a chunk of an LLM stream may end between the two halves
//! of a surrogate pair (an emoji, a CJK extension character); [`SurrogateJoin`] keeps such a half until the next
//! chunk completes it.

/// Whether a UTF-16 code unit is the first half of a surrogate pair.
pub fn is_high_surrogate(unit: u16) -> bool {
    (0xD800..0xDC00).contains(&unit)
}

/// Whether a UTF-16 code unit is the second half of a surrogate pair.
pub fn is_low_surrogate(unit: u16) -> bool {
    (0xDC00..0xE000).contains(&unit)
}

/// Joins surrogate pairs split across `speak()` calls.
///
/// The browser hands a string to Rust as UTF-8, with each lone surrogate replaced by U+FFFD. A chunk whose last
/// code unit is a high surrogate therefore arrives ending in U+FFFD: that half is held back, and if the next chunk
/// starts with the matching low surrogate (arriving as a leading U+FFFD) the two make the character they were
/// meant to be. A lone surrogate anywhere else stays U+FFFD, as the browser's own encoders write it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SurrogateJoin {
    held: Option<u16>,
}

impl SurrogateJoin {
    /// The text of the next chunk: `text` as the browser converted it, with its first and last UTF-16 code units
    /// (`None` for an empty string). A held high surrogate that the chunk does not complete is written as U+FFFD.
    pub fn push(&mut self, text: String, first: Option<u16>, last: Option<u16>) -> String {
        let mut text = text;
        let mut out = String::new();
        if let Some(high) = self.held.take() {
            match first.filter(|&u| is_low_surrogate(u)) {
                Some(low) if text.starts_with('\u{FFFD}') => {
                    let c =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    text.drain(..'\u{FFFD}'.len_utf8());
                }
                _ => out.push('\u{FFFD}'),
            }
        }
        // A chunk of one high surrogate alone: first and last are the same unit, held once.
        if let Some(high) = last.filter(|&u| is_high_surrogate(u)) {
            if text.ends_with('\u{FFFD}') {
                text.truncate(text.len() - '\u{FFFD}'.len_utf8());
                self.held = Some(high);
            }
        }
        if out.is_empty() {
            text
        } else {
            out.push_str(&text);
            out
        }
    }

    /// Whether half a pair is held back.
    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Ends the text at a flush: whether half a pair was still held (it is dropped: it can never be completed,
    /// and the caller says so with a warning).
    pub fn finish(&mut self) -> bool {
        self.held.take().is_some()
    }

    /// Forgets what is held (a `clear()` discards queued text).
    pub fn reset(&mut self) {
        self.held = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the browser hands Rust for a UTF-16 string (lone surrogates as U+FFFD), with its edge units.
    fn chunk(units: &[u16]) -> (String, Option<u16>, Option<u16>) {
        (
            String::from_utf16_lossy(units),
            units.first().copied(),
            units.last().copied(),
        )
    }

    fn push(j: &mut SurrogateJoin, units: &[u16]) -> String {
        let (t, f, l) = chunk(units);
        j.push(t, f, l)
    }

    #[test]
    fn a_pair_split_across_chunks_is_joined() {
        let smile: Vec<u16> = "a😀b".encode_utf16().collect();
        let mut j = SurrogateJoin::default();
        assert_eq!(push(&mut j, &smile[..2]), "a");
        assert!(j.is_holding());
        assert_eq!(push(&mut j, &smile[2..]), "😀b");
        assert!(!j.is_holding());
    }

    #[test]
    fn a_chunk_of_one_high_surrogate_is_held_and_completed() {
        let smile: Vec<u16> = "😀".encode_utf16().collect();
        let mut j = SurrogateJoin::default();
        assert_eq!(push(&mut j, &smile[..1]), "");
        assert_eq!(push(&mut j, &smile[1..]), "😀");
    }

    #[test]
    fn lone_surrogates_elsewhere_stay_replacement_characters() {
        let mut j = SurrogateJoin::default();
        // A low surrogate with nothing held, and a high one in the middle.
        assert_eq!(
            push(&mut j, &[0xDC00, 0x61, 0xD800, 0x62]),
            "\u{FFFD}a\u{FFFD}b"
        );
        // A held half the next chunk does not complete.
        assert_eq!(push(&mut j, &[0x61, 0xD83D]), "a");
        assert_eq!(push(&mut j, &[0x62]), "\u{FFFD}b");
        // A real U+FFFD at the end of a chunk is not a held half.
        assert_eq!(push(&mut j, &[0x61, 0xFFFD]), "a\u{FFFD}");
        assert!(!j.is_holding());
    }

    #[test]
    fn a_held_half_is_dropped_at_flush_or_by_clear() {
        let mut j = SurrogateJoin::default();
        assert_eq!(push(&mut j, &[0x61, 0xD83D]), "a");
        assert!(j.finish());
        assert!(!j.finish());
        assert_eq!(push(&mut j, &[0xD83D]), "");
        j.reset();
        assert_eq!(push(&mut j, &[0xDE00]), "\u{FFFD}");
        assert_eq!(push(&mut j, &[]), "");
    }
}
