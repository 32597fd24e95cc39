//! Uploading an asset: from a file or any stream of known length, to the uploads host the
//! release's `upload_url` names, with a real `Content-Length` and a `Content-Type`.
//!
//! **An asset of the same name.** GitHub keeps one asset per name and answers a second
//! upload with 422. [`IfExists::Fail`] reports that as [`Error::AlreadyExists`];
//! [`IfExists::Skip`] keeps the existing asset; [`IfExists::Replace`] deletes it and then
//! uploads. Delete comes first because GitHub refuses the upload while the old asset is
//! there; the cost is a moment (and, if the upload then fails, a release) without the
//! asset, which a retry of the same call repairs. Uploading under a temporary name and
//! renaming afterwards would keep the old asset longer, but a failure would leave a stray
//! asset under a name GitHub chose, which is worse to clean up.
//!
//! **A 502.** GitHub warns that an upload answered 502 may leave an empty asset in state
//! `starter` under that name, which blocks the name. It is found and deleted, and the
//! upload is tried again, at most [`UploadOptions::retries_after_502`] times.

use std::path::Path;
use std::pin::Pin;

use futures_util::Stream;

use crate::client::UploadUrl;
use crate::file_chunks::{CHUNK, file_chunks};
use crate::progress::{Counted, Progress};
use crate::types::{Release, ReleaseAsset, ReleaseAssetState, ReleaseAssetStateKnown};
use crate::{Client, Error, Typed};

/// What to do when the release already has an asset of the name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IfExists {
    /// Fail with [`Error::AlreadyExists`] (GitHub's behaviour).
    #[default]
    Fail,
    /// Keep the existing asset and return it; nothing is uploaded.
    Skip,
    /// Delete the existing asset, then upload.
    Replace,
}

/// How to upload.
///
/// ```
/// use github_release_assets::{IfExists, UploadOptions};
/// let options = UploadOptions::new("tool-1.0-linux.tar.gz")
///     .label("Linux (x86_64)")
///     .if_exists(IfExists::Replace);
/// assert_eq!(options.media_type(), "application/gzip");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadOptions {
    name: String,
    label: Option<String>,
    content_type: Option<String>,
    if_exists: IfExists,
    retries_after_502: u32,
    progress: Option<Progress>,
}

/// The bytes of one upload attempt.
type UploadStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + Sync>>;

impl UploadOptions {
    /// Uploads under `name` (GitHub may rename special characters).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            label: None,
            content_type: None,
            if_exists: IfExists::Fail,
            retries_after_502: 2,
            progress: None,
        }
    }

    /// A label shown in place of the name.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The media type; without it, one is guessed from the name's extension.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// What to do when an asset of the name exists.
    pub fn if_exists(mut self, if_exists: IfExists) -> Self {
        self.if_exists = if_exists;
        self
    }

    /// How many times to try again after a 502 (2 unless set; 0 to never).
    pub fn retries_after_502(mut self, retries: u32) -> Self {
        self.retries_after_502 = retries;
        self
    }

    /// Reports the bytes sent as the upload goes (see [`Progress`]).
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The media type the upload is sent with.
    pub fn media_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| {
            mime_guess::from_path(&self.name)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        })
    }
}

