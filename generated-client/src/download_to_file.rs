//! Downloading an asset to a file.
//!
//! The bytes go to `.<name>.<asset id>.part` beside the target, are hashed as they arrive, and the
//! file is synced and renamed onto the target only when its size and `digest` are the
//! asset's: there is never a half-written file under the final name. A digest mismatch
//! removes the partial file; an interrupted transfer keeps it, and the next call resumes
//! from it with `Range` (the bytes already there are hashed again, so the whole file is
//! still verified).
//!
//! A download writes only files it created, and never follows a symbolic link: a link
//! planted at the part file's name could otherwise make it write the asset into, or resume
//! from, whatever file the link names. Anything at that name that is not a regular file of
//! its own (a link, or on Unix a file with another name too: a hard link) is removed (that
//! name only, never what it names) and the download starts afresh; a new
//! part file is created exclusively, and one resumed from is opened with `O_NOFOLLOW` on Unix.
//! The final rename replaces a link at the target rather than writing through it.

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::types::ReleaseAsset;
use crate::verify::{Verification, expected_sha256};
use crate::{Client, Error, Progress};

/// An asset saved to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAsset {
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// The sha256 of its bytes, hex.
    pub sha256: String,
    /// The bytes an earlier, interrupted download had already saved (0 when none).
    pub resumed_from: u64,
    /// What the bytes were checked against: the asset's digest, or its size alone and why.
    pub verification: Verification,
}

/// How to download an asset to a file: what [`DownloadTo`] collects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DownloadOptions {
    progress: Option<Progress>,
    require_digest: bool,
    keep_existing: bool,
}

/// A download of an asset to a file; set what differs from the defaults, then await it.
/// Made by [`AssetHandle::download_to`](crate::AssetHandle::download_to).
///
/// By default there are no progress reports, and an asset without a digest is saved,
/// checked by its size ([`SavedAsset::verification`] says so).
#[must_use = "nothing is downloaded until this is awaited"]
#[derive(Debug, Clone)]
pub struct DownloadTo {
    client: Client,
    owner: String,
    repo: String,
    asset: ReleaseAsset,
    target: PathBuf,
    options: DownloadOptions,
}

impl DownloadTo {
    pub(crate) fn new(
        client: Client,
        owner: String,
        repo: String,
        asset: ReleaseAsset,
        target: PathBuf,
    ) -> Self {
        Self {
            client,
            owner,
            repo,
            asset,
            target,
            options: DownloadOptions::default(),
        }
    }

    /// Reports the bytes saved as they arrive (see [`Progress`]); a resumed download starts
    /// from the bytes already there.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.options.progress = Some(progress);
        self
    }

    /// Refuses, before downloading anything, an asset whose bytes cannot be checked against
    /// a digest ([`Error::Unverifiable`]).
    pub fn require_digest(mut self) -> Self {
        self.options.require_digest = true;
        self
    }

    /// Never replaces a file at the target: one there already fails the download before it
    /// starts, and one that appears while it runs is kept, the verified bytes staying in
    /// the part file ([`partial_path`]). Both are an [`Error::Io`] of kind
    /// [`std::io::ErrorKind::AlreadyExists`]. The verified bytes take the target's name in
    /// one step that fails if the name is taken (`renameat2` with `RENAME_NOREPLACE` on
    /// Linux, else a hard link and the part file's removal), so no check can be overtaken
    /// between looking and placing.
    ///
    /// ```no_run
    /// # async fn run(asset: github_release_assets::AssetHandle) -> Result<(), github_release_assets::Error> {
    /// match asset.download_to("tool.zip").keep_existing().await {
    ///     Err(github_release_assets::Error::Io { source, .. })
    ///         if source.kind() == std::io::ErrorKind::AlreadyExists =>
    ///     {
    ///         println!("tool.zip is there already: kept");
    ///     }
    ///     other => {
    ///         other?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn keep_existing(mut self) -> Self {
        self.options.keep_existing = true;
        self
    }
}

impl std::future::IntoFuture for DownloadTo {
    type Output = Result<SavedAsset, Error>;
    type IntoFuture = crate::handles::Pending<SavedAsset>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.client
                .save_asset(
                    &self.owner,
                    &self.repo,
                    &self.asset,
                    &self.target,
                    &self.options,
                )
                .await
        })
    }
}

/// The largest size an asset may say it has: 2^53 - 1, the largest integer a JSON number
/// holds exactly (and GitHub's own JavaScript reads). No file GitHub stored is near it
/// (its limit is 2 GiB an asset); a larger `size` is a server not telling the truth, and
/// [`DownloadTo`] refuses it, as it does a negative one, before sending anything.
///
/// ```
/// assert_eq!(github_release_assets::MAX_ASSET_SIZE, 9_007_199_254_740_991);
/// ```
pub const MAX_ASSET_SIZE: u64 = (1 << 53) - 1;

