//! What an asset's bytes were checked against, and checking a local file against an asset.
//!
//! GitHub gives an asset a `digest` (`sha256:<hex>`) since mid-2025; older assets, and
//! GitHub Enterprise Servers of that age, have none. A download is verified against the
//! digest when there is one, and says so ([`Verification`]) either way, so a caller can
//! tell a verified file from one whose size alone was checked, or refuse the latter.

use std::fmt;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;
use crate::runtime::Unverifiable;
use crate::types::ReleaseAsset;

/// What a transfer's bytes were checked against.
///
/// ```
/// use github_release_assets::{Unverifiable, Verification};
/// let v = Verification::Sha256 { hex: "ab12".into() };
/// assert!(v.is_verified());
/// assert_eq!(v.to_string(), "verified sha256:ab12");
/// let not = Verification::SizeOnly(Unverifiable::NoDigest);
/// assert_eq!(not.to_string(), "not verified: the asset has no digest (its size was checked)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// The bytes' sha256 is the asset's `digest`.
    Sha256 {
        /// The sha256, lower-case hex.
        hex: String,
    },
    /// Only the size was checked, for this reason.
    SizeOnly(Unverifiable),
}

impl Verification {
    /// What bytes that matched `digest` (where one can be matched) were checked against:
    /// the sha256 it names, or the size alone and why.
    ///
    /// ```
    /// use github_release_assets::{Unverifiable, Verification};
    /// let hex = "ab".repeat(32);
    /// assert!(Verification::of_digest(Some(&format!("sha256:{hex}"))).is_verified());
    /// assert_eq!(Verification::of_digest(None), Verification::SizeOnly(Unverifiable::NoDigest));
    /// ```
    pub fn of_digest(digest: Option<&str>) -> Self {
        match expected_sha256(digest) {
            Ok(hex) => Verification::Sha256 { hex },
            Err(why) => Verification::SizeOnly(why),
        }
    }

    /// Whether the bytes were checked against the asset's digest.
    pub fn is_verified(&self) -> bool {
        matches!(self, Verification::Sha256 { .. })
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verification::Sha256 { hex } => write!(f, "verified sha256:{hex}"),
            Verification::SizeOnly(why) => write!(f, "not verified: {why} (its size was checked)"),
        }
    }
}

/// The sha256 an asset's `digest` names, lower-case hex (`sha256:` and the hex in either
/// case), or why there is none to check against.
///
/// ```
/// use github_release_assets::{Unverifiable, expected_sha256};
/// let hex = "ab".repeat(32);
/// assert_eq!(expected_sha256(Some(&format!("SHA256:{}", hex.to_uppercase()))), Ok(hex));
/// assert_eq!(expected_sha256(None), Err(Unverifiable::NoDigest));
/// assert!(expected_sha256(Some("md5:00")).is_err());
/// ```
pub fn expected_sha256(digest: Option<&str>) -> Result<String, Unverifiable> {
    let digest = digest.ok_or(Unverifiable::NoDigest)?;
    match digest.split_once(':') {
        Some((algorithm, hex))
            if algorithm.eq_ignore_ascii_case("sha256")
                && hex.len() == 64
                && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(hex.to_ascii_lowercase())
        }
        _ => Err(Unverifiable::UnknownAlgorithm {
            digest: digest.to_owned(),
        }),
    }
}

/// How a local file compares with a release asset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileCheck {
    /// Same size, and its sha256 is the asset's digest.
    Matches {
        /// The sha256, lower-case hex.
        sha256: String,
    },
    /// Not the asset's bytes: a sentence saying how.
    Differs(String),
    /// The same size, but the asset has no digest to compare the bytes with.
    Unverifiable(Unverifiable),
}

/// Compares the file at `path` with `asset`: its size, then its sha256 with the asset's
/// digest. The file is read once, on a blocking thread.
///
/// ```no_run
/// # async fn run(asset: github_release_assets::types::ReleaseAsset) -> Result<(), github_release_assets::Error> {
/// use github_release_assets::{FileCheck, compare_file};
/// match compare_file(&asset, "dist/tool.zip").await? {
///     FileCheck::Matches { sha256 } => println!("tool.zip is the release's: sha256:{sha256}"),
///     other => println!("tool.zip: {other:?}"),
/// }
/// # Ok(()) }
/// ```
pub async fn compare_file(
    asset: &ReleaseAsset,
    path: impl AsRef<Path>,
) -> Result<FileCheck, Error> {
    let path = path.as_ref().to_owned();
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let size = tokio::fs::metadata(&path).await.map_err(io)?.len();
    let expected_size = u64::try_from(asset.size).unwrap_or(0);
    if size != expected_size {
        return Ok(FileCheck::Differs(format!(
            "{size} bytes, the asset {expected_size}"
        )));
    }
    let expected = match expected_sha256(asset.digest.as_deref()) {
        Ok(hex) => hex,
        Err(why) => return Ok(FileCheck::Unverifiable(why)),
    };
    let actual = sha256_of_path(&path).await?;
    Ok(if actual == expected {
        FileCheck::Matches { sha256: actual }
    } else {
        FileCheck::Differs(format!(
            "its sha256 is {actual}, the asset's digest sha256:{expected}"
        ))
    })
}

/// The sha256 of the file at `path`, hex, read on a blocking thread.
pub(crate) async fn sha256_of_path(path: &Path) -> Result<String, Error> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || sha256_of_file(&owned))
        .await
        .map_err(std::io::Error::other)
        .and_then(|hashed| hashed)
        .map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
}

fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0_u8; 1 << 20];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}