impl Client {
    /// Uploads the file at `path` to `release`; the name, unless `options` says
    /// otherwise, is the file's. The file is streamed: memory stays flat whatever its size.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client, release: github_release_assets::types::Release) -> Result<(), github_release_assets::Error> {
    /// use github_release_assets::{IfExists, UploadOptions};
    /// let asset = client
    ///     .upload_asset_from_path(&release, "dist/tool.zip", Some(UploadOptions::new("tool.zip").if_exists(IfExists::Replace)))
    ///     .await?;
    /// println!("uploaded {} ({} bytes)", asset.name, asset.size);
    /// # Ok(()) }
    /// ```
    pub async fn upload_asset_from_path(
        &self,
        release: &Release,
        path: impl AsRef<Path>,
        options: Option<UploadOptions>,
    ) -> Result<ReleaseAsset, Error> {
        let path = path.as_ref();
        let options = match options {
            Some(options) => options,
            None => {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Error::Io {
                        path: path.to_owned(),
                        source: std::io::Error::new(
                            std::io::ErrorKind::InvalidInput,
                            "no file name",
                        ),
                    })?;
                UploadOptions::new(name)
            }
        };
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
            let stream: UploadStream = Box::pin(file_chunks(file, length, CHUNK));
            Ok::<_, Error>((stream, length))
        };
        self.upload_with(release, &options, open).await
    }

    /// Uploads `length` bytes from `stream` to `release`. A stream cannot be read twice,
    /// so a 502 is cleaned up but not retried here; upload from a path to have it retried.
    pub async fn upload_asset_from_stream<S>(
        &self,
        release: &Release,
        stream: S,
        length: u64,
        options: UploadOptions,
    ) -> Result<ReleaseAsset, Error>
    where
        S: futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>>
            + Send
            + Sync
            + 'static,
    {
        let options = options.retries_after_502(0);
        let mut body: Option<UploadStream> = Some(Box::pin(stream));
        let open = || {
            let body = body.take();
            async move {
                body.map(|b| (b, length))
                    .ok_or_else(|| Error::InvalidRequest("a stream can be uploaded once".into()))
            }
        };
        self.upload_with(release, &options, open).await
    }

    async fn upload_with<F, Fut>(
        &self,
        release: &Release,
        options: &UploadOptions,
        mut open: F,
    ) -> Result<ReleaseAsset, Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<(UploadStream, u64), Error>>,
    {
        let target = UploadUrl::parse(&release.upload_url)?;
        // The bytes are opened, and the uploads host checked, first: an upload that cannot
        // happen must not cost the release the asset `IfExists::Replace` would delete.
        let mut opened = Some(open().await?);
        let uploads = self.for_upload_url(&release.upload_url)?;
        if options.if_exists != IfExists::Fail
            && let Some(existing) = self.find_asset(&target, &options.name).await?
        {
            let junk = !matches!(
                existing.state,
                ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
            );
            if options.if_exists == IfExists::Skip && !junk {
                return Ok(existing);
            }
            self.delete_asset(&target, existing.id).await?;
        }
        let mut retries = options.retries_after_502;
        loop {
            let (stream, length) = match opened.take() {
                Some(opened) => opened,
                None => open().await?,
            };
            let body = match &options.progress {
                Some(progress) => {
                    reqwest::Body::wrap_stream(Counted::new(stream, length, progress.clone()))
                }
                None => reqwest::Body::wrap_stream(stream),
            };
            let mut request = uploads
                .repos_upload_release_asset()
                .owner(target.owner.as_str())
                .repo(target.repo.as_str())
                .release_id(target.release_id)
                .name(options.name.as_str())
                .content_type(options.media_type())
                .content_length(i64::try_from(length).unwrap_or(i64::MAX))
                .body(body);
            if let Some(label) = &options.label {
                request = request.label(label.as_str());
            }
            match request.send().typed().await {
                Ok(created) => return Ok(created.into_inner()),
                Err(Error::Unprocessable { errors, .. })
                    if errors.iter().any(|e| e["code"] == "already_exists") =>
                {
                    return Err(Error::AlreadyExists {
                        name: options.name.clone(),
                    });
                }
                Err(error) if error.status() == Some(502) => {
                    // GitHub may have left a `starter` asset under the name: it blocks the name.
                    if let Some(starter) = self.find_asset(&target, &options.name).await?
                        && !matches!(
                            starter.state,
                            ReleaseAssetState::Known(ReleaseAssetStateKnown::Uploaded)
                        )
                    {
                        tracing::info!(asset = starter.id, "deleting the starter asset a 502 left");
                        self.delete_asset(&target, starter.id).await?;
                    }
                    if retries == 0 {
                        return Err(error);
                    }
                    retries -= 1;
                }
                Err(error) => return Err(error),
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

    async fn delete_asset(&self, target: &UploadUrl, id: i64) -> Result<(), Error> {
        self.repos_delete_release_asset()
            .owner(target.owner.as_str())
            .repo(target.repo.as_str())
            .asset_id(id)
            .send()
            .typed()
            .await
            .map(|_| ())
    }
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
        assert_eq!(
            UploadOptions::new("a.zip")
                .content_type("application/x-custom")
                .media_type(),
            "application/x-custom"
        );
    }

    #[test]
    fn renaming_follows_the_documented_rules() {
        assert_eq!(github_file_name("my file (1).zip"), "my.file.1.zip");
        assert_eq!(github_file_name(".env."), "default.env");
    }
}