/// `asset.size` as a byte count: a negative or absurd one ([`MAX_ASSET_SIZE`]) is a
/// [`Error::Decode`], never "no limit", so every download is bounded by its size.
fn asset_size(asset: &ReleaseAsset) -> Result<u64, Error> {
    u64::try_from(asset.size)
        .ok()
        .filter(|&size| size <= MAX_ASSET_SIZE)
        .ok_or_else(|| Error::Decode {
            reason: format!(
                "asset {} ({:?}) says its size is {} bytes, which no asset has; nothing was downloaded",
                asset.id, asset.name, asset.size
            ),
            excerpt: String::new(),
        })
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// `.<file name>.<asset id>.part`, beside `target`: where the bytes of that asset wait
/// until they are verified. The id is in the name so that an interrupted download is
/// only ever resumed with bytes of the same asset (an asset's bytes never change; a
/// replaced asset has a new id). A file name too long to take the dot and the id (past
/// 255 bytes with them) is shortened, and a hash of it added.
///
/// ```
/// use std::path::Path;
/// use github_release_assets::partial_path;
/// let part = partial_path(Path::new("dist/tool.zip"), 42).unwrap();
/// assert_eq!(part, Path::new("dist/.tool.zip.42.part"));
/// let long = "x".repeat(250);
/// let part = partial_path(Path::new(&long), 42).unwrap();
/// assert!(part.as_os_str().len() <= 255);
/// ```
pub fn partial_path(target: &Path, asset_id: i64) -> Result<PathBuf, Error> {
    let name = target.file_name().ok_or_else(|| Error::Io {
        path: target.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the target has no file name",
        ),
    })?;
    let name = name.to_string_lossy();
    let tail = format!(".{asset_id}.part");
    if 1 + name.len() + tail.len() <= MAX_PART_NAME {
        return Ok(target.with_file_name(format!(".{name}{tail}")));
    }
    // Too long for the file system with the dot and the id around it: the name's start,
    // cut at a character, and a hash of the whole name, so two long names sharing their
    // start never share a part file.
    let hash = format!("{:x}", Sha256::digest(name.as_bytes()));
    let room = MAX_PART_NAME - 1 - tail.len() - 17;
    let mut cut = room.min(name.len());
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    Ok(target.with_file_name(format!(".{}~{}{tail}", &name[..cut], &hash[..16])))
}

/// The longest file name most file systems take, in bytes (`NAME_MAX` on Linux, ext4,
/// XFS, APFS): a part file's name is kept within it.
const MAX_PART_NAME: usize = 255;

/// `name` if it is safe to use as a file name in a directory of the caller's, on any
/// system: one plain path component, so that a name from the server can never reach
/// outside that directory, nor mean something else on Windows, nor read differently from
/// what it is. Refused: empty names, `.` and `..`, separators (`/`, `\\`), drive and stream
/// marks (`:`), the other characters Windows forbids (`<>"|?*`), control characters,
/// bidirectional controls and zero-width characters ([`is_invisible_format`]), a leading `.`
/// (a hidden file, or another download's `.<name>.<id>.part`), a trailing `.` or space
/// (Windows drops them, so the file would get another name), and Windows' device names
/// (`CON`, `NUL`, `COM1`, ... with any extension: `nul.txt` opens the device). GitHub's own
/// renaming never produces these, so a name refused here came from something that is not
/// GitHub, or from a change worth knowing of.
///
/// ```
/// use github_release_assets::local_file_name;
/// assert_eq!(local_file_name("tool-1.0.tar.gz"), Some("tool-1.0.tar.gz"));
/// assert_eq!(local_file_name("../../.bashrc"), None);
/// assert_eq!(local_file_name("/etc/passwd"), None);
/// assert_eq!(local_file_name("CON.txt"), None);
/// assert_eq!(local_file_name("setup.exe."), None);
/// assert_eq!(local_file_name("invoice\u{202e}fdp.exe"), None);
/// ```
pub fn local_file_name(name: &str) -> Option<&str> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.ends_with(['.', ' '])
        && !name.contains(['/', '\\', ':', '<', '>', '"', '|', '?', '*'])
        && !name
            .chars()
            .any(|c| c.is_control() || is_invisible_format(c))
        && !is_windows_device(name)
        && matches!(
            Path::new(name).components().collect::<Vec<_>>().as_slice(),
            [std::path::Component::Normal(_)]
        );
    plain.then_some(name)
}

/// Whether `c` changes how text around it reads without showing itself: the bidirectional
/// controls (`U+202E` makes `invoice\u{202e}fdp.exe` read `invoiceexe.pdf`), zero-width
/// characters and other invisible format characters. The tool shows them escaped, and
/// [`local_file_name`] refuses them.
///
/// ```
/// use github_release_assets::is_invisible_format;
/// assert!(is_invisible_format('\u{202e}'));
/// assert!(is_invisible_format('\u{200b}'));
/// assert!(!is_invisible_format('é'));
/// ```
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

