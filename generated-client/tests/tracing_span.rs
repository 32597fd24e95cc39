//! One tracing span per request, naming the operationId. Alone in its test binary: a
//! thread-local subscriber races with tests on other threads over tracing's callsite cache.

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use github_release_assets::{Client, ReleaseId};
use github_release_assets_fake::FakeGitHub;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Collects what the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_request_runs_in_a_span_naming_its_operation_and_never_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = Client::builder(server.uri())
        .token("ghs_spantoken")
        .build()
        .unwrap();
    client
        .operations()
        .delete_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(3)
        .send()
        .await
        .unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
    assert!(!log.contains("ghs_spantoken"), "token in the log: {log}");

    // Lists and downloads go through the same pipeline: the same span, the storage hop's
    // path without its signed query.
    let github = FakeGitHub::start_with_token("ghs_spantoken").await.unwrap();
    let release = github.create_release("o", "r", "v1");
    github
        .add_asset(
            "o",
            "r",
            release,
            "a.bin",
            "application/octet-stream",
            b"abc",
        )
        .unwrap();
    let client = Client::builder(github.api_url())
        .token("ghs_spantoken")
        .build()
        .unwrap();
    let release = client
        .repo("o", "r")
        .release(ReleaseId::new(release))
        .await
        .unwrap();
    let assets: Vec<_> = release.assets().try_collect().await.unwrap();
    let bytes = assets[0].stream().await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"abc");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "operation_id=\"repos/get-release\" method=GET",
        "operation_id=\"repos/list-release-assets\" method=GET",
        "operation_id=\"repos/get-release-asset\" method=GET",
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
    assert!(!log.contains("ghs_spantoken"), "token in the log: {log}");
    assert!(
        !log.contains("X-Amz") && !log.contains("sig="),
        "a signed query in the log: {log}"
    );
}
