//! Transfers verified both ways, against the fake GitHub: a download says whether its bytes
//! were checked against the asset's digest and, if not, why; `require_digest` refuses an
//! asset that cannot be checked; an upload is checked against GitHub's answer, read back
//! once when it has no digest; a local file compares with an asset by size and digest.

mod support;

use github_release_assets::{
    Error, FileCheck, SavedAsset, Unverifiable, Verification, compare_file, partial_path,
};
use github_release_assets_fake::{Fault, Host};
use support::{Fixture, RequestLog, sha256_hex};

const TOKEN: &str = "ghs_verifytoken";
const BYTES: &[u8] = b"the bytes of the asset, for checking";

/// A fake that wants [`TOKEN`], its release holding `tool.bin` ([`BYTES`]); and the
/// asset's id.
async fn setup() -> (Fixture, i64) {
    let f = Fixture::builder().token(TOKEN).start().await;
    let asset_id = f.add_asset("tool.bin", BYTES);
    (f, asset_id)
}

/// Downloads the asset `id`, fetched anew, to `tool.bin`, requiring a digest when asked.
async fn download(f: &Fixture, id: i64, require_digest: bool) -> Result<SavedAsset, Error> {
    let download = f.asset(id).await.download_to(f.path("tool.bin"));
    if require_digest {
        download.require_digest().await
    } else {
        download.await
    }
}

#[tokio::test]
async fn a_download_says_it_was_verified_against_the_digest() {
    let (f, id) = setup().await;
    let saved = download(&f, id, true).await.unwrap();
    assert_eq!(
        saved.verification,
        Verification::Sha256 {
            hex: sha256_hex(BYTES)
        }
    );
    assert!(saved.verification.is_verified());
    assert_eq!(std::fs::read(&saved.path).unwrap(), BYTES);
}

#[tokio::test]
async fn a_digest_in_capitals_is_still_a_sha256() {
    let (f, id) = setup().await;
    let digest = format!("SHA256:{}", sha256_hex(BYTES).to_uppercase());
    assert!(f.github.set_asset_digest(id, Some(&digest)));
    let saved = download(&f, id, true).await.unwrap();
    assert!(saved.verification.is_verified(), "{:?}", saved.verification);
    // ...and a wrong one in capitals is still a mismatch.
    let wrong = format!("SHA256:{}", "AB".repeat(32));
    f.github.set_asset_digest(id, Some(&wrong));
    std::fs::remove_file(&saved.path).unwrap();
    let error = download(&f, id, false).await.unwrap_err();
    assert!(matches!(error, Error::DigestMismatch { .. }), "{error:?}");
}

#[tokio::test]
async fn without_a_digest_the_size_is_checked_and_it_says_why() {
    let (f, id) = setup().await;
    f.github.set_asset_digest(id, None);
    let saved = download(&f, id, false).await.unwrap();
    assert_eq!(
        saved.verification,
        Verification::SizeOnly(Unverifiable::NoDigest)
    );
    assert!(!saved.verification.is_verified());
    assert_eq!(std::fs::read(&saved.path).unwrap(), BYTES);

    f.github.set_asset_digest(id, Some("md5:0123456789abcdef"));
    std::fs::remove_file(&saved.path).unwrap();
    let saved = download(&f, id, false).await.unwrap();
    assert!(
        matches!(&saved.verification, Verification::SizeOnly(Unverifiable::UnknownAlgorithm { digest }) if digest == "md5:0123456789abcdef"),
        "{:?}",
        saved.verification
    );
}

#[tokio::test]
async fn require_digest_refuses_an_unverifiable_asset_before_downloading() {
    let (f, id) = setup().await;
    f.github.set_asset_digest(id, None);
    let asset = f.asset(id).await;
    let before = f.sent();
    let target = f.path("tool.bin");
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
    assert_eq!(f.sent(), before, "something was requested");
    assert!(!target.exists());
    assert!(!partial_path(&target, asset.id).unwrap().exists());
}

