//! `POST /photos`: an upload streamed to a temp file in the store's staging folder as it
//! arrives, hashed (blake3) on the way and fsynced, never held whole in memory while the
//! client sends it (issue 15). Only once the whole body is on disk is the file read back,
//! one upload at a time, for its metadata and fingerprint, and handed to the library, which
//! renames that very file into the blob store when blobs are on disk: the bytes are written once.
//!
//! Memory per upload while its body arrives: at most [`IN_FLIGHT`] body frames (hyper's read
//! buffer, a few hundred KB at most each). After that, one file being read (`preparing`) and
//! one being staged (the writer) are in memory at once: two times `upload_limit_mb` at worst.
//! A temp file is deleted when its upload fails or is dropped; one left by a killed server
//! is a stray in the staging folder, deleted by the next writer to open the store.

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;
use tokio::sync::mpsc;

use super::AppState;
use super::auth::changing;
use super::blob::insert;
use super::error::{ApiError, ApiResult, query};
use super::routes::{edits_of, json};
use crate::blob::UPLOAD_PREFIX;
use crate::credit::Style;
use crate::id::BlobId;
use crate::library::Added;
use crate::model::Photo;

/// Body frames queued between the connection and the thread writing the temp file.
const IN_FLIGHT: usize = 8;

/// Query of `POST /photos`.
#[derive(Debug, Deserialize)]
pub(super) struct UploadParams {
    /// The file's name, echoed as `path` in the answer.
    name: Option<String>,
    /// Fields to set, as a JSON object (the same names as `PATCH`).
    fields: Option<String>,
    /// Also make every rendition preset, as `add --renditions` does.
    #[serde(default)]
    renditions: bool,
}

/// The answer to an upload: one line of `byline add --json` (schema/add-line.schema.json).
#[derive(Debug, Serialize)]
struct AddLine {
    path: String,
    id: Option<String>,
    status: &'static str,
    missing: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    credit: Option<String>,
}

/// The credit line in the default style, as `add --json` reports it; none when empty.
fn default_credit(photo: &Photo) -> Option<String> {
    Some(crate::credit::required_line(&photo.fields, &Style::Default)).filter(|l| !l.is_empty())
}

/// A body written to disk: the temp file (deleted when dropped), its hash and length.
struct Staged {
    file: NamedTempFile,
    id: BlobId,
    len: u64,
}

/// What the connection hands the writing thread.
enum Piece {
    Data(Bytes),
    /// The whole body arrived: fsync and hand the file back. Without it the upload failed.
    End,
}

