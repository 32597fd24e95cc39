//! What every request does besides its operation: one tracing span naming the
//! operationId, and timeouts that are configurable and reported as such.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use github_release_assets::{Client, Error, Typed};
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
        .repos_delete_release_asset()
        .owner("octo")
        .repo("hello")
        .asset_id(3)
        .send()
        .typed()
        .await
        .unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("github_request{"), "no span: {log}");
    assert!(
        log.contains("operation_id=\"repos_delete_release_asset\""),
        "{log}"
    );
    assert!(log.contains("method=DELETE"), "{log}");
    assert!(
        log.contains("path=\"/repos/octo/hello/releases/assets/3\""),
        "{log}"
    );
    assert!(log.contains("status=204"), "{log}");
    assert!(!log.contains("ghs_spantoken"), "token in the log: {log}");
}

#[tokio::test]
async fn a_read_timeout_is_reported_as_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri())
        .read_timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let error = client
        .repos_get_latest_release()
        .owner("octo")
        .repo("hello")
        .send()
        .typed()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    // Bind, learn the port, close: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let error = client
        .repos_get_latest_release()
        .owner("octo")
        .repo("hello")
        .send()
        .typed()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn an_error_page_that_is_not_json_keeps_its_status() {
    let server = MockServer::start().await;
    // A documented 404 (get-latest-release) answered by a proxy's HTML page.
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw("<html><h1>404</h1> Not here</html>", "text/html"),
        )
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html"),
        )
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).build().unwrap();
    let error = client
        .repos_get_latest_release()
        .owner("octo")
        .repo("hello")
        .send()
        .typed()
        .await
        .unwrap_err();
    match &error {
        Error::NotFound { message, .. } => {
            assert_eq!(message, "<html><h1>404</h1> Not here</html>")
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let uploads = client
        .for_upload_url(&format!(
            "{}/repos/octo/hello/releases/1/assets{{?name,label}}",
            server.uri()
        ))
        .unwrap();
    let error = uploads
        .repos_upload_release_asset()
        .owner("octo")
        .repo("hello")
        .release_id(1)
        .name("a.zip")
        .content_type("application/zip")
        .body(b"bytes".to_vec())
        .send()
        .typed()
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(502), "{error:?}");
}
