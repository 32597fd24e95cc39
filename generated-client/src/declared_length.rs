//! A streamed upload's body held to the length it declared. The request goes with
//! `Content-Length`, and the HTTP client stops reading the body once that many bytes went:
//! a stream that has more would be cut short without a word, and the asset would be a
//! prefix of what the caller meant. So the last bytes are held back until the stream has
//! ended, and a stream that gives more, or fewer, fails the upload, saying which.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_util::Stream;

/// `stream`, which must give exactly `length` bytes and then end: more or fewer is an
/// [`std::io::ErrorKind::InvalidData`] error in the body (after which it ends). The chunk
/// that completes the length goes only once the stream has ended, so a stream that never
/// ends holds its upload's last bytes back.
pub(crate) fn declared_length<S>(stream: S, length: u64) -> DeclaredLength<S> {
    DeclaredLength {
        stream,
        length,
        left: length,
        last: None,
        ended: false,
    }
}

/// See [`declared_length`].
pub(crate) struct DeclaredLength<S> {
    stream: S,
    length: u64,
    /// Bytes still to come.
    left: u64,
    /// The chunk that completed the length, held until the stream ends.
    last: Option<Bytes>,
    ended: bool,
}

impl<S> DeclaredLength<S> {
    fn fail(&mut self, message: String) -> Poll<Option<std::io::Result<Bytes>>> {
        self.ended = true;
        self.last = None;
        Poll::Ready(Some(Err(crate::runtime::source_failed(
            std::io::ErrorKind::InvalidData,
            message,
        ))))
    }

    fn longer(&mut self) -> Poll<Option<std::io::Result<Bytes>>> {
        let length = self.length;
        self.fail(format!(
            "the stream gives more than the {length} bytes it declared (none is cut off unseen)"
        ))
    }
}

impl<S> Stream for DeclaredLength<S>
where
    S: Stream<Item = std::io::Result<Bytes>> + Unpin,
{
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.ended {
                return Poll::Ready(None);
            }
            match ready!(Pin::new(&mut this.stream).poll_next(cx)) {
                Some(Ok(chunk)) if chunk.is_empty() => {}
                Some(Ok(chunk)) => {
                    let len = chunk.len() as u64;
                    if this.last.is_some() || len > this.left {
                        return this.longer();
                    }
                    this.left -= len;
                    if this.left > 0 {
                        return Poll::Ready(Some(Ok(chunk)));
                    }
                    // The length is complete: these go once the stream says it has ended.
                    this.last = Some(chunk);
                }
                Some(Err(error)) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(error)));
                }
                None => {
                    this.ended = true;
                    if let Some(last) = this.last.take() {
                        return Poll::Ready(Some(Ok(last)));
                    }
                    if this.left > 0 {
                        let (length, sent) = (this.length, this.length - this.left);
                        return this.fail(format!(
                            "the stream ended after {sent} of the {length} bytes it declared"
                        ));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::{StreamExt, stream};

    async fn collect(chunks: &[&'static [u8]], length: u64) -> Vec<Result<Vec<u8>, String>> {
        let stream = stream::iter(chunks.iter().map(|c| Ok(Bytes::from_static(c))));
        declared_length(stream, length)
            .map(|item| item.map(|b| b.to_vec()).map_err(|e| e.to_string()))
            .collect()
            .await
    }

    #[tokio::test]
    async fn exactly_the_length_goes_through_whole() {
        let out = collect(&[b"abc", b"", b"de"], 5).await;
        assert_eq!(out, [Ok(b"abc".to_vec()), Ok(b"de".to_vec())]);
        assert_eq!(collect(&[], 0).await, []);
    }

    #[tokio::test]
    async fn more_than_the_length_is_an_error_whether_in_the_last_chunk_or_after_it() {
        for (chunks, length) in [
            (&[&b"abc"[..], b"def"][..], 5),
            (&[b"abcde", b"f"], 5),
            (&[b"x"], 0),
        ] {
            let out = collect(chunks, length).await;
            let last = out.last().unwrap().as_ref().unwrap_err();
            assert!(
                last.contains(&format!("more than the {length} bytes")),
                "{last}"
            );
            // The bytes that completed the length never went.
            let sent: usize = out
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .map(Vec::len)
                .sum();
            assert!(sent < length as usize || length == 0, "{out:?}");
        }
    }

    #[tokio::test]
    async fn fewer_than_the_length_is_an_error() {
        let out = collect(&[b"abc"], 5).await;
        assert_eq!(out[0], Ok(b"abc".to_vec()));
        assert_eq!(
            out[1],
            Err("the stream ended after 3 of the 5 bytes it declared".to_owned())
        );
    }
}
