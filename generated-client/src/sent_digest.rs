//! The sha256 of the bytes an upload sends, computed as they are produced, so an upload
//! can be checked against the `digest` GitHub answers with and no file is read twice.
//!
//! A file's bytes are hashed on the thread that reads them ([`crate::file_chunks`]), so the
//! hashing runs on another core than the sending, alongside it (on a fast link it is the
//! slower of the two: `cargo xtask bench` measures what it costs); any other stream is
//! hashed as it passes ([`hashed`]).

use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};

/// Where the sha256 of one attempt's bytes lands, in lower-case hex, once every byte has
/// been produced. Empty while bytes are still coming, or when the stream failed.
#[derive(Debug, Clone, Default)]
pub(crate) struct SentDigest(Arc<OnceLock<String>>);

impl SentDigest {
    /// The hex sha256 of all the bytes, once all were produced.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }

    pub(crate) fn finish(&self, hasher: Sha256) {
        let _ = self.0.set(format!("{:x}", hasher.finalize()));
    }
}

/// `stream` of `length` bytes, hashing them into `digest` as they pass. The digest is set
/// as the last of the `length` bytes passes (the HTTP client may not ask for the stream's
/// end once it has sent `Content-Length` bytes), or at the end of the stream.
pub(crate) fn hashed<S>(stream: S, length: u64, digest: SentDigest) -> Hashed<S> {
    let mut hasher = Some(Sha256::new());
    // No bytes to come: the HTTP client may never poll an empty body.
    if length == 0
        && let Some(empty) = hasher.take()
    {
        digest.finish(empty);
    }
    Hashed {
        stream,
        hasher,
        left: length,
        digest,
    }
}

/// See [`hashed`].
pub(crate) struct Hashed<S> {
    stream: S,
    hasher: Option<Sha256>,
    left: u64,
    digest: SentDigest,
}

impl<S> Stream for Hashed<S>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin,
{
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let item = Pin::new(&mut this.stream).poll_next(cx);
        match &item {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(hasher) = &mut this.hasher {
                    hasher.update(chunk);
                }
                this.left = this.left.saturating_sub(chunk.len() as u64);
                if this.left == 0
                    && let Some(hasher) = this.hasher.take()
                {
                    this.digest.finish(hasher);
                }
            }
            // A failed stream has no digest: what was sent is not the whole.
            Poll::Ready(Some(Err(_))) => this.hasher = None,
            Poll::Ready(None) => {
                if let Some(hasher) = this.hasher.take() {
                    this.digest.finish(hasher);
                }
            }
            Poll::Pending => {}
        }
        item
    }
}

/// Whether GitHub's `digest` (`sha256:<hex>`, either case) names `hex`. `None` when the
/// digest is of another algorithm, or not in that form, so nothing can be said.
pub(crate) fn digest_matches(digest: &str, hex: &str) -> Option<bool> {
    crate::verify::expected_sha256(Some(digest))
        .ok()
        .map(|expected| expected.eq_ignore_ascii_case(hex))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::TryStreamExt;

    #[tokio::test]
    async fn the_digest_is_of_every_byte_and_only_once_they_all_passed() {
        let digest = SentDigest::default();
        let chunks = vec![
            Ok(Bytes::from_static(b"Hello, ")),
            Ok(Bytes::from_static(b"world!\n")),
        ];
        let mut stream = hashed(futures_util::stream::iter(chunks), 14, digest.clone());
        stream.try_next().await.unwrap();
        assert_eq!(digest.get(), None);
        while stream.try_next().await.unwrap().is_some() {}
        assert_eq!(
            digest.get(),
            Some("d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5")
        );
    }

    #[tokio::test]
    async fn a_failed_stream_has_no_digest() {
        let digest = SentDigest::default();
        let chunks = vec![
            Ok(Bytes::from_static(b"part")),
            Err(std::io::Error::other("cut")),
        ];
        let stream = hashed(futures_util::stream::iter(chunks), 10, digest.clone());
        assert!(stream.try_collect::<Vec<_>>().await.is_err());
        assert_eq!(digest.get(), None);
    }

    #[test]
    fn digests_match_in_either_case_and_other_algorithms_say_nothing() {
        let hex = "ab".repeat(32);
        assert_eq!(
            digest_matches(&format!("sha256:{}", hex.to_uppercase()), &hex),
            Some(true)
        );
        assert_eq!(
            digest_matches(&format!("SHA256:{hex}"), &"cd".repeat(32)),
            Some(false)
        );
        assert_eq!(digest_matches(&format!("sha512:{hex}"), &hex), None);
        assert_eq!(digest_matches(&hex, &hex), None);
    }
}
