//! The route handlers of `schema/openapi.json`: records, lists, credits, renditions, edits,
//! the ledger and the audit. Tokens are checked in [`super::auth`]; blob bytes are answered by
//! [`super::blob`]; uploads are streamed by [`mod@super::upload`].

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AppState;
use super::auth::{reading, reading_quick, writing};
use super::blob::insert;
use super::error::{ApiError, ApiResult, parse_body, path_id, query};
use crate::credit::Style;
use crate::db::Query as PhotoQuery;
use crate::error::Error;
use crate::id::BlobId;
use crate::library::{NewUse, Reader, UseQuery};
use crate::model::{OutputFormat, Photo};

/// `GET /photos` pages hold this many records unless `limit` says otherwise.
const PAGE_DEFAULT: usize = 100;

/// … and never more than this.
const PAGE_MAX: usize = 1000;

/// The route description served at `/openapi.json`.
const OPENAPI: &str = include_str!("../../schema/openapi.json");

pub(super) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    (status, axum::Json(value)).into_response()
}

/// A JSON object of `field: value` as the `(field, value)` edits the library takes.
pub(super) fn edits_of(v: Value) -> ApiResult<Vec<(String, Value)>> {
    match v {
        Value::Object(map) => Ok(map.into_iter().collect()),
        _ => Err(ApiError::bad(
            "bad_json",
            "fields must be a JSON object such as {\"caption\": \"…\", \"creators\": [\"…\"]}",
        )),
    }
}

pub(super) async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

/// `GET /photos/{id}`: a record by id or unique prefix.
pub(super) async fn show(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let photo = reading_quick(&st, &headers, |lib| Ok(lib.photo(&looked_up(lib, &id)?)?))?;
    Ok(json(StatusCode::OK, &photo))
}

/// The photo id a path names: a full id as it is, to be looked up once by the read that
/// follows (a missing photo is its "not found"; on PostgreSQL each lookup is a round trip);
/// only a prefix is resolved first.
fn looked_up(lib: &Reader, id: &str) -> ApiResult<BlobId> {
    Ok(match id.parse::<BlobId>() {
        Ok(full) => full,
        Err(_) => lib.resolve(id)?,
    })
}

/// Query of `GET /photos`.
#[derive(Debug, Deserialize)]
pub(super) struct ListParams {
    agency: Option<String>,
    creator: Option<String>,
    year: Option<i32>,
    text: Option<String>,
    #[serde(default)]
    incomplete: bool,
    limit: Option<usize>,
    cursor: Option<String>,
}

/// One page of `GET /photos`.
#[derive(Debug, Serialize)]
struct Page {
    photos: Vec<Photo>,
    next_cursor: Option<String>,
}

/// A page boundary: the last record's `(added_at, id)`, the order `Library::list` sorts by.
fn cursor_of(p: &Photo) -> String {
    format!("{}-{}", p.added_at.as_nanosecond(), p.id.to_hex())
}

