//! Keeps received audio aligned to whole samples: a frame that ends in the middle of a sample leaves the dangling
//! byte(s) here, to be prefixed to the next frame.
//!
//! Owns only the alignment. It does not decode or resample; for 1-byte encodings (μ-law, A-law) it passes bytes
//! through untouched.

/// Sample-alignment carry for a stream of byte frames.
#[derive(Debug, Clone)]
pub struct PcmCarry {
    sample_bytes: usize,
    carry: Vec<u8>,
}

impl PcmCarry {
    /// A carry for samples of `sample_bytes` bytes (2 for PCM16; 0 or 1 = no alignment).
    pub fn new(sample_bytes: usize) -> Self {
        Self {
            sample_bytes,
            carry: Vec::new(),
        }
    }

    /// The whole samples available after appending `bytes` to the carried bytes; the remainder is kept.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<u8> {
        if self.sample_bytes <= 1 {
            return bytes.to_vec();
        }
        let mut out = Vec::with_capacity(self.carry.len() + bytes.len());
        out.append(&mut self.carry);
        out.extend_from_slice(bytes);
        let whole = out.len() - out.len() % self.sample_bytes;
        self.carry = out.split_off(whole);
        out
    }

    /// Bytes currently carried (less than one sample).
    pub fn pending(&self) -> usize {
        self.carry.len()
    }

    /// Drops the carried bytes (after a Clear, the next audio starts a new stream); returns how many.
    pub fn reset(&mut self) -> usize {
        let n = self.carry.len();
        self.carry.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_byte_is_carried_over() {
        let mut c = PcmCarry::new(2);
        assert_eq!(c.push(&[1, 2, 3]), vec![1, 2]);
        assert_eq!(c.pending(), 1);
        assert_eq!(c.push(&[4, 5, 6, 7]), vec![3, 4, 5, 6]);
        assert_eq!(c.push(&[8]), vec![7, 8]);
        assert_eq!(c.push(&[9]), Vec::<u8>::new());
        assert_eq!(c.reset(), 1);
        assert_eq!(c.push(&[10, 11]), vec![10, 11]);
    }

    #[test]
    fn one_byte_samples_pass_through() {
        let mut c = PcmCarry::new(1);
        assert_eq!(c.push(&[1, 2, 3]), vec![1, 2, 3]);
        assert_eq!(c.pending(), 0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            fn output_is_aligned_and_lossless(frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..9), 0..20), width in 1usize..5) {
                let mut c = PcmCarry::new(width);
                let mut out = Vec::new();
                for f in &frames {
                    let chunk = c.push(f);
                    prop_assert_eq!(chunk.len() % width, 0);
                    out.extend(chunk);
                }
                let input: Vec<u8> = frames.concat();
                prop_assert_eq!(out.len() + c.pending(), input.len());
                prop_assert_eq!(&input[..out.len()], &out[..]);
                prop_assert!(c.pending() < width.max(1));
            }
        }
    }
}
