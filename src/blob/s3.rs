//! Blobs on S3-compatible object storage (AWS S3, SeaweedFS, MinIO, R2…), through the
//! `object_store` crate.
//!
//! Keys are `PREFIX/blobs/ab/<blake3>`, as on disk. Object stores have no rename, so the
//! two phases of [`BlobBackend`] map differently than for files: `stage` uploads the bytes to
//! their final key *before* the journal names them, create-only (`If-None-Match: *`), and
//! `prepare`/`publish` have nothing left to do. A crash between the upload and the journal
//! leaves an orphan (bytes no event names), never an event without its bytes; `verify` lists
//! orphans and `verify --repair` removes them. An object already at a key is trusted only
//! after it re-hashes to that key; every read is hashed too, and a mismatch is an error,
//! never bytes served.
//!
//! The trait is synchronous (the library is), so the backend owns a small tokio runtime and
//! waits for each request on a channel: this works from any thread, including the server's
//! runtime threads, where `block_on` would panic.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, ClientConfigKey, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    RetryConfig, WriteMultipart,
};

use super::{BlobBackend, Listing, Put};
use crate::error::{Error, Result};
use crate::id::BlobId;

/// Blobs larger than this go up in parts.
const MULTIPART_FROM: usize = 16 << 20;
/// The size of each part of a multipart upload.
const PART_SIZE: usize = 8 << 20;

/// A blob store in a bucket. Credentials and the endpoint are `object_store` settings, which
/// the CLI takes from the standard `AWS_*` environment variables (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`, `AWS_ALLOW_HTTP`), never from
/// the command line.
pub struct S3Backend {
    store: Arc<dyn ObjectStore>,
    /// Key prefix inside the bucket, without a trailing slash ("" for the bucket's root).
    prefix: String,
    url: String,
    /// Always `Some` until dropped (taken there to shut it down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for S3Backend {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics on another runtime's thread (the server's,
        // at shutdown); nothing is in flight once the backend is dropped.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for S3Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Backend").field("url", &self.url).finish()
    }
}

