//! The `Library` facade: the one place that coordinates blobs, the journal and the index.
//!
//! Every change is an event: blobs are made durable first, then the event is appended to the
//! journal and fsynced, and only then applied to the index. So the journal never names a blob
//! that is not on disk, and the index can always be rebuilt from the journal. The library
//! never reads the clock or the environment: `now` and the actor are passed in.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::audit::{self, AuditReport};
use crate::blob::{BlobBackend, FsBackend, Put};
use crate::config::{Config, DEFAULT_TOML};
use crate::credit::{self, CreditReport, Style};
use crate::db::{Db, Query};
use crate::edit;
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::journal::Journal;
use crate::lock::StoreLock;
use crate::meta;
use crate::model::{
    Change, Event, FieldChange, Original, Photo, Rendition, RenditionSpec, Status, Token,
    TokenAccess, Use,
};
use crate::rendition;
use crate::terms;

/// Whether a store is opened to change it or only to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Shared with other readers; fails while a writer holds the store.
    Read,
    /// Exclusive; fails while anyone else holds the store.
    Write,
}

/// The outcome of adding one file.
#[derive(Debug, Clone)]
pub enum Added {
    /// A new photo; its record as it will be stored once the batch commits.
    New(Box<Photo>),
    /// These bytes are already stored under this id.
    Duplicate(BlobId),
}

/// One line of `byline export`: a record with its whole history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportLine {
    /// The current record.
    pub photo: Photo,
    /// Every event that shaped it, oldest first.
    pub history: Vec<Event>,
}

/// What `import` did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct ImportSummary {
    /// Photos added from the file.
    pub imported: usize,
    /// Photos already in the store, left as they are.
    pub already_present: usize,
    /// Imported records whose original is not in this store's blobs.
    pub without_original: Vec<BlobId>,
}

/// What `verify` found; everything empty means the store is sound.
#[derive(Debug, Default, Clone, Serialize)]
pub struct VerifyReport {
    /// Blobs checked by re-hashing.
    pub blobs_checked: usize,
    /// Records checked against the journal.
    pub records_checked: usize,
    /// Blobs whose bytes do not hash to their name.
    pub corrupt_blobs: Vec<BlobId>,
    /// Records whose original blob is missing.
    pub missing_originals: Vec<BlobId>,
    /// Renditions whose blob is missing.
    pub missing_renditions: Vec<BlobId>,
    /// Blobs no record refers to.
    pub orphan_blobs: Vec<BlobId>,
    /// Files in the blob folder that are not blobs (leftover temp files, strays).
    pub stray_files: Vec<String>,
    /// Records where the index differs from a replay of the journal.
    pub index_mismatches: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.corrupt_blobs.is_empty()
            && self.missing_originals.is_empty()
            && self.missing_renditions.is_empty()
            && self.orphan_blobs.is_empty()
            && self.stray_files.is_empty()
            && self.index_mismatches.is_empty()
    }
}

