//! One tracing span per request, naming the operationId. Alone in its test binary: a
//! thread-local subscriber races with tests on other threads over tracing's callsite cache.

mod support;

use futures_util::TryStreamExt;
use support::Fixture;
use wiremock::{MockServer, ResponseTemplate};

const TOKEN: &str = "ghs_spantoken";

#[tokio::test]
async fn each_request_runs_in_a_span_naming_its_operation_and_never_the_token() {
    let server = MockServer::start().await;
    let at = "/repos/octo/hello/releases/assets/3";
    support::answer(&server, "DELETE", at, ResponseTemplate::new(204)).await;
    let (captured, _guard) = support::log_everything();

    support::mock_client(&server, Some(TOKEN))
        .repo("octo", "hello")
        .asset_from(support::example_asset(3))
        .delete()
        .await
        .unwrap();

    let log = captured.text();
    assert!(log.contains("github_request{"), "no span: {log}");
    assert!(
        log.contains("operation_id=\"repos/delete-release-asset\""),
        "{log}"
    );
    assert!(log.contains("method=DELETE"), "{log}");
    assert!(
        log.contains("path=\"/repos/octo/hello/releases/assets/3\""),
        "{log}"
    );
    assert!(log.contains("status=204"), "{log}");
    assert!(!log.contains(TOKEN), "token in the log: {log}");

    // Lists and downloads go through the same pipeline: the same span, the storage hop's
    // path without its signed query.
    let f = Fixture::builder().token(TOKEN).start().await;
    f.add_asset("a.bin", b"abc");
    let release = f.release().await;
    let assets: Vec<_> = release.assets().try_collect().await.unwrap();
    let bytes = support::streamed_bytes(&assets[0]).await;
    assert_eq!(&bytes[..], b"abc");
    // An upload goes to the uploads host with the token, and a refused token fails.
    let uploaded = release
        .upload(f.file("b.bin", b"defg"))
        .await
        .unwrap()
        .asset;
    assert_eq!(uploaded.size, 4);
    let refused = support::Fixture::builder()
        .token("ghs_someone_else")
        .start()
        .await;
    let stranger = github_release_assets::Client::builder(refused.github.api_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let error = stranger
        .repo(support::OWNER, support::REPO)
        .release_by_tag(support::TAG)
        .await
        .unwrap_err();
    let printed = format!("{error} {error:?}");
    assert!(!printed.contains(TOKEN), "token in an error: {printed}");
    let log = captured.text();
    for expected in [
        "operation_id=\"repos/get-release\" method=GET",
        "operation_id=\"repos/list-release-assets\" method=GET",
        "operation_id=\"repos/get-release-asset\" method=GET",
        "operation_id=\"repos/upload-release-asset\" method=POST",
    ] {
        assert!(log.contains(expected), "{expected} not in {log}");
    }
    let hop = log
        .lines()
        .find(|l| l.contains("status=200") && l.contains("path=\"/storage"))
        .or_else(|| {
            log.lines()
                .find(|l| l.contains("repos/get-release-asset") && l.contains("status=200"))
        });
    assert!(hop.is_some(), "no answered download span: {log}");
    assert!(!log.contains(TOKEN), "token in the log: {log}");
    assert!(
        !log.contains("X-Amz") && !log.contains("sig="),
        "a signed query in the log: {log}"
    );
}
