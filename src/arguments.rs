//! The classes' method arguments as JavaScript passes them: any value at all. What was given is described in
//! words (without running any of the app's code: no `toString`, no getters), and a wrong one is an
//! [`ArgumentError`] naming the call, the parameter, what was given and what is expected:
//! `Speaker.speak(text): expected a string (the text to speak), got an object`.

use std::fmt;

/// What a JavaScript value is, for an error message.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// `undefined` (or nothing passed).
    Undefined,
    /// `null`.
    Null,
    /// A boolean.
    Boolean(bool),
    /// A number, as JavaScript writes it (`NaN`, `-Infinity`, `1e+300`).
    Number(String),
    /// A BigInt.
    BigInt,
    /// A string.
    String,
    /// A symbol.
    Symbol,
    /// A function (or class).
    Function,
    /// An array.
    Array,
    /// An `ArrayBuffer` or a typed array / DataView.
    Binary,
    /// Any other object.
    Object,
}

impl fmt::Display for Given {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Undefined => f.write_str("undefined"),
            Self::Null => f.write_str("null"),
            Self::Boolean(b) => write!(f, "a boolean ({b})"),
            Self::Number(n) => write!(f, "a number ({n})"),
            Self::BigInt => f.write_str("a BigInt"),
            Self::String => f.write_str("a string"),
            Self::Symbol => f.write_str("a symbol"),
            Self::Function => f.write_str("a function"),
            Self::Array => f.write_str("an array"),
            Self::Binary => f.write_str("binary data (an ArrayBuffer or a typed array)"),
            Self::Object => f.write_str("an object"),
        }
    }
}

/// A method argument of the wrong type, or outside what the parameter accepts.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgumentError {
    /// The class (`"Speaker"`).
    pub class: &'static str,
    /// The call with the parameter's name (`"speak(text)"`, `"set volume"`).
    pub call: &'static str,
    /// What the parameter accepts, in words (`"a string (the text to speak)"`).
    pub expected: &'static str,
    /// What was given.
    pub given: Given,
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}: expected {}, got {}",
            self.class, self.call, self.expected, self.given
        )
    }
}

impl std::error::Error for ArgumentError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn messages_name_the_call_the_value_and_what_to_pass() {
        let e = ArgumentError {
            class: "Speaker",
            call: "speak(text)",
            expected: "a string (the text to speak)",
            given: Given::Number("123".into()),
        };
        assert_eq!(
            e.to_string(),
            "Speaker.speak(text): expected a string (the text to speak), got a number (123)"
        );
        for (g, s) in [
            (Given::Undefined, "undefined"),
            (Given::Null, "null"),
            (Given::Boolean(false), "a boolean (false)"),
            (Given::Number("-Infinity".into()), "a number (-Infinity)"),
            (Given::BigInt, "a BigInt"),
            (Given::Symbol, "a symbol"),
            (Given::Function, "a function"),
            (Given::Array, "an array"),
            (Given::Object, "an object"),
        ] {
            assert_eq!(g.to_string(), s);
        }
    }
}