impl S3Backend {
    /// Open the bucket at `url`, `s3://BUCKET[/PREFIX]`, with `object_store` settings such
    /// as `("aws_endpoint_url", URL)`; settings it does not know (`aws_profile`) are ignored,
    /// as the AWS tools do. Nothing is sent until the first request, so an unreachable store
    /// shows up as [`Error::Unavailable`] then.
    pub fn open(url: &str, settings: &[(String, String)]) -> Result<S3Backend> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            Error::Config(format!("blob store '{url}': expected s3://BUCKET[/PREFIX]"))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Config(format!("blob store '{url}' names no bucket")));
        }
        // Fail within seconds when the store is down (the default retries for 3 minutes):
        // the server answers 503 and the CLI says so, rather than hanging.
        let retry = RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: 3,
            retry_timeout: Duration::from_secs(15),
        };
        // Timeouts as settings, not `with_client_options`, which would replace the client
        // settings given (`aws_allow_http` among them).
        let mut builder = AmazonS3Builder::new()
            .with_config(
                AmazonS3ConfigKey::Client(ClientConfigKey::ConnectTimeout),
                "5s",
            )
            .with_config(AmazonS3ConfigKey::Client(ClientConfigKey::Timeout), "120s");
        for (key, value) in settings {
            if let Ok(key) = key.parse::<AmazonS3ConfigKey>() {
                builder = builder.with_config(key, value);
            }
        }
        let store = builder
            .with_bucket_name(bucket)
            .with_retry(retry)
            .build()
            .map_err(|e| Error::Config(format!("blob store '{url}': {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("byline-s3")
            .enable_all()
            .build()
            .map_err(|e| Error::io("tokio runtime", e))?;
        Ok(S3Backend {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_owned(),
            url: url.to_owned(),
            runtime: Some(runtime),
        })
    }

    /// The bucket URL this backend was opened on.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Run one request on the backend's runtime and wait for it from this thread.
    fn run<T: Send + 'static>(&self, fut: impl Future<Output = T> + Send + 'static) -> Result<T> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| Error::Unavailable(format!("{}: backend closed", self.url)))?;
        runtime.spawn(async move {
            // The receiver only goes away if this thread did, so a failed send is moot.
            let _ = tx.send(fut.await);
        });
        rx.recv()
            .map_err(|_| Error::Unavailable(format!("{}: request abandoned", self.url)))
    }

    fn key(&self, id: &BlobId) -> Key {
        let hex = id.to_string();
        let name = format!("blobs/{}/{hex}", &hex[..2]);
        if self.prefix.is_empty() {
            Key::from(name)
        } else {
            Key::from(format!("{}/{name}", self.prefix))
        }
    }

    fn blobs_root(&self) -> Key {
        if self.prefix.is_empty() {
            Key::from("blobs")
        } else {
            Key::from(format!("{}/blobs", self.prefix))
        }
    }

    fn unavailable(&self, e: object_store::Error) -> Error {
        Error::Unavailable(format!("{}: {e}", self.url))
    }

    /// The stored object's bytes, or `None` if there is none.
    fn fetch(&self, id: &BlobId) -> Result<Option<Vec<u8>>> {
        let store = Arc::clone(&self.store);
        let key = self.key(id);
        let got = self.run(async move {
            match store.get(&key).await {
                Ok(r) => r.bytes().await.map(Some),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })?;
        got.map(|b| b.map(|b| b.to_vec()))
            .map_err(|e| self.unavailable(e))
    }

    /// Upload `bytes` to `id`'s key; `create_only` refuses to replace an existing object.
    /// Returns false if an object was already there (create-only only).
    fn upload(&self, id: &BlobId, bytes: &[u8], create_only: bool) -> Result<bool> {
        let store = Arc::clone(&self.store);
        let key = self.key(id);
        let payload = PutPayload::from(bytes.to_vec());
        if bytes.len() >= MULTIPART_FROM {
            // Multipart uploads cannot be create-only, so `stage` looks first; two writers
            // racing to upload the same bytes write the same object, which is harmless.
            let done = self.run(async move {
                let upload = store.put_multipart(&key).await?;
                let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
                for chunk in payload.iter() {
                    writer.write(chunk);
                }
                writer.finish().await.map(|_| ())
            })?;
            return done.map(|()| true).map_err(|e| self.unavailable(e));
        }
        let mode = if create_only {
            PutMode::Create
        } else {
            PutMode::Overwrite
        };
        let put = self.run(async move {
            let opts = PutOptions {
                mode,
                ..PutOptions::default()
            };
            store.put_opts(&key, payload, opts).await.map(|_| ())
        })?;
        match put {
            Ok(()) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(e) => Err(self.unavailable(e)),
        }
    }

    /// Whether an object sits at `id`'s key (its bytes are not checked).
    fn exists(&self, id: &BlobId) -> Result<bool> {
        let store = Arc::clone(&self.store);
        let key = self.key(id);
        match self.run(async move { store.head(&key).await })? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.unavailable(e)),
        }
    }

    /// What to do about an object found at `id`'s key: keep it if it re-hashes to `id`,
    /// replace it with `bytes` otherwise.
    fn settle_existing(&self, id: &BlobId, bytes: &[u8]) -> Result<Put> {
        match self.fetch(id)? {
            Some(stored) if BlobId::of(&stored) == *id => Ok(Put::AlreadyPresent),
            // Gone between the two requests (a concurrent sweep): upload it again.
            None => self.upload(id, bytes, false).map(|_| Put::Stored),
            Some(_) => self.upload(id, bytes, false).map(|_| Put::Repaired),
        }
    }
}

impl BlobBackend for S3Backend {
    fn stage(&self, bytes: &[u8]) -> Result<(BlobId, Put)> {
        let id = BlobId::of(bytes);
        Ok((id, self.stage_hashed(id, bytes)?))
    }

    fn stage_hashed(&self, id: BlobId, bytes: &[u8]) -> Result<Put> {
        if bytes.len() >= MULTIPART_FROM && self.exists(&id)? {
            return self.settle_existing(&id, bytes);
        }
        if self.upload(&id, bytes, true)? {
            Ok(Put::Stored)
        } else {
            self.settle_existing(&id, bytes)
        }
    }

    fn prepare(&self) -> Result<()> {
        // Every upload was complete (durable, by S3's contract) when `stage` returned.
        Ok(())
    }