/// Whether Windows takes `name` for a device: `CON`, `PRN`, `AUX`, `NUL`, `COM0`-`COM9`,
/// `LPT0`-`LPT9` (and their superscript-digit forms), whatever follows a `.`, any case.
fn is_windows_device(name: &str) -> bool {
    let stem = name
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches(' ');
    let upper = stem.to_uppercase();
    matches!(
        upper.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || upper
        .strip_prefix("COM")
        .or_else(|| upper.strip_prefix("LPT"))
        .is_some_and(|number| {
            let mut digits = number.chars();
            matches!(
                (digits.next(), digits.next()),
                (Some('0'..='9' | '¹' | '²' | '³'), None)
            )
        })
}

impl Client {
    pub(crate) async fn save_asset(
        &self,
        owner: &str,
        repo: &str,
        asset: &ReleaseAsset,
        target: &Path,
        options: &DownloadOptions,
    ) -> Result<SavedAsset, Error> {
        let progress = options.progress.as_ref();
        let part = partial_path(target, asset.id)?;
        refuse_directory(target).await?;
        if options.keep_existing && tokio::fs::symlink_metadata(target).await.is_ok() {
            return Err(io_error(
                target,
                std::io::ErrorKind::AlreadyExists,
                "exists, and is kept; nothing was downloaded".to_owned(),
            ));
        }
        let expected_size = asset_size(asset)?;
        let expected_digest = expected_sha256(asset.digest.as_deref());
        if options.require_digest
            && let Err(reason) = &expected_digest
        {
            return Err(Error::Unverifiable {
                name: asset.name.clone(),
                reason: reason.clone(),
            });
        }

        clear_part(&part).await?;
        // Locked from here until the verified bytes have the target's name.
        let mut file = open_part(&part).await?;
        let saved: Result<SavedAsset, Error> = async {
            let existing = file.metadata().await.map_err(io(&part))?.len();
            // A part file as long as the asset (a download stopped between its last byte
            // and its rename, or one that `keep_existing` kept): placed without a request
            // when its bytes are the asset's by its digest.
            if existing == expected_size
                && existing > 0
                && let Ok(expected) = &expected_digest
            {
                let (hasher, _) = hash_to_end(&mut file).await.map_err(io(&part))?;
                let actual = format!("{:x}", hasher.finalize());
                if actual == *expected {
                    place_verified(&part, target, options.keep_existing).await?;
                    if let Some(progress) = progress {
                        progress.report(existing, expected_size);
                    }
                    return Ok(SavedAsset {
                        path: target.to_owned(),
                        size: existing,
                        sha256: actual,
                        resumed_from: existing,
                        verification: Verification::of_digest(asset.digest.as_deref()),
                    });
                }
                // Not the asset's: dropped below, and written from the first byte.
                use tokio::io::AsyncSeekExt;
                file.rewind().await.map_err(io(&part))?;
            }
            let mut resume_from = (existing > 0 && existing < expected_size).then_some(existing);
            let download = match self
                .start_download(owner, repo, asset.id, resume_from)
                .await
            {
                // The server will not send from where the part file ends (its bytes are not
                // this asset's, or the server lost them): from the first byte, once.
                Err(error) if resume_from.is_some() && error.status() == Some(416) => {
                    tracing::info!(
                        from = existing,
                        "the server refused to resume (416): downloading from the first byte"
                    );
                    file.set_len(0).await.map_err(io(&part))?;
                    resume_from = None;
                    self.start_download(owner, repo, asset.id, None).await?
                }
                other => other?,
            };
            if let Some(content_type) = page_instead_of(download.content_type(), asset) {
                let excerpt = download.excerpt().await;
                return Err(Error::NotTheAsset {
                    content_type,
                    excerpt,
                });
            }
            let resumed = resume_from.is_some() && download.is_partial();
            if download.is_partial() && download.range_start() != Some(resume_from.unwrap_or(0)) {
                // Bytes from elsewhere than asked for cannot be appended; start afresh next time.
                let _ = tokio::fs::remove_file(&part).await;
                return Err(Error::Decode {
                    reason: format!(
                        "asked for the bytes from {} on but the server sent Content-Range {:?}; the partial file was removed, download again",
                        resume_from.unwrap_or_default(),
                        download.content_range().unwrap_or_default()
                    ),
                    excerpt: String::new(),
                });
            }
            // A length that does not end where the asset does is a server not sending
            // this asset: refused before a byte is written (a resumable part file is kept).
            let body_start = if resumed { resume_from.unwrap_or(0) } else { 0 };
            if let Some(length) = download.content_length()
                && body_start.checked_add(length) != Some(expected_size)
            {
                return Err(Error::Decode {
                    reason: format!(
                        "the server sends {length} bytes but the asset's size is {expected_size}; nothing was saved"
                    ),
                    excerpt: String::new(),
                });
            }

            let mut hasher = Sha256::new();
            let mut written = 0_u64;
            if resumed {
                // Hash what is there, then append: reading to the end leaves the handle there.
                (hasher, written) = hash_to_end(&mut file).await.map_err(io(&part))?;
            } else {
                // From the first byte: whatever the part file held is dropped.
                file.set_len(0).await.map_err(io(&part))?;
            }
            let resumed_from = written;
            if let Some(progress) = progress {
                progress.report(written, expected_size);
            }
            // Disk space is taken only for a length the server announced and that ends where
            // the asset does; a body of unknown length gets the space its bytes take.
            let announced = download.content_length().is_some();

            // Hashed and written on a thread of its own (through a second handle of the
            // locked file), so that receiving overlaps with hashing and writing.
            let writer = file.try_clone().await.map_err(io(&part))?.into_std().await;
            let sink = Sink::start(writer, written, hasher, announced.then_some(expected_size));
            let receiving = Receiving {
                sink,
                written,
                expected_size,
                part: part.clone(),
                progress: progress.cloned(),
            };
            // Received by a task of its own, not by this future: hyper's connection task
            // wakes it, and a multi-threaded runtime then runs it next on the same worker,
            // where the bytes just arrived; polled from here, every chunk would cross to
            // whichever thread awaits this future. `cargo xtask bench` measured that hop
            // at 0.2 to 0.3 CPU seconds per GiB on two cores, the margin by which a
            // verified download fell behind curl. Dropping this future aborts the task.
            let task = tokio_util::task::AbortOnDropHandle::new(tokio::spawn(
                receiving.run(download.into_stream()),
            ));
            let (sink, received_bytes, received) = task.await.map_err(|error| Error::Io {
                path: part.clone(),
                source: std::io::Error::other(format!("the download's task stopped: {error}")),
            })?;
            written = received_bytes;
            // The thread is waited for whatever happened: what was received is in the
            // part file (to resume from) before the lock is let go. Its own error (a full
            // disk) is what stopped the receiving too, so it is the one reported.
            let hasher = match (sink.finish().await, received) {
                (Err(error), _) => return Err(io(&part)(error)),
                (Ok(_), Err(error)) => return Err(error),
                (Ok(hasher), Ok(())) => hasher,
            };

            if written != expected_size {
                // Short: kept, so the next call resumes from it.
                return Err(Error::Incomplete {
                    expected: expected_size,
                    received: written,
                });
            }
            let actual = format!("{:x}", hasher.finalize());
            if let Ok(expected) = &expected_digest
                && *expected != actual
            {
                let _ = tokio::fs::remove_file(&part).await;
                return Err(Error::DigestMismatch {
                    expected: expected.clone(),
                    actual,
                });
            }
            place_verified(&part, target, options.keep_existing).await?;
            Ok(SavedAsset {
                path: target.to_owned(),
                size: written,
                sha256: actual,
                resumed_from,
                // The bytes matched the digest where there is one.
                verification: Verification::of_digest(asset.digest.as_deref()),
            })
        }
        .await;
        // A part file this call created and never wrote to is not left behind.
        if saved.is_err() && file.metadata().await.is_ok_and(|meta| meta.len() == 0) {
            let _ = tokio::fs::remove_file(&part).await;
        }
        // The lock goes with the handle: after the bytes have their name, or the error.
        drop(file);
        saved
    }
}

/// What receives a download's bytes and hands them to its [`Sink`], on a task of its own.
struct Receiving {
    sink: Sink,
    /// Bytes in the part file so far (those resumed from included).
    written: u64,
    expected_size: u64,
    part: PathBuf,
    progress: Option<Progress>,
}

impl Receiving {
    /// Receives every chunk; gives back the sink (to finish), the bytes written, and what
    /// stopped the receiving, if anything did.
    async fn run(
        mut self,
        stream: impl futures_util::Stream<Item = Result<bytes::Bytes, Error>>,
    ) -> (Sink, u64, Result<(), Error>) {
        let mut stream = std::pin::pin!(stream);
        let received: Result<(), Error> = async {
            while let Some(chunk) = stream.try_next().await? {
                self.written += chunk.len() as u64;
                if self.written > self.expected_size {
                    // Not the asset: nothing of it is worth resuming from.
                    let _ = tokio::fs::remove_file(&self.part).await;
                    return Err(Error::Decode {
                        reason: format!(
                            "the server sent more than the asset's {} bytes; the partial file was removed, download again",
                            self.expected_size
                        ),
                        excerpt: String::new(),
                    });
                }
                self.sink.push(chunk).await.map_err(io(&self.part))?;
                if let Some(progress) = &self.progress {
                    progress.report(self.written, self.expected_size);
                }
            }
            Ok(())
        }
        .await;
        (self.sink, self.written, received)
    }
}

/// The fewest bytes that go to the download's thread at a time: few hand-overs, and memory
/// bounded at a few batches whatever the asset's size (the bench measured 256 KiB batches
/// no faster, and 100 downloads at once taking 20 MiB more). A chunk at least this long,
/// as a fast connection gives them (hyper's are about 408 KiB), goes over as it is, not
/// copied; smaller ones are gathered into a batch. Each batch is a fresh buffer, freed
/// once written: reusing a download's few buffers saved page faults but no time the
/// bench could see, and held them while the download waited, doubling the memory of 100
/// downloads at once.
const BATCH: usize = 64 << 10;

/// Bytes written between two nudges of the kernel to start putting them on disk (see
/// [`start_writeback`]): at most this much is left for the final sync to write (measured:
/// 2 MiB, about 2 ms; 8 MiB, about 9).
const WRITEBACK_EVERY: u64 = 2 << 20;

/// Where a download's bytes go, away from the task that receives them: one thread per
/// download computes each batch's sha256 (with the CPU's SHA extensions where present) and
/// appends it to the part file, and syncs the file at the end, so the verified bytes are
/// on disk before they get the target's name. Every [`WRITEBACK_EVERY`] bytes it has the
/// kernel start writing them out (by way of the blocking pool, off this thread), so that
/// the sync finds little left: `cargo xtask bench` measured it at 0.5 to 0.8 s for 1 GiB,
/// at the end of the download and on its critical path, without that; about 2 ms with
/// it. One thread, not one for
/// each: on a machine of two cores the receiving task, this thread and the server already
/// share them, and `cargo xtask bench` measured no gain from a second thread, but twice
/// the threads and more memory with many downloads at once.
struct Sink {
    batch: bytes::BytesMut,
    to_thread: tokio::sync::mpsc::Sender<bytes::Bytes>,
    thread: tokio::task::JoinHandle<std::io::Result<Sha256>>,
}

impl Sink {
    /// Appends to `file`, whose end is at `offset`. When `end`, the size the server
    /// announced, is known, the disk must have room for the bytes up to it before the first
    /// is written, and their space is taken a window ahead of them ([`Reserved`]). Must be
    /// called within a Tokio runtime.
    fn start(file: std::fs::File, offset: u64, mut hasher: Sha256, end: Option<u64>) -> Self {
        use std::io::Write;
        let (to_thread, mut batches) = tokio::sync::mpsc::channel::<bytes::Bytes>(2);
        let runtime = tokio::runtime::Handle::current();
        let file = std::sync::Arc::new(file);
        let thread = tokio::task::spawn_blocking(move || {
            let mut reserved = Reserved::new(offset, end);
            let (mut written, mut flushed) = (offset, offset);
            let result: std::io::Result<()> = (|| {
                while let Some(batch) = batches.blocking_recv() {
                    reserved.ahead_of(&file, written)?;
                    hasher.update(&batch);
                    (&*file).write_all(&batch)?;
                    written += batch.len() as u64;
                    // Elsewhere than on Linux a nudge does nothing: no task is spawned for it.
                    if cfg!(target_os = "linux") && written - flushed >= WRITEBACK_EVERY {
                        // On another thread: the kernel submits the writes in the caller's
                        // time (about 0.13 ms a MiB, measured), which here would hold up the
                        // hashing.
                        let (file, from, len) = (file.clone(), flushed, written - flushed);
                        drop(runtime.spawn_blocking(move || start_writeback(&file, from, len)));
                        flushed = written;
                    }
                }
                Ok(())
            })();
            // Whatever stopped the bytes (the last of them, an error, the download
            // dropped), the file keeps no space beyond them.
            reserved.give_back(&file);
            result?;
            file.sync_all()?;
            Ok(hasher)
        });
        Self {
            batch: bytes::BytesMut::with_capacity(BATCH),
            to_thread,
            thread,
        }
    }

    async fn push(&mut self, bytes: bytes::Bytes) -> std::io::Result<()> {
        if self.batch.is_empty() && bytes.len() >= BATCH {
            return self.send(bytes).await;
        }
        self.batch.extend_from_slice(&bytes);
        if self.batch.len() >= BATCH {
            self.hand_over().await?;
        }
        Ok(())
    }

    async fn hand_over(&mut self) -> std::io::Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, bytes::BytesMut::with_capacity(BATCH));
        self.send(batch.freeze()).await
    }

    async fn send(&mut self, batch: bytes::Bytes) -> std::io::Result<()> {
        // A closed channel means the thread stopped on an error of its own (a full disk),
        // which [`Self::finish`] reports: the thread is awaited there, and only there.
        self.to_thread
            .send(batch)
            .await
            .map_err(|_| std::io::Error::other("the download's writer stopped"))
    }

    /// Hands over what is left, waits for the thread, and gives the sha256 state.
    async fn finish(mut self) -> std::io::Result<Sha256> {
        let handed = self.hand_over().await;
        let Sink {
            to_thread, thread, ..
        } = self;
        drop(to_thread);
        let hasher = thread.await.map_err(std::io::Error::other)??;
        handed?;
        Ok(hasher)
    }
}

