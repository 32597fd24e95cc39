//! Where a request may go, and whether the token goes with it.
//!
//! The token goes to the API's origin and to the uploads origin that belongs to that API
//! (`uploads.github.com` for `api.github.com`, `uploads.SUB.ghe.com` for
//! `api.SUB.ghe.com`; GitHub Enterprise Server serves uploads from its own origin under
//! `/api/uploads`), and to another uploads origin only when the caller names it. A
//! release's `upload_url` naming any other origin is refused before a byte is sent: a
//! server could otherwise collect the token, or the file, by answering with a release
//! whose `upload_url` points elsewhere.
//!
//! Plain http is for loopback (the fake, a local proxy) or by explicit opt-in, and a
//! redirect from https to http is refused, whether or not the hop carries the token: the
//! signed storage URL it leads to is a credential too.
//!
//! A redirect to an address inside a network (loopback, private, link-local, shared or
//! unique-local, an IPv4-mapped one included, or `localhost`) is refused unless the API is
//! on such an address itself (a GitHub Enterprise Server on the local network, a test on
//! loopback) or the caller allows it: an answer from the internet must not turn this client
//! against the machine or network it runs in (a cloud's metadata service at 169.254.169.254,
//! an admin page on 127.0.0.1). Only addresses written in the URL are judged; a name that
//! resolves to one is not.

use reqwest::Url;

use super::error::{Error, RefusedRedirect, TooManyRedirects, Untrusted, without_query};

/// The origins a request may go to with the token, and where a redirect may lead.
#[derive(Debug, Clone)]
pub(crate) struct Destinations {
    /// `scheme://host:port` of the API, its own uploads host, and any the caller named.
    token_origins: Vec<String>,
    allow_http: bool,
    hops: HopRules,
}

/// Where a redirect hop may lead: plain http beyond loopback, and an address inside a
/// network ([`is_internal`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HopRules {
    allow_http: bool,
    internal: bool,
}

impl Destinations {
    /// For an API at `api`, with the uploads URLs the caller named; redirects to internal
    /// addresses are followed when the API is on one, or `allow_internal` says so.
    pub(crate) fn new(
        api: &Url,
        named_uploads: &[Url],
        allow_http: bool,
        allow_internal: bool,
    ) -> Result<Self, Error> {
        check_scheme(api, allow_http)?;
        let mut token_origins = vec![api.origin().ascii_serialization()];
        token_origins.extend(owned_uploads_origin(api));
        for uploads in named_uploads {
            check_scheme(uploads, allow_http)?;
            let origin = uploads.origin().ascii_serialization();
            if !token_origins.contains(&origin) {
                token_origins.push(origin);
            }
        }
        Ok(Self {
            token_origins,
            allow_http,
            hops: HopRules {
                allow_http,
                internal: allow_internal || is_internal(api),
            },
        })
    }

    /// Where the API client's redirects, and a download's hops, may lead.
    pub(crate) fn hop_rules(&self) -> HopRules {
        self.hops
    }

    /// Whether a request to `url` carries the token.
    pub(crate) fn takes_token(&self, url: &Url) -> bool {
        // Asked for every request: compared piece by piece, not by serializing the origin.
        self.token_origins
            .iter()
            .any(|origin| is_origin_of(origin, url))
    }

    /// Refuses an uploads URL whose origin is not one the token may go to.
    pub(crate) fn check_uploads(&self, uploads: &Url) -> Result<(), Error> {
        check_scheme(uploads, self.allow_http)?;
        if self.takes_token(uploads) {
            return Ok(());
        }
        Err(Error::UntrustedDestination {
            url: without_query(uploads),
            reason: Untrusted::UploadsHost {
                trusted: self.token_origins.clone(),
            },
        })
    }

    /// Refuses a redirect hop from `from` to `to` that leaves https for http, or leads
    /// to an internal address it may not.
    pub(crate) fn check_hop(&self, from: &Url, to: &Url) -> Result<(), Error> {
        check_hop(from, to, self.hops)
    }

    #[cfg(test)]
    pub(crate) fn token_origins(&self) -> &[String] {
        &self.token_origins
    }
}