#[tokio::test]
async fn an_upload_without_a_digest_in_the_answer_is_read_back_once() {
    let (f, _) = setup().await;
    f.github.set_digests(false);
    let release = f.release().await;
    let path = f.file("new.bin", BYTES);
    let before = f.sent();
    let asset = release.upload(&path).await.map(|u| u.asset).unwrap();
    assert_eq!(
        (asset.size, asset.digest.as_deref()),
        (BYTES.len() as i64, None)
    );
    assert_eq!(
        f.requests_after(before).calls(),
        [
            format!("POST /repos/o/r/releases/{}/assets", f.release_id()),
            format!("GET /repos/o/r/releases/assets/{}", asset.id),
        ]
    );
}

#[tokio::test]
async fn an_upload_github_stored_wrong_is_deleted_and_reported() {
    let (f, _) = setup().await;
    let release = f.release().await;
    let path = f.file("new.bin", BYTES);
    f.github.inject(Host::Uploads, Fault::WrongDigest);
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
    assert!(reason.contains(&sha256_hex(BYTES)), "{reason}");
    let names: Vec<String> = f.assets().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["tool.bin"], "the bad upload was not removed");
}

#[tokio::test]
async fn an_upload_that_skips_the_digest_check_is_checked_by_size_alone() {
    let (f, _) = setup().await;
    let release = f.release().await;
    let path = f.file("new.bin", BYTES);
    // A digest that is not the bytes': compared, it would delete the asset (above).
    f.github.inject(Host::Uploads, Fault::WrongDigest);
    let uploaded = release.upload(&path).skip_digest_check().await.unwrap();
    assert_eq!(
        uploaded.verification,
        Some(Verification::SizeOnly(Unverifiable::Skipped))
    );
    assert_eq!(
        uploaded.verification.unwrap().to_string(),
        "not verified: the digest check was skipped (its size was checked)"
    );
    assert_eq!(uploaded.asset.info().size, BYTES.len() as i64);

    // A stream is not hashed either.
    f.github.inject(Host::Uploads, Fault::WrongDigest);
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(BYTES))]);
    let streamed = release
        .upload_stream(stream, BYTES.len() as u64, "streamed.bin")
        .skip_digest_check()
        .await
        .unwrap();
    assert_eq!(
        streamed.verification,
        Some(Verification::SizeOnly(Unverifiable::Skipped))
    );

    // Nor is an answer without a digest read back for one.
    f.github.set_digests(false);
    let before = f.sent();
    let path = f.file("other.bin", BYTES);
    release.upload(&path).skip_digest_check().await.unwrap();
    assert_eq!(
        f.requests_after(before).calls(),
        [format!(
            "POST /repos/o/r/releases/{}/assets",
            f.release_id()
        )]
    );
}

#[tokio::test]
async fn a_local_file_compares_by_size_and_digest() {
    let (f, id) = setup().await;
    let asset = f.asset(id).await;
    let same = f.file("same.bin", BYTES);
    assert_eq!(
        compare_file(&asset, &same).await.unwrap(),
        FileCheck::Matches {
            sha256: sha256_hex(BYTES)
        }
    );
    let mut changed = BYTES.to_vec();
    changed[0] ^= 1;
    let flipped = f.file("flipped.bin", &changed);
    assert!(
        matches!(compare_file(&asset, &flipped).await.unwrap(), FileCheck::Differs(how) if how.contains("sha256"))
    );
    let short = f.file("short.bin", &BYTES[1..]);
    assert!(
        matches!(compare_file(&asset, &short).await.unwrap(), FileCheck::Differs(how) if how.contains("bytes"))
    );
    f.github.set_asset_digest(id, None);
    let no_digest = f.asset(id).await;
    assert_eq!(
        compare_file(&no_digest, &same).await.unwrap(),
        FileCheck::Unverifiable(Unverifiable::NoDigest)
    );
    let missing = compare_file(&asset, f.path("absent.bin"))
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Io { .. }), "{missing:?}");
}