/// How far ahead of the bytes written their disk space is taken: the file system lays the
/// file out in runs this long rather than as its pages are written back (`cargo xtask
/// bench`: a verified 1 GiB download 1 to 9% faster through the library, 11 to 16% through
/// the tool, from less system time, when the whole asset was taken at once), while a
/// process killed mid-download leaves at most this much space taken past its bytes.
const RESERVE_AHEAD: u64 = 64 << 20;

/// The disk space a download has taken past the bytes it wrote, up to the size the server
/// announced: checked free before the first byte (a disk without room fails the download at
/// once, not after most of it), taken [`RESERVE_AHEAD`] ahead of the bytes (`fallocate`,
/// keeping the file's length where its bytes end, since a part file resumes from its
/// length), and given back when the bytes stop short of it, so a failed download holds no
/// space it did not fill. Where the file system cannot take space ahead (or elsewhere than
/// on Linux), the bytes are written without.
struct Reserved {
    /// Where the space taken ends (the file's end before any is taken).
    until: u64,
    /// The size announced, if the server announced one that ends where the asset does.
    end: Option<u64>,
    /// Whether free space has been looked at.
    checked: bool,
}

impl Reserved {
    fn new(offset: u64, end: Option<u64>) -> Self {
        Self {
            until: offset,
            end,
            checked: false,
        }
    }