fn parse_cursor(s: &str) -> ApiResult<(i128, BlobId)> {
    let bad = || ApiError::bad("bad_cursor", "cursor is not one this server gave out");
    let (nanos, id) = s.rsplit_once('-').ok_or_else(bad)?;
    Ok((
        nanos.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// `GET /photos`: filtered, oldest first, in pages.
pub(super) async fn list(
    State(st): State<AppState>,
    q: Result<Query<ListParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let limit = q.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX);
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let filter = PhotoQuery {
        agency: q.agency,
        creator: q.creator,
        year: q.year,
        text: q.text,
        incomplete: q.incomplete,
    };
    // One more than asked for says whether there is a next page.
    let mut photos = reading(&st, &headers, move |lib| {
        Ok(lib.page(&filter, after, limit + 1)?)
    })
    .await?;
    let next_cursor = if photos.len() > limit {
        photos.truncate(limit);
        photos.last().map(cursor_of)
    } else {
        None
    };
    Ok(json(
        StatusCode::OK,
        &Page {
            photos,
            next_cursor,
        },
    ))
}

/// A style named in a query: an unknown name is a bad request, not a missing resource.
fn style(lib: &Reader, name: &str) -> ApiResult<Style> {
    lib.style(name).map_err(|e| match e {
        Error::NotFound(m) => ApiError::bad("invalid_input", m),
        e => e.into(),
    })
}

/// Query of `GET /photos/{id}/credit`.
#[derive(Debug, Deserialize)]
pub(super) struct CreditParams {
    style: Option<String>,
    outlet: Option<String>,
}

/// `GET /photos/{id}/credit`: the required line, its parts, short form and JSON-LD.
pub(super) async fn credit(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    q: Result<Query<CreditParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let q = query(q)?;
    let body = reading_quick(&st, &headers, |lib| {
        let id = looked_up(lib, &id)?;
        let key = format!("{:?}/{:?}", q.style, q.outlet);
        let generation = match st.credits.get(&id, &key)? {
            Ok(body) => return Ok(body),
            Err(generation) => generation,
        };
        let style = match (&q.style, &q.outlet) {
            (Some(_), Some(_)) => {
                return Err(ApiError::bad(
                    "invalid_input",
                    "give style or outlet, not both",
                ));
            }
            (Some(s), None) => style(lib, s)?,
            (None, Some(o)) => lib.style_for(o, None),
            (None, None) => Style::Default,
        };
        let report = lib.credit(&id, &style)?;
        let body = Bytes::from(serde_json::to_vec(&report).map_err(ApiError::internal)?);
        st.credits.keep(id, key, body.clone(), generation)?;
        Ok(body)
    })?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// `GET /photos/{id}/renditions`.
pub(super) async fn renditions(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let list = reading(&st, &headers, move |lib| {
        Ok(lib.renditions(&lib.resolve(&id)?)?)
    })
    .await?;
    Ok(json(StatusCode::OK, &list))
}

/// Body of `POST /photos/{id}/renditions`: a preset, or a size (with format and quality).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RenderBody {
    preset: Option<String>,
    max_side: Option<u32>,
    format: Option<OutputFormat>,
    quality: Option<u8>,
}

/// `POST /photos/{id}/renditions`: make (or find) a rendition carrying the current credit.
/// 201 when made now, 200 when the same spec of the same revision already existed.
pub(super) async fn make_rendition(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let b: RenderBody = parse_body(body)?;
    let (r, existed) = writing(&st, &headers, move |lib, actor| {
        let id = lib.resolve(&id)?;
        let (preset, spec) =
            lib.rendition_spec(b.preset.as_deref(), b.max_side, b.format, b.quality)?;
        Ok(lib.render(&id, spec, preset.as_deref(), actor, Timestamp::now())?)
    })
    .await?;
    let status = if existed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut res = json(status, &r);
    insert(&mut res, header::LOCATION, &format!("/renditions/{}", r.id));
    Ok(res)
}

/// Query of `GET /uses`.
#[derive(Debug, Deserialize)]
pub(super) struct UsesParams {
    photo: Option<String>,
    outlet: Option<String>,
    since: Option<String>,
}

fn date(field: &str, s: &str) -> ApiResult<Timestamp> {
    crate::model::parse_date(s)
        .map_err(|e| ApiError::bad("invalid_input", format!("{field}: {e:#}")))
}

/// `GET /uses`: the ledger, oldest first.
pub(super) async fn uses(
    State(st): State<AppState>,
    q: Result<Query<UsesParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let since = q.since.as_deref().map(|s| date("since", s)).transpose()?;
    let found = reading(&st, &headers, move |lib| {
        let photo = q.photo.as_deref().map(|p| lib.resolve(p)).transpose()?;
        Ok(lib.uses(&UseQuery {
            photo,
            outlet: q.outlet,
            since,
        })?)
    })
    .await?;
    Ok(json(StatusCode::OK, &found))
}

/// Query of `GET /audit`.
#[derive(Debug, Deserialize)]
pub(super) struct AuditParams {
    format: Option<String>,
    outlet: Option<String>,
    style: Option<String>,
    since: Option<String>,
}

/// `GET /audit?format=json|csv|html`: the attribution audit.
pub(super) async fn audit(
    State(st): State<AppState>,
    q: Result<Query<AuditParams>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let q = query(q)?;
    let since = q.since.as_deref().map(|s| date("since", s)).transpose()?;
    let format = q.format.unwrap_or_else(|| "json".into());
    let mime = match format.as_str() {
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        other => {
            return Err(ApiError::bad(
                "invalid_input",
                format!("format '{other}': give json, csv or html"),
            ));
        }
    };
    let text = reading(&st, &headers, move |lib| {
        let style = q.style.as_deref().map(|s| style(lib, s)).transpose()?;
        let report = lib.audit(q.outlet.as_deref(), since, style.as_ref(), Timestamp::now())?;
        Ok(match format.as_str() {
            "csv" => crate::report::csv(&report),
            // Thumbnails are made here, on the blocking pool, as the CLI's report makes them.
            "html" => crate::report::html_for(lib, &report),
            _ => serde_json::to_string_pretty(&report).map_err(ApiError::internal)?,
        })
    })
    .await?;
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(mime))],
        text,
    )
        .into_response())
}