/// An open store.
pub struct Library {
    root: PathBuf,
    blobs: Box<dyn BlobBackend>,
    db: Option<Db>,
    journal: Journal,
    pending: Vec<Event>,
    pending_ids: HashSet<BlobId>,
    warnings: Vec<String>,
    config: Config,
    lock: StoreLock,
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

/// Fingerprints at most this many bits apart (of 64) are taken as the same picture. Resized
/// and re-encoded copies land within about 4; light crops within about 10; unrelated photos
/// sit near 32.
pub const SIMILAR_BITS: u32 = 12;

/// A publication to record in the ledger (`byline use`).
#[derive(Debug, Clone, Default)]
pub struct NewUse {
    /// Who published it.
    pub outlet: String,
    /// Where.
    pub url: String,
    /// When.
    pub published: Option<Timestamp>,
    /// The credit as printed; `None` when printed without one.
    pub printed_credit: Option<String>,
    /// The caption as printed.
    pub printed_caption: Option<String>,
    /// ISO country code of the territory.
    pub territory: Option<String>,
    /// Commercial rather than editorial use.
    pub commercial: bool,
    /// The rendition published, when known.
    pub rendition: Option<BlobId>,
}

/// Filters for [`Library::uses`].
#[derive(Debug, Clone, Default)]
pub struct UseQuery {
    /// Only this photo's uses.
    pub photo: Option<BlobId>,
    /// Only this outlet's (case-insensitive).
    pub outlet: Option<String>,
    /// Only uses published at or after this moment.
    pub since: Option<Timestamp>,
}

impl Library {
    /// Open the store at `root` with blobs on disk under `root/blobs`. A writer creates the
    /// store on first use; `holder` names the process for "store in use" messages.
    pub fn open(root: &Path, access: Access, holder: &str) -> Result<Library> {
        let fs = || {
            FsBackend::open(root.join("blobs"), root.join("incoming"))
                .map(|b| Box::new(b) as Box<dyn BlobBackend>)
        };
        if access == Access::Read && FsBackend::has_staged(&root.join("incoming")) {
            // A writer crashed mid-batch. Settle its staged blobs now if nobody else holds the
            // store (opening as a writer recovers); otherwise read as things are.
            match Library::open_inner(root, Access::Write, holder, fs) {
                Ok(lib) => drop(lib),
                Err(Error::Locked { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Library::open_inner(root, access, holder, fs)
    }

    /// Open the store at `root` with another blob backend (e.g. `MemBackend` in tests).
    pub fn open_with_blobs(
        root: &Path,
        access: Access,
        holder: &str,
        blobs: Box<dyn BlobBackend>,
    ) -> Result<Library> {
        Library::open_inner(root, access, holder, move || Ok(blobs))
    }

    fn open_inner(
        root: &Path,
        access: Access,
        holder: &str,
        blobs: impl FnOnce() -> Result<Box<dyn BlobBackend>>,
    ) -> Result<Library> {
        let writable = access == Access::Write;
        if writable {
            fs::create_dir_all(root).at(root)?;
        } else if !root.join("journal.jsonl").is_file() {
            return Err(Error::NotFound(format!(
                "no store at {}: add photos first (byline add PATH)",
                root.display()
            )));
        }
        let lock = StoreLock::acquire(root, writable, holder)?;
        let config_path = root.join("config.toml");
        if writable && !config_path.exists() {
            fs::write(&config_path, DEFAULT_TOML).at(&config_path)?;
        }
        let config = match fs::read_to_string(&config_path) {
            Ok(text) => Config::parse(&text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(Error::io(config_path, e)),
        };
        let blobs = blobs()?;
        let journal = Journal::open(root.join("journal.jsonl"), writable)?;
        let mut lib = Library {
            root: root.to_path_buf(),
            blobs,
            db: None,
            journal,
            pending: Vec::new(),
            pending_ids: HashSet::new(),
            warnings: Vec::new(),
            config,
            lock,
        };
        lib.open_index()?;
        if writable {
            lib.recover_blobs()?;
        }
        Ok(lib)
    }

    /// Publish blobs a crashed writer staged and journalled; delete the ones it never
    /// journalled (they were never reported as stored).
    fn recover_blobs(&mut self) -> Result<()> {
        let db = self.db()?;
        let known = |id: &BlobId| {
            db.photo(id).ok().flatten().is_some() || db.rendition(id).ok().flatten().is_some()
        };
        let (published, discarded) = self.blobs.recover(&known)?;
        if published + discarded > 0 {
            self.warnings.push(format!(
                "an interrupted write was settled: {published} journalled blobs put in place, \
                 {discarded} unjournalled staged files removed"
            ));
        }
        Ok(())
    }

    fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Open sled and catch it up with the journal, rebuilding it if it is unreadable or does
    /// not fit the journal.
    fn open_index(&mut self) -> Result<()> {
        let db = match open_db_waiting(&self.index_dir()) {
            Ok(db) => db,
            Err(e @ Error::Locked { .. }) => return Err(e),
            Err(e) => {
                self.warnings.push(format!(
                    "index unreadable ({e}); rebuilding it from the journal"
                ));
                return self.rebuild_index();
            }
        };
        let (seq, offset) = db.applied()?;
        self.db = Some(db);
        match self.journal.read_from(offset, seq + 1) {
            Ok(tail) => {
                self.warnings.extend(tail.warnings);
                self.apply_to_index(&tail.events)
            }
            Err(Error::Corrupt(why)) if seq > 0 => {
                self.warnings.push(format!(
                    "index does not fit the journal ({why}); rebuilding it from the journal"
                ));
                self.rebuild_index()
            }
            Err(e) => Err(e),
        }
    }

    /// Throw the index away and replay the whole journal (`byline reindex`).
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.db = None;
        let dir = self.index_dir();
        if dir.exists() {
            fs::remove_dir_all(&dir).at(&dir)?;
        }
        self.db = Some(open_db_waiting(&dir)?);
        let tail = self.journal.read_from(0, 1)?;
        self.warnings.extend(tail.warnings);
        self.apply_to_index(&tail.events)?;
        self.db()?.flush()
    }

    fn db(&self) -> Result<&Db> {
        self.db
            .as_ref()
            .ok_or_else(|| Error::Db("the index is not open".into()))
    }

    /// Apply journalled events to the index, a few thousand per sled transaction.
    fn apply_to_index(&self, events: &[(u64, Event)]) -> Result<()> {
        let db = self.db()?;
        for chunk in events.chunks(4096) {
            db.apply(chunk, &edit::apply)?;
        }
        Ok(())
    }

    /// Warnings gathered while opening (a torn journal record dropped, an index rebuilt).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The store's directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn require_writer(&self) -> Result<()> {
        if self.lock.is_exclusive() {
            Ok(())
        } else {
            Err(Error::InvalidInput("the store was opened read-only".into()))
        }
    }

    fn next_seq(&self) -> u64 {
        self.journal.last_seq() + self.pending.len() as u64 + 1
    }

    /// Stage a new photo: its blob is written (and fsynced) now; its event is journalled by
    /// the next [`Library::commit`]. `edits` override what the file says, as `(field, value)`.
    /// The same as [`Library::prepare`] followed by [`Library::add_prepared`].
    ///
    /// # Errors
    /// The bytes are not an image ([`Error::UnsupportedFormat`]) or are damaged
    /// ([`Error::InvalidInput`]); nothing is stored then.
    pub fn add(
        &mut self,
        bytes: &[u8],
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Added> {
        self.add_prepared(self.prepare(bytes)?, bytes, edits, by, now)
    }

    /// Read a file for [`Library::add_prepared`]: its metadata, hash and, unless these bytes
    /// are already stored, its perceptual fingerprint (a decode: the costly part, skipped when
    /// a folder is added again). Takes `&self`, so a batch can prepare on several threads.
    ///
    /// # Errors
    /// The bytes are not an image ([`Error::UnsupportedFormat`]) or their image data is
    /// truncated ([`Error::InvalidInput`]).
    pub fn prepare(&self, bytes: &[u8]) -> Result<Prepared> {
        let id = BlobId::of(bytes);
        let known = self.pending_ids.contains(&id) || self.db()?.photo(&id)?.is_some();
        prepare(bytes, id, !known)
    }

    /// Stage a photo whose metadata and fingerprint [`Library::prepare`] already read (on another
    /// thread, for a batch). `bytes` are the same bytes `prepare` was given.
    pub fn add_prepared(
        &mut self,
        prepared: Prepared,
        bytes: &[u8],
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Added> {
        self.require_writer()?;
        let Prepared {
            id,
            extracted,
            format,
            fingerprint,
        } = prepared;
        if id != BlobId::of(bytes) {
            return Err(Error::InvalidInput(
                "the bytes are not the ones that were prepared".into(),
            ));
        }
        if self.pending_ids.contains(&id) || self.db()?.photo(&id)?.is_some() {
            // Bytes already known: make sure the blob itself is sound (repairs a torn one).
            self.blobs.stage(bytes)?;
            return Ok(Added::Duplicate(id));
        }
        let mut photo = Photo {
            id,
            original: Original {
                bytes: bytes.len() as u64,
                format,
                width: extracted.width,
                height: extracted.height,
                orientation: extracted.orientation,
                fingerprint,
            },
            fields: extracted.fields,
            rights: extracted.rights,
            status: Status::Incomplete,
            missing: Vec::new(),
            added_at: now,
            revision: 1,
            sources: extracted.sources,
            warnings: extracted.warnings,
        };
        for (field, _, _) in edit::set(&mut photo, edits)? {
            photo.sources.insert(field, "flag".into());
        }
        derive_fields(&mut photo, now);
        let (_, put) = self.blobs.stage(bytes)?;
        if put == Put::Repaired {
            self.warnings.push(format!(
                "blob {id} was damaged on disk and has been repaired"
            ));
        }
        let event = Event {
            seq: self.next_seq(),
            at: now,
            by: by.to_string(),
            change: Change::PhotoAdded {
                photo: Box::new(photo.clone()),
            },
        };
        self.pending.push(event);
        self.pending_ids.insert(id);
        Ok(Added::New(Box::new(photo)))
    }

    /// Make every staged change durable: make staged blobs durable, append the events to the
    /// journal with one fsync (the commit point), update the index, then move the blobs into
    /// place. Only after this returns may a change be reported as saved.
    pub fn commit(&mut self) -> Result<()> {
        self.blobs.prepare()?;
        let events = std::mem::take(&mut self.pending);
        self.pending_ids.clear();
        if !events.is_empty() {
            let ends = self.journal.append(&events)?;
            let applied: Vec<(u64, Event)> = ends.into_iter().zip(events).collect();
            self.apply_to_index(&applied)?;
        }
        self.blobs.publish()
    }

    /// Edit fields of a photo, journalled as one event. Returns the new record, or `None` when
    /// nothing changed.
    pub fn edit(
        &mut self,
        id: &BlobId,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Option<Photo>> {
        self.require_writer()?;
        let mut photo = self.photo(id)?;
        let changed = edit::set(&mut photo, edits)?;
        if changed.is_empty() {
            return Ok(None);
        }
        let event = Event {
            seq: self.next_seq(),
            at: now,
            by: by.to_string(),
            change: Change::FieldsEdited {
                id: *id,
                changes: changed
                    .into_iter()
                    .map(|(field, old, new)| FieldChange { field, old, new })
                    .collect(),
            },
        };
        self.pending.push(event);
        self.commit()?;
        self.photo(id).map(Some)
    }

    /// The full id of the one photo whose id starts with `prefix` (≥ 6 hex characters).
    pub fn resolve(&self, prefix: &str) -> Result<BlobId> {
        let p = prefix.trim().to_ascii_lowercase();
        if p.len() < 6 || p.len() > 64 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(Error::InvalidInput(format!(
                "'{prefix}' is not a photo id: give the full id or at least its first 6 hex \
                 characters"
            )));
        }
        let found = self.db()?.ids_with_prefix(&p, 10)?;
        match found.as_slice() {
            [] => Err(Error::NotFound(format!("no photo with id {p}"))),
            [one] => Ok(*one),
            many => Err(Error::Ambiguous {
                prefix: p,
                candidates: many.iter().map(BlobId::to_hex).collect(),
            }),
        }
    }

    /// A photo's current record.
    pub fn photo(&self, id: &BlobId) -> Result<Photo> {
        self.db()?
            .photo(id)?
            .ok_or_else(|| Error::NotFound(format!("no photo with id {id}")))
    }

    /// A photo's events, oldest first.
    pub fn history(&self, id: &BlobId) -> Result<Vec<Event>> {
        self.db()?.history(id)
    }

    /// Photos matching a query, oldest first.
    pub fn list(&self, query: &Query) -> Result<Vec<Photo>> {
        let mut photos = self.db()?.list(query)?;
        photos.sort_by_key(|p| (p.added_at, p.id));
        Ok(photos)
    }

    /// Number of photos in the store.
    pub fn len(&self) -> Result<usize> {
        Ok(self.db()?.len())
    }

    /// Whether the store holds no photos.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.db()?.is_empty())
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

    /// Record a published use of a photo in the ledger.
    pub fn record_use(
        &mut self,
        photo: &BlobId,
        new: NewUse,
        by: &str,
        now: Timestamp,
    ) -> Result<Use> {
        self.require_writer()?;
        self.photo(photo)?;
        if new.outlet.trim().is_empty() || new.url.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a use needs an outlet and a URL".into(),
            ));
        }
        if let Some(rid) = &new.rendition {
            match self.db()?.rendition(rid)? {
                Some(r) if r.photo == *photo => {}
                Some(_) => {
                    return Err(Error::InvalidInput(format!(
                        "rendition {rid} is not a rendition of photo {photo}"
                    )));
                }
                None => return Err(Error::NotFound(format!("no rendition with id {rid}"))),
            }
        }
        let seq = self.next_seq();
        let usage = Use {
            id: seq,
            photo: *photo,
            outlet: new.outlet.trim().to_string(),
            url: new.url.trim().to_string(),
            published: new.published.unwrap_or(now),
            printed_credit: new.printed_credit.filter(|c| !c.trim().is_empty()),
            printed_caption: new.printed_caption.filter(|c| !c.trim().is_empty()),
            territory: new.territory.map(|t| t.trim().to_ascii_uppercase()),
            commercial: new.commercial,
            rendition: new.rendition,
        };
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::UseRecorded {
                usage: usage.clone(),
            },
        });
        self.commit()?;
        Ok(usage)
    }