    /// Before a batch is written at `written`: room for every byte to come, then space
    /// taken a window ahead when less than half a window is left.
    fn ahead_of(&mut self, file: &std::fs::File, written: u64) -> std::io::Result<()> {
        let Some(end) = self.end else { return Ok(()) };
        if !self.checked {
            self.checked = true;
            ensure_room(file, end.saturating_sub(written))?;
        }
        if self.until.saturating_sub(written) >= RESERVE_AHEAD / 2 || self.until >= end {
            return Ok(());
        }
        let to = end.min(written.saturating_add(RESERVE_AHEAD));
        let from = self.until.max(written);
        if to > from {
            reserve_space(file, from, to - from)?;
            self.until = to;
        }
        Ok(())
    }

    /// Gives back the space taken past the file's end.
    fn give_back(&self, file: &std::fs::File) {
        if let Ok(meta) = file.metadata()
            && self.until > meta.len()
        {
            release_space(file, meta.len(), self.until - meta.len());
        }
    }
}

/// Fails with [`std::io::ErrorKind::StorageFull`] when the file system of `file` has less
/// free than `len` bytes. Elsewhere than on Unix, nothing is looked at.
#[cfg(unix)]
fn ensure_room(file: &std::fs::File, len: u64) -> std::io::Result<()> {
    let Ok(stat) = rustix::fs::fstatvfs(file) else {
        return Ok(());
    };
    let free = stat.f_bavail.saturating_mul(stat.f_frsize);
    if free < len {
        return Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!("no room for the {len} bytes still to come ({free} bytes free)"),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn ensure_room(_file: &std::fs::File, _len: u64) -> std::io::Result<()> {
    Ok(())
}

/// Takes the disk space for `len` bytes from `offset`, keeping the file's length.
#[cfg(target_os = "linux")]
fn reserve_space(file: &std::fs::File, offset: u64, len: u64) -> std::io::Result<()> {
    use rustix::io::Errno;
    match rustix::fs::fallocate(file, rustix::fs::FallocateFlags::KEEP_SIZE, offset, len) {
        // Too large for the disk, or for any file on this file system.
        Err(errno @ (Errno::NOSPC | Errno::FBIG)) => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!(
                "no room for the {len} bytes still to come ({})",
                std::io::Error::from(errno)
            ),
        )),
        Ok(()) | Err(_) => Ok(()),
    }
}

#[cfg(not(target_os = "linux"))]
fn reserve_space(_file: &std::fs::File, _offset: u64, _len: u64) -> std::io::Result<()> {
    Ok(())
}

/// Gives back the space taken for `len` bytes from `offset`, the file's end. Two calls, as
/// file systems differ in which they honour past the end: ext4 frees blocks past the end on
/// a truncate to the same length and ignores a hole punched there; tmpfs the other way round.
#[cfg(target_os = "linux")]
fn release_space(file: &std::fs::File, offset: u64, len: u64) {
    let flags = rustix::fs::FallocateFlags::PUNCH_HOLE | rustix::fs::FallocateFlags::KEEP_SIZE;
    let _ = rustix::fs::fallocate(file, flags, offset, len);
    let _ = file.set_len(offset);
}

#[cfg(not(target_os = "linux"))]
fn release_space(_file: &std::fs::File, _offset: u64, _len: u64) {}

/// Has the kernel start writing `len` bytes of `file` from `offset` to disk, without
/// waiting for it: `posix_fadvise(DONTNEED)` starts writeback of the range's dirty pages
/// (and lets go of any already written). `sync_file_range` would say it more exactly, but
/// only through `unsafe` libc; rustix's `fadvise` is safe. A nudge only: the final sync is
/// what makes the bytes durable, so a failure here is ignored. Elsewhere than on Linux the
/// sync does it all.
#[cfg(target_os = "linux")]
fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    let _ = rustix::fs::fadvise(
        file,
        offset,
        std::num::NonZeroU64::new(len),
        rustix::fs::Advice::DontNeed,
    );
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &std::fs::File, _offset: u64, _len: u64) {}

