//! A server on loopback that answers requests with arbitrary answers, in turn: any status,
//! headers GitHub's clients read (`Retry-After`, `X-RateLimit-*`, `Link`, `Content-Range`,
//! `Location`, `Content-Length`...) with any value, up to and past what a `u64` holds, and
//! a body of arbitrary bytes or a GitHub example with a field changed. The property tests
//! built on it check that nothing a server sends makes the client or the tool panic.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One answer, as bytes on the wire.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    fn to_bytes(&self, base: &str) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} Whatever\r\n", self.status).into_bytes();
        let mut has_length = false;
        for (name, value) in &self.headers {
            // A chunked body has no length; one that says so is sent as given.
            has_length |= name.eq_ignore_ascii_case("content-length")
                || name.eq_ignore_ascii_case("transfer-encoding");
            // `{base}` in a value is the server itself, so links and redirects lead back.
            let value = value.replace("{base}", base);
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !has_length {
            out.extend_from_slice(format!("content-length: {}\r\n", self.body.len()).as_bytes());
        }
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// A server answering request number `i` with `answers[i % answers.len()]` until dropped
/// (so a retry meets another answer: a 502, then a `Retry-After` no clock can wait). Its
/// base URL is `http://127.0.0.1:PORT`.
pub struct HostileServer {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileServer {
    pub async fn start(answers: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let wires: Vec<Arc<Vec<u8>>> = answers
            .iter()
            .map(|a| Arc::new(a.to_bytes(&base)))
            .collect();
        let task = tokio::spawn(async move {
            let mut turn = 0;
            while let Ok((mut socket, _)) = listener.accept().await {
                let wire = wires[turn % wires.len()].clone();
                turn += 1;
                tokio::spawn(async move {
                    read_request(&mut socket).await;
                    let _ = socket.write_all(&wire).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { base, task }
    }
}

/// Reads a request's head and as much of its body as `Content-Length` says (at most
/// 1 MiB), so the client is not cut off while it sends.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 8192];
    let head_end = loop {
        let Ok(n) = socket.read(&mut buffer).await else {
            return;
        };
        if n == 0 {
            return;
        }
        seen.extend_from_slice(&buffer[..n]);
        if let Some(at) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if seen.len() > 64 * 1024 {
            return;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
        .min(1 << 20);
    let mut body = seen.len() - head_end;
    while body < length {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body += n,
        }
    }
}

/// Numbers where parsers break: around zero, the edges of `i64` and `u64` and past them,
/// signs, fractions, exponents, spaces, and an HTTP date.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("99999999999999999999999999999999".to_owned()),
        Just("1e30".to_owned()),
        Just("1.5".to_owned()),
        Just(" 7 ".to_owned()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (0_u64..5).prop_map(|n| n.to_string()),
    ]
}

/// Values a header may carry on the wire: visible ASCII, spaces and obs-text.
fn header_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![4 => 0x20_u8..0x7f, 1 => (0x80_u16..0x100).prop_map(|b| b as u8)],
        0..40,
    )
    .prop_map(|bytes| bytes.iter().map(|&b| b as char).collect())
}

fn link() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<{base}/next?page=2>; rel=\"next\"".to_owned()),
        Just("<{base}/same>; rel=\"next\", <{base}/same>; rel=\"next\"".to_owned()),
        Just("<>; rel=\"next\"".to_owned()),
        Just("<not a url>; rel=next".to_owned()),
        Just("<{base}/x>; rel=\"next".to_owned()),
        Just("<http://[::1>; rel=\"next\"".to_owned()),
        header_text(),
    ]
}

fn content_range() -> impl Strategy<Value = String> {
    prop_oneof![
        (number(), number(), number()).prop_map(|(a, b, c)| format!("bytes {a}-{b}/{c}")),
        number().prop_map(|a| format!("bytes {a}-")),
        Just("bytes */*".to_owned()),
        header_text(),
    ]
}

fn location() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{base}/again".to_owned()),
        Just("{base}".to_owned()),
        Just("/relative?sig=x".to_owned()),
        Just("//elsewhere.invalid/x".to_owned()),
        Just("ftp://{base}".to_owned()),
        Just("".to_owned()),
        header_text(),
    ]
}

fn header() -> impl Strategy<Value = (&'static str, String)> {
    prop_oneof![
        number().prop_map(|v| ("retry-after", v)),
        number().prop_map(|v| ("x-ratelimit-reset", v)),
        number().prop_map(|v| ("x-ratelimit-remaining", v)),
        number().prop_map(|v| ("content-length", v)),
        link().prop_map(|v| ("link", v)),
        content_range().prop_map(|v| ("content-range", v)),
        location().prop_map(|v| ("location", v)),
        header_text().prop_map(|v| ("content-type", v)),
        Just(("content-type", "application/json".to_owned())),
        Just(("content-encoding", "gzip".to_owned())),
        Just(("transfer-encoding", "chunked".to_owned())),
    ]
}

/// A body: arbitrary bytes, nothing, or one of GitHub's examples (an asset, a release, a
/// list of assets, an error) with one field set to an arbitrary JSON value.
fn body(examples: Vec<Value>) -> impl Strategy<Value = Vec<u8>> {
    let json_value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,20}".prop_map(Value::from),
        Just(Value::Array(Vec::new())),
        Just(serde_json::json!({})),
    ];
    let count = examples.len();
    let mutated = (0..count, any::<prop::sample::Index>(), json_value).prop_map(
        move |(which, field, value)| {
            let mut example = examples[which].clone();
            let target = match &mut example {
                Value::Array(items) if !items.is_empty() => &mut items[0],
                other => other,
            };
            if let Value::Object(map) = target
                && !map.is_empty()
            {
                let key = map.keys().nth(field.index(map.len())).cloned().unwrap();
                map.insert(key, value);
            }
            serde_json::to_vec(&example).unwrap()
        },
    );
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..512),
        mutated,
    ]
}

/// One to three arbitrary answers, given in turn, with bodies built from GitHub's examples
/// (an asset, a release, lists of each, an error).
pub fn answers() -> impl Strategy<Value = Vec<Answer>> {
    let examples = vec![
        super::example("release-asset"),
        super::example("release"),
        Value::Array(vec![super::example("release-asset")]),
        Value::Array(vec![super::example("release")]),
        serde_json::json!({"message": "Not Found", "documentation_url": "https://docs.github.com"}),
    ];
    prop::collection::vec(answer(examples), 1..4)
}

/// A runner of `cases` cases, or of `PROPTEST_CASES` when set (for a longer hunt).
pub fn runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, TestRunner};
    let cases = match std::env::var("PROPTEST_CASES") {
        Ok(_) => Config::default().cases,
        Err(_) => cases,
    };
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// An arbitrary answer, with bodies built from `examples`.
fn answer(examples: Vec<Value>) -> impl Strategy<Value = Answer> {
    let status = prop_oneof![
        Just(200_u16),
        Just(201),
        Just(204),
        Just(206),
        Just(301),
        Just(302),
        Just(304),
        Just(401),
        Just(403),
        Just(404),
        Just(416),
        Just(422),
        Just(429),
        Just(500),
        Just(502),
        200_u16..600,
    ];
    (
        status,
        prop::collection::vec(header(), 0..5),
        body(examples),
    )
        .prop_map(|(status, headers, body)| Answer {
            status,
            headers,
            body,
        })
}
