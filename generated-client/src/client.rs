//! The crate's [`Client`]: the generated client over the runtime's settings, with the
//! operations of the description and the hand-written handles reached from it.

use std::sync::Arc;

use crate::generated::Client as Generated;
use crate::operations::Operations;
use crate::runtime::{ClientBuilder, Error, Settings};

/// A GitHub REST client for releases and their assets. Cheap to clone: clones share one
/// connection pool.
///
/// ```
/// let client = github_release_assets::Client::builder("https://api.github.com")
///     .token("ghp_secret")
///     .build()
///     .unwrap();
/// let _same_pool = client.clone();
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    generated: Arc<Generated>,
}

impl Client {
    /// Every operation of the description, for what the handles do not cover.
    ///
    /// ```no_run
    /// # async fn run(client: github_release_assets::Client) -> Result<(), github_release_assets::Error> {
    /// let asset = client
    ///     .operations()
    ///     .get_release_asset()
    ///     .owner("octocat")
    ///     .repo("hello-world")
    ///     .asset_id(42)
    ///     .send()
    ///     .await?;
    /// println!("{} is {} bytes", asset.name, asset.size);
    /// # Ok(()) }
    /// ```
    pub fn operations(&self) -> Operations<'_> {
        Operations::new(&self.generated)
    }

    /// The API's base URL, as given to [`Client::builder`], without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.generated.baseurl
    }

    /// The connection pool of API requests.
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.generated.client
    }

    /// The API URL of asset `asset_id` of `owner/repo`, which its get and its download
    /// both request.
    pub(crate) fn asset_url(&self, owner: &str, repo: &str, asset_id: i64) -> reqwest::Url {
        let id = asset_id.to_string();
        self.inner()
            .api_url(["repos", owner, repo, "releases", "assets", &id])
    }

    pub(crate) fn inner(&self) -> &Settings {
        &self.generated.inner
    }

    fn from_parts(base_url: &str, http: reqwest::Client, settings: Settings) -> Self {
        Client {
            generated: Arc::new(Generated {
                baseurl: base_url.to_owned(),
                client: http,
                inner: settings,
            }),
        }
    }
}
impl Client {
    /// Starts building a client for the API at `base_url`: [`crate::GITHUB_API_URL`], or a GitHub
    /// Enterprise Server's `https://HOST/api/v3`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }
}

impl Client {
    /// A client for the uploads host that a release's `upload_url` names, for
    /// `operations().upload_release_asset()`. GitHub answers uploads on another host
    /// (`uploads.github.com`), and GitHub Enterprise Server under `/api/uploads`; taking it
    /// from `upload_url` (an RFC 6570 template such as
    /// `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`) works for both.
    ///
    /// The host must be the uploads host of this client's API (`uploads.github.com` for
    /// `api.github.com`, the API's own origin for GitHub Enterprise Server) or one named
    /// with [`ClientBuilder::uploads_url`]; any other is
    /// [`Error::UntrustedDestination`], since the token and the file would go there.
    ///
    /// ```
    /// use github_release_assets::{Client, Error};
    /// let api = Client::builder("https://ghe.example.com/api/v3").build().unwrap();
    /// let uploads = api
    ///     .for_upload_url("https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets{?name,label}")
    ///     .unwrap();
    /// assert_eq!(uploads.base_url(), "https://ghe.example.com/api/uploads");
    /// let elsewhere = api.for_upload_url("https://collector.example/repos/o/r/releases/1/assets");
    /// assert!(matches!(elsewhere, Err(Error::UntrustedDestination { .. })));
    /// ```
    pub fn for_upload_url(&self, upload_url: &str) -> Result<Client, Error> {
        self.for_uploads_to(&UploadUrl::parse(upload_url)?)
    }

    /// [`Self::for_upload_url`] of a `upload_url` already parsed.
    pub(crate) fn for_uploads_to(&self, target: &UploadUrl) -> Result<Client, Error> {
        self.inner().destinations().check_uploads(&target.url)?;
        Ok(Client::from_parts(
            &target.base,
            self.inner().uploads_http()?.clone(),
            self.inner().clone(),
        ))
    }
}

/// What a release's `upload_url` (an RFC 6570 template such as
/// `https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}`) names.
pub(crate) struct UploadUrl {
    /// Without the template's query part.
    pub url: reqwest::Url,
    /// The uploads API's base: the origin and any path before `/repos/`.
    pub base: String,
    pub owner: String,
    pub repo: String,
    pub release_id: i64,
}

impl UploadUrl {
    pub fn parse(upload_url: &str) -> Result<Self, Error> {
        let bad = |why: &str| Error::InvalidRequest(format!("upload_url {upload_url:?} {why}"));
        // Drop the template's query part, `{?name,label}`.
        let plain = upload_url.split('{').next().unwrap_or(upload_url);
        let url = reqwest::Url::parse(plain).map_err(|_| bad("is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad("is not an http(s) URL"));
        }
        let segments: Vec<&str> = url.path().trim_matches('/').split('/').collect();
        let n = segments.len();
        let release_id = (n >= 6
            && segments[n - 6] == "repos"
            && segments[n - 3] == "releases"
            && segments[n - 1] == "assets")
            .then(|| segments[n - 2].parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| bad("does not end in /repos/OWNER/REPO/releases/ID/assets"))?;
        let origin = url.origin().ascii_serialization();
        let prefix: String = segments[..n - 6].iter().map(|s| format!("/{s}")).collect();
        Ok(Self {
            base: format!("{origin}{prefix}"),
            owner: segments[n - 5].to_owned(),
            repo: segments[n - 4].to_owned(),
            release_id,
            url,
        })
    }
}

impl ClientBuilder {
    /// Builds the client. Fails on a base or uploads URL that is not an absolute http(s)
    /// URL, or is plain http to a host that is not loopback without
    /// [`ClientBuilder::allow_http`], and on a token a header cannot carry (the token is
    /// never part of the error).
    ///
    /// ```
    /// use github_release_assets::{Client, GITHUB_API_URL};
    /// assert!(Client::builder(GITHUB_API_URL).token("ghp_ok\n").build().is_ok());
    /// let error = Client::builder(GITHUB_API_URL).token("ghp_a\nb").build().unwrap_err();
    /// assert!(error.to_string().contains("a header cannot carry"));
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let parts = self.into_parts()?;
        Ok(Client::from_parts(
            &parts.base_url,
            parts.http,
            parts.settings,
        ))
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header;

