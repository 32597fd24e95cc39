//! Uploading an asset: from a file or any stream of known length, to the uploads host the
//! release's `upload_url` names, with a real `Content-Length` and a `Content-Type`.
//!
//! **An asset of the same name.** GitHub keeps one asset per name and answers a second
//! upload with 422. [`IfExists::Fail`] reports that as [`Error::AlreadyExists`];
//! [`IfExists::Skip`] keeps the existing asset; [`IfExists::Replace`] never leaves the
//! release without a complete asset of the name: the bytes go up under a temporary name
//! and are checked, then the old asset is deleted and the new one renamed (and labelled:
//! the old label stays unless another is given). A failure before the delete keeps the old
//! asset; after it, the new one. The temporary asset is removed on the way out. (Deleting
//! first, as `gh release upload --clobber` does, loses the asset when the upload fails.)
//!
//! **Killed, then run again.** A process killed between the steps (a cancelled CI job)
//! cannot clean up, and the release shows it: between the delete and the rename, and only
//! then, it has no asset under the name, only the new bytes under the temporary name
//! (`NAME.replacing-` and 16 hex digits, [`is_temporary_of`]; a name with other characters
//! than ASCII has a hash of itself before `.replacing-`). The same Replace run again
//! puts that right: a complete temporary asset holding its bytes (the same size, and a
//! digest that is the file's sha256) is taken instead of uploading them again and renamed
//! to the name, after deleting the old asset if it is still there; other temporary assets
//! of the name holding those bytes are removed, and so are `starter` ones older than the
//! upload wait. Temporary assets holding other bytes are another writer's (or an earlier
//! build's) and are left; so is everything when the bytes come from a stream or the digest
//! check is skipped, as nothing tells them apart then. A plain upload ([`IfExists::Fail`])
//! run again after its bytes arrived finds the asset of the name holding them, and says so
//! ([`UploadOutcome::AlreadyUploaded`]) instead of failing.
//!
//! **Checked both ways.** The bytes' sha256 is computed while they are sent (on the thread
//! that reads the file) and compared with the size and `digest` of GitHub's answer; an
//! answer without a digest is read back once. A mismatch deletes what GitHub stored and is
//! [`Error::UploadMismatch`]. [`Upload::skip_digest_check`] checks the size alone, for a link
//! faster than hashing (about 1.5 GB/s a core).
//!
//! **A 502.** GitHub warns that an upload answered 502 may leave an empty asset in state
//! `starter` under that name, which blocks the name. It is found and deleted, and the
//! upload is tried again, at most [`Upload::retries_after_502`] times. An asset
//! `uploaded` under the name with the size and digest of the bytes sent is this upload,
//! which arrived before the 502 did: it is the result.
//!
//! **Another writer.** Two jobs may upload to one release at once, and neither deletes the
//! other's work. The 502 clean-up deletes a `starter` only if GitHub created it after this
//! try began (by its `created_at`, allowing [`CLOCK_SKEW`] between the clocks); an older one
//! is another upload's, and is left to it. Skip and Replace delete a `starter` of the name
//! (or an asset in a state this client does not know) only once it is abandoned: older
//! than the upload wait ([`Upload::wait_for_open`], allowing [`CLOCK_SKEW`]), or watched
//! for that long without a change. An asset of the name still being uploaded
//! (`open`) is another writer's: Skip, Replace and the 502 clean-up wait for it
//! ([`Upload::wait_for_open`], 30 s unless set), then take what it became, or report
//! [`Error::UploadInProgress`] and leave it alone.
//!
//! **A rate limit.** A 429, or a 403 that says it is a rate limit, stored nothing: an upload
//! from a file waits as GitHub asks (or backs off) and sends the file again, within the
//! client's [`crate::RetryPolicy`]; a wait beyond it, or a stream, is [`Error::RateLimited`].
//!
//! **Immutable releases.** Nothing is sent to a release whose assets are locked
//! ([`Release::assets_locked`]): the upload fails at once with [`Error::ImmutableRelease`],
//! except that [`IfExists::Skip`] keeps a complete asset of the name that is there (a
//! release job run again after its release was published). A Replace whose release is
//! published while its bytes go up stops when GitHub refuses the delete: nothing is
//! deleted, and the error says whether the temporary asset could still be removed or
//! names it.

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use futures_util::Stream;

use crate::client::UploadUrl;
use crate::declared_length::declared_length;
use crate::file_chunks::{CHUNK, file_chunks};
use crate::handles::{AssetHandle, ReleaseHandle};
use crate::progress::{Counted, Progress};
use crate::runtime::Unverifiable;
use crate::sent_digest::{SentDigest, digest_matches, hashed};
use crate::types::{Release, ReleaseAsset};
use crate::upload_stall;
use crate::verify::{Verification, expected_sha256};
use crate::{Client, Error};

/// What to do when the release already has an asset of the name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IfExists {
    /// Fail with [`Error::AlreadyExists`] (GitHub's behaviour).
    #[default]
    Fail,
    /// Keep the existing asset and return it; nothing is uploaded.
    Skip,
    /// Upload under a temporary name, then delete the existing asset and rename the new
    /// one: the release keeps a complete asset of the name throughout.
    Replace,
}

/// How to upload: what the [`Upload`] builder collects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UploadOptions {
    name: String,
    label: Option<String>,
    content_type: Option<String>,
    if_exists: IfExists,
    retries_after_502: u32,
    wait_for_open: Duration,
    progress: Option<Progress>,
    /// Whether the bytes are hashed and compared with GitHub's `digest`.
    check_digest: bool,
    /// Whether the bytes can be read again for another try (a file; not a stream).
    replayable: bool,
}

/// How far GitHub's clock may be behind this machine's when a `starter` asset's
/// `created_at` is compared with when an upload began.
pub const CLOCK_SKEW: Duration = Duration::from_secs(120);

/// The bytes of one upload attempt.
pub(crate) type UploadStream =
    Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + Sync>>;

