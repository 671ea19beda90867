//! Check first, read second (issue 15): a request that sends a body is let in only once its
//! headers pass — the token may do what the route does, the declared length is within the
//! route's limit (413), a JSON route is sent JSON (415), and an upload or render has a free
//! permit (503 with `Retry-After`). hyper sends `100 Continue` when a body is first read, so
//! a refused client is never invited to send its body, and not a byte of it is read.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::OwnedSemaphorePermit;

use super::AppState;
use super::auth::{Need, authorise, bearer};
use super::error::{ApiError, ApiResult};

/// Seconds a client told "busy" is asked to wait before trying again.
const RETRY_AFTER_SECS: u64 = 2;

/// What a route that takes a body asks of a request's headers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gate {
    /// What the token must allow.
    pub need: Need,
    /// Whether the body must be `application/json`.
    pub json: bool,
    /// Largest declared `Content-Length`.
    pub limit: usize,
    /// Whether the request needs one of the upload/render permits.
    pub heavy: bool,
}

/// The middleware: refuse on the headers, or run the route holding its permit.
pub(super) async fn check(
    State((st, gate)): State<(AppState, Gate)>,
    req: Request,
    next: Next,
) -> Response {
    match admit(&st, gate, req.headers()) {
        Ok(permit) => {
            let res = next.run(req).await;
            drop(permit);
            res
        }
        Err(e) => {
            let busy = e.status() == StatusCode::SERVICE_UNAVAILABLE;
            let mut res = e.into_response();
            if busy {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            }
            // The body was never read: the connection cannot carry another request.
            res.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            res
        }
    }
}

fn admit(
    st: &AppState,
    gate: Gate,
    headers: &HeaderMap,
) -> ApiResult<Option<OwnedSemaphorePermit>> {
    let secret = bearer(headers)?;
    authorise(
        &st.reader,
        secret.as_deref(),
        gate.need,
        st.read_token_required,
    )?;
    if let Some(len) = declared_length(headers)?
        && len > gate.limit as u64
    {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the request body is {len} bytes; this route takes at most {}",
                gate.limit
            ),
        ));
    }
    if gate.json && !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "this route takes a JSON body: send 'Content-Type: application/json'",
        ));
    }
    if !gate.heavy {
        return Ok(None);
    }
    match Arc::clone(&st.heavy).try_acquire_owned() {
        Ok(permit) => Ok(Some(permit)),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            format!(
                "as many uploads and renders as this server runs at once are under way; \
                 try again in {RETRY_AFTER_SECS} s"
            ),
        )),
    }
}

/// The declared `Content-Length`, if any. hyper refuses a malformed one before routing.
fn declared_length(headers: &HeaderMap) -> ApiResult<Option<u64>> {
    let Some(v) = headers.get(header::CONTENT_LENGTH) else {
        return Ok(None);
    };
    v.to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map(Some)
        .ok_or_else(|| ApiError::bad("bad_request", "Content-Length is not a number"))
}

/// Whether `Content-Type` is `application/json`, with or without parameters.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_told_apart() {
        let mut h = HeaderMap::new();
        assert!(!is_json(&h));
        for (v, ok) in [
            ("application/json", true),
            ("Application/JSON; charset=utf-8", true),
            ("text/plain", false),
            ("application/jsonx", false),
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            assert_eq!(is_json(&h), ok, "{v}");
        }
    }
}
