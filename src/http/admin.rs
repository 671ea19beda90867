//! Admin routes (issue 15): tokens created, listed and revoked, and the store verified, while
//! `byline serve` runs — the server holds the store, so these go through it rather than a
//! second process. Admin tokens only; every change is journalled with the admin's name, and a
//! revoked token is refused from the next request on (tokens are looked up per request).
//!
//! `verify` runs here on the one library under the writer's mutex: no write commits while it
//! re-hashes blobs and replays the journal, so it compares a consistent journal, index and
//! blob folder; reads go on meanwhile, writes wait for it.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::auth::administering;
use super::error::{ApiError, ApiResult, echo, parse_body};
use super::routes::json;
use crate::model::TokenAccess;

/// Body of `POST /admin/tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NewToken {
    name: String,
    access: TokenAccess,
}

/// `GET /admin/tokens`: names, access and creation times, never the tokens.
pub(super) async fn list_tokens(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let tokens = administering(&st, &headers, |lib, _| Ok(lib.tokens()?)).await?;
    let list: Vec<_> = tokens
        .iter()
        .map(|t| json!({"name": t.name, "access": t.access, "created": t.created}))
        .collect();
    Ok(json(StatusCode::OK, &list))
}

/// `POST /admin/tokens`: a new token, shown only in this answer.
pub(super) async fn create_token(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let b: NewToken = parse_body(body)?;
    if b.name.chars().count() > 64 {
        return Err(ApiError::bad(
            "invalid_input",
            format!("token name '{}' is over 64 characters", echo(&b.name)),
        ));
    }
    let secret =
        crate::library::new_token_secret().map_err(|e| ApiError::internal(format!("{e:#}")))?;
    let shown = secret.clone();
    let t = administering(&st, &headers, move |lib, actor| {
        Ok(lib.create_token(&b.name, &secret, b.access, actor, Timestamp::now())?)
    })
    .await?;
    Ok(json(
        StatusCode::CREATED,
        &json!({"name": t.name, "access": t.access, "token": shown}),
    ))
}

/// `DELETE /admin/tokens/{name}`.
pub(super) async fn revoke_token(
    State(st): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let Path(name) =
        name.map_err(|_| ApiError::bad("invalid_input", "the token name is not text"))?;
    let answer = json!({"name": echo(&name), "revoked": true});
    administering(&st, &headers, move |lib, actor| {
        Ok(lib.revoke_token(&name, actor, Timestamp::now())?)
    })
    .await?;
    Ok(json(StatusCode::OK, &answer))
}

/// `GET /admin/verify`: what `byline verify --json` prints.
pub(super) async fn verify(State(st): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let report = administering(&st, &headers, |lib, _| Ok(lib.verify()?)).await?;
    Ok(json(StatusCode::OK, &report))
}
