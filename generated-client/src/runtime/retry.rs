//! Retries: an idempotent request that fails on a 5xx, a broken or stalled connection or a
//! rate limit is sent again after a pause, a bounded number of times within a bounded total wait.
//!
//! The pause is what GitHub asks for when it says (`Retry-After`, or the time
//! `X-RateLimit-Reset` names), and otherwise grows exponentially with jitter, so that many
//! clients failing together do not come back together. No other 4xx is retried: it would
//! fail the same way. A request whose body cannot be replayed (a stream) is sent once by
//! this layer; an upload from a file is sent again after a rate limit by the upload itself
//! (`RetryPolicy::pause_after_rate_limit`), under the same policy.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// When and how often to retry.
///
/// ```
/// use std::time::Duration;
/// use github_release_assets::{Client, RetryPolicy};
/// let client = Client::builder("https://api.github.com")
///     .retry(RetryPolicy::default().max_retries(5).max_total_wait(Duration::from_secs(120)))
///     .build()
///     .unwrap();
/// let no_retries = Client::builder("https://api.github.com").retry(RetryPolicy::none()).build().unwrap();
/// # let _ = (client, no_retries);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    max_total_wait: Duration,
    base_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, waiting at most 60 s in all, from a 500 ms first pause.
    fn default() -> Self {
        Self {
            max_retries: 3,
            max_total_wait: Duration::from_secs(60),
            base_delay: Duration::from_millis(500),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times a request may be sent again.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The most time spent waiting between tries, all pauses together. A rate limit that
    /// resets later than that is reported at once rather than waited for.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// The first pause when the server does not say how long to wait; it doubles each time.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The pause before retry number `attempt` (from 0) of a response with `status` and
    /// `headers`, or `None` when it is not to be retried. `jitter` gives a number in
    /// `[0, 1)`, asked for only when there is a pause to spread.
    pub(crate) fn pause_after_status(
        &self,
        attempt: u32,
        status: u16,
        headers: &HeaderMap,
        jitter: impl FnOnce() -> f64,
    ) -> Option<Duration> {
        // Only these statuses are ever retried: every other answer (nearly all) is let go
        // before its headers are read.
        if !matches!(status, 403 | 429 | 500 | 502 | 503 | 504) {
            return None;
        }
        let retry_after = header_u64(headers, "retry-after").map(Duration::from_secs);
        let exhausted = header_u64(headers, "x-ratelimit-remaining") == Some(0);
        let reset = header_u64(headers, "x-ratelimit-reset")
            .map(|at| until_reset(i64::try_from(at).unwrap_or(i64::MAX)));
        let rate_limited = status == 429 || (status == 403 && (exhausted || retry_after.is_some()));
        let transient = matches!(status, 500 | 502 | 503 | 504);
        if !(rate_limited || transient) {
            return None;
        }
        let asked = retry_after.or(if rate_limited && exhausted {
            reset
        } else {
            None
        });
        Some(asked.unwrap_or_else(|| self.backoff(attempt, jitter())))
    }

    /// The pause before retry number `attempt` (from 0) of a request that was rate
    /// limited ([`super::error::Error::RateLimited`]): what GitHub asked for (`Retry-After`, else
    /// until the reset time), else the backoff. For a request this layer does not send
    /// again itself: an upload whose body is a file.
    pub(crate) fn pause_after_rate_limit(
        &self,
        attempt: u32,
        retry_after: Option<Duration>,
        reset: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Duration {
        retry_after
            .or(reset.map(|at| until_reset(at.timestamp())))
            .unwrap_or_else(|| self.backoff(attempt, jitter()))
    }

    /// Exponential backoff with "equal jitter": half fixed, half random.
    pub(crate) fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let full = self
            .base_delay
            .saturating_mul(2_u32.saturating_pow(attempt.min(16)));
        full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// The pause until a rate limit resets at `reset` (seconds since the epoch, GitHub's
/// `X-RateLimit-Reset`), and a second more: none for a time gone by. In whole seconds and
/// saturating, whatever the value: no `SystemTime` is made of it, as one past what the
/// platform's clock holds (Windows' ends in the year 30828) panics.
fn until_reset(reset: i64) -> Duration {
    let now = chrono::Utc::now().timestamp();
    let ahead = u64::try_from(reset.saturating_sub(now)).unwrap_or(0);
    Duration::from_secs(ahead.saturating_add(1))
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A number in `[0, 1)` that differs from call to call, enough to spread retries.
fn jitter() -> f64 {
    (random_u64() >> 11) as f64 / (1_u64 << 53) as f64
}

/// 64 bits that differ from call to call (std's per-process random hash keys, and the
/// time): enough to spread retries and to make a temporary name unique, not for secrets.
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    hasher.finish()
}

fn idempotent(method: &reqwest::Method) -> bool {
    matches!(
        method.as_str(),
        "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
    )
}

/// The tries of one request so far, against what its policy allows: the request layer's
/// and an upload's retries count the same way.
pub(crate) struct Tries<'a> {
    policy: &'a RetryPolicy,
    /// Retries so far.
    attempt: u32,
    /// All pauses so far.
    waited: Duration,
}

impl<'a> Tries<'a> {
    pub(crate) fn new(policy: &'a RetryPolicy) -> Self {
        Self {
            policy,
            attempt: 0,
            waited: Duration::ZERO,
        }
    }

    /// Retries so far.
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the policy allows one more try after `pause`. (Saturating: a server may
    /// ask for any wait, up to and past what a `Duration` holds.)
    pub(crate) fn allow(&self, pause: Duration) -> bool {
        self.attempt < self.policy.max_retries
            && self.waited.saturating_add(pause) <= self.policy.max_total_wait
    }

    /// Waits `pause` before the next try, and counts both.
    pub(crate) async fn pause(&mut self, pause: Duration, why: &str) {
        tracing::info!(
            attempt = self.attempt + 1,
            pause_ms = pause.as_millis() as u64,
            "{why}"
        );
        tokio::time::sleep(pause).await;
        self.waited = self.waited.saturating_add(pause);
        self.attempt += 1;
    }
}

/// Sends `request`, retrying as `policy` allows.
pub(crate) async fn execute(
    http: &reqwest::Client,
    request: reqwest::Request,
    policy: &RetryPolicy,
) -> reqwest::Result<reqwest::Response> {
    if !idempotent(request.method()) || policy.max_retries == 0 {
        return http.execute(request).await;
    }
    let mut tries = Tries::new(policy);
    let mut next = request;
    // Whether an earlier try may have been carried out though its answer was lost: a 5xx,
    // or a connection that broke after the request went (not one refused, not a rate limit).
    let mut maybe_done = false;
    loop {
        let spare = next.try_clone();
        let is_delete = next.method() == reqwest::Method::DELETE;
        let result = http.execute(next).await;
        // A DELETE sent again after a 5xx or a broken connection, and now not found: the
        // first try deleted it and its answer was lost. That is what was asked for.
        if is_delete
            && maybe_done
            && let Ok(response) = &result
            && response.status() == reqwest::StatusCode::NOT_FOUND
        {
            tracing::info!("the retried DELETE found nothing: the first try deleted it");
            return Ok(no_content(response));
        }
        let pause = match &result {
            Ok(response) => policy.pause_after_status(
                tries.attempt(),
                response.status().as_u16(),
                response.headers(),
                jitter,
            ),
            // A refused, reset or stalled connection (a read timeout is an idle connection,
            // which a new one may not repeat); the request is idempotent, so sending it
            // again is safe.
            Err(error)
                if error.is_timeout()
                    || error.is_connect()
                    || error.is_request()
                    || error.is_body() =>
            {
                Some(policy.backoff(tries.attempt(), jitter()))
            }
            Err(_) => None,
        };
        let Some(pause) = pause else { return result };
        maybe_done |= match &result {
            Ok(response) => response.status().is_server_error(),
            Err(error) => !error.is_connect(),
        };
        let (Some(again), true) = (spare, tries.allow(pause)) else {
            return result;
        };
        tries.pause(pause, "retrying").await;
        next = again;
    }
}

/// A `204 No Content` answer in place of `response`, keeping its headers.
fn no_content(response: &reqwest::Response) -> reqwest::Response {
    let mut headers = response.headers().clone();
    headers.remove(reqwest::header::CONTENT_LENGTH);
    headers.remove(reqwest::header::CONTENT_TYPE);
    rebuilt(
        reqwest::StatusCode::NO_CONTENT,
        response.version(),
        response.url().clone(),
        headers,
        Vec::<u8>::new(),
    )
}

/// A response of these parts and `body`, with the URL it came from, so an error reading
/// it names where it went as any other does.
pub(crate) fn rebuilt(
    status: reqwest::StatusCode,
    version: reqwest::Version,
    url: reqwest::Url,
    headers: reqwest::header::HeaderMap,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    // The URL goes in through the builder, the only way reqwest takes one; a builder given
    // nothing else cannot fail, but a failure would cost only the URL.
    let (mut parts, ()) = http::Response::builder()
        .url(url)
        .body(())
        .unwrap_or_default()
        .into_parts();
    parts.status = status;
    parts.version = version;
    parts.headers = headers;
    reqwest::Response::from(http::Response::from_parts(parts, body.into()))
}

#[cfg(test)]
mod tests {

    /// A `Retry-After` or `X-RateLimit-Reset` of any size, `u64::MAX` and past it, gives a
    /// pause (or none) and never a panic; the total-wait bound then refuses to wait it.
    #[tokio::test]
    async fn absurd_waits_are_refused_not_a_panic() {
        use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};
        let policy = RetryPolicy::default();
        for value in [
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
        ] {
            for (status, name) in [(429, "retry-after"), (403, "x-ratelimit-reset")] {
                let mut headers = HeaderMap::new();
                headers.insert(name, value.parse().unwrap());
                headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
                let _ = policy.pause_after_status(0, status, &headers, || 0.5);
            }
        }
        // Asked for after a second already waited: the sum no longer fits a `Duration`
        // (its seconds are a u64), which is where a plain `+` would panic.
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615"),
            )
            .mount(&server)
            .await;
        let http = reqwest::Client::new();
        let request = http.get(server.uri()).build().unwrap();
        let response = execute(&http, request, &policy).await.unwrap();
        assert_eq!(response.status(), 429, "answered, not waited for");
        assert_eq!(server.received_requests().await.unwrap().len(), 2);
    }

    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    reqwest::header::HeaderName::from_static(k),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Any status and any `Retry-After`, `X-RateLimit-Reset` and `-Remaining` (numbers
        /// up to and past `u64`, signs, dates, garbage), at any attempt: a pause or none,
        /// never a panic; and the error made of the same answer says what it is.
        #[test]
        fn any_rate_limit_headers_give_a_pause_or_none(
            status in 100_u16..1000,
            attempt in proptest::prelude::any::<u32>(),
            jitter in proptest::prelude::any::<f64>(),
            values in proptest::collection::vec(
                "[0-9]{0,25}|-[0-9]{1,20}|[ 0-9.e+-]{0,12}|\\PC{0,20}|Wed, 21 Oct 2015 07:28:00 GMT",
                3,
            ),
        ) {
            let mut headers = HeaderMap::new();
            for (name, value) in ["retry-after", "x-ratelimit-reset", "x-ratelimit-remaining"]
                .into_iter()
                .zip(&values)
            {
                if let Ok(value) = HeaderValue::from_str(value) {
                    headers.insert(name, value);
                }
            }
            let _ = RetryPolicy::default().pause_after_status(attempt, status, &headers, || jitter);
            if let Ok(status) = reqwest::StatusCode::from_u16(status) {
                let error = super::super::error::Error::from_status(status, &headers, None);
                let _ = error.to_string();
            }
        }

        /// An `X-RateLimit-Reset` anywhere in the `u64` range, on a 403 or 429 that is a
        /// rate limit: the pause the request layer takes, and the one an upload takes from
        /// the error made of the same answer, are the same whole seconds until the reset and
        /// one more (none for a time gone by), saturating; never a panic.
        #[test]
        fn any_rate_limit_reset_in_the_u64_range_gives_the_pause_until_it(
            reset in proptest::prelude::any::<u64>(),
            status in proptest::sample::select(vec![403_u16, 429]),
        ) {
            let mut headers = HeaderMap::new();
            headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
            headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
            let policy = RetryPolicy::default();
            let now = chrono::Utc::now().timestamp().unsigned_abs();
            let pause = policy.pause_after_status(0, status, &headers, || 0.5).unwrap();
            // Past `i64::MAX` seconds, as far as a timestamp goes.
            let expected = reset.min(i64::MAX as u64).saturating_sub(now).saturating_add(1);
            // The clock may tick between the two readings.
            proptest::prop_assert!(
                pause.as_secs() <= expected && pause.as_secs() + 2 >= expected,
                "{pause:?} for {reset}, expected about {expected} s"
            );
            let error = super::super::error::Error::from_status(
                reqwest::StatusCode::from_u16(status).unwrap(),
                &headers,
                None,
            );
            let super::super::error::Error::RateLimited { reset: parsed, retry_after, .. } = error else {
                panic!("not a rate limit: {error:?}");
            };
            let upload_pause = policy.pause_after_rate_limit(0, retry_after, parsed);
            // The same pause, or (past the latest date there is) both longer than any
            // policy waits: refused alike.
            let tries = Tries::new(&policy);
            proptest::prop_assert!(
                upload_pause.as_secs().abs_diff(pause.as_secs()) <= 2
                    || (!tries.allow(pause) && !tries.allow(upload_pause)),
                "{upload_pause:?} and {pause:?}"
            );
        }
    }

    #[test]
    fn a_reset_at_the_ends_of_the_range_is_a_pause_not_a_panic() {
        assert_eq!(until_reset(i64::MIN), Duration::from_secs(1));
        assert_eq!(until_reset(0), Duration::from_secs(1));
        assert!(until_reset(i64::MAX) > Duration::from_secs(1 << 62));
    }

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half() {
        let policy = RetryPolicy::default().base_delay(Duration::from_millis(100));
        assert_eq!(policy.backoff(0, 0.0), Duration::from_millis(50));
        let most = policy.backoff(0, 0.999_999);
        assert!(
            most > Duration::from_millis(99) && most < Duration::from_millis(100),
            "{most:?}"
        );
        assert_eq!(policy.backoff(3, 0.0), Duration::from_millis(400));
    }

    #[test]
    fn server_errors_and_rate_limits_are_retried_other_4xx_not() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        for status in [500, 502, 503, 504, 429] {
            assert!(
                policy
                    .pause_after_status(0, status, &none, || 0.5)
                    .is_some(),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422] {
            assert_eq!(
                policy.pause_after_status(0, status, &none, || 0.5),
                None,
                "{status}"
            );
        }
    }

    #[test]
    fn retry_after_and_the_reset_time_are_honoured() {
        let policy = RetryPolicy::default();
        let pause =
            policy.pause_after_status(0, 429, &headers(&[("retry-after", "7".into())]), || 0.5);
        assert_eq!(pause, Some(Duration::from_secs(7)));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", (now + 30).to_string()),
        ]);
        let pause = policy.pause_after_status(0, 403, &reset, || 0.5).unwrap();
        assert!(
            pause >= Duration::from_secs(30) && pause <= Duration::from_secs(32),
            "{pause:?}"
        );
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