impl UploadOptions {
    /// Uploads under `name` (GitHub may rename special characters).
    pub(crate) fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            label: None,
            content_type: None,
            if_exists: IfExists::Fail,
            retries_after_502: 2,
            wait_for_open: Duration::from_secs(30),
            progress: None,
            check_digest: true,
            replayable: true,
        }
    }

    /// How many times to try again after a 502 (2 unless set; 0 to never).
    pub(crate) fn retries_after_502(mut self, retries: u32) -> Self {
        self.retries_after_502 = retries;
        self
    }

    /// The media type the upload is sent with.
    pub(crate) fn media_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| {
            mime_guess::from_path(&self.name)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
    }
}

/// What an upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadOutcome {
    /// There was no asset of the name; now there is.
    Created,
    /// An asset of the name was replaced ([`Upload::replace`]).
    Replaced,
    /// An asset of the name was there and was kept ([`Upload::skip_existing`]); nothing
    /// was sent.
    Kept,
    /// The asset of the name holds these very bytes (its size, and its digest against the
    /// file's sha256): an earlier run of the same upload, stopped before it could say so,
    /// uploaded them. Nothing was sent. Only an upload from a file whose digest check is
    /// not skipped tells this, and only where [`IfExists::Fail`] would have failed.
    AlreadyUploaded,
}

/// What an upload gives: the asset, what happened, and what its bytes were checked against.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Uploaded {
    /// The asset now under the name.
    pub asset: AssetHandle,
    /// Created, replaced, or kept.
    pub outcome: UploadOutcome,
    /// What GitHub's answer was checked against: the sha256 of the bytes sent (when GitHub
    /// gave a digest), or their size alone. `None` for a kept asset, which was not compared
    /// with the file ([`AssetHandle::compare_file`] does that).
    pub verification: Option<Verification>,
}

/// What is uploaded: a file, or a stream of known length.
pub(crate) enum Source {
    Path(PathBuf),
    Stream { stream: UploadStream, length: u64 },
}

/// An upload to a release; set what differs from the defaults, then await it. Made by
/// [`ReleaseHandle::upload`] and [`ReleaseHandle::upload_stream`].
///
/// By default the asset is named after the file, its media type guessed from the name, an
/// asset of the same name is an error ([`Error::AlreadyExists`]), and a 502 is cleaned up
/// and retried twice.
#[must_use = "nothing is uploaded until this is awaited"]
pub struct Upload {
    release: ReleaseHandle,
    source: Source,
    /// Its `name` stays empty until one is given or taken from the file's.
    options: UploadOptions,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Path(path) => format!("{}", path.display()),
            Source::Stream { length, .. } => format!("a stream of {length} bytes"),
        };
        f.debug_struct("Upload")
            .field("release", &self.release)
            .field("source", &source)
            .field("options", &self.options)
            .finish()
    }
}

impl Upload {
    pub(crate) fn new(release: ReleaseHandle, source: Source) -> Self {
        Self {
            release,
            source,
            options: UploadOptions::new(""),
        }
    }

    /// The asset's name (the file's name unless set; GitHub may rename special characters).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = name.into();
        self
    }

    /// A label shown in place of the name.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.options.label = Some(label.into());
        self
    }

    /// The media type; without it, one is guessed from the name's extension.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.options.content_type = Some(content_type.into());
        self
    }

    /// Replaces an asset of the same name, never leaving the release without one: the
    /// bytes go up under a temporary name and are checked, then the old asset is deleted and
    /// the new one renamed (keeping the old label unless [`Upload::label`] is given).
    pub fn replace(self) -> Self {
        self.if_exists(IfExists::Replace)
    }

    /// Keeps a complete asset of the same name and uploads nothing
    /// ([`UploadOutcome::Kept`]).
    pub fn skip_existing(self) -> Self {
        self.if_exists(IfExists::Skip)
    }

    /// What to do when an asset of the name exists, as a value (for a choice made at run
    /// time); [`Upload::replace`] and [`Upload::skip_existing`] say it in a word.
    pub fn if_exists(mut self, if_exists: IfExists) -> Self {
        self.options.if_exists = if_exists;
        self
    }

    /// How many times to try again after a 502 (2 unless set; a stream is never retried).
    pub fn retries_after_502(mut self, retries: u32) -> Self {
        self.options.retries_after_502 = retries;
        self
    }

    /// How long to wait for an asset of the name that is still being uploaded (`open`:
    /// another writer's) to finish or go, before reporting [`Error::UploadInProgress`]
    /// (30 s unless set).
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle) -> Result<(), github_release_assets::Error> {
    /// use std::time::Duration;
    /// release
    ///     .upload("dist/tool.zip")
    ///     .skip_existing()
    ///     .wait_for_open(Duration::from_secs(300))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn wait_for_open(mut self, wait: Duration) -> Self {
        self.options.wait_for_open = wait;
        self
    }

    /// Reports the bytes sent as they go (see [`Progress`]).
    pub fn progress(mut self, progress: Progress) -> Self {
        self.options.progress = Some(progress);
        self
    }

    /// Checks GitHub's answer by its size alone: the bytes are not hashed, and GitHub's
    /// `digest` is not compared with them ([`Uploaded::verification`] is
    /// [`Unverifiable::Skipped`]). Hashing runs beside the sending, on the thread that
    /// reads the file, at about 1.5 GB/s a core with the CPU's SHA extensions: hidden on
    /// a link to github.com, but the bound on a faster one (a GitHub Enterprise Server on
    /// the local network, or loopback), and a core's work a file where CPU is scarce.
    /// A 502's clean-up then tells this upload's asset by its size alone.
    ///
    /// ```no_run
    /// # async fn run(release: github_release_assets::ReleaseHandle) -> Result<(), github_release_assets::Error> {
    /// use github_release_assets::{Unverifiable, Verification};
    /// let uploaded = release.upload("dist/tool.zip").skip_digest_check().await?;
    /// assert_eq!(
    ///     uploaded.verification,
    ///     Some(Verification::SizeOnly(Unverifiable::Skipped))
    /// );
    /// # Ok(()) }
    /// ```
    pub fn skip_digest_check(mut self) -> Self {
        self.options.check_digest = false;
        self
    }

    async fn run(self) -> Result<Uploaded, Error> {
        let Upload {
            release,
            source,
            mut options,
        } = self;
        if options.name.is_empty() {
            options.name = match &source {
                Source::Path(path) => path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Error::Io {
                        path: path.clone(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::InvalidInput,
                            "no file name",
                        ),
                    })?,
                Source::Stream { .. } => {
                    return Err(Error::InvalidRequest(
                        "a streamed upload needs a name".into(),
                    ));
                }
            };
        }
        let client = release.client();
        let (asset, outcome) = match source {
            Source::Path(path) => client.upload_path(&release, &path, &options).await?,
            Source::Stream { stream, length } => {
                client
                    .upload_stream(&release, stream, length, &options)
                    .await?
            }
        };
        // The library compared GitHub's digest with the bytes sent whenever it gave one,
        // unless told not to.
        let verification = (outcome != UploadOutcome::Kept).then(|| {
            if options.check_digest {
                Verification::of_digest(asset.digest.as_deref())
            } else {
                Verification::SizeOnly(Unverifiable::Skipped)
            }
        });
        Ok(Uploaded {
            asset: release.asset_handle(asset),
            outcome,
            verification,
        })
    }
}

