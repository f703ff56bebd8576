//! Where in a bag a value failed to read (`options.keyterm[1]`), recorded by the adapters that already walk the
//! bag's keys and list items ([`super::fields`], [`super::values`]).
//!
//! A stack of segments: a segment is pushed before a value is read and popped when it read; when it fails, the
//! stack is left as it was, so it holds the path of the failing value when the error reaches [`take`]. One
//! stack per thread (a wasm module has one), and every access tolerates a re-entrant read (a JavaScript getter
//! constructing another bag): at worst that path is wrong, never a panic.

use std::cell::RefCell;

enum Segment {
    Key(String),
    Index(usize),
}

thread_local! {
    static PATH: RefCell<Vec<Segment>> = const { RefCell::new(Vec::new()) };
}

fn with(f: impl FnOnce(&mut Vec<Segment>)) {
    PATH.with(|p| {
        if let Ok(mut p) = p.try_borrow_mut() {
            f(&mut p);
        }
    });
}

/// A new read starts: the path is the bag itself.
pub(crate) fn start() {
    with(Vec::clear);
}

/// Reading the value of `key`.
pub(crate) fn enter_key(key: &str) {
    with(|p| p.push(Segment::Key(key.to_owned())));
}

/// Reading list item `index`.
pub(crate) fn enter_index(index: usize) {
    with(|p| p.push(Segment::Index(index)));
}

/// The value read.
pub(crate) fn leave() {
    with(|p| {
        p.pop();
    });
}

/// Reads `f` as the value at the segment `enter` pushed: the segment is popped only when it succeeds.
pub(crate) fn within<T, E>(enter: impl FnOnce(), f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    enter();
    let r = f();
    if r.is_ok() {
        leave();
    }
    r
}

/// The path of the value that failed (`""` for the bag itself), and a fresh start.
pub(crate) fn take() -> String {
    let mut out = String::new();
    with(|p| {
        for s in p.drain(..) {
            match s {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&k);
                }
                Segment::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
    });
    out
}