    /// Recorded uses, oldest first.
    pub fn uses(&self, q: &UseQuery) -> Result<Vec<Use>> {
        let outlet = q.outlet.as_deref().map(str::to_lowercase);
        Ok(self
            .db()?
            .uses(q.photo.as_ref())?
            .into_iter()
            .filter(|u| {
                outlet
                    .as_ref()
                    .is_none_or(|o| u.outlet.to_lowercase() == *o)
            })
            .filter(|u| q.since.is_none_or(|s| u.published >= s))
            .collect())
    }

    /// A rendition by id.
    pub fn rendition(&self, id: &BlobId) -> Result<Rendition> {
        self.db()?
            .rendition(id)?
            .ok_or_else(|| Error::NotFound(format!("no rendition with id {id}")))
    }

    /// A photo's renditions.
    pub fn renditions(&self, photo: &BlobId) -> Result<Vec<Rendition>> {
        self.photo(photo)?;
        self.db()?.renditions_of(photo)
    }

    /// The rendition of a photo for `spec`, made now or found: a rendition already made with
    /// the same spec from the photo's current revision (so carrying its current credit) is
    /// returned as it is. Returns the rendition and whether it already existed.
    pub fn render(
        &mut self,
        photo: &BlobId,
        spec: RenditionSpec,
        preset: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<(Rendition, bool)> {
        self.require_writer()?;
        let record = self.photo(photo)?;
        if let Some(r) = self
            .db()?
            .renditions_of(photo)?
            .into_iter()
            .find(|r| r.spec == spec && r.revision == record.revision)
        {
            return Ok((r, true));
        }
        let original = self.blobs.get(photo)?;
        let made = self.stage_renditions(&record, &original, &[(preset, spec)], by, now)?;
        self.commit()?;
        made.into_iter()
            .next()
            .map(|r| (r, false))
            .ok_or_else(|| Error::Image("no rendition was produced".into()))
    }

    /// Render every preset of the config from one decode and stage them (blobs and events)
    /// for the next [`Library::commit`]; used by `add --renditions`.
    pub fn stage_presets(
        &mut self,
        photo: &Photo,
        original: &[u8],
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        let presets: Vec<(Option<String>, RenditionSpec)> = self
            .config
            .presets
            .iter()
            .map(|(name, spec)| (Some(name.clone()), *spec))
            .collect();
        let specs: Vec<(Option<&str>, RenditionSpec)> =
            presets.iter().map(|(n, s)| (n.as_deref(), *s)).collect();
        self.stage_renditions(photo, original, &specs, by, now)
    }

    fn stage_renditions(
        &mut self,
        photo: &Photo,
        original: &[u8],
        specs: &[(Option<&str>, RenditionSpec)],
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        self.require_writer()?;
        let only_specs: Vec<RenditionSpec> = specs.iter().map(|(_, s)| *s).collect();
        let rendered = rendition::render_set(original, &only_specs, &photo.fields)?;
        let mut out = Vec::with_capacity(rendered.len());
        for ((preset, spec), r) in specs.iter().zip(rendered) {
            let (id, _) = self.blobs.stage(&r.bytes)?;
            let rendition = Rendition {
                id,
                photo: photo.id,
                preset: preset.map(String::from),
                spec: *spec,
                width: r.width,
                height: r.height,
                bytes: r.bytes.len() as u64,
                revision: photo.revision,
                partial: r.partial,
            };
            self.warnings.extend(
                r.warnings
                    .into_iter()
                    .map(|w| format!("rendition of {}: {w}", photo.id.short())),
            );
            let seq = self.next_seq();
            self.pending.push(Event {
                seq,
                at: now,
                by: by.to_string(),
                change: Change::RenditionMade {
                    rendition: rendition.clone(),
                },
            });
            out.push(rendition);
        }
        Ok(out)
    }

    /// Which stored photo a file is: an exact original or rendition, else the photos whose
    /// perceptual fingerprint is within [`SIMILAR_BITS`].
    pub fn identify(&self, bytes: &[u8]) -> Result<Identified> {
        let id = BlobId::of(bytes);
        let db = self.db()?;
        if db.photo(&id)?.is_some() {
            return Ok(Identified::Original { photo: id });
        }
        if let Some(r) = db.rendition(&id)? {
            return Ok(Identified::Rendition {
                photo: r.photo,
                rendition: id,
            });
        }
        let fp = rendition::fingerprint(bytes)?;
        let mut candidates: Vec<(BlobId, u32)> = db
            .fingerprints()?
            .into_iter()
            .map(|(other, photo)| (photo, rendition::distance(fp, other)))
            .filter(|(_, d)| *d <= SIMILAR_BITS)
            .collect();
        candidates.sort_by_key(|(photo, d)| (*d, *photo));
        candidates.truncate(10);
        Ok(if candidates.is_empty() {
            Identified::Unknown
        } else {
            Identified::Similar { candidates }
        })
    }

    /// The bytes of any stored blob (an original or a rendition).
    pub fn blob(&self, id: &BlobId) -> Result<Vec<u8>> {
        self.blobs.get(id)
    }

    /// Create an API token from a secret the caller generated; only its hash is stored.
    pub fn create_token(
        &mut self,
        name: &str,
        secret: &str,
        access: TokenAccess,
        by: &str,
        now: Timestamp,
    ) -> Result<Token> {
        self.require_writer()?;
        let name = name.trim();
        if name.is_empty() || self.db()?.tokens()?.iter().any(|t| t.name == name) {
            return Err(Error::InvalidInput(format!(
                "a token needs a new, non-empty name; '{name}' is taken or empty"
            )));
        }
        let hash = blake3::hash(secret.as_bytes()).to_hex().to_string();
        let seq = self.next_seq();
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::TokenCreated {
                name: name.to_string(),
                hash: hash.clone(),
                access,
            },
        });
        self.commit()?;
        Ok(Token {
            name: name.to_string(),
            hash,
            access,
            created: now,
        })
    }