/// Whether `origin` (`scheme://host[:port]`, as `Origin::ascii_serialization` writes it)
/// is `url`'s origin: the same as comparing with that serialization, without making it.
/// The host is as `Url` keeps it (lower-case, punycode, an IPv6 address in brackets) and the
/// port is left out when it is the scheme's default, on both sides.
fn is_origin_of(origin: &str, url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let Some(port) = origin
        .strip_prefix(url.scheme())
        .and_then(|rest| rest.strip_prefix("://"))
        .and_then(|rest| rest.strip_prefix(host))
    else {
        return false;
    };
    match url.port() {
        None => port.is_empty(),
        Some(number) => port
            .strip_prefix(':')
            .is_some_and(|port| port.parse() == Ok(number)),
    }
}

/// The uploads origin that belongs to an API at `api`, when it is on another host.
fn owned_uploads_origin(api: &Url) -> Option<String> {
    let host = api.host_str()?;
    let rest = host.strip_prefix("api.")?;
    let github = rest == "github.com" || rest.ends_with(".ghe.com");
    (api.scheme() == "https" && api.port().is_none() && github)
        .then(|| format!("https://uploads.{rest}"))
}

/// http(s) only; plain http only to loopback unless allowed.
fn check_scheme(url: &Url, allow_http: bool) -> Result<(), Error> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::UntrustedDestination {
            url: without_query(url),
            reason: Untrusted::PlainHttp,
        }),
        other => Err(Error::UntrustedDestination {
            url: without_query(url),
            reason: Untrusted::Scheme(other.to_owned()),
        }),
    }
}

/// Whether `url` names this machine (127.0.0.0/8, ::1 or `localhost`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // `Url` keeps a domain lower-case; a trailing dot names the same host.
        Some(url::Host::Domain(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name);
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// A redirect hop from `from` to `to`: never from https to http, then as any request
/// ([`check_scheme`]), and to an internal address only as `rules` allow. The API client's
/// redirect policy and a download's hops both ask it.
fn check_hop(from: &Url, to: &Url, rules: HopRules) -> Result<(), Error> {
    if downgrades(from, to) {
        return Err(Error::UntrustedDestination {
            url: without_query(to),
            reason: Untrusted::Downgrade,
        });
    }
    check_scheme(to, rules.allow_http)?;
    if !rules.internal && is_internal(to) {
        return Err(Error::UntrustedDestination {
            url: without_query(to),
            reason: Untrusted::InternalAddress,
        });
    }
    Ok(())
}

/// Whether `url` names an address inside a network rather than on the internet: loopback,
/// private (10/8, 172.16/12, 192.168/16), link-local (169.254/16, fe80::/10), shared
/// (100.64/10), unique-local (fc00::/7), unspecified, broadcast, an IPv4-mapped IPv6 form
/// of these, or `localhost`.
pub(crate) fn is_internal(url: &Url) -> bool {
    fn v4(ip: std::net::Ipv4Addr) -> bool {
        let [a, b, ..] = ip.octets();
        ip.is_loopback()
            || ip.is_private()
            || ip.is_link_local()
            || ip.is_unspecified()
            || ip.is_broadcast()
            || (a == 100 && (b & 0xc0) == 64)
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => v4(ip),
        Some(url::Host::Ipv6(ip)) => match ip.to_ipv4_mapped() {
            Some(mapped) => v4(mapped),
            None => {
                let first = ip.segments()[0];
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (first & 0xfe00) == 0xfc00
                    || (first & 0xffc0) == 0xfe80
            }
        },
        Some(url::Host::Domain(_)) => is_loopback(url),
        None => false,
    }
}

fn downgrades(from: &Url, to: &Url) -> bool {
    from.scheme() == "https" && to.scheme() == "http"
}

/// The API client's redirect policy: at most [`MAX_REDIRECTS`] hops (more is a loop, an
/// error), never from https to http, and to plain http only where a request may go itself
/// (loopback, or with `allow_http`), as download hops are checked. (reqwest drops
/// `Authorization` itself on a hop to another host or port.)
pub(crate) fn redirect_policy(rules: HopRules) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        let checked = match attempt.previous().last() {
            Some(from) => check_hop(from, attempt.url(), rules),
            None => check_scheme(attempt.url(), rules.allow_http),
        };
        if let Err(Error::UntrustedDestination { url, reason }) = checked {
            attempt.error(RefusedRedirect { to: url, reason })
        } else if attempt.previous().len() > MAX_REDIRECTS {
            let status = attempt.status().as_u16();
            attempt.error(TooManyRedirects {
                status,
                limit: MAX_REDIRECTS,
            })
        } else {
            attempt.follow()
        }
    })
}

