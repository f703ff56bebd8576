//! The sixteen DTMF keys and their ITU-T Q.23 frequency pairs, characters and spoken words.
//! It owns the naming of keys only: it must not synthesize or analyse audio.

/// The low-group (row) frequencies of ITU-T Q.23, in Hz, in row order.
pub const ROW_FREQUENCIES: [f32; 4] = [697.0, 770.0, 852.0, 941.0];

/// The high-group (column) frequencies of ITU-T Q.23, in Hz, in column order.
pub const COLUMN_FREQUENCIES: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// One key of the 4x4 DTMF keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Digit `0`.
    D0,
    /// Digit `1`.
    D1,
    /// Digit `2`.
    D2,
    /// Digit `3`.
    D3,
    /// Digit `4`.
    D4,
    /// Digit `5`.
    D5,
    /// Digit `6`.
    D6,
    /// Digit `7`.
    D7,
    /// Digit `8`.
    D8,
    /// Digit `9`.
    D9,
    /// The `*` key.
    Star,
    /// The `#` key.
    Pound,
    /// The `A` key (fourth column, first row).
    A,
    /// The `B` key (fourth column, second row).
    B,
    /// The `C` key (fourth column, third row).
    C,
    /// The `D` key (fourth column, fourth row).
    D,
}

/// Row-major keypad layout: `KEYPAD[row][column]`, the index order of the frequency tables.
const KEYPAD: [[Key; 4]; 4] = [
    [Key::D1, Key::D2, Key::D3, Key::A],
    [Key::D4, Key::D5, Key::D6, Key::B],
    [Key::D7, Key::D8, Key::D9, Key::C],
    [Key::Star, Key::D0, Key::Pound, Key::D],
];

impl Key {
    /// Every key, in the order `0`-`9`, `*`, `#`, `A`-`D`.
    pub const ALL: [Key; 16] = [
        Key::D0,
        Key::D1,
        Key::D2,
        Key::D3,
        Key::D4,
        Key::D5,
        Key::D6,
        Key::D7,
        Key::D8,
        Key::D9,
        Key::Star,
        Key::Pound,
        Key::A,
        Key::B,
        Key::C,
        Key::D,
    ];

    /// The key for a keypad character: `'0'..='9'`, `'*'`, `'#'`, `'A'..='D'` (lowercase accepted too).
    pub fn from_char(c: char) -> Option<Key> {
        Some(match c.to_ascii_uppercase() {
            '0' => Key::D0,
            '1' => Key::D1,
            '2' => Key::D2,
            '3' => Key::D3,
            '4' => Key::D4,
            '5' => Key::D5,
            '6' => Key::D6,
            '7' => Key::D7,
            '8' => Key::D8,
            '9' => Key::D9,
            '*' => Key::Star,
            '#' => Key::Pound,
            'A' => Key::A,
            'B' => Key::B,
            'C' => Key::C,
            'D' => Key::D,
            _ => return None,
        })
    }

    /// The keypad character of this key (`'A'..='D'` in uppercase).
    pub fn to_char(self) -> char {
        match self {
            Key::D0 => '0',
            Key::D1 => '1',
            Key::D2 => '2',
            Key::D3 => '3',
            Key::D4 => '4',
            Key::D5 => '5',
            Key::D6 => '6',
            Key::D7 => '7',
            Key::D8 => '8',
            Key::D9 => '9',
            Key::Star => '*',
            Key::Pound => '#',
            Key::A => 'A',
            Key::B => 'B',
            Key::C => 'C',
            Key::D => 'D',
        }
    }

