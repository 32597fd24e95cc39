//! Transfers verified both ways, against the fake GitHub: a download says whether its bytes
//! were checked against the asset's digest and, if not, why; `require_digest` refuses an
//! asset that cannot be checked; an upload is checked against GitHub's answer, read back
//! once when it has no digest; a local file compares with an asset by size and digest.

use github_release_assets::{
    AssetHandle, AssetId, Client, Error, FileCheck, ReleaseHandle, ReleaseId, SavedAsset,
    Unverifiable, Verification, compare_file, partial_path,
};
use github_release_assets_fake::{FakeGitHub, Fault, Host};
use sha2::Digest;

const TOKEN: &str = "ghs_verifytoken";
const BYTES: &[u8] = b"the bytes of the asset, for checking";

struct Setup {
    github: FakeGitHub,
    client: Client,
    release_id: i64,
    asset_id: i64,
    dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let github = FakeGitHub::start_with_token(TOKEN).await.unwrap();
    let release_id = github.create_release("o", "r", "v1");
    let asset_id = github
        .add_asset(
            "o",
            "r",
            release_id,
            "tool.bin",
            "application/octet-stream",
            BYTES,
        )
        .unwrap();
    let client = Client::builder(github.api_url())
        .token(TOKEN)
        .build()
        .unwrap();
    Setup {
        github,
        client,
        release_id,
        asset_id,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    async fn asset(&self) -> AssetHandle {
        self.client
            .repo("o", "r")
            .asset(AssetId::new(self.asset_id))
            .await
            .unwrap()
    }

    async fn release(&self) -> ReleaseHandle {
        self.client
            .repo("o", "r")
            .release(ReleaseId::new(self.release_id))
            .await
            .unwrap()
    }

    /// Downloads the asset to `tool.bin`, requiring a digest when asked.
    async fn download(&self, require_digest: bool) -> Result<SavedAsset, Error> {
        let asset = self.asset().await;
        let download = asset.download_to(self.dir.path().join("tool.bin"));
        if require_digest {
            download.require_digest().await
        } else {
            download.await
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    format!("{:x}", sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn a_download_says_it_was_verified_against_the_digest() {
    let s = setup().await;
    let saved = s.download(true).await.unwrap();
    assert_eq!(saved.verification, Verification::Sha256 { hex: hex(BYTES) });
    assert!(saved.verification.is_verified());
    assert_eq!(std::fs::read(&saved.path).unwrap(), BYTES);
}

#[tokio::test]
async fn a_digest_in_capitals_is_still_a_sha256() {
    let s = setup().await;
    let digest = format!("SHA256:{}", hex(BYTES).to_uppercase());
    assert!(s.github.set_asset_digest(s.asset_id, Some(&digest)));
    let saved = s.download(true).await.unwrap();
    assert!(saved.verification.is_verified(), "{:?}", saved.verification);
    // ...and a wrong one in capitals is still a mismatch.
    let wrong = format!("SHA256:{}", "AB".repeat(32));
    s.github.set_asset_digest(s.asset_id, Some(&wrong));
    std::fs::remove_file(&saved.path).unwrap();
    let error = s.download(false).await.unwrap_err();
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
}

#[tokio::test]
async fn without_a_digest_the_size_is_checked_and_it_says_why() {
    let s = setup().await;
    s.github.set_asset_digest(s.asset_id, None);
    let saved = s.download(false).await.unwrap();
    assert_eq!(
        saved.verification,
        Verification::SizeOnly(Unverifiable::NoDigest)
    );
    assert!(!saved.verification.is_verified());
    assert_eq!(std::fs::read(&saved.path).unwrap(), BYTES);

    s.github
        .set_asset_digest(s.asset_id, Some("md5:0123456789abcdef"));
    std::fs::remove_file(&saved.path).unwrap();
    let saved = s.download(false).await.unwrap();
    assert!(
        matches!(&saved.verification, Verification::SizeOnly(Unverifiable::UnknownAlgorithm { digest }) if digest == "md5:0123456789abcdef"),
        "{:?}",
        saved.verification
    );
}

#[tokio::test]
async fn require_digest_refuses_an_unverifiable_asset_before_downloading() {
    let s = setup().await;
    s.github.set_asset_digest(s.asset_id, None);
    let asset = s.asset().await;
    let before = s.github.requests().len();
    let target = s.dir.path().join("tool.bin");
    let error = asset
        .download_to(&target)
        .require_digest()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Unverifiable { name, reason: Unverifiable::NoDigest } if name == "tool.bin"),
        "{error:?}"
    );
    assert!(error.to_string().contains("cannot be verified"), "{error}");
    assert_eq!(s.github.requests().len(), before, "something was requested");
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn an_upload_without_a_digest_in_the_answer_is_read_back_once() {
    let s = setup().await;
    s.github.set_digests(false);
    let release = s.release().await;
    let path = s.dir.path().join("new.bin");
    std::fs::write(&path, BYTES).unwrap();
    let before = s.github.requests().len();
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(
        (asset.size, asset.digest.as_deref()),
        (BYTES.len() as i64, None)
    );
    let sent: Vec<String> = s.github.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        sent,
        [
            format!("POST /repos/o/r/releases/{}/assets", s.release_id),
            format!("GET /repos/o/r/releases/assets/{}", asset.id),
        ]
    );
}

#[tokio::test]
async fn an_upload_github_stored_wrong_is_deleted_and_reported() {
    let s = setup().await;
    let release = s.release().await;
    let path = s.dir.path().join("new.bin");
    std::fs::write(&path, BYTES).unwrap();
    s.github.inject(Host::Uploads, Fault::WrongDigest);
    let error = release
        .upload(&path)
        .name("new.bin")
        .await
        .map(|u| u.asset)
        .unwrap_err();
    let Error::UploadMismatch {
        name,
        reason,
        removed,
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(removed, "{error}");
    assert!(
        error.to_string().contains("the stored asset was deleted"),
        "{error}"
    );
    assert_eq!(name, "new.bin");
    assert!(reason.contains(&hex(BYTES)), "{reason}");
    let names: Vec<String> = s
        .github
        .assets("o", "r", s.release_id)
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["tool.bin"], "the bad upload was not removed");
}

#[tokio::test]
async fn a_local_file_compares_by_size_and_digest() {
    let s = setup().await;
    let asset = s.asset().await;
    let same = s.dir.path().join("same.bin");
    std::fs::write(&same, BYTES).unwrap();
    assert_eq!(
        compare_file(&asset, &same).await.unwrap(),
        FileCheck::Matches { sha256: hex(BYTES) }
    );
    let mut changed = BYTES.to_vec();
    changed[0] ^= 1;
    let flipped = s.dir.path().join("flipped.bin");
    std::fs::write(&flipped, &changed).unwrap();
    assert!(
        matches!(compare_file(&asset, &flipped).await.unwrap(), FileCheck::Differs(how) if how.contains("sha256"))
    );
    let short = s.dir.path().join("short.bin");
    std::fs::write(&short, &BYTES[1..]).unwrap();
    assert!(
        matches!(compare_file(&asset, &short).await.unwrap(), FileCheck::Differs(how) if how.contains("bytes"))
    );
    s.github.set_asset_digest(s.asset_id, None);
    let no_digest = s.asset().await;
    assert_eq!(
        compare_file(&no_digest, &same).await.unwrap(),
        FileCheck::Unverifiable(Unverifiable::NoDigest)
    );
    let missing = compare_file(&asset, s.dir.path().join("absent.bin"))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
}
