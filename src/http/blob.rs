//! Blob answers: originals and renditions with their content type, a strong ETag (the hash),
//! immutable caching, `304 Not Modified` and single byte ranges.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::reading;
use super::error::{ApiError, ApiResult, echo, path_id};
use crate::id::BlobId;
use axum::extract::rejection::PathRejection;

/// Blobs are named by their hash, so a URL's bytes never change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /photos/{id}/original`: the original's bytes.
pub(super) async fn original(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let hdrs = headers.clone();
    reading(&st, &headers, move |lib| {
        let id = lib.resolve(&id)?;
        // The record (for the type) and the bytes are read only when a body is sent.
        Ok(blob_response(&hdrs, &id, || {
            Ok((lib.photo(&id)?.original.format.mime(), lib.blob(&id)?))
        }))
    })
    .await?
}

/// `GET /renditions/{id}`: a rendition's bytes (full id only: renditions have no prefixes).
pub(super) async fn rendition(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let rid: BlobId = id.parse().map_err(|_| {
        ApiError::bad(
            "invalid_input",
            format!("'{}' is not a rendition id", echo(&id)),
        )
    })?;
    let hdrs = headers.clone();
    reading(&st, &headers, move |lib| {
        let mime = lib.rendition(&rid)?.spec.format.mime();
        Ok(blob_response(&hdrs, &rid, || Ok((mime, lib.blob(&rid)?))))
    })
    .await?
}

/// Whether `If-None-Match` names `etag` (or is `*`). Weak comparison, as RFC 9110 §13.1.2 asks.
fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// A `Range: bytes=…` header against a body of `len` bytes (RFC 9110 §14.1.2), written by
/// hand because only one form is worth serving: a single range. `None` means serve the whole
/// body (no header, a syntax we ignore, or several ranges); `Some(None)` means unsatisfiable.
fn byte_range(header: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let spec = header.trim().strip_prefix("bytes=")?.trim();
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // A suffix: the last N bytes.
        let n: u64 = last.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(None);
        }
        return Some(Some((len.saturating_sub(n), len - 1)));
    }
    let start: u64 = first.parse().ok()?;
    let end = if last.is_empty() {
        u64::MAX
    } else {
        let end: u64 = last.parse().ok()?;
        if end < start {
            return None;
        }
        end
    };
    if start >= len {
        return Some(None);
    }
    Some(Some((start, end.min(len - 1))))
}

/// A blob's bytes with its content type, strong ETag (the hash), immutable caching, `304` on
/// `If-None-Match` (checked before `content` reads the type and bytes) and single byte ranges.
fn blob_response(
    headers: &HeaderMap,
    id: &BlobId,
    content: impl FnOnce() -> crate::Result<(&'static str, Vec<u8>)>,
) -> ApiResult<Response> {
    let etag = format!("\"{}\"", id.to_hex());
    let mut res = if none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (mime, body) = content()?;
        let body = Bytes::from(body);
        let len = body.len() as u64;
        // If-Range with another validator means the client's copy is stale: send it all.
        let range_applies = headers
            .get(header::IF_RANGE)
            .is_none_or(|v| v.to_str().is_ok_and(|v| v.trim() == etag));
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .filter(|_| range_applies)
            .and_then(|r| byte_range(r, len));
        match range {
            None => {
                let mut r = Body::from(body).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                r
            }
            Some(None) => {
                let mut r = ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "range_not_satisfiable",
                    format!("the range is outside the {len} bytes"),
                )
                .into_response();
                insert(&mut r, header::CONTENT_RANGE, &format!("bytes */{len}"));
                r
            }
            Some(Some((start, end))) => {
                // `byte_range` gives start ≤ end < len; checked again, as slicing would panic.
                let part = if start <= end && end < len {
                    body.slice(start as usize..=end as usize)
                } else {
                    Bytes::new()
                };
                let mut r = (StatusCode::PARTIAL_CONTENT, part).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                insert(
                    &mut r,
                    header::CONTENT_RANGE,
                    &format!("bytes {start}-{end}/{len}"),
                );
                r
            }
        }
    };
    insert(&mut res, header::ETAG, &etag);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    res.headers_mut()
        .insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    Ok(res)
}

pub(super) fn insert(res: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().insert(name, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        // The examples of RFC 9110 §14.1.2 on a 10,000-byte body.
        assert_eq!(byte_range("bytes=0-499", 10_000), Some(Some((0, 499))));
        assert_eq!(byte_range("bytes=500-999", 10_000), Some(Some((500, 999))));
        assert_eq!(byte_range("bytes=-500", 10_000), Some(Some((9500, 9999))));
        assert_eq!(byte_range("bytes=9500-", 10_000), Some(Some((9500, 9999))));
        // A last position past the end is cut to the end.
        assert_eq!(
            byte_range("bytes=9000-20000", 10_000),
            Some(Some((9000, 9999)))
        );
        // Unsatisfiable: the first position is past the end, or an empty suffix.
        assert_eq!(byte_range("bytes=10000-", 10_000), Some(None));
        assert_eq!(byte_range("bytes=-0", 10_000), Some(None));
        // Ignored: other units, bad syntax, several ranges, last before first.
        assert_eq!(byte_range("items=0-1", 10_000), None);
        assert_eq!(byte_range("bytes=a-b", 10_000), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 10_000), None);
        assert_eq!(byte_range("bytes=5-1", 10_000), None);
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"aa\", W/\"bb\""),
        );
        assert!(none_match(&h, "\"bb\""));
        assert!(!none_match(&h, "\"cc\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(none_match(&h, "\"cc\""));
    }
}