    /// The lowercase word the fake speech engines use for this key: `"zero"`..`"nine"`, `"star"`,
    /// `"pound"`, `"a"`..`"d"`.
    pub fn word(self) -> &'static str {
        match self {
            Key::D0 => "zero",
            Key::D1 => "one",
            Key::D2 => "two",
            Key::D3 => "three",
            Key::D4 => "four",
            Key::D5 => "five",
            Key::D6 => "six",
            Key::D7 => "seven",
            Key::D8 => "eight",
            Key::D9 => "nine",
            Key::Star => "star",
            Key::Pound => "pound",
            Key::A => "a",
            Key::B => "b",
            Key::C => "c",
            Key::D => "d",
        }
    }

    /// The key whose [`Key::word`] is `w`, ignoring ASCII case; `None` for any other text
    /// (no trimming, no punctuation stripping: callers tokenize first).
    pub fn from_word(w: &str) -> Option<Key> {
        Key::ALL
            .iter()
            .copied()
            .find(|k| k.word().eq_ignore_ascii_case(w))
    }

    /// The keypad position `(row, column)`, both in `0..4`: the indexes into
    /// [`ROW_FREQUENCIES`] and [`COLUMN_FREQUENCIES`].
    pub fn position(self) -> (usize, usize) {
        match self {
            Key::D1 => (0, 0),
            Key::D2 => (0, 1),
            Key::D3 => (0, 2),
            Key::A => (0, 3),
            Key::D4 => (1, 0),
            Key::D5 => (1, 1),
            Key::D6 => (1, 2),
            Key::B => (1, 3),
            Key::D7 => (2, 0),
            Key::D8 => (2, 1),
            Key::D9 => (2, 2),
            Key::C => (2, 3),
            Key::Star => (3, 0),
            Key::D0 => (3, 1),
            Key::Pound => (3, 2),
            Key::D => (3, 3),
        }
    }

    /// The key at keypad position `(row, column)`; `None` when either index is not in `0..4`.
    pub fn from_position(row: usize, column: usize) -> Option<Key> {
        KEYPAD.get(row).and_then(|r| r.get(column)).copied()
    }

    /// The ITU-T Q.23 frequency pair in Hz: `(row, column)`, i.e. (low group, high group).
    pub fn frequencies(self) -> (f32, f32) {
        let (row, column) = self.position();
        // `position` only returns indexes below 4, so the fallbacks are unreachable.
        (
            ROW_FREQUENCIES.get(row).copied().unwrap_or(0.0),
            COLUMN_FREQUENCIES.get(column).copied().unwrap_or(0.0),
        )
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_char())
    }
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
    fn chars_round_trip_and_accept_lowercase() {
        for k in Key::ALL {
            assert_eq!(Key::from_char(k.to_char()), Some(k));
            assert_eq!(Key::from_char(k.to_char().to_ascii_lowercase()), Some(k));
        }
        for bad in ['E', 'x', ' ', '+', 'é', '\0'] {
            assert_eq!(Key::from_char(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn words_round_trip_case_insensitively_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for k in Key::ALL {
            assert!(seen.insert(k.word()), "duplicate word {}", k.word());
            assert_eq!(Key::from_word(k.word()), Some(k));
            assert_eq!(Key::from_word(&k.word().to_uppercase()), Some(k));
        }
        assert_eq!(Key::from_word("Seven"), Some(Key::D7));
        assert_eq!(Key::from_word(" seven"), None);
        assert_eq!(Key::from_word("hash"), None);
        assert_eq!(Key::from_word(""), None);
    }

    #[test]
    fn frequencies_follow_q23_keypad() {
        assert_eq!(Key::D1.frequencies(), (697.0, 1209.0));
        assert_eq!(Key::D5.frequencies(), (770.0, 1336.0));
        assert_eq!(Key::D9.frequencies(), (852.0, 1477.0));
        assert_eq!(Key::D0.frequencies(), (941.0, 1336.0));
        assert_eq!(Key::Star.frequencies(), (941.0, 1209.0));
        assert_eq!(Key::Pound.frequencies(), (941.0, 1477.0));
        assert_eq!(Key::A.frequencies(), (697.0, 1633.0));
        assert_eq!(Key::D.frequencies(), (941.0, 1633.0));
        let mut pairs: Vec<_> = Key::ALL
            .iter()
            .map(|k| {
                let (r, c) = k.frequencies();
                (r as u32, c as u32)
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), 16, "every key has its own pair");
    }

    #[test]
    fn positions_round_trip() {
        for k in Key::ALL {
            let (r, c) = k.position();
            assert_eq!(Key::from_position(r, c), Some(k));
        }
        assert_eq!(Key::from_position(4, 0), None);
        assert_eq!(Key::from_position(0, 4), None);
    }
}
