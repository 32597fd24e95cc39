//! Watching a transfer: a callback told how many bytes have moved, for a progress bar.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;

/// Called as an upload or download moves bytes, with the bytes moved so far and the
/// total. It is called from the transfer's task, once a chunk (1 MiB at most for an upload, as
/// the network delivers for a download): keep it quick.
/// An upload tried again after a 502 starts again from 0.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::sync::Arc;
/// use github_release_assets::Progress;
///
/// let moved = Arc::new(AtomicU64::new(0));
/// let seen = moved.clone();
/// let progress = Progress::new(move |done, _total| seen.store(done, Ordering::Relaxed));
/// // Given the same way both ways:
/// // release.upload(path).progress(progress.clone()).await?;
/// // asset.download_to(path).progress(progress.clone()).await?;
/// progress.report(512, 1024);
/// assert_eq!(moved.load(Ordering::Relaxed), 512);
/// ```
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(u64, u64) + Send + Sync>);

impl Progress {
    /// A progress callback: `report(done, total)`, both in bytes.
    pub fn new(report: impl Fn(u64, u64) + Send + Sync + 'static) -> Self {
        Self(Arc::new(report))
    }

    /// Tells the callback that `done` of `total` bytes have moved.
    pub fn report(&self, done: u64, total: u64) {
        (self.0)(done, total);
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Two callbacks are the same when they are one closure.
impl PartialEq for Progress {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Progress {}

/// A byte stream that reports, as each chunk passes, how many bytes have passed.
pub(crate) struct Counted<S> {
    inner: S,
    done: u64,
    total: u64,
    progress: Progress,
}

impl<S> Counted<S> {
    pub(crate) fn new(inner: S, total: u64, progress: Progress) -> Self {
        progress.report(0, total);
        Self {
            inner,
            done: 0,
            total,
            progress,
        }
    }
}

impl<S, E> Stream for Counted<S>
where
    S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
{
    type Item = Result<bytes::Bytes, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = Pin::new(&mut self.inner).poll_next(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &polled {
            self.done += chunk.len() as u64;
            self.progress.report(self.done, self.total);
        }
        polled
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;
    use std::sync::Mutex;

    #[tokio::test]
    async fn counts_every_chunk_from_zero() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let progress = Progress::new(move |done, total| log.lock().unwrap().push((done, total)));
        let chunks = futures_util::stream::iter([
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"abc")),
            Ok(bytes::Bytes::from_static(b"de")),
        ]);
        let counted = Counted::new(chunks, 5, progress);
        let total: usize = counted
            .map(|c| c.unwrap().len())
            .fold(0, |a, n| async move { a + n })
            .await;
        assert_eq!(total, 5);
        assert_eq!(*seen.lock().unwrap(), vec![(0, 5), (3, 5), (5, 5)]);
    }
}
