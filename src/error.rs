//! The library's one error type. Messages are lower-case and name the path or id they concern.

use std::path::PathBuf;

/// Everything a library call can fail with, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No photo, rendition or blob matches.
    #[error("{0}")]
    NotFound(String),
    /// A prefix matches more than one photo.
    #[error("id prefix '{prefix}' is ambiguous: it matches {}", candidates.join(", "))]
    Ambiguous {
        /// The prefix that was given.
        prefix: String,
        /// Every full id it matches (at most a handful are listed).
        candidates: Vec<String>,
    },
    /// A value given by the user or read from a file is not acceptable.
    #[error("{0}")]
    InvalidInput(String),
    /// The bytes are not an image byline can read.
    #[error("{0}")]
    UnsupportedFormat(String),
    /// Stored data does not match what it should be (hash, checksum, journal order).
    #[error("{0}")]
    Corrupt(String),
    /// Someone else changed what a write was based on (an edit made on a revision that is
    /// no longer current); the caller should read the current state and try again (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// Another process holds the store.
    #[error("the store at {path} is in use by {holder}; wait for it to finish or stop it")]
    Locked {
        /// The store directory.
        path: PathBuf,
        /// Who holds it, as written in the lock file (e.g. "byline add (pid 4242)").
        holder: String,
    },
    /// A file system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The index database failed.
    #[error("index database: {0}; the index can be rebuilt from the journal with `byline reindex`")]
    Db(String),
    /// Decoding or encoding pixels failed.
    #[error("image: {0}")]
    Image(String),
    /// A remote store (object storage) did not answer or refused the request; it may work
    /// again later (the server answers 503).
    #[error("remote store unavailable: {0}")]
    Unavailable(String),
    /// The store's configuration file is invalid.
    #[error("config: {0}")]
    Config(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Attach a path to I/O results: `fs::read(p).at(p)?`.
pub(crate) trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}
