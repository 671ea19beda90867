//! The `Library` facade: the one place that coordinates blobs, the journal and the index.
//!
//! Every change is an event: blobs are made durable first, then the event is appended to the
//! journal and fsynced, and only then applied to the index. So the journal never names a blob
//! that is not on disk, and the index can always be rebuilt from the journal. The library
//! never reads the clock or the environment: `now` and the actor are passed in.
//!
//! Reads live on [`Reader`] (`read.rs`, `audit.rs`), which a `Library` derefs to and hands out
//! for other threads; this file holds opening, recovery and every write.

mod audit;
mod read;

pub use read::{Identified, Reader, SIMILAR_BITS, UseQuery};

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::blob::{BlobBackend, FsBackend, Put};
use crate::config::{Config, DEFAULT_TOML};
use crate::credit;
use crate::db::Db;
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
    /// As `Write`, with the index thrown away and rebuilt from the journal (`byline reindex`).
    /// Faster than [`Library::rebuild_index`], which empties the trees key by key because
    /// other handles may be reading them.
    Reindex,
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

impl ExportLine {
    /// Replay the line's history to prove it leads to its record, as `import` does before
    /// taking it (in memory; nothing is stored).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when an event concerns another photo or the history does not
    /// lead to the record; [`Error::Corrupt`] when an event cannot follow the ones before it.
    pub fn check(&self) -> Result<()> {
        let id = self.photo.id;
        let mut state = None;
        for e in &self.history {
            if e.change.photo_id() != Some(id) {
                return Err(Error::InvalidInput(format!(
                    "export line for {id} has an event (seq {}) for something else",
                    e.seq
                )));
            }
            state = edit::apply(state, e)?;
        }
        if state.as_ref() != Some(&self.photo) {
            return Err(Error::InvalidInput(format!(
                "export line for {id}: its history does not lead to its record"
            )));
        }
        Ok(())
    }
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
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
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

/// An open store: its [`Reader`] (every read method, through `Deref`) plus, when opened to
/// write, the journal's writing end and the changes staged for the next commit.
pub struct Library {
    reader: Reader,
    root: PathBuf,
    journal: Journal,
    pending: Vec<Event>,
    pending_ids: HashSet<BlobId>,
    warnings: Vec<String>,
    lock: StoreLock,
}

/// A library reads like its [`Reader`]: `lib.photo(id)`, `lib.list(q)`, `lib.audit(…)`.
impl std::ops::Deref for Library {
    type Target = Reader;