    fn publish(&self) -> Result<()> {
        // Staged blobs are already at their keys.
        Ok(())
    }

    fn recover(&self, _keep: &dyn Fn(&BlobId) -> Result<bool>) -> Result<(usize, usize)> {
        // Nothing is ever half-staged here: an upload the journal does not name is an orphan
        // for `verify --repair`, which checks it against the index first.
        Ok((0, 0))
    }

    fn get(&self, id: &BlobId) -> Result<Vec<u8>> {
        let bytes = self
            .fetch(id)?
            .ok_or_else(|| Error::NotFound(format!("blob {id} is not stored in {}", self.url)))?;
        let got = BlobId::of(&bytes);
        if got != *id {
            return Err(Error::Corrupt(format!(
                "blob {id} in {} holds bytes that hash to {got}; run `byline verify`",
                self.url
            )));
        }
        Ok(bytes)
    }

    fn path(&self, _: &BlobId) -> Option<std::path::PathBuf> {
        None
    }

    fn contains(&self, id: &BlobId) -> bool {
        self.exists(id).unwrap_or(false)
    }

    fn check(&self) -> Result<()> {
        let store = Arc::clone(&self.store);
        // A key no blob has: "not found" is the answer of a bucket that knows us.
        let key = Key::from(format!("{}/.byline-check", self.blobs_root()));
        match self.run(async move { store.head(&key).await })? {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(
                e @ (object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }),
            ) => Err(Error::Config(format!(
                "the blob store {} refuses our credentials (check AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY): {e}",
                self.url
            ))),
            Err(e) => Err(self.unavailable(e)),
        }
    }

    fn age(&self, id: &BlobId) -> Result<Option<Duration>> {
        let store = Arc::clone(&self.store);
        let key = self.key(id);
        let stored = match self.run(async move { store.head(&key).await })? {
            Ok(meta) => meta.last_modified.timestamp_millis(),
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(self.unavailable(e)),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        // A clock behind the store's counts as "just stored".
        Ok(Some(Duration::from_millis(
            u64::try_from(now.saturating_sub(stored)).unwrap_or(0),
        )))
    }

    fn remove(&self, id: &BlobId) -> Result<()> {
        let store = Arc::clone(&self.store);
        let key = self.key(id);
        match self.run(async move { store.delete(&key).await })? {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.unavailable(e)),
        }
    }

    fn ids(&self) -> Result<Listing> {
        let store = Arc::clone(&self.store);
        let root = self.blobs_root();
        let keys = self.run(async move {
            let mut keys = Vec::new();
            let mut list = store.list(Some(&root));
            while let Some(meta) = list.next().await {
                keys.push(meta?.location.to_string());
            }
            Ok::<_, object_store::Error>(keys)
        })?;
        let keys = keys.map_err(|e| self.unavailable(e))?;
        let mut listing = Listing::default();
        let root = format!("{}/", self.blobs_root());
        for key in keys {
            let name = key.strip_prefix(&root).unwrap_or(&key);
            match parse_blob_key(name) {
                Some(id) => listing.ids.push(id),
                None => listing.strays.push(key),
            }
        }
        Ok(listing)
    }
}

/// `ab/<hash starting with ab>` → the blob id; anything else is a stray.
fn parse_blob_key(name: &str) -> Option<BlobId> {
    let (dir, hex) = name.split_once('/')?;
    let id: BlobId = hex.parse().ok()?;
    (hex.len() == 64 && hex.starts_with(dir) && dir.len() == 2).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_well_formed_keys_are_blobs() {
        let id = BlobId::of(b"x");
        let hex = id.to_string();
        assert_eq!(parse_blob_key(&format!("{}/{hex}", &hex[..2])), Some(id));
        assert_eq!(parse_blob_key(&format!("zz/{hex}")), None);
        assert_eq!(parse_blob_key(&hex), None);
        assert_eq!(parse_blob_key(&format!("{}/{hex}.tmp", &hex[..2])), None);
    }

    #[test]
    fn urls_name_a_bucket() {
        assert!(matches!(
            S3Backend::open("file:///tmp", &[]),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            S3Backend::open("s3:///prefix", &[]),
            Err(Error::Config(_))
        ));
    }
}
