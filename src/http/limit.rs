//! Limits against hostile or broken clients (issue 15): the connection loop (a cap on open
//! connections, a header-read timeout, an idle timeout), a total time per request, and request
//! bodies that must keep arriving at a minimum rate.
//!
//! `axum::serve` sets none of these, so connections are driven here with hyper's own HTTP/1
//! builder. Nothing here looks at tokens or routes (that is [`super::gate`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use super::error::ApiError;
use crate::config::ServerConfig;

/// The timeouts and caps of `[server]`, as durations.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers.
    pub header: Duration,
    /// Time a connection may sit with nothing read or written.
    pub idle: Duration,
    /// Time a whole request may take.
    pub request: Duration,
    /// Slowest average body rate, in bytes a second, after a grace of `header`.
    pub body_min_rate: u64,
    /// Open connections at most.
    pub max_connections: usize,
}

impl Limits {
    /// The limits `[server]` asks for (a zero is taken as the smallest sane value, 1).
    pub fn of(s: &ServerConfig) -> Limits {
        let secs = |n: u64| Duration::from_secs(n.max(1));
        Limits {
            header: secs(s.header_timeout_secs),
            idle: secs(s.idle_timeout_secs),
            request: secs(s.request_timeout_secs),
            body_min_rate: s.body_min_bytes_per_sec.max(1),
            max_connections: s.max_connections.max(1),
        }
    }
}

/// Accept connections on `listener` and serve `app` on each, within `limits`, until `shutdown`
/// completes; then stop accepting, let the connections finish the request in hand, and return.
pub(super) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(e) => {
                    eprintln!("byline serve: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        // Over the cap the connection is closed at once: a flood of idle sockets then costs
        // a file descriptor for a moment, not a task and buffers each.
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let app = app.clone();
        let mut stop = stop_rx.clone();
        tasks.spawn(async move {
            connection(stream, peer, app, limits, &mut stop).await;
            drop(permit);
        });
        // Reap finished connections so the set does not grow with every one served.
        while tasks.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// Serve one connection: hyper's header timeout, and an idle watch that closes it after
/// `limits.idle` without a byte read or written (a stalled body, an unread answer). Each
/// request carries the peer's address (`ConnectInfo`), which rate limits key on.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: Limits,
    stop: &mut tokio::sync::watch::Receiver<bool>,
) {
    let activity = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
        started,
        linger: None,
    });
    let app = app.map_request(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    });
    let service = hyper_util::service::TowerToHyperService::new(app);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header)
        .serve_connection(io, service)
        .with_upgrades();
    tokio::pin!(conn);
    let mut tick = tokio::time::interval(limits.idle.min(Duration::from_secs(1)));
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = tick.tick() => {
                let last = started + Duration::from_millis(activity.load(Ordering::Relaxed));
                if last.elapsed() > limits.idle {
                    return;
                }
            }
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// How long a closing connection goes on reading (and dropping) what the client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// … and at most how many bytes.
const LINGER_BYTES: u64 = 64 << 20;

/// A socket that notes when it last moved a byte (milliseconds since `started`).
struct Watched {
    inner: TcpStream,
    activity: Arc<AtomicU64>,
    started: Instant,
    /// Once hyper closes: when lingering stops, and the bytes drained so far.
    linger: Option<(Pin<Box<Sleep>>, u64)>,
}

impl Watched {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.activity.store(ms, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    /// A lingering close: send FIN after the answer, then read and drop what the client is
    /// still sending, for up to [`LINGER`] or [`LINGER_BYTES`], before the socket is closed.
    /// Closing with unread bytes in the receive buffer sends a reset, which can destroy an
    /// answer (a 413 refused on the headers) that the client has not read yet (RFC 9112 §9.6).
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.linger.is_none() {
            ready!(Pin::new(&mut this.inner).poll_shutdown(cx))?;
            this.linger = Some((Box::pin(tokio::time::sleep(LINGER)), 0));
        }
        let mut scratch = [0u8; 8192];
        loop {
            let Some((deadline, drained)) = this.linger.as_mut() else {
                return Poll::Ready(Ok(()));
            };
            if *drained >= LINGER_BYTES || deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.inner).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => {
                    *drained += buf.filled().len() as u64;
                    this.touch();
                }
                // The client closed too, or the socket failed: nothing left to wait for.
                Poll::Ready(_) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Middleware: the whole request (body and handler) within `limits.request`, and its body at
/// `limits.body_min_rate` at least.
pub(super) async fn bounded(
    axum::extract::State(limits): axum::extract::State<Limits>,
    req: Request,
    next: Next,
) -> Response {
    let req = req.map(|body| Body::new(MinRate::new(body, &limits)));
    match tokio::time::timeout(limits.request, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took over {} s, this server's limit",
                limits.request.as_secs()
            ),
        )
        .into_response(),
    }
}

/// The error a body too slow to wait for ends with; [`super::error`] answers it with 408.
#[derive(Debug)]
pub(super) struct SlowBody {
    min_rate: u64,
}

impl std::fmt::Display for SlowBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body arrived slower than {} bytes a second",
            self.min_rate
        )
    }
}

impl std::error::Error for SlowBody {}

/// A request body that fails with [`SlowBody`] once fewer than `min_rate` bytes a second have
/// arrived on average since `grace` after the start: the deadline is
/// `start + grace + received / min_rate`, moved on by every frame.
struct MinRate {
    inner: Body,
    start: Instant,
    grace: Duration,
    min_rate: u64,
    received: u64,
    deadline: Pin<Box<Sleep>>,
}

impl MinRate {
    fn new(inner: Body, limits: &Limits) -> MinRate {
        let start = Instant::now();
        MinRate {
            inner,
            start,
            grace: limits.header,
            min_rate: limits.body_min_rate,
            received: 0,
            deadline: Box::pin(tokio::time::sleep_until(start + limits.header)),
        }
    }
}

impl http_body::Body for MinRate {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                    let earned =
                        Duration::from_secs_f64(this.received as f64 / this.min_rate as f64);
                    this.deadline
                        .as_mut()
                        .reset(this.start + this.grace + earned);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                ready!(this.deadline.as_mut().poll(cx));
                Poll::Ready(Some(Err(axum::Error::new(SlowBody {
                    min_rate: this.min_rate,
                }))))
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Whether an error (a body rejection's chain) comes from [`SlowBody`].
pub(super) fn is_slow_body(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(e) = cur {
        if e.is::<SlowBody>() {
            return true;
        }
        cur = e.source();
    }
    false
}
