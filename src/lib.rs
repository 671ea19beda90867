//! byline: a content-addressed store of news photos that keeps every published photo
//! correctly credited.
//!
//! # Bird's-eye view
//!
//! An editor adds photo files. Each original is kept byte for byte as a blob named by the
//! blake3 hash of its bytes; its credits and caption are read from the file's own metadata
//! (EXIF, IPTC-IIM, XMP) into a [`model::Photo`] record. Every change — a photo added, a field
//! corrected — is an [`model::Event`] appended to an fsynced journal, which is the truth. The
//! index (sorted runs under a sled delta) holds current records and lookup trees derived from
//! the journal, rebuilt
//! from it whenever it is missing, damaged or behind.
//!
//! # Code map
//!
//! Dependencies point one way: `main → cli → {crawl, http} → library → {blob, records, lock, meta, rendition, edit, credit, terms, audit, article}`,
//! `records → {db, journal}`, all `→ {model, id, error}`.
//!
//! - [`cli`]: clap, anyhow, stdout, the clock and the environment live here and nowhere else.
//! - [`http`]: `byline serve`, axum on tokio; the async edge, a sibling of `cli`. Reads go to
//!   a [`library::Reader`] that never waits for writes; writes take the `Library` under a
//!   mutex on blocking threads.
//! - [`crawl`]: `byline crawl`, an edge like `http` and the only module that fetches from the
//!   network (ureq, through `crawl::fetch`): an outlet's pages → uses recorded through the
//!   `Library`; its cache of validators lives in `STORE/crawl/` and is never the truth.
//! - [`report`]: the audit report as CSV and a self-contained HTML page (for CLI and HTTP).
//! - [`library`]: the [`Library`] facade; the only module that coordinates blobs, journal and
//!   index. Its reads live on [`library::Reader`], a cloneable handle the `Library` derefs to.
//! - [`blob`]: content-addressed blobs with two-phase writes (`BlobBackend`: `FsBackend`,
//!   `S3Backend` for S3-compatible buckets, `MemBackend` for tests).
//! - [`records`]: a store's events and the index derived from them, behind one trait
//!   ([`records::Records`]: commit, point reads, keyset pages read as iterated, reindex) with
//!   [`records::Embedded`] (over `journal` and `db`) as the first implementation.
//! - [`journal`]: the append-only, checksummed event log (used by `records::Embedded` only).
//! - [`db`]: the index (sorted runs under a sled delta); the only module that touches sled (used by `records::Embedded`
//!   only).
//! - [`lock`]: one writer or many readers per store.
//! - [`meta`]: bytes → credits, caption and pixel facts; pure.
//! - [`article`]: published news pages (HTML or scraped text) → the figures, captions and
//!   credits printed in them; pure.
//! - [`rendition`]: bytes + spec + credit → a resized copy that carries the credit; pure,
//!   and the only module that decodes pixels (`image`, libjpeg-turbo).
//! - [`edit`]: record fields by name and folding events into records; pure.
//! - [`credit`]: credit lines as parts (parse), house styles (render), and comparing a printed
//!   line with the required one; [`terms`]: licence terms read from instructions; both pure.
//! - [`model`], [`id`], [`error`]: plain data, the blob id and the one error enum.
//!
//! # Invariants
//!
//! - **The events are the truth.** `library` never reads or writes the journal or the index
//!   but through [`records::Records`]; a commit is its one commit point. The index holds
//!   nothing that cannot be rebuilt by replaying the journal; `applied_seq` is written in the same sled transaction as what it covers.
//!   It points into the journal (spans of whole events) rather than copying events, and an
//!   index of another layout version is rebuilt, never read.
//! - **Nothing is reported as saved before the journal fsync that holds it.**
//! - **A blob is published only after the event naming it is journalled**, and a crashed batch
//!   is settled on the next open: journalled staged blobs are put in place, the rest deleted.
//!   So the journal never names a missing blob and no blob is orphaned. An object store has
//!   no rename: there a blob is uploaded (create-only) before its event is journalled, so a
//!   crash can leave an orphan, which `verify` lists and `verify --repair` removes, but
//!   still never an event without its blob.
//! - **Readers see whole commits.** A [`library::Reader`] sees a batch once the index has
//!   applied it (one sled transaction), never part of one, and never what is only staged.
//! - **Originals are immutable**; a name is trusted only after its bytes re-hash to it. So
//!   what is derived from an original's bytes alone (a reader's kept looks for `identify`,
//!   `rendition`'s kept colour transforms, keyed by profile hash) never goes stale.
//! - `meta`, `rendition`, `article`, `edit`, `credit`, `terms`, `audit` and `model` never
//!   touch storage; only `library` writes the stores.
//! - The library never reads environment variables or the clock: `now` and the actor are
//!   passed in.
//! - Bad input never panics the library: it becomes an [`Error`] or a warning.

pub mod article;
pub mod audit;
pub mod blob;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod credit;
pub mod db;
pub mod edit;
pub mod error;
pub mod http;
pub mod id;
pub mod journal;
pub mod library;
pub mod lock;
pub mod meta;
pub mod model;
pub mod records;
pub mod rendition;
pub mod report;
pub mod terms;

pub use error::{Error, Result};
pub use id::BlobId;
pub use library::{Access, Library};
