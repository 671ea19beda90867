//! Reading a store: records, credits, renditions, uses and tokens, through a [`Reader`].
//!
//! A `Reader` is a cheap, cloneable handle on the index and the blobs that never waits for
//! the writer: `byline serve` answers reads on it while an upload holds the [`Library`]. It
//! sees every change once its journal commit has been applied to the index (sled applies a
//! batch as one transaction), never a half-applied one.

use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use crate::blob::BlobBackend;
use crate::config::Config;
use crate::credit::{self, CreditReport, Style};
use crate::db::{After, Query};
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::model::{Event, OutputFormat, Photo, Rendition, RenditionSpec, Token, Use};
use crate::records::{PhotoPages, Records, UsePages};
use crate::rendition;

#[cfg(doc)]
use super::Library;
use super::{ExportLine, Prepared, RenderedSet};

/// A read-only view of an open store (see the module docs); [`Library`] derefs to one.
#[derive(Clone)]
pub struct Reader {
    pub(super) db: Arc<dyn Records>,
    pub(super) blobs: Arc<dyn BlobBackend>,
    pub(super) config: Arc<Config>,
    pub(super) looks: Arc<LookCache>,
}

/// Originals' looks, which [`Reader::identify`] confirms candidates against. An original
/// never changes (its id is its hash), so a kept look is never stale; keeping them spares a
/// crawl decoding the same full-size original for every page that shows a copy of it. Shared
/// by every clone of a reader, bounded by [`LOOK_CACHE_BYTES`].
pub(super) type LookCache = quick_cache::sync::Cache<BlobId, Arc<rendition::Look>, LookWeight>;

/// What the looks kept by a reader may hold, in bytes: about 350 originals' looks.
const LOOK_CACHE_BYTES: u64 = 32 << 20;

/// Weighs a kept look by the memory it holds.
#[derive(Clone)]
pub(super) struct LookWeight;

impl quick_cache::Weighter<BlobId, Arc<rendition::Look>> for LookWeight {
    fn weight(&self, _: &BlobId, look: &Arc<rendition::Look>) -> u64 {
        look.heap_bytes() as u64 + 64
    }
}

/// An empty cache of originals' looks.
pub(super) fn look_cache() -> LookCache {
    LookCache::with_weighter(512, LOOK_CACHE_BYTES, LookWeight)
}

/// What `identify` found a file to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "match", rename_all = "snake_case")]
pub enum Identified {
    /// The exact bytes of a stored original.
    Original {
        /// The photo.
        photo: BlobId,
    },
    /// The exact bytes of a stored rendition.
    Rendition {
        /// The photo it was made from.
        photo: BlobId,
        /// The rendition.
        rendition: BlobId,
    },
    /// Not stored byte for byte, but the picture looks like these photos (closest first).
    Similar {
        /// `(photo, bits of 64 that differ)`, at most [`SIMILAR_BITS`] apart.
        candidates: Vec<(BlobId, u32)>,
    },
    /// Nothing stored looks like it.
    Unknown,
}

/// Fingerprints at most this many bits apart (of 64) make a photo a candidate. Resized,
/// re-encoded and grey copies land within about 4 of the whole picture's, standard crops and
/// trimmed edges within about 7 of the crop's; but low-contrast photos flip bits easily (up
/// to 25), and unrelated photos, near 32 on average, sometimes land within 12: so the net is
/// wide and a candidate must also pass [`RESEMBLES`].
pub const SIMILAR_BITS: u32 = 16;

/// The [`rendition::resemblance`] a candidate needs to be a match. Copies and standard crops
/// of a photo score above 0.95, unrelated photos below 0.25 (tuned on photos outside the
/// repository; `tests/matching.rs` measures held-back ones).
pub const RESEMBLES: f64 = 0.6;

/// Filters for [`Reader::uses`].
#[derive(Debug, Clone, Default)]
pub struct UseQuery {
    /// Only this photo's uses.
    pub photo: Option<BlobId>,
    /// Only this outlet's (case-insensitive).
    pub outlet: Option<String>,
    /// Only uses published at or after this moment.
    pub since: Option<Timestamp>,
}

