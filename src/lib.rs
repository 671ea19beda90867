//! byline: a content-addressed store of news photos that keeps every published photo
//! correctly credited.

pub mod blob;
pub mod cli;
pub mod db;
pub mod edit;
pub mod error;
pub mod id;
pub mod journal;
pub mod library;
pub mod lock;
pub mod meta;
pub mod model;

pub use error::{Error, Result};
pub use id::BlobId;
pub use library::{Access, Library};