/// `POST /photos`: the body is the image; `fields` (JSON) overrides what the file says.
pub(super) async fn upload(
    State(st): State<AppState>,
    q: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let q = query(q)?;
    let edits = match &q.fields {
        Some(f) => edits_of(serde_json::from_str(f).map_err(|e| {
            ApiError::bad("bad_json", format!("fields is not a JSON object: {e}"))
        })?)?,
        None => Vec::new(),
    };
    let staged = receive(body, &st.staging, st.upload_limit).await?;
    if staged.len == 0 {
        return Err(ApiError::bad(
            "invalid_input",
            "the request body must be the image file's bytes",
        ));
    }
    let path = q.name.unwrap_or_else(|| "upload".into());
    let renditions = q.renditions;
    let line = changing(&st, &headers, move |st, actor| {
        // Reading the file (metadata, fingerprint decode) needs no lock: other uploads and every
        // read go on meanwhile. One file at a time is read back into memory here.
        let prepared = {
            let _turn = st.preparing.lock().map_err(ApiError::internal)?;
            let bytes = read_back(staged.file.as_file(), staged.len)?;
            st.reader.prepare_owned(bytes)?
        };
        if prepared.id() != staged.id {
            return Err(ApiError::internal(format!(
                "the staged upload {} changed on disk: it hashed to {} as it arrived",
                staged.file.path().display(),
                staged.id
            )));
        }
        let mut lib = st.writer()?;
        let now = Timestamp::now();
        // On disk, the staged file itself becomes the blob: the bytes are written once.
        let (added, bytes) =
            lib.add_owned_from(prepared, staged.file.path(), &edits, actor, now)?;
        if renditions && let Added::New(photo) = &added {
            // As `add --renditions`: a photo whose pixels cannot be rendered is still stored.
            if let Err(e) = lib.stage_presets(photo, &bytes, actor, now) {
                eprintln!("byline serve: {}: no renditions: {e}", photo.id.short());
            }
        }
        drop(bytes);
        // Nothing is reported as stored before the journal fsync that holds it.
        let committed = lib.commit()?;
        drop(staged);
        // Another server stored the same bytes first (records in PostgreSQL): a duplicate.
        let added = match added {
            Added::New(photo) if committed.duplicates.contains(&photo.id) => {
                Added::Duplicate(photo.id)
            }
            other => other,
        };
        Ok(match added {
            Added::New(photo) => AddLine {
                path,
                id: Some(photo.id.to_hex()),
                status: "added",
                credit: default_credit(&photo),
                missing: photo.missing,
            },
            Added::Duplicate(id) => {
                let stored = lib.photo(&id)?;
                AddLine {
                    path,
                    id: Some(id.to_hex()),
                    status: "duplicate",
                    credit: default_credit(&stored),
                    missing: stored.missing,
                }
            }
        })
    })
    .await?;
    let status = if line.status == "added" {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut res = json(status, &line);
    if let Some(id) = &line.id {
        insert(&mut res, header::LOCATION, &format!("/photos/{id}"));
    }
    Ok(res)
}

/// Stream `body` into a new temp file in `dir`, hashing it on the way, refusing it past `limit`
/// bytes (a chunked body declares no length, so the gate's 413 cannot catch it), and fsync it.
async fn receive(mut body: Body, dir: &Path, limit: usize) -> ApiResult<Staged> {
    let file = tempfile::Builder::new()
        .prefix(UPLOAD_PREFIX)
        .tempfile_in(dir)
        .map_err(ApiError::internal)?;
    let (tx, rx) = mpsc::channel(IN_FLIGHT);
    let writer = tokio::task::spawn_blocking(move || write_out(file, rx));
    let mut received = 0u64;
    let failed = loop {
        let frame = std::future::poll_fn(|cx| http_body::Body::poll_frame(Pin::new(&mut body), cx));
        let data = match frame.await {
            None => break None,
            Some(Err(e)) => break Some(super::error::stream_error(&e)),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                // Trailers carry no bytes of the file.
                Err(_) => continue,
            },
        };
        received += data.len() as u64;
        if received > limit as u64 {
            break Some(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("the request body is over this route's limit of {limit} bytes"),
            ));
        }
        // The writer stopped: it failed, and says why below.
        if tx.send(Piece::Data(data)).await.is_err() {
            break None;
        }
    };
    if failed.is_none() {
        let _ = tx.send(Piece::End).await;
    }
    drop(tx);
    let written = writer.await.map_err(ApiError::internal)?;
    match failed {
        // Dropping the written file deletes it.
        Some(e) => Err(e),
        None => written,
    }
}

/// The writing thread: append each piece to `file` and hash it; on [`Piece::End`], fsync.
fn write_out(mut file: NamedTempFile, mut rx: mpsc::Receiver<Piece>) -> ApiResult<Staged> {
    let mut hasher = blake3::Hasher::new();
    let mut len = 0u64;
    while let Some(piece) = rx.blocking_recv() {
        match piece {
            Piece::Data(data) => {
                hasher.update(&data);
                len += data.len() as u64;
                file.write_all(&data).map_err(ApiError::internal)?;
            }
            Piece::End => {
                file.as_file().sync_all().map_err(ApiError::internal)?;
                return Ok(Staged {
                    file,
                    id: BlobId::from_bytes(*hasher.finalize().as_bytes()),
                    len,
                });
            }
        }
    }
    Err(ApiError::bad(
        "bad_body",
        "the request body ended before it was complete",
    ))
}

/// The staged file's `len` bytes, read back for the metadata reader and the decoder.
fn read_back(mut file: &std::fs::File, len: u64) -> ApiResult<Vec<u8>> {
    file.rewind().map_err(ApiError::internal)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).map_err(ApiError::internal)?);
    file.take(len)
        .read_to_end(&mut bytes)
        .map_err(ApiError::internal)?;
    if bytes.len() as u64 != len {
        return Err(ApiError::internal(
            "the staged upload is shorter than written",
        ));
    }
    Ok(bytes)
}