    use super::*;
    use crate::runtime::GITHUB_API_URL;

    /// The header value is made once, when the token is given, without the whitespace
    /// around it; a token a header cannot carry fails the build, and never shows itself.
    #[tokio::test]
    async fn the_authorization_value_is_made_once_and_a_bad_token_fails_the_build() {
        let request = || {
            reqwest::Request::new(
                reqwest::Method::GET,
                "https://api.github.com/repos/o/r".parse().unwrap(),
            )
        };
        let good = Client::builder(GITHUB_API_URL)
            .token(" ghs_good\r\n")
            .build()
            .unwrap();
        for _ in 0..2 {
            let mut sent = request();
            good.inner().authorize(&mut sent).await.unwrap();
            let value = &sent.headers()[header::AUTHORIZATION];
            assert_eq!(value, "Bearer ghs_good");
            assert!(value.is_sensitive());
        }
        assert!(!format!("{:?}", good.inner()).contains("ghs_good"));

        let error = Client::builder(GITHUB_API_URL)
            .token("ghs_bad\nline")
            .build()
            .unwrap_err();
        assert!(
            error.to_string().contains("a header cannot carry"),
            "{error}"
        );
        assert!(!format!("{error} {error:?}").contains("ghs_bad"));
    }

    #[test]
    fn no_token_in_clear_to_an_uploads_host() {
        let shouting = Client::builder("HTTPS://ghe.example.com/api/v3")
            .token("ghs_x")
            .build()
            .unwrap();
        assert!(
            shouting
                .for_upload_url("http://ghe.example.com/api/uploads/repos/o/r/releases/1/assets")
                .is_err()
        );
        let api = Client::builder("https://ghe.example.com/api/v3")
            .token("ghs_x")
            .build()
            .unwrap();
        let error = api
            .for_upload_url(
                "http://ghe.example.com/api/uploads/repos/o/r/releases/1/assets{?name,label}",
            )
            .unwrap_err();
        assert!(error.to_string().contains("in clear"), "{error}");
        assert!(!error.to_string().contains("ghs_x"));
        assert!(
            api.for_upload_url("https://ghe.example.com/api/uploads/repos/o/r/releases/1/assets")
                .is_ok()
        );
    }

    #[test]
    fn upload_url_gives_the_uploads_base() {
        let api = Client::builder(GITHUB_API_URL).token("t").build().unwrap();
        let uploads = api
            .for_upload_url("https://uploads.github.com/repos/octocat/Hello-World/releases/1/assets{?name,label}")
            .unwrap();
        assert_eq!(uploads.base_url(), "https://uploads.github.com");
        assert!(
            uploads
                .inner()
                .destinations()
                .takes_token(&reqwest::Url::parse("https://uploads.github.com/x").unwrap())
        );
        // An owner named `repos` does not confuse it.
        let named = Client::builder(GITHUB_API_URL)
            .uploads_url("https://127.0.0.1:9")
            .build()
            .unwrap();
        let odd = named
            .for_upload_url("https://127.0.0.1:9/up/repos/repos/assets/releases/7/assets")
            .unwrap();
        assert_eq!(odd.base_url(), "https://127.0.0.1:9/up");
        for bad in [
            "not a url",
            "ftp://h/repos/o/r/releases/1/assets",
            "https://h/repos/o/r/releases/1",
            // Well formed, but not the API's uploads host, nor named.
            "https://127.0.0.1:9/up/repos/repos/assets/releases/7/assets",
        ] {
            assert!(api.for_upload_url(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Any `upload_url` a server sends: the uploads base and ids, or an error, never a
        /// panic; and a base, when there is one, is on the URL's own origin.
        #[test]
        fn any_upload_url_is_parsed_or_refused(
            url in "(https?://[a-z0-9.:\\[\\]]{0,20})?(/[a-z0-9%{}?,.-]{0,12}){0,9}(\\{\\?name,label\\})?|\\PC{0,60}"
        ) {
            if let Ok(parsed) = UploadUrl::parse(&url) {
                proptest::prop_assert!(parsed.base.starts_with(&parsed.url.origin().ascii_serialization()));
            }
            // One client for all cases: building one for each would dominate the test.
            static API: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
            let api = API.get_or_init(|| Client::builder(GITHUB_API_URL).build().unwrap());
            let _ = api.for_upload_url(&url);
        }
    }

    #[test]
    fn a_bad_base_url_is_refused() {
        assert!(Client::builder("not a url").build().is_err());
        assert!(Client::builder("ftp://example.com").build().is_err());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let client = Client::builder("http://127.0.0.1:1")
            .token("s3cr3t-token")
            .build()
            .unwrap();
        let printed = format!("{client:?} {:?}", client.inner());
        assert!(!printed.contains("s3cr3t-token"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
