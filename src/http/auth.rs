//! Tokens: the bearer secret of a request, what it may do, and the hand-off of reads to the
//! [`Reader`] and of writes to the one [`Library`] on the blocking pool.
//!
//! Nothing here reads a request body.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode, header};

use super::error::{ApiError, ApiResult};
use super::{AppState, Shared};
use crate::library::{Library, Reader};
use crate::model::TokenAccess;

/// What a request needs to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Need {
    Read,
    Write,
    /// Token management and `verify` (issue 15): admin tokens only.
    Admin,
}

/// The bearer secret of a request, if it sent one.
pub(super) fn bearer(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or("");
    match v.split_once(' ') {
        Some((scheme, secret)) if scheme.eq_ignore_ascii_case("bearer") => {
            Ok(Some(secret.trim().to_string()))
        }
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the Authorization header must be 'Bearer TOKEN'",
        )),
    }
}

/// Check a request's token against what it needs; returns the token's name (the actor of a
/// write), or `None` for an open read.
pub(super) fn authorise(
    lib: &Reader,
    secret: Option<&str>,
    need: Need,
    read_token_required: bool,
) -> ApiResult<Option<String>> {
    let Some(secret) = secret else {
        if need == Need::Read && !read_token_required {
            return Ok(None);
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this request needs a token: send 'Authorization: Bearer TOKEN' (tokens are made \
             with `byline token create NAME --read|--write` where the store is, or with \
             `byline --server URL --token ADMIN_TOKEN token create …` while it is served)",
        ));
    };
    let Some(token) = lib.check_token(secret)? else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the token is not known (revoked or mistyped)",
        ));
    };
    let allowed = match need {
        Need::Read => true,
        Need::Write => matches!(token.access, TokenAccess::Write | TokenAccess::Admin),
        Need::Admin => token.access == TokenAccess::Admin,
    };
    if !allowed {
        let what = if need == Need::Admin {
            "is not an admin token"
        } else {
            "may only read"
        };
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("token '{}' {what}", super::error::echo(&token.name)),
        ));
    }
    Ok(Some(token.name))
}

/// Whether a request with this bearer secret may read.
fn may_read(st: &Shared, secret: Option<&str>) -> ApiResult<()> {
    authorise(&st.reader, secret, Need::Read, st.read_token_required).map(|_| ())
}

/// A read: `f` runs on the blocking pool with the reader, after the request's token is checked.
pub(super) async fn reading<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Reader) -> ApiResult<T> + Send + 'static,
{
    let secret = bearer(headers)?;
    let st = Arc::clone(st);
    let task = tokio::task::spawn_blocking(move || {
        may_read(&st, secret.as_deref())?;
        f(&st.reader)
    });
    task.await.map_err(ApiError::internal)?
}

/// A small read (one record, one credit: a few sled lookups, tens of microseconds), answered
/// on the runtime thread: the hand-off to the blocking pool costs as much as the lookup
/// itself (tests/bench/http.sh), and the reader never waits for a writer.
pub(super) fn reading_quick<T>(
    st: &AppState,
    headers: &HeaderMap,
    f: impl FnOnce(&Reader) -> ApiResult<T>,
) -> ApiResult<T> {
    may_read(st, bearer(headers)?.as_deref())?;
    f(&st.reader)
}

/// A change: on the blocking pool, after checking that the token may write, `f` gets the
/// shared state (to read, or to take the library with [`Shared::writer`] for as short as it
/// can) and the actor: the token's name. The credit cache is emptied after it.
pub(super) async fn changing<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Shared, &str) -> ApiResult<T> + Send + 'static,
{
    changing_as(Need::Write, st, headers, f).await
}

/// An admin's change or check (tokens, `verify`): as [`writing`], for admin tokens only.
pub(super) async fn administering<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Library, &str) -> ApiResult<T> + Send + 'static,
{
    changing_as(Need::Admin, st, headers, move |st, actor| {
        f(&mut *st.writer()?, actor)
    })
    .await
}

async fn changing_as<T, F>(need: Need, st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&Shared, &str) -> ApiResult<T> + Send + 'static,
{
    let secret = bearer(headers)?;
    let st = Arc::clone(st);
    let task = tokio::task::spawn_blocking(move || {
        let required = st.read_token_required;
        let actor = authorise(&st.reader, secret.as_deref(), need, required)?;
        let done = f(&st, &actor.unwrap_or_default());
        // The library's warnings (a blob repaired, a rendition from damaged data) go to the
        // server's log rather than piling up for as long as it runs.
        for w in st.writer()?.take_warnings() {
            eprintln!("byline serve: warning: {w}");
        }
        // Whatever the write changed is in the index now; no cached credit may outlive it.
        st.credits.clear()?;
        done
    });
    task.await.map_err(ApiError::internal)?
}

/// A change made with the library alone from start to end.
pub(super) async fn writing<T, F>(st: &AppState, headers: &HeaderMap, f: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Library, &str) -> ApiResult<T> + Send + 'static,
{
    changing(st, headers, move |st, actor| f(&mut *st.writer()?, actor)).await
}