/// What `file` holds from where its handle stands (its start, for a file just opened)
/// to its end, hashed, and how many bytes that was; the handle is left at the end.
async fn hash_to_end(file: &mut tokio::fs::File) -> std::io::Result<(Sha256, u64)> {
    let mut hasher = Sha256::new();
    let mut read = 0_u64;
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        let n = file.read(&mut buffer).await?;
        if n == 0 {
            return Ok((hasher, read));
        }
        hasher.update(&buffer[..n]);
        read += n as u64;
    }
}

/// [`place`], then the directory synced; a failure says where the verified bytes are.
async fn place_verified(part: &Path, target: &Path, keep_existing: bool) -> Result<(), Error> {
    // rename(2) replaces a link at the target itself; it never writes through it.
    place(part, target, keep_existing)
        .await
        .map_err(|source| Error::Io {
            path: target.to_owned(),
            source: std::io::Error::new(
                source.kind(),
                format!(
                    "{source}; the verified bytes are kept in {}",
                    part.display()
                ),
            ),
        })?;
    sync_directory(target);
    Ok(())
}

/// Gives the verified bytes at `part` the name `target`: replacing what is there, or, with
/// `keep_existing`, failing with [`std::io::ErrorKind::AlreadyExists`] if anything is, in
/// one step (no file that appears after a look is replaced).
async fn place(part: &Path, target: &Path, keep_existing: bool) -> std::io::Result<()> {
    if !keep_existing {
        return tokio::fs::rename(part, target).await;
    }
    let (part, target) = (part.to_owned(), target.to_owned());
    let placed = tokio::task::spawn_blocking(move || rename_no_replace(&part, &target))
        .await
        .map_err(std::io::Error::other)?;
    placed.map_err(|error| {
        if error.kind() == std::io::ErrorKind::AlreadyExists {
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a file appeared at the target while the asset was downloaded, and is kept",
            )
        } else {
            error
        }
    })
}

/// `rename` that fails if `target` exists: `renameat2(RENAME_NOREPLACE)`, or, on a file
/// system without it, a hard link (which fails on an existing name) and the removal of
/// the old name.
#[cfg(target_os = "linux")]
fn rename_no_replace(part: &Path, target: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, part, CWD, target, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        Err(Errno::INVAL | Errno::NOSYS) => link_then_unlink(part, target),
        Err(errno) => Err(errno.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_replace(part: &Path, target: &Path) -> std::io::Result<()> {
    link_then_unlink(part, target)
}

fn link_then_unlink(part: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::hard_link(part, target)?;
    std::fs::remove_file(part)
}

/// An error for `path`, of `kind`, saying `message`.
fn io_error(path: &Path, kind: std::io::ErrorKind, message: String) -> Error {
    Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(kind, message),
    }
}

/// Fails before anything is downloaded when the target is a directory (not a link to one:
/// the rename replaces a link), which the rename could never replace.
async fn refuse_directory(target: &Path) -> Result<(), Error> {
    match tokio::fs::symlink_metadata(target).await {
        Ok(meta) if meta.is_dir() => Err(io_error(
            target,
            std::io::ErrorKind::IsADirectory,
            "is a directory, not a file to save the asset to; nothing was downloaded".to_owned(),
        )),
        _ => Ok(()),
    }
}

/// Leaves at `part` nothing but a regular file of this download's, or nothing: anything
/// else there (a link, dangling or not, a directory, a fifo) is removed, never followed,
/// and the download starts afresh. (What a regular file holds is read through the locked
/// handle, [`open_part`].)
async fn clear_part(part: &Path) -> Result<(), Error> {
    // `symlink_metadata`: the entry itself, never what a link names.
    let meta = match tokio::fs::symlink_metadata(part).await {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(io(part)(source)),
    };
    if meta.file_type().is_file() && !is_shared(&meta) && is_own(&meta) {
        return Ok(());
    }
    let removed = if is_directory_entry(&meta) {
        // Only an empty one: a directory with files in it is someone's, not a download's.
        tokio::fs::remove_dir(part).await
    } else {
        // Unlinks a link itself, not what it names.
        tokio::fs::remove_file(part).await
    };
    match removed {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(io_error(
            part,
            source.kind(),
            format!(
                "is not a regular file of this user's own and could not be removed ({source}); remove it, then download again"
            ),
        )),
    }
}

/// Whether a file has other names too (a hard link planted at the part file's name):
/// appending to it would write into the file behind that other name. Unlinking this name
/// leaves the other one as it was.
fn is_shared(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink() > 1
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// Whether the current user owns a file (on Unix; elsewhere every file is taken as its
/// own): a part file someone else left (or planted) in a shared directory is not resumed
/// from, since its first bytes would be theirs, and would pass for the asset's once the
/// rest arrived only if they were right; it is removed and the download starts afresh.
fn is_own(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.uid() == rustix::process::geteuid().as_raw()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        true
    }
}

/// Whether an entry is removed as a directory: a directory, or on Windows a link to one.
fn is_directory_entry(meta: &std::fs::Metadata) -> bool {
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileTypeExt;
        if meta.file_type().is_symlink_dir() {
            return true;
        }
    }
    meta.is_dir()
}

/// The part file, opened to read and write (created if missing) and locked against other
/// downloads of the same asset to the same place, in this process or another: two writers
/// would interleave their bytes. A lock already held is [`Error::DownloadInProgress`]. On
/// Unix it is opened with `O_NOFOLLOW`, so a link put there after it was looked at fails
/// the open instead of being followed; elsewhere it is looked at once more just before.
/// The lock lasts as long as the handle: until the verified file has its final name.
async fn open_part(part: &Path) -> Result<tokio::fs::File, Error> {
    open_part_between(part, |_| {}).await
}

