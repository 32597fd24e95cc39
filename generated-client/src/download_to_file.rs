//! Downloading an asset to a file.
//!
//! The bytes go to `.<name>.<asset id>.part` beside the target, are hashed as they arrive, and the
//! file is synced and renamed onto the target only when its size and `digest` are the
//! asset's: there is never a half-written file under the final name. A digest mismatch
//! removes the partial file; an interrupted transfer keeps it, and the next call resumes
//! from it with `Range` (the bytes already there are hashed again, so the whole file is
//! still verified).

use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::types::ReleaseAsset;
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
/// replaced asset has a new id).
pub fn partial_path(target: &Path, asset_id: i64) -> Result<PathBuf, Error> {
    let name = target.file_name().ok_or_else(|| Error::Io {
        path: target.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the target has no file name",
        ),
    })?;
    Ok(target.with_file_name(format!(".{}.{asset_id}.part", name.to_string_lossy())))
}

/// `name` if it is safe to use as a file name in a directory of the caller's: one plain
/// path component, so that a name from the server can never reach outside that directory.
/// Refused: empty names, `.` and `..`, separators (`/`, `\\`), drive and stream marks (`:`),
/// control characters, and a leading `.` (a hidden file, or another download's
/// `.<name>.<id>.part`). GitHub's own renaming never produces these, so a name refused here came
/// from something that is not GitHub, or from a change worth knowing of.
///
/// ```
/// use github_release_assets::local_file_name;
/// assert_eq!(local_file_name("tool-1.0.tar.gz"), Some("tool-1.0.tar.gz"));
/// assert_eq!(local_file_name("../../.bashrc"), None);
/// assert_eq!(local_file_name("/etc/passwd"), None);
/// ```
pub fn local_file_name(name: &str) -> Option<&str> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control)
        && matches!(
            Path::new(name).components().collect::<Vec<_>>().as_slice(),
            [std::path::Component::Normal(_)]
        );
    plain.then_some(name)
}

impl Client {
    /// Downloads `asset` of `owner/repo` to `target`, verifying its size and `digest`.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client, asset: github_release_assets::types::ReleaseAsset) -> Result<(), github_release_assets::Error> {
    /// let saved = client.download_asset_to("octocat", "hello-world", &asset, "dist/tool.zip").await?;
    /// println!("{} bytes, sha256 {}", saved.size, saved.sha256);
    /// # Ok(()) }
    /// ```
    pub async fn download_asset_to(
        &self,
        owner: &str,
        repo: &str,
        asset: &ReleaseAsset,
        target: impl AsRef<Path>,
    ) -> Result<SavedAsset, Error> {
        self.save_asset(owner, repo, asset, target.as_ref(), None)
            .await
    }

    /// As [`Client::download_asset_to`], reporting the bytes saved as they arrive (a
    /// resumed download starts from the bytes already there).
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client, asset: github_release_assets::types::ReleaseAsset) -> Result<(), github_release_assets::Error> {
    /// use github_release_assets::Progress;
    /// let progress = Progress::new(|done, total| eprint!("\r{done}/{total} bytes"));
    /// client
    ///     .download_asset_to_with_progress("octocat", "hello-world", &asset, "dist/tool.zip", progress)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_asset_to_with_progress(
        &self,
        owner: &str,
        repo: &str,
        asset: &ReleaseAsset,
        target: impl AsRef<Path>,
        progress: Progress,
    ) -> Result<SavedAsset, Error> {
        self.save_asset(owner, repo, asset, target.as_ref(), Some(&progress))
            .await
    }

    async fn save_asset(
        &self,
        owner: &str,
        repo: &str,
        asset: &ReleaseAsset,
        target: &Path,
        progress: Option<&Progress>,
    ) -> Result<SavedAsset, Error> {
        let part = partial_path(target, asset.id)?;
        let expected_size = u64::try_from(asset.size).ok();
        let expected_digest = asset
            .digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .map(str::to_ascii_lowercase);

        let existing = tokio::fs::metadata(&part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        let resume_from =
            (existing > 0 && expected_size.is_some_and(|size| existing < size)).then_some(existing);
        let download = self
            .start_download(owner, repo, asset.id, resume_from)
            .await?;
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

        let mut hasher = Sha256::new();
        let mut written = 0_u64;
        let mut file = if resumed {
            // Hash what is there, then append.
            let mut existing_file = tokio::fs::File::open(&part).await.map_err(io(&part))?;
            let mut buffer = vec![0_u8; 64 * 1024];
            loop {
                let n = existing_file.read(&mut buffer).await.map_err(io(&part))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buffer[..n]);
                written += n as u64;
            }
            tokio::fs::OpenOptions::new()
                .append(true)
                .open(&part)
                .await
                .map_err(io(&part))?
        } else {
            tokio::fs::File::create(&part).await.map_err(io(&part))?
        };
        let resumed_from = written;
        let total = expected_size.unwrap_or(0);
        let report = |done| {
            if let Some(progress) = progress {
                progress.report(done, total);
            }
        };
        report(written);

        let mut stream = std::pin::pin!(download.into_stream());
        while let Some(chunk) = stream.try_next().await? {
            hasher.update(&chunk);
            written += chunk.len() as u64;
            if expected_size.is_some_and(|size| written > size) {
                drop(file);
                let _ = tokio::fs::remove_file(&part).await;
                return Err(Error::Incomplete {
                    expected: expected_size.unwrap_or_default(),
                    received: written,
                });
            }
            file.write_all(&chunk).await.map_err(io(&part))?;
            report(written);
        }
        file.flush().await.map_err(io(&part))?;
        file.sync_all().await.map_err(io(&part))?;
        drop(file);

        if let Some(size) = expected_size
            && written != size
        {
            // Short: kept, so the next call resumes from it.
            return Err(Error::Incomplete {
                expected: size,
                received: written,
            });
        }
        let actual = format!("{:x}", hasher.finalize());
        if let Some(expected) = expected_digest
            && expected != actual
        {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(Error::DigestMismatch { expected, actual });
        }
        tokio::fs::rename(&part, target).await.map_err(io(target))?;
        sync_directory(target);
        Ok(SavedAsset {
            path: target.to_owned(),
            size: written,
            sha256: actual,
            resumed_from,
        })
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

    #[test]
    fn only_plain_names_are_local_file_names() {
        for good in [
            "tool.zip",
            "tool-1.0_linux.tar.gz",
            "default.env",
            "a..b",
            "日本.txt",
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
        ] {
            assert_eq!(local_file_name(bad), None, "{bad:?}");
        }
    }
}