    /// Revoke a token by name.
    pub fn revoke_token(&mut self, name: &str, by: &str, now: Timestamp) -> Result<()> {
        self.require_writer()?;
        if !self.db()?.tokens()?.iter().any(|t| t.name == name) {
            return Err(Error::NotFound(format!("no token named '{name}'")));
        }
        let seq = self.next_seq();
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::TokenRevoked {
                name: name.to_string(),
            },
        });
        self.commit()
    }

    /// Every live token (hashes only).
    pub fn tokens(&self) -> Result<Vec<Token>> {
        self.db()?.tokens()
    }

    /// The token a secret belongs to. Hashes are compared in constant time.
    pub fn check_token(&self, secret: &str) -> Result<Option<Token>> {
        let given = blake3::hash(secret.as_bytes());
        let mut found = None;
        for t in self.db()?.tokens()? {
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

    /// Audit every recorded use (optionally of one outlet, since a date) and every photo
    /// concerned (all photos when no filter is given).
    pub fn audit(
        &self,
        outlet: Option<&str>,
        since: Option<Timestamp>,
        style: Option<&Style>,
        now: Timestamp,
    ) -> Result<AuditReport> {
        let mut uses = self.uses(&UseQuery {
            photo: None,
            outlet: outlet.map(String::from),
            since,
        })?;
        // A use recorded again for the same photo, outlet and URL (the page was corrected)
        // supersedes the earlier record: only the latest is audited.
        let mut latest: BTreeMap<(BlobId, String, String), u64> = BTreeMap::new();
        for u in &uses {
            latest.insert((u.photo, u.outlet.to_lowercase(), u.url.clone()), u.id);
        }
        uses.retain(|u| {
            latest.get(&(u.photo, u.outlet.to_lowercase(), u.url.clone())) == Some(&u.id)
        });
        let mut findings = Vec::new();
        let mut photos: BTreeMap<BlobId, Photo> = BTreeMap::new();
        for u in &uses {
            let photo = match photos.entry(u.photo) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(self.photo(&u.photo)?),
            };
            findings.extend(audit::check_use(
                photo,
                u,
                &self.style_for(&u.outlet, style),
            ));
        }
        if outlet.is_none() && since.is_none() {
            for p in self.db()?.all() {
                let p = p?;
                photos.entry(p.id).or_insert(p);
            }
        }
        for p in photos.values() {
            findings.extend(audit::check_photo(p));
        }
        Ok(AuditReport::new(
            now,
            outlet.map(String::from),
            since,
            photos.len(),
            uses.len(),
            findings,
        ))
    }

    /// Audit published pages (HTML or scraped text) against `style`: find each stored photo
    /// on the page — by an original or rendition id in an image URL or `data-byline-id`, else
    /// by its caption — and check the credit printed with it. Images that match nothing are
    /// listed as unknown. `pages` are `(name, text)`; the name is reported as the URL.
    pub fn audit_pages(
        &self,
        pages: &[(String, String)],
        outlet: Option<&str>,
        style: &Style,
        now: Timestamp,
    ) -> Result<AuditReport> {
        let mut findings = Vec::new();
        let mut checked = 0;
        let mut photos: BTreeMap<BlobId, Photo> = BTreeMap::new();
        for (name, text) in pages {
            let page = crate::article::read(text);
            let mut found: Vec<(Photo, Option<String>, String)> = Vec::new();
            match page.format {
                crate::article::PageFormat::Html => {
                    for fig in &page.figures {
                        let what = fig
                            .img_src
                            .clone()
                            .or_else(|| fig.caption.clone())
                            .unwrap_or_else(|| "an image".into());
                        match self.photo_on_page(fig)? {
                            Some(p) => found.push((p, fig.credit.clone(), what)),
                            None => {
                                let mut f = audit::finding(
                                    audit::Kind::UnknownImage,
                                    None,
                                    format!("no stored photo matches {what}"),
                                );
                                f.url = Some(name.clone());
                                f.outlet = outlet.map(String::from);
                                findings.push(f);
                            }
                        }
                    }
                }
                crate::article::PageFormat::Text => {
                    let plain = crate::article::PlainText::new(&page.text);
                    for p in self.db()?.all() {
                        let p = p?;
                        let Some(caption) = p.fields.caption.clone() else {
                            continue;
                        };
                        if let Some(hit) = plain.find(&caption) {
                            found.push((p, hit.credit, hit.printed_caption));
                        }
                    }
                }
            }
            for (photo, credit, what) in found {
                checked += 1;
                for mut f in audit::check_credit(&photo, credit.as_deref(), style) {
                    f.url = Some(name.clone());
                    f.outlet = outlet.map(String::from);
                    f.message = format!("{} (on {name}: {})", f.message, snippet(&what));
                    findings.push(f);
                }
                photos.entry(photo.id).or_insert(photo);
            }
        }
        for p in photos.values() {
            findings.extend(audit::check_photo(p));
        }
        Ok(AuditReport::new(
            now,
            outlet.map(String::from),
            None,
            photos.len(),
            checked,
            findings,
        ))
    }

    /// The stored photo a page figure shows: by id (original or rendition, full or a prefix of
    /// at least 12 hex digits), else by the best caption (or alt text) match.
    fn photo_on_page(&self, fig: &crate::article::Figure) -> Result<Option<Photo>> {
        let db = self.db()?;
        for id in &fig.ids {
            if let [one] = db.ids_with_prefix(id, 2)?.as_slice() {
                return self.photo(one).map(Some);
            }
            if let [r] = db.renditions_with_prefix(id, 2)?.as_slice() {
                return self.photo(&r.photo).map(Some);
            }
        }
        let Some(printed) = fig.caption.as_deref().or(fig.alt.as_deref()) else {
            return Ok(None);
        };
        let words: Vec<String> = crate::db::words(printed)
            .into_iter()
            .filter(|w| w.chars().count() >= 4)
            .collect();
        let mut best: Option<(f32, BlobId)> = None;
        for (id, _) in db.photos_sharing_words(&words)?.into_iter().take(50) {
            let Some(p) = db.photo(&id)? else { continue };
            let Some(stored) = p.fields.caption.as_deref() else {
                continue;
            };
            let score = crate::article::caption_similarity(printed, stored);
            if score >= crate::article::CAPTION_THRESHOLD && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, id));
            }
        }
        match best {
            Some((_, id)) => self.photo(&id).map(Some),
            None => Ok(None),
        }
    }

    /// The original bytes of a photo.
    pub fn original(&self, id: &BlobId) -> Result<Vec<u8>> {
        self.blobs.get(id)
    }

    /// Every record with its history, for `byline export`.
    pub fn export(&self) -> Result<Vec<ExportLine>> {
        let mut out = Vec::new();
        for photo in self.list(&Query::default())? {
            let history = self.history(&photo.id)?;
            out.push(ExportLine { photo, history });
        }
        Ok(out)
    }

    /// Add records from an export. Photos already present are left alone, so importing the
    /// same file twice changes nothing. Events keep their original time and actor.
    pub fn import(&mut self, lines: Vec<ExportLine>) -> Result<ImportSummary> {
        self.require_writer()?;
        let mut summary = ImportSummary::default();
        for line in lines {
            let id = line.photo.id;
            if self.pending_ids.contains(&id) || self.db()?.photo(&id)?.is_some() {
                summary.already_present += 1;
                continue;
            }
            // Replay the exported history to prove it yields the exported record.
            let mut state = None;
            for e in &line.history {
                if e.change.photo_id() != Some(id) {
                    return Err(Error::InvalidInput(format!(
                        "export line for {id} has an event (seq {}) for something else",
                        e.seq
                    )));
                }
                state = edit::apply(state, e)?;
            }
            if state.as_ref() != Some(&line.photo) {
                return Err(Error::InvalidInput(format!(
                    "export line for {id}: its history does not lead to its record"
                )));
            }
            for mut e in line.history {
                let seq = self.next_seq();
                // A use's ledger number is the sequence number of the event recording it.
                if let Change::UseRecorded { usage } = &mut e.change {
                    usage.id = seq;
                }
                self.pending.push(Event { seq, ..e });
            }
            self.pending_ids.insert(id);
            if !self.blobs.contains(&id) {
                summary.without_original.push(id);
            }
            summary.imported += 1;
        }
        self.commit()?;
        Ok(summary)
    }

    /// Check everything: re-hash every blob, check every record has its original, and replay
    /// the journal to compare with the index.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let listing = self.blobs.ids()?;
        report.stray_files = listing.strays;
        report.stray_files.extend(
            listing
                .staged
                .iter()
                .map(|n| format!("incoming/{n} (staged by an interrupted writer)")),
        );
        let mut referenced = BTreeSet::new();
        let mut originals = BTreeSet::new();
        for photo in self.db()?.all() {
            let id = photo?.id;
            referenced.insert(id);
            originals.insert(id);
            for r in self.db()?.renditions_of(&id)? {
                referenced.insert(r.id);
            }
        }
        for id in &listing.ids {
            report.blobs_checked += 1;
            match self.blobs.get(id) {
                Ok(bytes) if BlobId::of(&bytes) == *id => {}
                _ => report.corrupt_blobs.push(*id),
            }
            if !referenced.contains(id) {
                report.orphan_blobs.push(*id);
            }
        }
        let stored: BTreeSet<BlobId> = listing.ids.iter().copied().collect();
        report.missing_originals = originals.difference(&stored).copied().collect();
        report.missing_renditions = referenced
            .difference(&stored)
            .filter(|id| !originals.contains(id))
            .copied()
            .collect();

        // Replay the journal in memory and compare with the index.
        let mut journal = Journal::open(self.journal.path(), false)?;
        let tail = journal.read_from(0, 1)?;
        let mut replayed: BTreeMap<BlobId, Photo> = BTreeMap::new();
        for (_, event) in &tail.events {
            let Some(id) = event.change.photo_id() else {
                continue;
            };
            if let Some(p) = edit::apply(replayed.remove(&id), event)? {
                replayed.insert(id, p);
            }
        }
        let (applied, _) = self.db()?.applied()?;
        if applied != journal.last_seq() {
            report.index_mismatches.push(format!(
                "index has applied event {applied}, the journal ends at {}",
                journal.last_seq()
            ));
        }
        for photo in self.db()?.all() {
            let photo = photo?;
            report.records_checked += 1;
            match replayed.remove(&photo.id) {
                Some(p) if p == photo => {}
                Some(_) => report.index_mismatches.push(format!(
                    "{}: index record differs from the journal",
                    photo.id
                )),
                None => report
                    .index_mismatches
                    .push(format!("{}: in the index but not in the journal", photo.id)),
            }
        }
        for id in replayed.keys() {
            report
                .index_mismatches
                .push(format!("{id}: in the journal but not in the index"));
        }
        Ok(report)
    }
}