impl Reader {
    /// The full id of the one photo whose id starts with `prefix` (≥ 6 hex characters).
    pub fn resolve(&self, prefix: &str) -> Result<BlobId> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.len() < 6 || p.len() > 64 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "'{prefix}' is not a photo id: give the full id or at least its first 6 hex \
                 characters"
            )));
        }
        if let Ok(id) = p.parse::<BlobId>() {
            // A full id needs one key lookup, not the prefix scan (two thirds of an HTTP
            // credit lookup's time over 100,000 photos when it scanned).
            return match self.db.has_photo(&id)? {
                true => Ok(id),
                false => Err(Error::NotFound(format!(
                    "no photo with id {p}; `byline list` shows the stored ones"
                ))),
            };
        }
        let found = self.db.ids_with_prefix(&p, 10)?;
        match found.as_slice() {
            [] => Err(Error::NotFound(format!(
                "no photo with id {p}; `byline list` shows the stored ones"
            ))),
            [one] => Ok(*one),
            many => Err(Error::Ambiguous {
                prefix: p,
                candidates: many.iter().map(BlobId::to_hex).collect(),
            }),
        }
    }

    /// Read a file for [`Library::add_prepared`]: its metadata, hash and, unless these bytes
    /// are already stored, its perceptual fingerprint (a decode: the costly part, skipped when
    /// a folder is added again). Needs no lock, so a batch (or the server's uploads) can
    /// prepare on several threads.
    ///
    /// # Errors
    /// The bytes are not an image ([`Error::UnsupportedFormat`]) or their image data is
    /// truncated ([`Error::InvalidInput`]).
    pub fn prepare(&self, bytes: &[u8]) -> Result<Prepared> {
        let id = BlobId::of(bytes);
        let known = self.db.has_photo(&id)?;
        super::write::prepare(bytes, id, !known)
    }

    /// As [`Reader::prepare`], keeping the bytes in the result for [`Library::add_owned`]:
    /// the file is hashed once in all, here.
    ///
    /// # Errors
    /// As [`Reader::prepare`].
    pub fn prepare_owned(&self, bytes: Vec<u8>) -> Result<Prepared> {
        let mut prepared = self.prepare(&bytes)?;
        prepared.owned = Some(bytes);
        Ok(prepared)
    }

    /// The spec a request names: a preset of the config, or a longest side (JPEG, quality 85),
    /// either with its format and quality overridden; checked against the decoder's limits.
    /// Returns the preset's name with it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unknown preset (naming the known ones), for both or
    /// neither of preset and size, or for a size or quality out of range.
    pub fn rendition_spec(
        &self,
        preset: Option<&str>,
        max_side: Option<u32>,
        format: Option<OutputFormat>,
        quality: Option<u8>,
    ) -> Result<(Option<String>, RenditionSpec)> {
        let (name, mut spec) = match (preset, max_side) {
            (Some(p), None) => {
                let spec = self.config.presets.get(p).copied().ok_or_else(|| {
                    let names: Vec<&str> = self.config.presets.keys().map(String::as_str).collect();
                    Error::InvalidInput(format!(
                        "no preset '{p}'; the store has {}",
                        names.join(", ")
                    ))
                })?;
                (Some(p.to_string()), spec)
            }
            (None, Some(side)) => (None, RenditionSpec::jpeg(side)),
            _ => {
                return Err(Error::InvalidInput(
                    "say what size: a preset name or a longest side, not both".into(),
                ));
            }
        };
        spec.format = format.unwrap_or(spec.format);
        spec.quality = quality.unwrap_or(spec.quality);
        spec.validate()?;
        Ok((name, spec))
    }

    /// Render every preset of the config for `photo` from one decode, without staging
    /// anything: the costly part of `add --renditions`, safe to run on other threads.
    ///
    /// # Errors
    /// The original cannot be decoded or is too large (see [`rendition::render_set`]).
    pub fn render_presets(&self, photo: &Photo, original: &[u8]) -> Result<RenderedSet> {
        let specs = self
            .config
            .presets
            .iter()
            .map(|(name, spec)| (Some(name.clone()), *spec))
            .collect();
        super::write::render_specs(photo, original, specs)
    }

    /// A photo's current record.
    pub fn photo(&self, id: &BlobId) -> Result<Photo> {
        self.db
            .photo(id)?
            .ok_or_else(|| Error::NotFound(format!("no photo with id {id}")))
    }

    /// A photo's events, oldest first.
    pub fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        self.db.history(id)
    }

    /// Photos matching a query, oldest first (by time added, then the order they were
    /// added in). Collects every match: for a store of any size, use [`Reader::pages`].
    pub fn list(&self, query: &Query) -> Result<Vec<Photo>> {
        self.db.pages(query, None)?.collect()
    }

    /// The photos of [`Reader::list`] one at a time, from just after `after`: the first page
    /// of a query costs the same on a store of any size (the index ranges of its filters are
    /// merged in order, never collected and sorted).
    pub fn pages(&self, query: &Query, after: Option<After>) -> Result<PhotoPages> {
        self.db.pages(query, after)
    }

    /// One page of [`Reader::list`]: at most `limit` photos after the one added at `after`'s
    /// time with its id. Only the records returned are read. A cursor is a photo's
    /// `(added_at in ns, id)`.
    pub fn page(&self, query: &Query, after: Option<After>, limit: usize) -> Result<Vec<Photo>> {
        self.db.pages(query, after)?.take(limit).collect()
    }

    /// Number of photos in the store.
    pub fn len(&self) -> Result<usize> {
        Ok(usize::try_from(self.db.len()?).unwrap_or(usize::MAX))
    }

    /// Whether the store holds no photos.
    pub fn is_empty(&self) -> Result<bool> {
        self.db.is_empty()
    }

    /// The store's configuration (`config.toml`).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A credit style by name: a built-in one, or an outlet's from the config.
    pub fn style(&self, name: &str) -> Result<Style> {
        credit::style(name, &self.config.outlets)
    }

    /// The credit a photo requires in a style, with parts, short form and `ImageObject`.
    pub fn credit(&self, id: &BlobId, style: &Style) -> Result<CreditReport> {
        Ok(credit::report(&self.photo(id)?.fields, style))
    }

    /// Recorded uses, oldest first. Collects every match: for a store of any size, use
    /// [`Reader::uses_from`].
    pub fn uses(&self, q: &UseQuery) -> Result<Vec<Use>> {
        self.uses_from(q, None)?.collect()
    }

    /// The uses of [`Reader::uses`] one at a time, from just after ledger number `after`
    /// (a page of uses starts where the last one ended). An outlet's uses are read from its
    /// own index, so a page of them costs the same however many others there are.
    pub fn uses_from(&self, q: &UseQuery, after: Option<u64>) -> Result<UsePages<'_>> {
        let since = q.since;
        let all = self.db.uses(q.photo.as_ref(), q.outlet.as_deref(), after)?;
        Ok(Box::new(all.filter(move |u| {
            u.as_ref()
                .map_or(true, |u| since.is_none_or(|s| u.published >= s))
        })))
    }

    /// A rendition by id.
    pub fn rendition(&self, id: &BlobId) -> Result<Rendition> {
        self.db
            .rendition(id)?
            .ok_or_else(|| Error::NotFound(format!("no rendition with id {id}")))
    }

    /// A photo's renditions.
    pub fn renditions(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        self.photo(photo)?;
        self.db.renditions_of(photo)
    }

    /// Which stored photo a file is: an exact original or rendition, else the photos whose
    /// perceptual fingerprint (of the whole picture or one of its standard crops) is within
    /// [`SIMILAR_BITS`] and whose picture the file resembles ([`RESEMBLES`]). A near-flat
    /// picture (placeholder, gradient) is never matched.
    pub fn identify(&self, bytes: &[u8]) -> Result<Identified> {
        let id = BlobId::of(bytes);
        let db = &self.db;
        if db.has_photo(&id)? {
            return Ok(Identified::Original { photo: id });
        }
        if let Some(r) = db.rendition(&id)? {
            return Ok(Identified::Rendition {
                photo: r.photo,
                rendition: id,
            });
        }
        let look = rendition::look(bytes)?;
        // A flat colour, a gradient or a lazy-load grey looks like nothing in particular.
        if look.is_flat() {
            return Ok(Identified::Unknown);
        }
        let mut candidates = Vec::new();
        for (photo, bits) in db.similar(look.fingerprint(), SIMILAR_BITS, 10)? {
            // The candidate's original, decoded small, confirms it (a blob gone missing or
            // that no longer decodes cannot; `verify` reports it).
            let original = self.looks.get_or_insert_with(&photo, || {
                let bytes = self.blobs.get(&photo)?;
                rendition::look(&bytes).map(Arc::new)
            });
            if original.is_ok_and(|o| rendition::resemblance(&look, &o) >= RESEMBLES) {
                candidates.push((photo, bits));
            }
        }
        Ok(if candidates.is_empty() {
            Identified::Unknown
        } else {
            Identified::Similar { candidates }
        })
    }

    /// Where a blob's file is, when the store keeps blobs as files.
    pub fn blob_path(&self, id: &BlobId) -> Option<std::path::PathBuf> {
        self.blobs.path(id)
    }

    /// The bytes of any stored blob (an original or a rendition).
    pub fn blob(&self, id: &BlobId) -> Result<Vec<u8>> {
        self.blobs.get(id)
    }

    /// Every live token (hashes only).
    pub fn tokens(&self) -> Result<Vec<Token>> {
        self.db.tokens()
    }

    /// The token a secret belongs to. Hashes are compared in constant time.
    pub fn check_token(&self, secret: &str) -> Result<Option<Token>> {
        let given = blake3::hash(secret.as_bytes());
        let mut found = None;
        for t in self.db.tokens()? {
            // blake3::Hash's equality is constant-time.
            if blake3::Hash::from_hex(&t.hash).is_ok_and(|h| h == given) {
                found = Some(t);
            }
        }
        Ok(found)
    }

    /// The style an outlet prints credits in: `style` when given; else the outlet's own from
    /// the config (names match case-insensitively); else a built-in style of that name (an
    /// outlet called "Sputnik" prints in the `sputnik` style); else `default`.
    pub fn style_for(&self, outlet: &str, style: Option<&Style>) -> Style {
        if let Some(s) = style {
            return s.clone();
        }
        let wanted = outlet.trim().to_lowercase();
        let configured = self
            .config
            .outlets
            .keys()
            .find(|k| k.to_lowercase() == wanted)
            .and_then(|k| self.style(k).ok());
        configured
            .or_else(|| credit::builtin(&wanted))
            .unwrap_or(Style::Default)
    }

    /// Every record with its history, for `byline export`, one at a time in list order
    /// (a store of any size exports in the memory of one record).
    pub fn export(&self) -> Result<impl Iterator<Item = Result<ExportLine>> + '_> {
        Ok(self.pages(&Query::default(), None)?.map(|photo| {
            let photo = photo?;
            let history = self.history(&photo.id)?;
            Ok(ExportLine { photo, history })
        }))
    }
}