    fn deref(&self) -> &Reader {
        &self.reader
    }
}

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
        let writable = access != Access::Read;
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
        let mut journal = Journal::open(root.join("journal.jsonl"), writable)?;
        let mut warnings = Vec::new();
        let index = root.join("index");
        if access == Access::Reindex && index.exists() {
            // Under the store lock; a missing index is rebuilt by `open_index`.
            fs::remove_dir_all(&index).at(&index)?;
        }
        let db = open_index(&index, &mut journal, &mut warnings)?;
        let mut lib = Library {
            reader: Reader {
                db,
                blobs: Arc::from(blobs),
                config: Arc::new(config),
            },
            root: root.to_path_buf(),
            journal,
            pending: Vec::new(),
            pending_ids: HashSet::new(),
            warnings,
            lock,
        };
        if writable {
            lib.recover_blobs()?;
        }
        Ok(lib)
    }

    /// A handle for reading this store from other threads, which never waits for this
    /// library's writes (`byline serve` answers reads on it during uploads).
    pub fn reader(&self) -> Reader {
        self.reader.clone()
    }

    /// Publish blobs a crashed writer staged and journalled; delete the ones it never
    /// journalled (they were never reported as stored).
    fn recover_blobs(&mut self) -> Result<()> {
        let db = &self.reader.db;
        // Existence only (no record decoded); an index error stops the recovery.
        let known = |id: &BlobId| Ok(db.has_photo(id)? || db.has_rendition(id)?);
        let (published, discarded) = self.reader.blobs.recover(&known)?;
        if published + discarded > 0 {
            self.warnings.push(format!(
                "an interrupted write was settled: {published} journalled blobs put in place, \
                 {discarded} unjournalled staged files removed"
            ));
        }
        Ok(())
    }

    /// Empty the index and replay the whole journal into it (`byline reindex`).
    pub fn rebuild_index(&mut self) -> Result<()> {
        self.require_writer()?;
        self.reader.db.clear()?;
        let db = &self.reader.db;
        let warnings = self
            .journal
            .replay_from(0, 1, |events| apply_to_index(db, events))?;
        self.warnings.extend(warnings);
        db.flush()
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
    /// The same as [`Reader::prepare`] followed by [`Library::add_prepared`].
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
        self.add_prepared(self.reader.prepare(bytes)?, bytes, edits, by, now)
    }

    /// Stage a photo whose metadata and fingerprint [`Reader::prepare`] already read (on another
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
        if self.pending_ids.contains(&id) || self.reader.db.has_photo(&id)? {
            // Bytes already known: make sure the blob itself is sound (repairs a torn one).
            self.stage_blob(bytes)?;
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
        for (field, _, _) in edit::set(&mut photo, &edit::check(edits.to_vec())?)? {
            photo.sources.insert(field, "flag".into());
        }
        derive_fields(&mut photo, now);
        self.stage_blob(bytes)?;
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

    /// Stage a blob for the next commit, saying so when this repaired a damaged copy.
    fn stage_blob(&mut self, bytes: &[u8]) -> Result<BlobId> {
        let (id, put) = self.reader.blobs.stage(bytes)?;
        if put == Put::Repaired {
            self.warnings.push(format!(
                "blob {id} was damaged on disk and has been repaired"
            ));
        }
        Ok(id)
    }

    /// Make every staged change durable: make staged blobs durable, append the events to the
    /// journal with one fsync (the commit point), update the index, then move the blobs into
    /// place. Only after this returns may a change be reported as saved.
    pub fn commit(&mut self) -> Result<()> {
        self.reader.blobs.prepare()?;
        let events = std::mem::take(&mut self.pending);
        self.pending_ids.clear();
        if !events.is_empty() {
            let ends = self.journal.append(&events)?;
            let applied: Vec<(u64, Event)> = ends.into_iter().zip(events).collect();
            apply_to_index(&self.reader.db, &applied)?;
        }
        self.reader.blobs.publish()
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
        let changed = edit::set(&mut photo, &edit::check(edits.to_vec())?)?;
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
            let of_photo = self
                .reader
                .db
                .renditions_of(photo)?
                .iter()
                .any(|r| r.id == *rid);
            if !of_photo {
                return Err(match self.reader.db.rendition(rid)? {
                    Some(_) => Error::InvalidInput(format!(
                        "rendition {rid} is not a rendition of photo {photo}"
                    )),
                    None => Error::NotFound(format!("no rendition with id {rid}")),
                });
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
            territory: new
                .territory
                .as_deref()
                .map(edit::country_code)
                .transpose()?,
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
            .db
            .renditions_of(photo)?
            .into_iter()
            .find(|r| r.spec == spec && r.revision == record.revision)
        {
            return Ok((r, true));
        }
        let original = self.reader.blobs.get(photo)?;
        let set = render_specs(&record, &original, vec![(preset.map(String::from), spec)])?;
        let made = self.stage_rendered(set, by, now)?;
        self.commit()?;
        made.into_iter()
            .next()
            .map(|r| (r, false))
            .ok_or_else(|| Error::Image("no rendition was produced".into()))
    }

    /// Render every preset of the config from one decode and stage them (blobs and events)
    /// for the next [`Library::commit`]; used by `add --renditions` and uploads. A batch can
    /// instead render on other threads with [`Reader::render_presets`] and stage the results
    /// with [`Library::stage_rendered`].
    pub fn stage_presets(
        &mut self,
        photo: &Photo,
        original: &[u8],
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        let set = self.reader.render_presets(photo, original)?;
        self.stage_rendered(set, by, now)
    }

    /// Stage renditions already rendered (blobs and events) for the next
    /// [`Library::commit`].
    pub fn stage_rendered(
        &mut self,
        set: RenderedSet,
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        self.require_writer()?;
        let mut out = Vec::with_capacity(set.items.len());
        for (preset, spec, r) in set.items {
            let id = self.stage_blob(&r.bytes)?;
            let rendition = Rendition {
                id,
                photo: set.photo,
                preset,
                spec,
                width: r.width,
                height: r.height,
                bytes: r.bytes.len() as u64,
                revision: set.revision,
                partial: r.partial,
            };
            self.warnings.extend(
                r.warnings
                    .into_iter()
                    .map(|w| format!("rendition of {}: {w}", set.photo.short())),
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
        if name.is_empty() || self.reader.db.tokens()?.iter().any(|t| t.name == name) {
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
        if !self.reader.db.tokens()?.iter().any(|t| t.name == name) {
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

    /// Add records from an export. Photos already present are left alone, so importing the
    /// same file twice changes nothing. Events keep their original time and actor.
    pub fn import(&mut self, lines: Vec<ExportLine>) -> Result<ImportSummary> {
        self.require_writer()?;
        let mut summary = ImportSummary::default();
        for line in lines {
            let id = line.photo.id;
            if self.pending_ids.contains(&id) || self.reader.db.has_photo(&id)? {
                summary.already_present += 1;
                continue;
            }
            line.check()?;
            for mut e in line.history {
                let seq = self.next_seq();
                // A use's ledger number is the sequence number of the event recording it.
                if let Change::UseRecorded { usage } = &mut e.change {
                    usage.id = seq;
                }
                self.pending.push(Event { seq, ..e });
            }
            self.pending_ids.insert(id);
            if !self.reader.blobs.contains(&id) {
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
        let listing = self.reader.blobs.ids()?;
        report.stray_files = listing.strays;
        report.stray_files.extend(
            listing
                .staged
                .iter()
                .map(|n| format!("incoming/{n} (staged by an interrupted writer)")),
        );
        let mut referenced = BTreeSet::new();
        let mut originals = BTreeSet::new();
        for photo in self.reader.db.all() {
            let id = photo?.id;
            referenced.insert(id);
            originals.insert(id);
            for r in self.reader.db.renditions_of(&id)? {
                referenced.insert(r.id);
            }
        }
        for id in &listing.ids {
            report.blobs_checked += 1;
            match self.reader.blobs.get(id) {
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
        let mut replayed: BTreeMap<BlobId, Photo> = BTreeMap::new();
        journal.replay_from(0, 1, |events| {
            for (_, event) in events {
                let Some(id) = event.change.photo_id() else {
                    continue;
                };
                if let Some(p) = edit::apply(replayed.remove(&id), event)? {
                    replayed.insert(id, p);
                }
            }
            Ok(())
        })?;
        let (applied, _) = self.reader.db.applied()?;
        if applied != journal.last_seq() {
            report.index_mismatches.push(format!(
                "index has applied event {applied}, the journal ends at {}",
                journal.last_seq()
            ));
        }
        for photo in self.reader.db.all() {
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
        let _ = self.reader.db.flush();
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

/// What [`Reader::prepare`] reads; the fingerprint only when asked for.
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

/// Renditions of one photo revision, rendered and not yet staged: what
/// [`Reader::render_presets`] makes, on any thread, for [`Library::stage_rendered`].
pub struct RenderedSet {
    photo: BlobId,
    revision: u64,
    items: Vec<(Option<String>, RenditionSpec, rendition::Rendered)>,
}

/// Render `specs` (each with its preset name, if any) of `photo` from one decode; pure.
fn render_specs(
    photo: &Photo,
    original: &[u8],
    specs: Vec<(Option<String>, RenditionSpec)>,
) -> Result<RenderedSet> {
    let only: Vec<RenditionSpec> = specs.iter().map(|(_, s)| *s).collect();
    let rendered = rendition::render_set(original, &only, &photo.fields)?;
    Ok(RenderedSet {
        photo: photo.id,
        revision: photo.revision,
        items: specs
            .into_iter()
            .zip(rendered)
            .map(|((name, spec), r)| (name, spec, r))
            .collect(),
    })
}

/// Open the index at `dir` and catch it up with the journal. An index sled cannot read, of
/// another layout, or that does not fit the journal is thrown away and rebuilt from it.
fn open_index(dir: &Path, journal: &mut Journal, warnings: &mut Vec<String>) -> Result<Db> {
    let why = match open_db_waiting(dir) {
        Ok(db) => {
            let (seq, offset) = db.applied()?;
            let next = seq.saturating_add(1);
            match journal.replay_from(offset, next, |events| apply_to_index(&db, events)) {
                Ok(dropped) => {
                    warnings.extend(dropped);
                    return Ok(db);
                }
                // The index does not fit this journal (journal damage is `Corrupt`, which
                // a rebuild cannot mend: it goes to the user).
                Err(Error::Db(why)) => format!("index does not fit the journal ({why})"),
                Err(e) => return Err(e),
            }
            // `db` is dropped here, closing sled before its folder is removed.
        }
        Err(e @ Error::Locked { .. }) => return Err(e),
        // The inner message only: the rebuild that `Error::Db` suggests happens right here.
        Err(Error::Db(why)) => format!("index unreadable: {why}"),
        Err(e) => format!("index unreadable: {e}"),
    };
    warnings.push(format!("{why}; rebuilding it from the journal"));
    if dir.exists() {
        fs::remove_dir_all(dir).at(dir)?;
    }
    let db = open_db_waiting(dir)?;
    warnings.extend(journal.replay_from(0, 1, |events| apply_to_index(&db, events))?);
    db.flush()?;
    Ok(db)
}

/// Apply journalled events to the index, a few thousand per sled transaction.
fn apply_to_index(db: &Db, events: &[(u64, Event)]) -> Result<()> {
    for chunk in events.chunks(4096) {
        db.apply(chunk, &edit::apply)?;
    }
    Ok(())
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