impl std::future::IntoFuture for Upload {
    type Output = Result<Uploaded, Error>;
    type IntoFuture = crate::handles::Pending<Uploaded>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl Client {
    /// Uploads the file at `path` to `release`. The file is streamed: memory stays flat
    /// whatever its size, and a 502 opens it again for the retry.
    pub(crate) async fn upload_path(
        &self,
        release: &Release,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<(ReleaseAsset, UploadOutcome), Error> {
        let open = || async {
            let io = |source| Error::Io {
                path: path.to_owned(),
                source,
            };
            let file = tokio::fs::File::open(path).await.map_err(io)?;
            let metadata = file.metadata().await.map_err(io)?;
            if !metadata.is_file() {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a file",
                )));
            }
            let length = metadata.len();
            let file = file.into_std().await;
            let digest = SentDigest::default();
            let hashed_into = options.check_digest.then(|| digest.clone());
            let stream: UploadStream = Box::pin(file_chunks(file, length, CHUNK, hashed_into));
            Ok::<_, Error>(Attempt {
                stream,
                length,
                digest,
            })
        };
        self.upload_with(release, options, Some(path), open).await
    }

    /// Uploads `length` bytes from `stream` to `release`. A stream cannot be read twice,
    /// so a 502 is cleaned up but not retried, nor is a rate limit.
    pub(crate) async fn upload_stream(
        &self,
        release: &Release,
        stream: UploadStream,
        length: u64,
        options: &UploadOptions,
    ) -> Result<(ReleaseAsset, UploadOutcome), Error> {
        let options = UploadOptions {
            replayable: false,
            ..options.clone().retries_after_502(0)
        };
        let mut stream = stream;
        if length == 0 {
            // The HTTP client never asks a body of no length for its bytes, so a stream
            // that has some would go up empty without a word: looked at here instead.
            use futures_util::TryStreamExt;
            while let Some(chunk) = stream.try_next().await.map_err(|e| Error::UploadSource {
                reason: e.to_string(),
            })? {
                if !chunk.is_empty() {
                    return Err(Error::UploadSource {
                        reason: "the stream gives more than the 0 bytes it declared".into(),
                    });
                }
            }
        }
        let mut body = Some(stream);
        let check_digest = options.check_digest;
        let open = || {
            let body = body.take();
            async move {
                let digest = SentDigest::default();
                body.map(|b| Attempt {
                    stream: {
                        let exact = declared_length(b, length);
                        if check_digest {
                            Box::pin(hashed(exact, length, digest.clone()))
                        } else {
                            Box::pin(exact)
                        }
                    },
                    length,
                    digest,
                })
                .ok_or_else(|| Error::InvalidRequest("a stream can be uploaded once".into()))
            }
        };
        self.upload_with(release, &options, None, open).await
    }

    /// Uploads what `open` gives to `release`. `local` is the file it reads, when it is one:
    /// what an earlier run left is recognised by its bytes' sha256.
    async fn upload_with<F, Fut>(
        &self,
        release: &Release,
        options: &UploadOptions,
        local: Option<&Path>,
        mut open: F,
    ) -> Result<(ReleaseAsset, UploadOutcome), Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Attempt, Error>>,
    {
        let target = UploadUrl::parse(&release.upload_url)?;
        if release.assets_locked() {
            // A release job run again after its release was published: what it would
            // upload is there already, and that is what Skip asks for.
            if options.if_exists == IfExists::Skip
                && let Some(existing) = self.find_asset(&target, &options.name).await?
                && existing.is_uploaded()
            {
                return Ok((existing, UploadOutcome::Kept));
            }
            // Nothing is sent to a release whose assets are locked: GitHub would refuse
            // it, and a Replace would get as far as uploading its temporary asset first.
            release.ensure_assets_unlocked("upload an asset")?;
        }
        // The bytes are opened, and the uploads host checked, first: an upload that cannot
        // happen must not cost the release anything.
        let first = open().await?;
        let uploads = self.for_uploads_to(&target)?;
        let mut local = Local {
            path: local.filter(|_| options.check_digest),
            length: first.length,
            sha256: None,
        };
        let mut replacing = None;
        let mut earlier = Vec::new();
        if options.if_exists != IfExists::Fail {
            let (found, temporaries) = self.find_with_temporaries(&target, &options.name).await?;
            earlier = temporaries;
            // Another writer's upload still going, or a `starter` too young to be taken for
            // abandoned: waited for, to end one way or another.
            match self.settle(&target, found, options.wait_for_open).await? {
                Some(existing) if existing.is_uploaded() => {
                    if options.if_exists == IfExists::Skip {
                        return Ok((existing, UploadOutcome::Kept));
                    }
                    replacing = Some(existing);
                }
                // An asset that never finished (`starter`), watched for the whole wait or
                // older than it: it blocks the name and holds nothing.
                Some(abandoned) => self.delete_asset_by_id(&target, abandoned.id).await?,
                None => {}
            }
        }
        let upload = Sending {
            uploads: &uploads,
            target: &target,
            options,
        };
        if options.if_exists == IfExists::Replace {
            let outcome = if replacing.is_some() {
                UploadOutcome::Replaced
            } else {
                UploadOutcome::Created
            };
            return self
                .replace(&upload, replacing, earlier, &mut local, first, open)
                .await
                .map(|asset| (asset, outcome));
        }
        match self
            .send_upload(
                &upload,
                &options.name,
                options.label.as_deref(),
                first,
                open,
            )
            .await
        {
            Ok(asset) => Ok((asset, UploadOutcome::Created)),
            // A run before this one (killed before it could say so) uploaded these very
            // bytes under the name: that is what this upload was to do.
            Err(Error::AlreadyExists { name })
                if options.if_exists == IfExists::Fail && local.path.is_some() =>
            {
                match self.find_asset(&target, &options.name).await {
                    Ok(Some(found)) if found.is_uploaded() && local.holds(&found).await? => {
                        Ok((found, UploadOutcome::AlreadyUploaded))
                    }
                    _ => Err(Error::AlreadyExists { name }),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// Puts the bytes under the name in place of `old` (if there is one) without a moment
    /// when the release has no complete asset of the name: the bytes go up under a
    /// temporary name and are checked, then the old asset is deleted and the new one
    /// renamed (and labelled) to the name. Whatever step fails, the release keeps the old
    /// asset or the new one under the name, and the temporary asset is removed, except
    /// when the rename itself keeps failing after the old asset is gone
    /// ([`Error::ReplaceIncomplete`] names the new asset then).
    ///
    /// `earlier` are temporary assets of the name that runs before this one left (killed
    /// between their steps): one holding these bytes (size and digest) is taken instead of
    /// uploading them again, the others holding them are removed, and so are `starter`s
    /// among them older than the upload wait. Any other is another writer's, and left.
    async fn replace<F, Fut>(
        &self,
        upload: &Sending<'_>,
        old: Option<ReleaseAsset>,
        earlier: Vec<ReleaseAsset>,
        local: &mut Local<'_>,
        first: Attempt,
        mut open: F,
    ) -> Result<ReleaseAsset, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Attempt, Error>>,
    {
        let target = upload.target;
        let mut adopted = None;
        for asset in &earlier {
            if asset.is_uploaded() && local.holds(asset).await? {
                adopted = Some(asset.clone());
                break;
            }
        }
        let (new, temporary) = match adopted {
            Some(new) => {
                tracing::info!(
                    asset = new.id,
                    name = %new.name,
                    "an earlier run uploaded these bytes under a temporary name: taking it"
                );
                drop(first);
                let temporary = new.name.clone();
                (new, temporary)
            }
            // Nothing to replace: the bytes go up under the name itself.
            None if old.is_none() => {
                let new = self
                    .send_upload(
                        upload,
                        &upload.options.name,
                        upload.options.label.as_deref(),
                        first,
                        &mut open,
                    )
                    .await?;
                self.remove_earlier(target, &earlier, &new, upload.options)
                    .await;
                return Ok(new);
            }
            None => {
                let temporary = temporary_name(&upload.options.name);
                match self
                    .send_upload(upload, &temporary, None, first, &mut open)
                    .await
                {
                    Ok(new) => (new, temporary),
                    Err(error) => {
                        self.remove_named(target, &temporary).await;
                        return Err(error);
                    }
                }
            }
        };
        let mut delete_failed = None;
        if let Some(old) = &old
            && let Err(error) = self.delete_asset_by_id(target, old.id).await
        {
            if let Error::ImmutableRelease {
                release, status, ..
            } = error
            {
                // Published while the bytes went up (by a job beside this one): its assets
                // are locked, the old one stays, and the new one goes if it still can.
                let removed = self.delete_asset_by_id(target, new.id).await.is_ok();
                return Err(Error::ImmutableRelease {
                    release,
                    status,
                    message: published_mid_replace(
                        &upload.options.name,
                        &temporary,
                        new.id,
                        removed,
                    ),
                });
            }
            // The delete may have gone through though its answer was lost. The old asset
            // still there: keep it and take the new one away. Unknown: the rename tells,
            // as GitHub refuses it while the old asset holds the name.
            match self.asset_exists(target, old.id).await {
                Ok(false) => {}
                Ok(true) => {
                    self.remove_named(target, &temporary).await;
                    return Err(error);
                }
                Err(_) => delete_failed = Some(error),
            }
        }
        // A replacement keeps the old label unless it is given one.
        let label = upload
            .options
            .label
            .clone()
            .or_else(|| old.as_ref().and_then(|old| old.label.clone()));
        let mut last = None;
        for _ in 0..RENAME_TRIES {
            match self
                .rename_asset(target, new.id, &upload.options.name, label.as_deref())
                .await
            {
                Ok(renamed) => {
                    self.remove_earlier(target, &earlier, &renamed, upload.options)
                        .await;
                    return Ok(renamed);
                }
                Err(Error::Unprocessable { errors, .. })
                    if crate::runtime::says_already_exists(&errors) =>
                {
                    // The name is taken: the old asset is still there (or another writer's
                    // came). It stays; the new one goes.
                    self.remove_named(target, &temporary).await;
                    return Err(delete_failed.unwrap_or(Error::AlreadyExists {
                        name: upload.options.name.clone(),
                    }));
                }
                Err(Error::NotFound { .. }) if delete_failed.is_none() => {
                    // The new asset went (another writer's clean-up took it for its own)
                    // with the old one gone: the bytes go up under the name itself.
                    tracing::warn!(
                        asset = new.id,
                        "the new asset went before its rename: uploading the bytes again"
                    );
                    let again = self
                        .send_upload(
                            upload,
                            &upload.options.name,
                            label.as_deref(),
                            open().await?,
                            &mut open,
                        )
                        .await?;
                    self.remove_earlier(target, &earlier, &again, upload.options)
                        .await;
                    return Ok(again);
                }
                Err(error) => {
                    // PATCH is not retried by the request layer: look whether it took.
                    if let Ok(Some(now)) = self.asset_by_id(target, new.id).await
                        && is_asset_named(&now.name, &upload.options.name)
                    {
                        self.remove_earlier(target, &earlier, &now, upload.options)
                            .await;
                        return Ok(now);
                    }
                    last = Some(error);
                }
            }
        }
        Err(Error::ReplaceIncomplete {
            name: upload.options.name.clone(),
            temporary,
            asset_id: new.id,
            reason: last.map_or_else(String::new, |e| e.to_string()),
        })
    }

    /// Removes, once `done` holds the bytes under the name, what earlier runs left of this
    /// Replace: temporary assets holding the same bytes (size and digest), and `starter`s
    /// older than the upload wait. Each is named as a temporary one of this name; any
    /// other is another writer's and stays. A failure is logged: the replacement is done.
    async fn remove_earlier(
        &self,
        target: &UploadUrl,
        earlier: &[ReleaseAsset],
        done: &ReleaseAsset,
        options: &UploadOptions,
    ) {
        for asset in earlier.iter().filter(|a| a.id != done.id) {
            let leftover = if asset.is_uploaded() {
                same_bytes(asset, done)
            } else {
                // As it is now, not as the listing before the upload had it: one still
                // being uploaded (`open`) is another writer's, whatever its age.
                !asset.is_open()
                    && matches!(
                        self.asset_by_id(target, asset.id).await,
                        Ok(Some(now)) if !now.is_uploaded() && !now.is_open()
                            && is_abandoned(&now, options.wait_for_open)
                    )
            };
            if !leftover {
                continue;
            }
            tracing::info!(asset = asset.id, name = %asset.name, "removing what an earlier run left");
            if let Err(error) = self.delete_asset_by_id(target, asset.id).await {
                tracing::warn!(asset = asset.id, %error, "could not remove an earlier run's temporary asset");
            }
        }
    }

    /// Uploads under `name`, retrying after a 502 as the options allow, and checks the
    /// answer against what was sent: its size, and its `digest` against the bytes' sha256.
    async fn send_upload<F, Fut>(
        &self,
        upload: &Sending<'_>,
        name: &str,
        label: Option<&str>,
        first: Attempt,
        mut open: F,
    ) -> Result<ReleaseAsset, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<Attempt, Error>>,
    {
        let (target, options) = (upload.target, upload.options);
        let mut next = Some(first);
        let mut retries = options.retries_after_502;
        let mut rate_limits = crate::runtime::Tries::new(self.inner().retry());
        loop {
            let attempt = match next.take() {
                Some(attempt) => attempt,
                None => open().await?,
            };
            let began = chrono::Utc::now();
            let Attempt {
                stream,
                length,
                digest,
            } = attempt;
            let activity = upload_stall::Activity::new();
            let stream = upload_stall::watched(stream, activity.clone());
            let body = match &options.progress {
                Some(progress) => {
                    reqwest::Body::wrap_stream(Counted::new(stream, length, progress.clone()))
                }
                None => reqwest::Body::wrap_stream(stream),
            };
            let mut request = upload
                .uploads
                .operations()
                .upload_release_asset()
                .owner(target.owner.as_str())
                .repo(target.repo.as_str())
                .release_id(target.release_id)
                .name(name)
                .content_type(options.media_type())
                .content_length(i64::try_from(length).unwrap_or(i64::MAX))
                .body(body);
            if let Some(label) = label {
                request = request.label(label);
            }
            let sent = upload_stall::unless_stalled(
                request.send(),
                &activity,
                self.inner().read_timeout(),
            )
            .await
            .unwrap_or_else(|limit| {
                Err(Error::Timeout {
                    url: Some(crate::runtime::without_query(&target.url)),
                    source: crate::TransportError::stalled(
                        &target.url,
                        format!(
                            "the upload stood still for {} s: no byte sent, and no answer",
                            limit.as_secs_f64()
                        ),
                    ),
                })
            });
            match sent {
                Ok(created) => {
                    return self
                        .check_uploaded(target, created, length, &digest, options)
                        .await;
                }
                Err(Error::Unprocessable { errors, .. })
                    if crate::runtime::says_already_exists(&errors) =>
                {
                    return Err(Error::AlreadyExists {
                        name: name.to_owned(),
                    });
                }
                Err(error) if error.status() == Some(502) => {
                    // The 502 may have come after GitHub stored every byte: an uploaded asset
                    // of the name, of this size and digest, is this upload.
                    // One still being uploaded is another writer's, or this one finishing.
                    let found = self
                        .find_settled(target, name, options.wait_for_open)
                        .await?;
                    if let Some(found) = found {
                        // Of the right size and, where a digest says, the right bytes (a
                        // server without digests leaves the size alone to tell).
                        if found.is_uploaded()
                            && is_this_upload(&found, length, &digest) != Some(false)
                        {
                            return self
                                .check_uploaded(target, found, length, &digest, options)
                                .await;
                        }
                        if found.is_uploaded() {
                            // Another writer's upload of the name, complete.
                            return Err(Error::AlreadyExists {
                                name: name.to_owned(),
                            });
                        }
                        if !left_by_this_try(&found, began) {
                            // Created before this try began: another upload's, left to it.
                            tracing::info!(
                                asset = found.id,
                                "a starter asset older than this upload holds the name"
                            );
                            return Err(Error::AlreadyExists {
                                name: name.to_owned(),
                            });
                        }
                        // The `starter` asset this try's 502 left blocks the name.
                        tracing::info!(asset = found.id, "deleting the starter asset a 502 left");
                        self.delete_asset_by_id(target, found.id).await?;
                    }
                    if retries == 0 {
                        return Err(error);
                    }
                    retries -= 1;
                }
                // Refused before any of it was stored: a file is sent again, as the client's
                // retry policy allows (a stream, read once, is reported).
                Err(Error::RateLimited {
                    retry_after, reset, ..
                }) if options.replayable
                    && let pause = self.inner().retry().pause_after_rate_limit(
                        rate_limits.attempt(),
                        retry_after,
                        reset,
                    )
                    && rate_limits.allow(pause) =>
                {
                    rate_limits
                        .pause(pause, "rate limited: uploading again after the pause")
                        .await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// `asset` as GitHub stored it, checked against the `length` bytes sent and their
    /// sha256: a mismatch deletes the asset and is [`Error::UploadMismatch`]. An answer
    /// without a digest yet is read back once; without one still, the size alone is checked.
    /// With the digest check skipped (the bytes were not hashed), the size alone.
    async fn check_uploaded(
        &self,
        target: &UploadUrl,
        asset: ReleaseAsset,
        length: u64,
        sent: &SentDigest,
        options: &UploadOptions,
    ) -> Result<ReleaseAsset, Error> {
        let mut asset = asset;
        if options.check_digest
            && asset.digest.is_none()
            && let Ok(Some(again)) = self.asset_by_id(target, asset.id).await
        {
            asset = again;
        }
        let problem = match (
            u64::try_from(asset.size).ok(),
            is_this_upload(&asset, length, sent),
        ) {
            // A size that is no size (negative) is not the length sent either: the size
            // is checked whenever the answer is said to have been.
            (size, _) if size != Some(length) => Some(format!(
                "GitHub stored {} bytes of the {length} sent",
                asset.size
            )),
            (_, Some(false)) => Some(format!(
                "GitHub's digest {} is not the sha256 of the bytes sent, sha256:{}",
                asset.digest.as_deref().unwrap_or_default(),
                sent.get().unwrap_or_default()
            )),
            _ => None,
        };
        match problem {
            None => {
                if options.check_digest && asset.digest.is_none() {
                    tracing::warn!(
                        asset = asset.id,
                        "GitHub gave no digest for the uploaded asset: only its size was checked"
                    );
                }
                Ok(asset)
            }
            Some(reason) => {
                // What GitHub stored is not the file: it must not stay under the name.
                let removed = self.delete_asset_by_id(target, asset.id).await.is_ok();
                Err(Error::UploadMismatch {
                    name: asset.name,
                    reason,
                    removed,
                })
            }
        }
    }

    /// The release's asset that an upload under `name` would collide with.
    async fn find_asset(
        &self,
        target: &UploadUrl,
        name: &str,
    ) -> Result<Option<ReleaseAsset>, Error> {
        let assets = self
            .all_release_assets(&target.owner, &target.repo, target.release_id)
            .await?;
        Ok(assets.into_iter().find(|a| is_asset_named(&a.name, name)))
    }

    async fn asset_by_id(
        &self,
        target: &UploadUrl,
        id: i64,
    ) -> Result<Option<ReleaseAsset>, Error> {
        match self
            .operations()
            .get_release_asset()
            .owner(target.owner.as_str())
            .repo(target.repo.as_str())
            .asset_id(id)
            .send()
            .await
        {
            Ok(asset) => Ok(Some(asset)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The release's asset that an upload under `name` would collide with, and the
    /// temporary assets of a Replace of that name ([`is_temporary_of`]), from one listing.
    async fn find_with_temporaries(
        &self,
        target: &UploadUrl,
        name: &str,
    ) -> Result<(Option<ReleaseAsset>, Vec<ReleaseAsset>), Error> {
        let assets = self
            .all_release_assets(&target.owner, &target.repo, target.release_id)
            .await?;
        let (named, others): (Vec<_>, Vec<_>) = assets
            .into_iter()
            .partition(|a| is_asset_named(&a.name, name));
        let temporaries = others
            .into_iter()
            .filter(|a| is_temporary_of(&a.name, name))
            .collect();
        Ok((named.into_iter().next(), temporaries))
    }

    /// `found` once it has settled: complete (`uploaded`), gone (`None`), or a `starter`
    /// (or a state this client does not know) that is abandoned: older than `wait` by
    /// GitHub's clock (allowing [`CLOCK_SKEW`]), or watched for `wait` without a change.
    /// One still `open` after `wait` is [`Error::UploadInProgress`]. A young `starter` may
    /// be another writer's upload failing this moment, which cleans up after itself: it is
    /// not taken for abandoned until it has had the wait to.
    async fn settle(
        &self,
        target: &UploadUrl,
        found: Option<ReleaseAsset>,
        wait: Duration,
    ) -> Result<Option<ReleaseAsset>, Error> {
        let Some(mut asset) = found else {
            return Ok(None);
        };
        if asset.is_uploaded() || (!asset.is_open() && is_abandoned(&asset, wait)) {
            return Ok(Some(asset));
        }
        let (deadline, pause) = watch_for(wait);
        tracing::info!(
            asset = asset.id,
            state = %asset.state,
            wait_ms = wait.as_millis() as u64,
            "an unfinished asset holds the name: waiting to see whether its upload ends it"
        );
        loop {
            tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + pause)).await;
            match self.asset_by_id(target, asset.id).await? {
                None => return Ok(None),
                Some(now) if now.is_uploaded() => return Ok(Some(now)),
                Some(now) if tokio::time::Instant::now() < deadline => asset = now,
                Some(open) if open.is_open() => {
                    return Err(Error::UploadInProgress {
                        name: open.name,
                        asset_id: open.id,
                    });
                }
                // Unfinished, and so for the whole wait: abandoned.
                Some(abandoned) => return Ok(Some(abandoned)),
            }
        }
    }

    /// The asset under `name`, once it is not being uploaded (`open`) any more: waited for
    /// as [`Self::wait_while_open`] says.
    async fn find_settled(
        &self,
        target: &UploadUrl,
        name: &str,
        wait: Duration,
    ) -> Result<Option<ReleaseAsset>, Error> {
        match self.find_asset(target, name).await? {
            Some(open) if open.is_open() => self.wait_while_open(target, open, wait).await,
            other => Ok(other),
        }
    }

    /// Waits, at most `wait`, for an asset still being uploaded (`open`) to become something
    /// else: what it became, `None` if it went, or [`Error::UploadInProgress`] if it is
    /// still open. It is never deleted: it is another writer's.
    async fn wait_while_open(
        &self,
        target: &UploadUrl,
        open: ReleaseAsset,
        wait: Duration,
    ) -> Result<Option<ReleaseAsset>, Error> {
        let (deadline, pause) = watch_for(wait);
        tracing::info!(
            asset = open.id,
            wait_ms = wait.as_millis() as u64,
            "waiting for another upload of the name to finish"
        );
        loop {
            tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + pause)).await;
            match self.asset_by_id(target, open.id).await? {
                Some(asset) if asset.is_open() => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(Error::UploadInProgress {
                            name: asset.name,
                            asset_id: asset.id,
                        });
                    }
                }
                other => return Ok(other),
            }
        }
    }

    async fn asset_exists(&self, target: &UploadUrl, id: i64) -> Result<bool, Error> {
        self.asset_by_id(target, id).await.map(|a| a.is_some())
    }

    /// Removes whatever asset is under `name` (a temporary asset, or the `starter` a failed
    /// upload of it left), as far as it can: it runs after another failure, which is the
    /// one to report.
    async fn remove_named(&self, target: &UploadUrl, name: &str) {
        match self.find_asset(target, name).await {
            Ok(Some(asset)) => {
                if let Err(error) = self.delete_asset_by_id(target, asset.id).await {
                    tracing::warn!(asset = asset.id, %error, "could not remove a temporary asset");
                }
            }
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, name, "could not look for a temporary asset"),
        }
    }

    async fn rename_asset(
        &self,
        target: &UploadUrl,
        id: i64,
        name: &str,
        label: Option<&str>,
    ) -> Result<ReleaseAsset, Error> {
        self.edit_asset_unchecked(&target.owner, &target.repo, id, Some(name), label)
            .await
    }

    async fn delete_asset_by_id(&self, target: &UploadUrl, id: i64) -> Result<(), Error> {
        self.delete_asset_unchecked(&target.owner, &target.repo, id)
            .await
    }
}

/// The bytes an upload reads from a local file, and their sha256 once needed: what tells
/// an asset an earlier run uploaded from the same file.
struct Local<'a> {
    /// The file, unless the upload is from a stream or its digest check is skipped (then
    /// nothing is recognised by its bytes).
    path: Option<&'a Path>,
    length: u64,
    sha256: Option<String>,
}

impl Local<'_> {
    /// Whether `asset` holds these bytes: its size, then its digest against the file's
    /// sha256 (read once, the first time it is needed, and only for an asset of the same
    /// size). `false` when that cannot be told.
    async fn holds(&mut self, asset: &ReleaseAsset) -> Result<bool, Error> {
        let Some(path) = self.path else {
            return Ok(false);
        };
        let Some(digest) = asset.digest.as_deref() else {
            return Ok(false);
        };
        if u64::try_from(asset.size).ok() != Some(self.length) {
            return Ok(false);
        }
        if self.sha256.is_none() {
            self.sha256 = Some(crate::verify::sha256_of_path(path).await?);
        }
        Ok(self
            .sha256
            .as_deref()
            .and_then(|hex| digest_matches(digest, hex))
            .unwrap_or(false))
    }
}

/// Whether `a` and `b` hold the same bytes by what GitHub says of them: the same size and
/// the same sha256 digest.
fn same_bytes(a: &ReleaseAsset, b: &ReleaseAsset) -> bool {
    a.size == b.size
        && match (
            expected_sha256(a.digest.as_deref()),
            expected_sha256(b.digest.as_deref()),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// When a watch of `wait` from now ends, and how often to look meanwhile. A wait past what
/// the clock can hold is a wait of a year: no panic on any setting.
fn watch_for(wait: Duration) -> (tokio::time::Instant, Duration) {
    let now = tokio::time::Instant::now();
    let deadline = now
        .checked_add(wait)
        .unwrap_or(now + Duration::from_secs(365 * 24 * 3600));
    let pause = (wait / 10).clamp(Duration::from_millis(10), Duration::from_secs(1));
    (deadline, pause)
}

/// Whether an asset that never finished was left long enough ago to be nobody's upload
/// still: created more than `wait` (plus [`CLOCK_SKEW`], as GitHub's clock may be behind
/// this machine's) before now.
fn is_abandoned(asset: &ReleaseAsset, wait: Duration) -> bool {
    let Some(age) = chrono::Duration::from_std(wait.saturating_add(CLOCK_SKEW)).ok() else {
        return false;
    };
    chrono::Utc::now()
        .checked_sub_signed(age)
        .is_some_and(|before| asset.created_at < before)
}

/// Whether `asset_name` is a temporary name a Replace of `name` uploads under
/// ([`Upload::replace`]): the name as GitHub stores it, `.replacing-`, and 16 hex digits.
///
/// ```
/// use github_release_assets::is_temporary_of;
/// assert!(is_temporary_of("my.tool.zip.replacing-0123456789abcdef", "my tool.zip"));
/// assert!(!is_temporary_of("my.tool.zip.replacing-0123", "my tool.zip"));
/// assert!(!is_temporary_of("other.zip.replacing-0123456789abcdef", "my tool.zip"));
/// assert!(!is_temporary_of("w.txt.replacing-0123456789abcdef", "żółw.txt"));
/// assert!(is_temporary_of("w.txt.replacing-0123456789abcdef", "w.txt"));
/// ```
pub fn is_temporary_of(asset_name: &str, name: &str) -> bool {
    asset_name
        .strip_prefix(&temporary_prefix(name))
        .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// What every temporary name of a Replace of `name` starts with: ASCII that GitHub keeps as
/// it is. A name with other characters gets a hash of itself too, as their ASCII remains
/// alone would be shared with other names (`żółw.txt` and `w.txt` both keep `w.txt`).
fn temporary_prefix(name: &str) -> String {
    use sha2::Digest;
    if name.is_ascii() {
        format!("{}.replacing-", github_file_name(name))
    } else {
        let hash = format!("{:x}", sha2::Sha256::digest(name.as_bytes()));
        format!("{}.{}.replacing-", github_file_name(name), &hash[..8])
    }
}

/// What a Replace says when the release was published before it deleted the old asset.
fn published_mid_replace(name: &str, temporary: &str, id: i64, removed: bool) -> String {
    let new = if removed {
        "the temporary asset of the new bytes was removed".to_owned()
    } else {
        format!(
            "the new bytes stay in the release as {temporary:?} (asset {id}), which could not be removed"
        )
    };
    format!(
        "it was published while {name:?} was being replaced: nothing was deleted, {name:?} keeps the old bytes, and {new}"
    )
}

/// How many times a Replace tries to rename its new asset once the old one is gone.
const RENAME_TRIES: usize = 3;

/// One try's bytes: the stream, its length, and where its sha256 lands.
struct Attempt {
    stream: UploadStream,
    length: u64,
    digest: SentDigest,
}

/// Where an upload goes and how.
struct Sending<'a> {
    uploads: &'a Client,
    target: &'a UploadUrl,
    options: &'a UploadOptions,
}

/// Whether a `starter` asset found after a 502 can be this try's: GitHub created it no
/// earlier than the try began, by this machine's clock less [`CLOCK_SKEW`].
fn left_by_this_try(asset: &ReleaseAsset, began: chrono::DateTime<chrono::Utc>) -> bool {
    let skew = chrono::Duration::from_std(CLOCK_SKEW).unwrap_or_default();
    asset.created_at >= began - skew
}

/// Whether `asset` holds the bytes sent: its size, and its digest against theirs. `None`
/// when that cannot be told (no digest, another algorithm, or the bytes' hash unknown).
fn is_this_upload(asset: &ReleaseAsset, length: u64, sent: &SentDigest) -> Option<bool> {
    if u64::try_from(asset.size).ok() != Some(length) {
        return Some(false);
    }
    digest_matches(asset.digest.as_deref()?, sent.get()?)
}

/// A name for a replacement's bytes while the old asset is still there: ASCII that GitHub
/// keeps as it is, unique, and recognisably temporary in a listing.
fn temporary_name(name: &str) -> String {
    format!(
        "{}{:016x}",
        temporary_prefix(name),
        crate::runtime::random_u64()
    )
}

/// Whether an asset named `asset_name` is what an upload under `name` became: the same
/// name, or, for an ASCII name, [`github_file_name`] of it. A name with other characters
/// matches only as it is: GitHub transliterates those (`æ` to `ae`) in ways the model does
/// not know, and a guess could match, and replace, an unrelated asset.
///
/// ```
/// use github_release_assets::is_asset_named;
/// assert!(is_asset_named("my.tool.zip", "my tool.zip"));
/// assert!(!is_asset_named("w.txt", "żółw.txt"));
/// ```
pub fn is_asset_named(asset_name: &str, name: &str) -> bool {
    asset_name == name || (name.is_ascii() && asset_name == github_file_name(name))
}

/// The name GitHub gives an uploaded file, as its documentation describes the renaming
/// (special and non-alphanumeric characters, leading and trailing periods), modelled: other
/// characters than ASCII letters, digits, `-` and `_` become `.`, runs of `.` one, leading
/// and trailing `.` go, and a name that began with `.` gets `default` in front. Used only to
/// find an existing asset; GitHub's answer is what counts.
pub fn github_file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '.'
        };
        if !(c == '.' && out.ends_with('.')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches('.');
    match (name.starts_with('.'), trimmed.is_empty()) {
        (_, true) => "default".to_owned(),
        (true, false) => format!("default.{trimmed}"),
        (false, false) => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_url_names_owner_repo_and_release() {
        let t = UploadUrl::parse(
            "https://uploads.github.com/repos/octo/hello/releases/42/assets{?name,label}",
        )
        .unwrap();
        assert_eq!(
            (t.owner.as_str(), t.repo.as_str(), t.release_id),
            ("octo", "hello", 42)
        );
        let ghes = UploadUrl::parse(
            "https://ghe.example/api/uploads/repos/o/r/releases/7/assets{?name,label}",
        )
        .unwrap();
        assert_eq!(ghes.release_id, 7);
        assert_eq!(ghes.base, "https://ghe.example/api/uploads");
        assert!(
            UploadUrl::parse("https://uploads.github.com/repos/o/r/releases/x/assets").is_err()
        );
    }

    #[test]
    fn media_types_are_guessed_from_the_name() {
        assert_eq!(UploadOptions::new("a.zip").media_type(), "application/zip");
        assert_eq!(
            UploadOptions::new("a.tar.gz").media_type(),
            "application/gzip"
        );
        assert_eq!(
            UploadOptions::new("checksums.txt").media_type(),
            "text/plain"
        );
        assert_eq!(
            UploadOptions::new("tool").media_type(),
            "application/octet-stream"
        );
        let mut custom = UploadOptions::new("a.zip");
        custom.content_type = Some("application/x-custom".into());
        assert_eq!(custom.media_type(), "application/x-custom");
    }

    #[test]
    fn a_replace_knows_its_own_temporary_names_and_no_others() {
        for name in [
            "tool.zip",
            "my tool (1).zip",
            "żółw.txt",
            "w.txt",
            "日本.bin",
        ] {
            let temporary = temporary_name(name);
            assert!(temporary.is_ascii(), "{temporary}");
            assert!(is_temporary_of(&temporary, name), "{name}: {temporary}");
            for other in [
                "tool.zip",
                "my tool (1).zip",
                "żółw.txt",
                "w.txt",
                "日本.bin",
            ] {
                if other != name {
                    assert!(!is_temporary_of(&temporary, other), "{other}: {temporary}");
                }
            }
        }
    }

    #[test]
    fn renaming_follows_the_documented_rules() {
        assert_eq!(github_file_name("my file (1).zip"), "my.file.1.zip");
        assert_eq!(github_file_name(".env."), "default.env");
    }
}
