//! Splits text for `Speak` messages into pieces of at most N characters, preferring sentence ends, then
//! whitespace, then any character boundary.
//!
//! Owns the cut rule only. Pieces concatenate back to the input exactly (no character added or lost) and a cut is
//! never inside a UTF-8 character. Length is counted in Unicode scalar values.

/// Deepgram's documented text limit (a REST limit; UNCONFIRMED for the WebSocket, applied to be safe).
pub const MAX_SPEAK_CHARS: usize = 2000;

fn ends_sentence(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

/// CJK full-width terminators end a sentence without a following space.
fn ends_sentence_without_space(c: char) -> bool {
    matches!(c, '。' | '！' | '？')
}

/// Splits `text` into pieces of at most `max_chars` characters (`max_chars` 0 is treated as 1), in order.
///
/// A cut goes, by preference: after the last sentence end (`. ! ? …` followed by whitespace; the whitespace
/// stays with the earlier piece) in the window; else after the last whitespace; else at the window's end.
/// Empty text gives no pieces.
pub fn split_for_speak(text: &str, max_chars: usize) -> Vec<&str> {
    let max = max_chars.max(1);
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let cut = cut_point(rest, max);
        match rest.split_at_checked(cut) {
            Some((head, tail)) if !head.is_empty() => {
                pieces.push(head);
                rest = tail;
            }
            _ => {
                pieces.push(rest);
                break;
            }
        }
    }
    pieces
}

/// Byte index where the first piece of `text` ends.
fn cut_point(text: &str, max: usize) -> usize {
    let mut sentence_cut = None;
    let mut space_cut = None;
    let mut prev: Option<char> = None;
    for (count, (i, c)) in text.char_indices().enumerate() {
        if count == max {
            // `c` would be character max+1: the piece ends at `i` at the latest.
            if c.is_whitespace() {
                if prev.is_some_and(ends_sentence) {
                    sentence_cut = Some(i);
                }
                space_cut = Some(i);
            }
            return sentence_cut.or(space_cut).unwrap_or(i);
        }
        let after = i + c.len_utf8();
        if c.is_whitespace() {
            if prev.is_some_and(ends_sentence) {
                sentence_cut = Some(after);
            }
            space_cut = Some(after);
        } else if ends_sentence_without_space(c) {
            sentence_cut = Some(after);
        }
        prev = Some(c);
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_one_piece() {
        assert_eq!(split_for_speak("Hello there.", 2000), vec!["Hello there."]);
        assert!(split_for_speak("", 2000).is_empty());
    }

    #[test]
    fn prefers_sentence_ends() {
        let text = "One two. Three four five! Six seven eight nine ten";
        assert_eq!(
            split_for_speak(text, 30),
            vec!["One two. Three four five! ", "Six seven eight nine ten"]
        );
        assert_eq!(
            split_for_speak("Wait… what? Yes.", 12),
            vec!["Wait… what? ", "Yes."]
        );
    }

    #[test]
    fn falls_back_to_whitespace_then_chars() {
        assert_eq!(
            split_for_speak("aaaa bbbb cccc", 11),
            vec!["aaaa bbbb ", "cccc"]
        );
        assert_eq!(split_for_speak("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(split_for_speak("éééééé", 4), vec!["éééé", "éé"]);
        assert_eq!(
            split_for_speak("日本語です。次の文", 6),
            vec!["日本語です。", "次の文"]
        );
    }

    #[test]
    fn sentence_end_exactly_at_the_limit() {
        // "abc." is 4 chars; the space after it is char 5.
        assert_eq!(split_for_speak("abc. def", 4), vec!["abc.", " def"]);
    }

    #[test]
    fn long_text_at_2000() {
        let sentence = "This is a sentence of some length. ";
        let text = sentence.repeat(200);
        let pieces = split_for_speak(&text, MAX_SPEAK_CHARS);
        assert!(pieces.len() >= 4);
        for p in &pieces[..pieces.len() - 1] {
            assert!(p.ends_with(". "), "{p:?}");
            assert!(p.chars().count() <= MAX_SPEAK_CHARS);
        }
        assert_eq!(pieces.concat(), text);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn pieces_are_bounded_non_empty_and_lossless(text in "[a-z .!?…é😀\n]{0,300}", max in 1usize..50) {
                let pieces = split_for_speak(&text, max);
                for p in &pieces {
                    prop_assert!(!p.is_empty());
                    prop_assert!(p.chars().count() <= max);
                }
                prop_assert_eq!(pieces.concat(), text);
            }
        }
    }
}