/// [`open_part`], calling `between` after each open and before its lock is taken: where
/// another download can finish, so its tests can put a finish there.
async fn open_part_between(
    part: &Path,
    between: impl Fn(&Path) + Clone + Send + 'static,
) -> Result<tokio::fs::File, Error> {
    let not_a_file = || {
        io_error(
            part,
            std::io::ErrorKind::InvalidInput,
            "changed into something other than a regular file as the download began; download again"
                .to_owned(),
        )
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    // Another download of the same asset can rename its part file onto the target and let
    // go of its lock between this open and this lock: the handle then holds the finished
    // target, which this download would truncate. So the lock counts only while the name
    // still holds the locked file; otherwise the name is opened again (a fresh part file).
    for _ in 0..3 {
        #[cfg(not(unix))]
        if tokio::fs::symlink_metadata(part)
            .await
            .is_ok_and(|meta| !meta.file_type().is_file())
        {
            return Err(not_a_file());
        }
        let (path, options, between) = (part.to_owned(), options.clone(), between.clone());
        let opened = tokio::task::spawn_blocking(move || {
            let file = options.open(&path)?;
            between(&path);
            match file.try_lock() {
                Ok(()) => Ok(Some(file)),
                Err(std::fs::TryLockError::WouldBlock) => Ok(None),
                Err(std::fs::TryLockError::Error(error)) => Err(error),
            }
        })
        .await
        .map_err(|join| io(part)(std::io::Error::other(join)))?;
        let file = match opened {
            Ok(Some(file)) => tokio::fs::File::from_std(file),
            Ok(None) => {
                return Err(Error::DownloadInProgress {
                    part: part.to_owned(),
                });
            }
            // O_NOFOLLOW met a link.
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(not_a_file()),
            Err(source) => return Err(io(part)(source)),
        };
        // What was opened, not what the name holds now: a fifo or device swapped in, or a
        // file with another name too, is refused.
        let opened = file.metadata().await.map_err(io(part))?;
        if !opened.is_file() || is_shared(&opened) || !is_own(&opened) {
            return Err(not_a_file());
        }
        let named = tokio::fs::symlink_metadata(part).await;
        if named.is_ok_and(|named| same_file(&named, &opened)) {
            return Ok(file);
        }
    }
    // Three downloads finished in turn under this one's hands: one is plainly running.
    Err(Error::DownloadInProgress {
        part: part.to_owned(),
    })
}

/// Whether two metadata describe one file. Only Unix tells (device and inode); elsewhere a
/// part file open in one process cannot be renamed by another, so there is no race to see.
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        true
    }
}

/// The media type of an HTML or JSON page served where the asset's bytes should be,
/// unless the asset is itself such a page.
fn page_instead_of(content_type: Option<&str>, asset: &ReleaseAsset) -> Option<String> {
    let essence = essence(content_type?);
    let page =
        essence == "text/html" || essence == "application/json" || essence.ends_with("+json");
    (page && essence != self::essence(&asset.content_type)).then_some(essence)
}

