//! The JSON error every route answers with: an HTTP status, a stable machine `code` and a
//! human `message`; and the parsing of bodies and queries into that shape.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::Error;

/// At most this many characters of a client's input (an id, a name) are echoed in an error.
pub(super) const ECHO: usize = 64;
/// No error message is longer than this many bytes.
const MESSAGE_MAX: usize = 1024;

/// `s` as an error may quote it: at most [`ECHO`] characters, then `…`.
pub(super) fn echo(s: &str) -> String {
    if s.chars().count() <= ECHO {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(ECHO).collect::<String>())
    }
}

/// The longest prefix of `s` within `max` bytes, cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An id from the path: a JSON 400 for one that is not UTF-8 once percent-decoded
/// (`/photos/%FF%FE`) or longer than a full id, quoting at most [`ECHO`] characters of it.
pub(super) fn path_id(p: Result<Path<String>, PathRejection>) -> ApiResult<String> {
    let Path(id) = p.map_err(|_| {
        ApiError::bad(
            "invalid_id",
            "the id in the path is not text: ids are hexadecimal",
        )
    })?;
    // A full id is 64 hex digits; a prefix is shorter.
    if id.len() > 64 {
        return Err(ApiError::bad(
            "invalid_id",
            format!("'{}' is longer than any id (64 hex digits)", echo(&id)),
        ));
    }
    Ok(id)
}

/// An error answer: an HTTP status, a stable machine `code` and a human `message`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(super) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        let mut message = message.into();
        // A last bound on what a client's input can make an answer hold (issue 15); routes
        // echo at most `ECHO` characters of an input, so only a library message quoting
        // several could reach this.
        if message.len() > MESSAGE_MAX {
            message = format!("{}…", cut(&message, MESSAGE_MAX));
        }
        ApiError {
            status,
            code,
            message,
        }
    }

    /// The HTTP status.
    pub(super) fn status(&self) -> StatusCode {
        self.status
    }

    pub(super) fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(super) fn internal(detail: impl std::fmt::Display) -> ApiError {
        // The detail may name server paths; it goes to the server's log, not the client.
        eprintln!("byline serve: internal error: {detail}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error; the server log has the details",
        )
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let (status, code) = match &e {
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Ambiguous { .. } => (StatusCode::CONFLICT, "ambiguous_id"),
            // An edit on a stale revision: read the record again and redo the edit.
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Error::InvalidInput(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
            Error::UnsupportedFormat(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_format")
            }
            Error::Locked { .. } => (StatusCode::SERVICE_UNAVAILABLE, "locked"),
            // The object store is down or refusing: the client may retry; we recover when it
            // is back, since every request goes to it afresh.
            Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            _ => return ApiError::internal(e),
        };
        ApiError::new(status, code, e.to_string())
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: &self.message,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"byline\""),
            );
        }
        if self.code == "store_unavailable" {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res
    }
}

pub(super) type ApiResult<T> = Result<T, ApiError>;

/// A JSON body, parsed here so a bad one gets our error shape, not the framework's.
pub(super) fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<T> {
    let bytes = body.map_err(body_error)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad(
            "bad_json",
            format!("the request body is not valid JSON for this route: {e}"),
        )
    })
}

/// The answer to a body that arrived too slowly ([`super::limit`]'s minimum rate).
fn too_slow() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "too_slow",
        "the request body arrived too slowly; send it at a steady pace",
    )
}

/// A streamed body that failed: too slow, or the client's connection broke.
pub(super) fn stream_error(e: &axum::Error) -> ApiError {
    if super::limit::is_slow_body(e) {
        return too_slow();
    }
    ApiError::bad(
        "bad_body",
        "the request body could not be read (the connection broke or the body was malformed)",
    )
}

pub(super) fn body_error(e: BytesRejection) -> ApiError {
    if super::limit::is_slow_body(&e) {
        return too_slow();
    }
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is over this route's size limit",
        )
    } else {
        ApiError::bad("bad_body", e.body_text())
    }
}

pub(super) fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::bad("bad_query", echo(&e.body_text())))
}

pub(super) async fn no_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no_route",
        "no such route; see /openapi.json",
    )
}

pub(super) async fn no_method() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method; see /openapi.json",
    )
}
