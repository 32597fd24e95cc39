//! No signed storage URL in any log line or error: a storage hop that fails, with tracing at
//! TRACE. Alone in its test binary, as `tracing_span.rs` is: a thread-local subscriber races
//! with tests on other threads over tracing's callsite cache.

mod support;

use github_release_assets_fake::{Fault, Host};
use support::Fixture;

#[tokio::test]
async fn a_failing_storage_hop_logs_and_reports_no_signed_url() {
    let (captured, _guard) = support::log_everything();

    let mut errors = Vec::new();
    let mut signed = Vec::new();
    // Each way a storage hop fails: no answer at all (retried, then reported), an error
    // status, a body cut short. A fake of its own each, so no fault is left for the next.
    for fault in [
        Fault::ResetBeforeHeaders,
        Fault::Status(500),
        Fault::Status(403),
        Fault::CutMidBody,
    ] {
        let f = Fixture::builder()
            .token("ghs_logtoken")
            .quick_retries()
            .start()
            .await;
        let id = f.add_asset("a.bin", b"abcdef");
        let asset = f.asset(id).await;
        // As many as the default policy tries (four).
        for _ in 0..4 {
            f.github.inject(Host::Storage, fault.clone());
        }
        let error = asset.download_to(f.path("a.bin")).await.unwrap_err();
        errors.push(format!("{error} {error:?}"));
        let mut cause = std::error::Error::source(&error);
        while let Some(why) = cause {
            errors.push(format!("{why} {why:?}"));
            cause = why.source();
        }
        // The hops went to storage with a signed URL, so there was a query to leak.
        signed.extend(
            f.requests()
                .into_iter()
                .filter(|r| r.host == Host::Storage)
                .filter_map(|r| r.query),
        );
    }
    assert!(signed.iter().all(|q| q.contains("sig=")), "{signed:?}");
    assert!(signed.len() >= 4, "{signed:?}");

    let log = captured.text();
    assert!(log.contains("request failed"), "no failure logged: {log}");
    for line in log.lines().chain(errors.iter().map(String::as_str)) {
        assert!(
            !line.contains("sig=") && !line.contains("exp="),
            "a signed query: {line}"
        );
        assert!(!line.contains("ghs_logtoken"), "the token: {line}");
    }
}