/// A media type without its parameters, lower-case: `text/html` of `Text/HTML; charset=x`.
fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Makes the rename durable where the platform allows it; a failure here loses nothing.
fn sync_directory(target: &Path) {
    #[cfg(unix)]
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = target;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pushes batches until the sink refuses one, sixteen at most: what it last said.
    async fn push_until_refused(sink: &mut Sink) -> std::io::Result<()> {
        for _ in 0..16 {
            sink.push(vec![7_u8; BATCH].into()).await?;
        }
        Ok(())
    }

    /// A sink writing a new file in a directory of its own, with space taken up to `end`.
    fn new_file_sink(end: Option<u64>) -> (tempfile::TempDir, PathBuf, Sink) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        let file = std::fs::File::create(&path).unwrap();
        let sink = Sink::start(file, 0, Sha256::new(), end);
        (dir, path, sink)
    }

    /// A writer that fails (here: a handle open for reading only, as a full disk fails)
    /// stops the download with that error, not a panic, however many batches were on their
    /// way.
    #[tokio::test]
    async fn a_failing_writer_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        std::fs::write(&path, b"").unwrap();
        let read_only = std::fs::File::open(&path).unwrap();
        let mut sink = Sink::start(read_only, 0, Sha256::new(), None);
        assert!(
            push_until_refused(&mut sink).await.is_err(),
            "the thread's failure reached the receiving side"
        );
        let error = sink.finish().await.unwrap_err();
        assert_ne!(error.kind(), std::io::ErrorKind::Other, "{error}");
    }

    /// Bytes appended past several writeback nudges, after bytes already there (a resumed
    /// download), all land in order, hashed once each: chunks long enough to go over
    /// uncopied and short ones gathered into batches, in turn.
    #[tokio::test]
    async fn the_sink_appends_every_byte_across_writeback_nudges() {
        use std::io::Seek;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part");
        let already = vec![1_u8; 1 << 20];
        std::fs::write(&path, &already).unwrap();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        file.seek(std::io::SeekFrom::End(0)).unwrap();
        let mut hasher = Sha256::new();
        hasher.update(&already);
        // 2.5 nudges' worth, in chunks that are not a multiple of a batch.
        let total = 2 * WRITEBACK_EVERY as usize + (WRITEBACK_EVERY as usize) / 2;
        let end = (already.len() + total) as u64;
        let mut sink = Sink::start(file, already.len() as u64, hasher, Some(end));
        let bytes: Vec<u8> = (0..total).map(|i| (i % 251) as u8).collect();
        let (mut at, mut long) = (0, true);
        while at < total {
            let len = if long { 100_003 } else { 1_000 }.min(total - at);
            sink.push(bytes::Bytes::copy_from_slice(&bytes[at..at + len]))
                .await
                .unwrap();
            (at, long) = (at + len, !long);
        }
        let digest = format!("{:x}", sink.finish().await.unwrap().finalize());
        let on_disk = std::fs::read(&path).unwrap();
        assert_eq!(on_disk.len(), already.len() + total);
        assert!(on_disk[..already.len()] == already[..] && on_disk[already.len()..] == bytes[..]);
        assert_eq!(digest, format!("{:x}", Sha256::digest(&on_disk)));
    }

    /// The space for the bytes to come is taken before they come, and the part file's
    /// length stays where its bytes end (what a resumed download starts from).
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_space_for_the_bytes_to_come_is_taken_first() {
        use std::os::unix::fs::MetadataExt;
        let (_dir, path, mut sink) = new_file_sink(Some(8 << 20));
        sink.push(vec![5_u8; BATCH].into()).await.unwrap();
        // The thread takes the space before it writes the first batch, written by now.
        while std::fs::metadata(&path).unwrap().len() < BATCH as u64 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.len(), BATCH as u64);
        assert!(meta.blocks() * 512 >= 8 << 20, "{} blocks", meta.blocks());
        sink.finish().await.unwrap();
    }

    /// An asset too large for the disk fails at its first bytes, saying so.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn bytes_without_room_on_the_disk_fail_before_they_come() {
        let (_dir, path, mut sink) = new_file_sink(Some(i64::MAX as u64));
        assert!(
            push_until_refused(&mut sink).await.is_err(),
            "the receiving side stopped"
        );
        let error = sink.finish().await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::StorageFull, "{error}");
        assert!(
            error
                .to_string()
                .contains("no room for the 9223372036854775807 bytes"),
            "{error}"
        );
        assert_eq!(
            std::fs::metadata(&path).unwrap().len(),
            0,
            "nothing written"
        );
    }

    /// A link put at the part file after it was looked at (the race `clear_part` cannot
    /// close) is never opened, whether it names a file or nothing yet.
    #[cfg(unix)]
    #[tokio::test]
    async fn the_part_file_is_never_opened_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let (victim, part) = (dir.path().join("victim"), dir.path().join(".t.1.part"));
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, &part).unwrap();
        let error = open_part(&part).await.unwrap_err();
        assert!(
            error.to_string().contains("other than a regular file"),
            "{error}"
        );

        let dangling = dir.path().join("not-yet");
        std::fs::remove_file(&part).unwrap();
        std::os::unix::fs::symlink(&dangling, &part).unwrap();
        assert!(open_part(&part).await.is_err());
        assert!(!dangling.exists());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }

    /// Another download finishing between this one's open and its lock (renaming the part
    /// file onto the target and letting go of the lock) does not hand this one the finished
    /// target: it gets a fresh part file, and the target keeps its bytes.
    #[cfg(unix)]
    #[tokio::test]
    async fn a_download_finishing_between_open_and_lock_is_not_truncated() {
        let dir = tempfile::tempdir().unwrap();
        let (target, part) = (dir.path().join("t"), dir.path().join(".t.1.part"));
        std::fs::write(&part, b"verified bytes").unwrap();
        let finished = target.clone();
        let once = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let file = open_part_between(&part, move |part| {
            if !once.swap(true, std::sync::atomic::Ordering::SeqCst) {
                std::fs::rename(part, &finished).unwrap();
            }
        })
        .await
        .unwrap();
        let (held, named) = (
            file.metadata().await.unwrap(),
            std::fs::symlink_metadata(&part).unwrap(),
        );
        assert!(same_file(&held, &named), "the handle is the part file's");
        assert_eq!(held.len(), 0, "a fresh part file");
        assert_eq!(std::fs::read(&target).unwrap(), b"verified bytes");
    }

    /// One writer at a time: a second open of a part file in use is refused, and allowed
    /// once the first is closed.
    #[tokio::test]
    async fn a_part_file_in_use_is_refused() {
        use tokio::io::AsyncWriteExt;
        let dir = tempfile::tempdir().unwrap();
        let part = dir.path().join(".t.1.part");
        let mut first = open_part(&part).await.unwrap();
        first.write_all(b"first").await.unwrap();
        first.flush().await.unwrap();
        let error = open_part(&part).await.unwrap_err();
        assert!(
            matches!(&error, Error::DownloadInProgress { part: p } if *p == part),
            "{error:?}"
        );
        drop(first);
        let mut second = open_part(&part).await.unwrap();
        let mut held = Vec::new();
        second.read_to_end(&mut held).await.unwrap();
        assert_eq!(held, b"first", "opening it does not truncate");
    }

    #[test]
    fn only_plain_names_are_local_file_names() {
        for good in [
            "tool.zip",
            "tool-1.0_linux.tar.gz",
            "default.env",
            "a..b",
            "日本.txt",
            // Device names only as the whole stem: these are ordinary files.
            "console.txt",
            "com10.txt",
            "lpt.bin",
            "nul-safe.zip",
            "CONTRIBUTING.md",
        ] {
            assert_eq!(local_file_name(good), Some(good), "{good:?}");
        }
        for bad in [
            "",
            ".",
            "..",
            "../x",
            "a/b",
            "a\\b",
            "/etc/passwd",
            "C:evil",
            "c:\\x",
            ".bashrc",
            ".tool.zip.part",
            "a\nb",
            "a\0b",
            "x/..",
            "./x",
            // Windows: device names with any extension or case, a trailing dot or space,
            // and the characters it forbids.
            "CON",
            "con.txt",
            "Nul.tar.gz",
            "aux",
            "PRN.zip",
            "COM1",
            "lpt9.log",
            "COM\u{b9}.txt",
            "CON .txt",
            "conin$",
            "setup.exe.",
            "setup.exe ",
            "a<b",
            "a>b",
            "a\"b",
            "a|b",
            "a?b",
            "a*b",
            // Text that reads as another name.
            "invoice\u{202e}fdp.exe",
            "tool\u{200b}.zip",
            "\u{feff}tool.zip",
            "a\u{2066}b",
        ] {
            assert_eq!(local_file_name(bad), None, "{bad:?}");
        }
    }
}
