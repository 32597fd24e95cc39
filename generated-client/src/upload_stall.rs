//! An upload's stall timeout. reqwest's read timeout is one timer from a request's start to
//! its answer's headers: it does not restart as the body goes, so it would fail every
//! upload that takes longer than it, however steadily the bytes flow. Uploads go through a
//! client without it (`Settings::uploads_http`), and this takes its place: an upload fails
//! when the connection has taken no bytes of its body for the read timeout (the network
//! stalled), or its answer has not come that long after the last byte.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::time::Instant;

/// When an upload last moved: a chunk of its body taken, or its body's end.
#[derive(Debug)]
pub(crate) struct Activity {
    start: Instant,
    /// Microseconds from `start` to the last move.
    last: AtomicU64,
}

impl Activity {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            last: AtomicU64::new(0),
        })
    }

    fn moved(&self) {
        let since = u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.last.fetch_max(since, Ordering::Relaxed);
    }

    fn last(&self) -> Instant {
        self.start + Duration::from_micros(self.last.load(Ordering::Relaxed))
    }
}

/// `stream`, telling `activity` each time a chunk is taken from it and when it ends.
pub(crate) fn watched<S>(stream: S, activity: Arc<Activity>) -> Watched<S> {
    Watched { stream, activity }
}

/// See [`watched`].
pub(crate) struct Watched<S> {
    stream: S,
    activity: Arc<Activity>,
}

impl<S> Stream for Watched<S>
where
    S: Stream + Unpin,
{
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let item = Pin::new(&mut self.stream).poll_next(cx);
        if item.is_ready() {
            self.activity.moved();
        }
        item
    }
}

/// `request`'s output, unless `activity` shows no move for `limit` first: then how long it
/// stood still. Without a limit, the request's output whenever it comes.
pub(crate) async fn unless_stalled<F: Future>(
    request: F,
    activity: &Activity,
    limit: Option<Duration>,
) -> Result<F::Output, Duration> {
    let Some(limit) = limit else {
        return Ok(request.await);
    };
    use futures_util::future::{Either, select};
    let mut request = std::pin::pin!(request);
    loop {
        let timer = std::pin::pin!(tokio::time::sleep_until(activity.last() + limit));
        match select(request.as_mut(), timer).await {
            Either::Left((output, _)) => return Ok(output),
            // A move since the timer was set pushes the deadline on.
            Either::Right(((), _)) if activity.last() + limit <= Instant::now() => {
                return Err(limit);
            }
            Either::Right(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    /// A body that keeps moving is never timed out however long it takes; one that stops
    /// is, a limit after its last move.
    #[tokio::test(start_paused = true)]
    async fn only_standing_still_for_the_limit_times_out() {
        let limit = Duration::from_secs(60);
        let activity = Activity::new();
        // Ten minutes of body, a chunk every 30 s.
        let mut body = watched(
            Box::pin(futures_util::stream::iter(0..20).then(|i| async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                i
            })),
            activity.clone(),
        );
        let steady = async { while body.next().await.is_some() {} };
        assert_eq!(unless_stalled(steady, &activity, Some(limit)).await, Ok(()));
        let began = Instant::now();
        let stalled = unless_stalled(std::future::pending::<()>(), &activity, Some(limit)).await;
        assert_eq!(stalled, Err(limit));
        assert_eq!(began.elapsed(), limit);
        // Without a limit, no stall is timed out.
        let late = async { tokio::time::sleep(Duration::from_secs(3600)).await };
        assert_eq!(unless_stalled(late, &activity, None).await, Ok(()));
    }
}
