//! `BlobId`: the blake3 hash that names every original and rendition.
//!
//! Knows nothing about storage; it only hashes, prints and parses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// The blake3 hash of a blob's bytes; its lower-case hex form is the blob's name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId([u8; 32]);

impl BlobId {
    /// Hash `bytes`.
    pub fn of(bytes: &[u8]) -> BlobId {
        BlobId(*blake3::hash(bytes).as_bytes())
    }

    /// Wrap raw hash bytes (as stored in index keys).
    pub fn from_bytes(bytes: [u8; 32]) -> BlobId {
        BlobId(bytes)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The full 64-character lower-case hex name.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The first 12 hex characters, for tables.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(12);
        s
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobId({})", self.short())
    }
}

impl FromStr for BlobId {
    type Err = Error;

    fn from_str(s: &str) -> Result<BlobId> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(Error::InvalidInput(format!(
                "'{s}' is not a photo id: an id is 64 hex characters"
            )));
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = hex_value(pair[0]);
            let lo = hex_value(pair[1]);
            match (hi, lo) {
                (Some(h), Some(l)) => out[i] = (h << 4) | l,
                _ => {
                    return Err(Error::InvalidInput(format!(
                        "'{s}' is not a photo id: it has characters other than 0-9 and a-f"
                    )));
                }
            }
        }
        Ok(BlobId(out))
    }
}

/// Value of one ASCII hex digit, either case.
pub(crate) fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for BlobId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlobId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<BlobId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_hash_of_empty_input() {
        // blake3("") from the BLAKE3 reference test vectors.
        assert_eq!(
            BlobId::of(b"").to_string(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn rejects_bad_hex() {
        assert!("zz".parse::<BlobId>().is_err());
        assert!("g".repeat(64).parse::<BlobId>().is_err());
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
            let id = BlobId::from_bytes(bytes);
            prop_assert_eq!(id.to_string().parse::<BlobId>().ok(), Some(id));
            let upper = id.to_string().to_uppercase();
            prop_assert_eq!(upper.parse::<BlobId>().ok(), Some(id));
        }

        #[test]
        fn hex_order_is_byte_order(a in proptest::array::uniform32(any::<u8>()), b in proptest::array::uniform32(any::<u8>())) {
            let (x, y) = (BlobId::from_bytes(a), BlobId::from_bytes(b));
            prop_assert_eq!(x.cmp(&y), x.to_string().cmp(&y.to_string()));
        }
    }
}