impl Drop for Library {
    fn drop(&mut self) {
        // Best effort: staged but uncommitted events are simply not saved (never reported).
        if let Some(db) = &self.db {
            let _ = db.flush();
        }
    }
}

/// What a file says about itself, read before the store is touched: the expensive part of
/// adding a photo (metadata, a fingerprint decode, the hash), safe to run on other threads.
#[derive(Debug)]
pub struct Prepared {
    id: BlobId,
    extracted: meta::Extracted,
    format: crate::model::Format,
    fingerprint: Option<String>,
}

/// What [`Library::prepare`] reads; the fingerprint only when asked for.
fn prepare(bytes: &[u8], id: BlobId, fingerprint: bool) -> Result<Prepared> {
    let extracted = meta::extract(bytes)?;
    if extracted.truncated {
        return Err(Error::InvalidInput(
            "the image data is truncated (the file ends before the image does); \
             fetch the file again"
                .into(),
        ));
    }
    let format = extracted
        .format
        .ok_or_else(|| Error::UnsupportedFormat("unrecognised image format".into()))?;
    Ok(Prepared {
        id,
        fingerprint: fingerprint
            .then(|| rendition::fingerprint(bytes).ok())
            .flatten()
            .map(|f| format!("{f:016x}")),
        extracted,
        format,
    })
}