/// The most redirects the API client follows for one request.
const MAX_REDIRECTS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// From an API on the internet, a hop to an address inside a network is refused, https
    /// or not, unless allowed; from an API on such an address (a server on the local
    /// network, a test on loopback), followed. Public addresses and names always are.
    #[test]
    fn a_hop_to_an_internal_address_is_refused_unless_the_api_is_internal_or_allowed() {
        let internal = [
            "https://127.0.0.1/a?sig=s3cr3t",
            "https://127.8.9.10/a",
            "https://localhost/a",
            "https://localhost./a",
            "https://a.localhost./a",
            "https://10.1.2.3/a",
            "https://172.16.0.1/a",
            "https://172.31.255.255/a",
            "https://192.168.1.1/a",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.64.0.1/a",
            "https://0.0.0.0/a",
            "https://[::1]/a",
            "https://[fe80::1]/a",
            "https://[fd00::1]/a",
            "https://[::ffff:127.0.0.1]/a",
            "https://[::ffff:169.254.169.254]/a",
        ];
        let public = [
            "https://objects.githubusercontent.com/a",
            "https://172.32.0.1/a",
            "https://100.128.0.1/a",
            "https://8.8.8.8/a",
            "https://[2606:4700::1]/a",
        ];
        let from = url("https://api.github.com/repos/o/r/releases/assets/1");
        let github = Destinations::new(&url("https://api.github.com"), &[], false, false).unwrap();
        for to in internal {
            let error = github.check_hop(&from, &url(to)).unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::UntrustedDestination {
                        reason: Untrusted::InternalAddress,
                        ..
                    }
                ),
                "{to}: {error:?}"
            );
            assert!(!error.to_string().contains("s3cr3t"), "{error}");
        }
        for to in public {
            assert!(github.check_hop(&from, &url(to)).is_ok(), "{to}");
        }
        let allowed = Destinations::new(&url("https://api.github.com"), &[], false, true).unwrap();
        let ghes = Destinations::new(&url("https://10.0.0.5/api/v3"), &[], false, false).unwrap();
        for d in [allowed, ghes] {
            for to in internal.iter().chain(&public) {
                assert!(d.check_hop(&from, &url(to)).is_ok(), "{to}");
            }
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn origins(api: &str, named: &[&str]) -> Vec<String> {
        let named: Vec<Url> = named.iter().map(|u| url(u)).collect();
        Destinations::new(&url(api), &named, false, false)
            .unwrap()
            .token_origins()
            .to_vec()
    }

    #[test]
    fn loopback_is_the_address_or_localhost_however_written() {
        for here in [
            "http://127.0.0.1:8080/",
            "http://127.1.2.3/",
            "http://[::1]:3000/",
            "http://localhost/",
            "http://LocalHost:80/",
            "http://api.localhost/",
            "http://0x7f.1/",
        ] {
            assert!(is_loopback(&url(here)), "{here}");
        }
        for there in [
            "http://128.0.0.1/",
            "http://[::2]/",
            "http://localhost.example/",
            "http://notlocalhost/",
            "http://[::ffff:127.0.0.1]/",
            "file:///tmp/x",
        ] {
            assert!(!is_loopback(&url(there)), "{there}");
        }
    }

    /// The piecewise comparison agrees with comparing serialized origins, on every pair of
    /// these: default and other ports, case, IPv4 and IPv6, punycode, user info, hosts that
    /// start or end like another, and schemes without a host.
    #[test]
    fn an_origin_is_matched_as_its_serialization_would_be() {
        let urls = [
            "https://api.github.com/repos",
            "https://API.GitHub.com:443/x?y",
            "https://api.github.com:4430/",
            "https://api.github.com.evil.com/",
            "https://evil.api.github.com/",
            "https://user:pw@api.github.com/",
            "http://api.github.com/",
            "http://127.0.0.1:8080/a",
            "http://127.0.0.1:80/",
            "http://127.0.0.1/",
            "http://127.0.0.1:808/",
            "http://[::1]:8080/",
            "https://bücher.example/",
            "https://xn--bcher-kva.example:8443/",
            "ws://api.github.com/",
            "file:///etc/passwd",
            "data:text/plain,x",
        ];
        for a in urls {
            let origin = url(a).origin().ascii_serialization();
            // An opaque origin ("null") is never a token origin, and matches nothing, not
            // even another "null" (which a string comparison would have matched).
            if !url(a).origin().is_tuple() {
                assert!(urls.iter().all(|b| !is_origin_of(&origin, &url(b))));
                continue;
            }
            for b in urls {
                let b = url(b);
                assert_eq!(
                    is_origin_of(&origin, &b),
                    b.origin().ascii_serialization() == origin,
                    "{origin} against {b}"
                );
            }
        }
    }

    #[test]
    fn the_token_goes_to_the_api_and_the_uploads_host_it_owns() {
        assert_eq!(
            origins("https://api.github.com", &[]),
            ["https://api.github.com", "https://uploads.github.com"]
        );
        assert_eq!(
            origins("https://api.octo.ghe.com", &[]),
            ["https://api.octo.ghe.com", "https://uploads.octo.ghe.com"]
        );
        // GitHub Enterprise Server: uploads under the API's own origin.
        assert_eq!(
            origins("https://ghe.example.com/api/v3", &[]),
            ["https://ghe.example.com"]
        );
        // A host that merely starts with `api.` owns no uploads host.
        assert_eq!(
            origins("https://api.example.com", &[]),
            ["https://api.example.com"]
        );
        assert_eq!(
            origins("https://api.github.com.evil.example", &[]),
            ["https://api.github.com.evil.example"]
        );
        assert_eq!(
            origins("http://127.0.0.1:8080", &["http://127.0.0.1:8081/x"]),
            ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]
        );
    }

    #[test]
    fn an_uploads_host_is_refused_unless_owned_or_named() {
        let github = Destinations::new(&url("https://api.github.com"), &[], false, false).unwrap();
        assert!(
            github
                .check_uploads(&url(
                    "https://uploads.github.com/repos/o/r/releases/1/assets"
                ))
                .is_ok()
        );
        for foreign in [
            "https://evil.example/repos/o/r/releases/1/assets",
            "https://uploads.github.com:8443/repos/o/r/releases/1/assets",
            "http://uploads.github.com/repos/o/r/releases/1/assets",
            "https://uploads.github.com.evil.example/repos/o/r/releases/1/assets",
        ] {
            let error = github.check_uploads(&url(foreign)).unwrap_err();
            assert!(
                matches!(error, Error::UntrustedDestination { .. }),
                "{foreign}: {error}"
            );
        }
        let named = Destinations::new(
            &url("https://api.github.com"),
            &[url("https://uploads.example.com")],
            false,
            false,
        )
        .unwrap();
        assert!(
            named
                .check_uploads(&url(
                    "https://uploads.example.com/repos/o/r/releases/1/assets"
                ))
                .is_ok()
        );
    }

    #[test]
    fn plain_http_is_for_loopback_or_by_opt_in() {
        for local in [
            "http://127.0.0.1:1",
            "http://[::1]:1",
            "http://localhost:1",
            "http://127.9.9.9",
        ] {
            assert!(
                Destinations::new(&url(local), &[], false, false).is_ok(),
                "{local}"
            );
        }
        for remote in [
            "http://example.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
        ] {
            let error = Destinations::new(&url(remote), &[], false, false).unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::UntrustedDestination {
                        reason: Untrusted::PlainHttp,
                        ..
                    }
                ),
                "{error}"
            );
            assert!(
                Destinations::new(&url(remote), &[], true, false).is_ok(),
                "{remote}"
            );
        }
        assert!(
            Destinations::new(
                &url("https://api.github.com"),
                &[url("http://uploads.example.com")],
                false,
                false,
            )
            .is_err()
        );
        assert!(Destinations::new(&url("ftp://example.com"), &[], true, false).is_err());
    }

    #[test]
    fn a_hop_from_https_to_http_is_refused_even_to_loopback() {
        let d = Destinations::new(&url("https://api.github.com"), &[], true, false).unwrap();
        let error = d
            .check_hop(
                &url("https://api.github.com/x"),
                &url("http://127.0.0.1/asset?sig=s3cr3t"),
            )
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("https to plain http"), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
        let local = Destinations::new(&url("http://127.0.0.1:8080"), &[], false, false).unwrap();
        assert!(
            local
                .check_hop(&url("http://127.0.0.1/x"), &url("http://127.0.0.1/y"))
                .is_ok()
        );
        assert!(
            d.check_hop(&url("https://a/x"), &url("https://b/y"))
                .is_ok()
        );
    }
}
