//! The keyterm budget: at most [`MAX_KEYTERM_TOKENS`] tokens across all keyterms, for the `keyterm` query
//! parameters and for each `Configure` update (docs/keyterm "Key Term Limits"; changelog 2026-10-02).
//!
//! Owns the token count. Deepgram does not say how it counts tokens, so this server counts
//! whitespace-separated words (UNCONFIRMED; documented in README.md). It must not decide what happens
//! when the budget is exceeded: the query refuses with 400, a Configure stalls the stream.

/// Most tokens allowed across all keyterms of a stream.
pub const MAX_KEYTERM_TOKENS: usize = 500;

/// The documented error text for an over-limit keyterm list.
pub const LIMIT_MESSAGE: &str =
    "Keyterm limit exceeded. The maximum number of tokens across all keyterms is 500.";

/// Tokens in a list of keyterms: whitespace-separated words, summed.
pub fn token_count<'a, I>(keyterms: I) -> usize
where
    I: IntoIterator<Item = &'a str>,
{
    keyterms
        .into_iter()
        .map(|k| k.split_whitespace().count())
        .sum()
}

/// Whether the list fits the budget.
pub fn within_limit<'a, I>(keyterms: I) -> bool
where
    I: IntoIterator<Item = &'a str>,
{
    token_count(keyterms) <= MAX_KEYTERM_TOKENS
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn tokens_are_whitespace_separated_words_summed() {
        assert_eq!(
            token_count(["Deepgram", "customer  service", " a\tb c "]),
            6
        );
        assert_eq!(token_count(Vec::<&str>::new()), 0);
        assert_eq!(token_count([""]), 0);
    }

    #[test]
    fn five_hundred_tokens_fit_and_one_more_does_not() {
        let words = vec!["word"; MAX_KEYTERM_TOKENS];
        assert!(within_limit(words.iter().copied()));
        let one_term = words.join(" ") + " more";
        assert!(!within_limit([one_term.as_str()]));
    }
}
