//! byline: a content-addressed store of news photos that keeps every published photo
//! correctly credited.
#![doc = "(architecture map: see below)"]

pub mod blob;
pub mod error;
pub mod id;
pub mod journal;
pub mod meta;
pub mod model;
pub mod rendition;

pub use error::{Error, Result};
pub use id::BlobId;