/// The first 60 characters of a caption or URL, for a finding's message.
fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}

/// Open sled, waiting briefly while another reader has it open (sled allows one process).
fn open_db_waiting(dir: &Path) -> Result<Db> {
    let mut tries = 0;
    loop {
        match Db::open(dir) {
            Err(Error::Locked { .. }) if tries < 250 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Fill fields implied by others: the year from the date taken, the agency from the credit,
/// and rights from the special instructions and usage terms ("may only be used for 14 days",
/// "CHINA OUT"), counting days from `received`, when the file reached us.
fn derive_fields(photo: &mut Photo, received: Timestamp) {
    let f = &mut photo.fields;
    if f.year.is_none()
        && let Some(y) = f.date_created.as_deref().and_then(meta::year_of)
    {
        f.year = Some(y);
        photo.sources.insert("year".into(), "date_created".into());
    }
    if f.agency.is_none()
        && let Some(a) = credit::agency_of(
            f.credit_line.as_deref(),
            f.source.as_deref(),
            f.copyright.as_deref(),
        )
    {
        f.agency = Some(a);
        photo.sources.insert("agency".into(), "derived".into());
    }
    let terms = terms::read(
        f.instructions.as_deref().unwrap_or(""),
        f.usage_terms.as_deref().unwrap_or(""),
    );
    let sent = photo.rights.embargo_until.unwrap_or(received);
    terms.merge_into(&mut photo.rights, Some(sent));
    photo.refresh_status();
}
