//! Nearest-name suggestions for misspelled option keys (`interim_result` → `interim_results`).
//!
//! Owns only the string distance and the "is it close enough to suggest" threshold; it never decides whether a
//! key is valid.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
///
/// Comparison ignores ASCII case and treats `-` as `_`, so `sampleRate` and `sample-rate` both find
/// `sample_rate`. The threshold grows with the name (a third of its length, between 1 and 3 edits), so short
/// unrelated names are not "suggested".
pub(crate) fn nearest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let needle = normalize(input);
    let mut best: Option<(usize, &'a str)> = None;
    for &candidate in candidates {
        let distance = distance(&needle, &normalize(candidate));
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, name) = best?;
    let longest = name.chars().count().max(needle.len());
    let limit = (longest / 3).clamp(1, 3);
    (distance <= limit).then_some(name)
}

/// The name as compared: lowercase ASCII, `-` and `_` dropped, as scalar values ready for [`distance`].
fn normalize(s: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if c != '-' && c != '_' {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    distance(&a, &b)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transposition, so `modle` is 1 from `model`),
/// over Unicode scalar values, three rows at a time.
fn distance(a: &[char], b: &[char]) -> usize {
    let mut before_prev: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(prev.len());
        row.push(i + 1);
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = row.get(j).map_or(usize::MAX, |d| d + 1);
            let mut best = substitute.min(delete).min(insert);
            let swapped = i > 0
                && j > 0
                && a.get(i - 1) == Some(&cb)
                && b.get(j - 1) == Some(&ca)
                && ca != cb;
            if swapped {
                if let Some(d) = before_prev.get(j - 1) {
                    best = best.min(d + 1);
                }
            }
            row.push(best);
        }
        before_prev = std::mem::replace(&mut prev, row);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &[
        "interim_results",
        "sample_rate",
        "model",
        "tag",
        "utterance_end_ms",
        "keyterm",
    ];

    #[test]
    fn distance_basics() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        assert_eq!(edit_distance("modle", "model"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn suggests_close_typos() {
        assert_eq!(nearest("interim_result", NAMES), Some("interim_results"));
        assert_eq!(nearest("sampleRate", NAMES), Some("sample_rate"));
        assert_eq!(nearest("sample-rate", NAMES), Some("sample_rate"));
        assert_eq!(nearest("modle", NAMES), Some("model"));
        assert_eq!(nearest("keyterms", NAMES), Some("keyterm"));
        assert_eq!(nearest("utteranceEndMs", NAMES), Some("utterance_end_ms"));
    }

    #[test]
    fn does_not_suggest_unrelated_names() {
        assert_eq!(nearest("xyz", NAMES), None);
        assert_eq!(nearest("completely_different", NAMES), None);
        assert_eq!(nearest("anything", &[]), None);
    }
}
