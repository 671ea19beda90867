//! Rate limits (issue 15): each token, and each peer address sending no known token, may make
//! `rate_limit_per_sec` requests a second on average with bursts of `rate_limit_burst`; past
//! that the answer is 429 with `Retry-After`, before the route does any work. The limiter is
//! `governor`'s keyed GCRA: one small state per key, so a client cannot make it allocate much,
//! and keys idle long enough to be full again are dropped as the server goes.
//!
//! Keyed by token name rather than by secret, so a token's requests share one budget however
//! it is spelt; a secret that names no token counts against its peer address, so inventing
//! secrets buys no extra budget.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::AppState;
use super::auth::bearer;
use super::error::ApiError;

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A known token, by name.
    Token(String),
    /// Anyone else, by the address the connection comes from.
    Peer(IpAddr),
}

/// Forget keys whose budget has refilled after this many requests.
const SWEEP_EVERY: u32 = 4096;

/// The limiter of one server.
pub(super) struct Limiter {
    keyed: DefaultKeyedRateLimiter<Key>,
    clock: DefaultClock,
    seen: AtomicU32,
}

impl Limiter {
    /// `per_sec` requests a second, bursts of `burst`; `None` when `per_sec` is 0 (no limit).
    pub(super) fn new(per_sec: u32, burst: u32) -> Option<Limiter> {
        let rate = NonZeroU32::new(per_sec)?;
        let burst = NonZeroU32::new(burst).unwrap_or(rate);
        Some(Limiter {
            keyed: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
            clock: DefaultClock::default(),
            seen: AtomicU32::new(0),
        })
    }

    /// `Ok` if `key` may make a request now; otherwise the whole seconds to wait.
    fn check(&self, key: &Key) -> Result<(), u64> {
        if self.seen.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.keyed.retain_recent();
            self.keyed.shrink_to_fit();
        }
        self.keyed.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            // At least one second: `Retry-After` counts whole seconds.
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

/// The middleware: spend one request of the client's budget, or answer 429.
pub(super) async fn limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let Some(limiter) = &st.limiter else {
        return next.run(req).await;
    };
    match limiter.check(&key_of(&st, &req)) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut res = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; try again in {wait} s"),
            )
            .into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            // A refused request's body is never read: the connection cannot carry another.
            if req.headers().contains_key(header::CONTENT_LENGTH)
                || req.headers().contains_key(header::TRANSFER_ENCODING)
            {
                res.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            res
        }
    }
}

/// The token the request names, if it is a known one; else the peer's address.
fn key_of(st: &Arc<super::Shared>, req: &Request) -> Key {
    let token = bearer(req.headers())
        .ok()
        .flatten()
        .and_then(|secret| st.reader.check_token(&secret).ok().flatten());
    match token {
        Some(t) => Key::Token(t.name),
        None => Key::Peer(
            req.extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_let_through_then_refused_per_key() {
        let Some(l) = Limiter::new(1, 3) else {
            panic!("a limiter");
        };
        let a = Key::Token("desk".into());
        let b = Key::Peer(IpAddr::from([10, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(l.check(&a), Ok(()));
        }
        assert_eq!(l.check(&a), Err(1), "the fourth within a second waits one");
        // Another key has its own budget.
        assert_eq!(l.check(&b), Ok(()));
        assert!(Limiter::new(0, 10).is_none(), "0 turns the limit off");
    }
}