/// `PATCH /photos/{id}`: set fields (a JSON object); journalled with the token's name.
pub(super) async fn edit(
    State(st): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let id = path_id(id)?;
    let edits = edits_of(parse_body(body)?)?;
    if edits.is_empty() {
        return Err(ApiError::bad(
            "invalid_input",
            "nothing to change: send at least one field",
        ));
    }
    let revision = if_match(&headers)?;
    let photo = writing(&st, &headers, move |lib, actor| {
        let id = lib.resolve(&id)?;
        match lib.edit_revision(&id, revision, &edits, actor, Timestamp::now())? {
            Some(p) => Ok(p),
            None => Ok(lib.photo(&id)?),
        }
    })
    .await?;
    Ok(json(StatusCode::OK, &photo))
}

/// The revision an edit was made on, from `If-Match: "N"` (a photo's revision is its entity
/// tag): the edit is refused with 409 when the photo has moved on since.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<u64>> {
    let Some(v) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or("").trim();
    let tag = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    tag.parse().map(Some).map_err(|_| {
        ApiError::bad(
            "invalid_input",
            "If-Match must name the photo's revision, e.g. If-Match: \"3\"",
        )
    })
}

/// Body of `POST /uses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UseBody {
    photo: String,
    outlet: String,
    url: String,
    published: Option<String>,
    printed_credit: Option<String>,
    printed_caption: Option<String>,
    territory: Option<String>,
    #[serde(default)]
    commercial: bool,
    rendition: Option<String>,
}

/// `POST /uses`: record a published use in the ledger.
pub(super) async fn record_use(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let b: UseBody = parse_body(body)?;
    let published = b
        .published
        .as_deref()
        .map(|s| date("published", s))
        .transpose()?;
    let rendition = b
        .rendition
        .as_deref()
        .map(|r| {
            r.parse::<BlobId>().map_err(|_| {
                ApiError::bad("invalid_input", "rendition takes a rendition's full id")
            })
        })
        .transpose()?;
    let usage = writing(&st, &headers, move |lib, actor| {
        let photo = lib.resolve(&b.photo)?;
        let new = NewUse {
            outlet: b.outlet,
            url: b.url,
            published,
            printed_credit: b.printed_credit,
            printed_caption: b.printed_caption,
            territory: b.territory,
            commercial: b.commercial,
            rendition,
            found: None,
        };
        Ok(lib.record_use(&photo, new, actor, Timestamp::now())?)
    })
    .await?;
    Ok(json(StatusCode::CREATED, &usage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() -> ApiResult<()> {
        let id = BlobId::of(b"x");
        let c = format!("{}-{}", -5i128, id.to_hex());
        assert_eq!(parse_cursor(&c)?, (-5, id));
        assert!(parse_cursor("nonsense").is_err());
        Ok(())
    }
}
