//! What the fake GitHub keeps: releases and assets per repository, with GitHub's rules
//! for names, duplicates and pages, and which repositories have immutable releases on.
//! Asset bytes live in files, never in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// The base URLs of the three hosts, for the URLs the JSON carries.
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub api: String,
    pub uploads: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub id: i64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Published while its repository had immutable releases on: its assets and its
    /// draft state are fixed for good (turning the setting off later does not undo it).
    pub immutable: bool,
    pub assets: Vec<Asset>,
}

impl Release {
    /// Publishes the release now (a creation with `draft` false, or a draft's
    /// `draft: false`): `published_at` is set, and the release becomes immutable if its
    /// repository has immutable releases on.
    pub fn publish(&mut self, immutable_releases: bool) {
        self.draft = false;
        self.published_at = Some(Utc::now());
        self.immutable = self.immutable || immutable_releases;
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Asset {
    pub id: i64,
    pub name: String,
    pub label: Option<String>,
    pub state: String,
    pub content_type: String,
    pub size: u64,
    pub digest: Option<String>,
    pub download_count: u64,
    pub path: PathBuf,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Releases by repository (`owner/repo`, lower-case: GitHub's names are not case sensitive).
#[derive(Debug, Default)]
pub(crate) struct Model {
    next_id: i64,
    pub repos: BTreeMap<String, Vec<Release>>,
    /// Repositories (`repo_key`) with the immutable releases setting on.
    pub immutable_releases: BTreeSet<String>,
    /// Uploads get no `digest`, as on GitHub before mid-2025 and older Enterprise Servers.
    pub no_digests: bool,
}

pub(crate) fn repo_key(owner: &str, repo: &str) -> String {
    format!("{}/{}", owner.to_lowercase(), repo.to_lowercase())
}

impl Model {
    pub fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn releases(&mut self, owner: &str, repo: &str) -> &mut Vec<Release> {
        self.repos.entry(repo_key(owner, repo)).or_default()
    }

    pub fn release(&mut self, owner: &str, repo: &str, id: i64) -> Option<&mut Release> {
        self.releases(owner, repo).iter_mut().find(|r| r.id == id)
    }

    /// Whether the repository has the immutable releases setting on.
    pub fn immutable_releases(&self, owner: &str, repo: &str) -> bool {
        self.immutable_releases.contains(&repo_key(owner, repo))
    }

    /// A new release (`draft`, or published now), with the next id; not yet stored.
    pub fn new_release(&mut self, owner: &str, repo: &str, tag: &str, draft: bool) -> Release {
        let mut release = Release {
            id: self.next_id(),
            tag_name: tag.to_owned(),
            target_commitish: "main".to_owned(),
            name: None,
            body: None,
            draft: true,
            prerelease: false,
            created_at: Utc::now(),
            published_at: None,
            immutable: false,
            assets: Vec::new(),
        };
        if !draft {
            release.publish(self.immutable_releases(owner, repo));
            release.published_at = Some(release.created_at);
        }
        release
    }

    /// The repository and release holding asset `id`.
    pub fn asset(&mut self, owner: &str, repo: &str, id: i64) -> Option<&mut Asset> {
        self.releases(owner, repo)
            .iter_mut()
            .flat_map(|r| r.assets.iter_mut())
            .find(|a| a.id == id)
    }

    pub fn asset_anywhere(&mut self, id: i64) -> Option<&mut Asset> {
        self.repos
            .values_mut()
            .flatten()
            .flat_map(|r| r.assets.iter_mut())
            .find(|a| a.id == id)
    }
}

/// GitHub's renaming of asset file names, as the upload documentation describes it:
/// special and non-alphanumeric characters, and leading or trailing periods, are renamed.
/// Modelled: every character but ASCII letters, digits, `-` and `_` becomes `.`, runs of
/// `.` become one, leading and trailing `.` go, and a name that began with `.` is prefixed
/// with `default`.
///
/// ```
/// use github_release_assets_fake::github_file_name;
/// assert_eq!(github_file_name("my file (1).zip"), "my.file.1.zip");
/// assert_eq!(github_file_name(".env"), "default.env");
/// ```
pub fn github_file_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            c
        } else {
            '.'
        };
        if !(c == '.' && out.ends_with('.')) {
            out.push(c);
        }
    }
    let trimmed = out.trim_matches('.');
    match (name.starts_with('.'), trimmed.is_empty()) {
        (_, true) => "default".to_owned(),
        (true, false) => format!("default.{trimmed}"),
        (false, false) => trimmed.to_owned(),
    }
}

fn time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn user_json() -> Value {
    json!({
        "login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=",
        "avatar_url": "https://github.com/images/error/octocat_happy.gif", "gravatar_id": "",
        "url": "https://api.github.com/users/octocat", "html_url": "https://github.com/octocat",
        "followers_url": "https://api.github.com/users/octocat/followers",
        "following_url": "https://api.github.com/users/octocat/following{/other_user}",
        "gists_url": "https://api.github.com/users/octocat/gists{/gist_id}",
        "starred_url": "https://api.github.com/users/octocat/starred{/owner}{/repo}",
        "subscriptions_url": "https://api.github.com/users/octocat/subscriptions",
        "organizations_url": "https://api.github.com/users/octocat/orgs",
        "repos_url": "https://api.github.com/users/octocat/repos",
        "events_url": "https://api.github.com/users/octocat/events{/privacy}",
        "received_events_url": "https://api.github.com/users/octocat/received_events",
        "type": "User", "site_admin": false
    })
}

pub(crate) fn asset_json(urls: &Urls, owner: &str, repo: &str, tag: &str, asset: &Asset) -> Value {
    let mut json = json!({
        "url": format!("{}/repos/{owner}/{repo}/releases/assets/{}", urls.api, asset.id),
        "browser_download_url": format!("https://github.com/{owner}/{repo}/releases/download/{tag}/{}", asset.name),
        "id": asset.id,
        "node_id": format!("RA_{}", asset.id),
        "name": asset.name,
        "label": asset.label,
        "state": asset.state,
        "content_type": asset.content_type,
        "size": asset.size,
        "digest": asset.digest,
        "download_count": asset.download_count,
        "created_at": time(&asset.created_at),
        "updated_at": time(&asset.updated_at),
        "uploader": user_json(),
    });
    // An uploaded asset without a digest is one from before GitHub gave digests, whose
    // answers have no `digest` key at all (the recordings of GitHub in the repository's `conformance/recordings/` show it).
    if asset.digest.is_none()
        && asset.state == "uploaded"
        && let Some(map) = json.as_object_mut()
    {
        map.remove("digest");
    }
    json
}

pub(crate) fn release_json(urls: &Urls, owner: &str, repo: &str, release: &Release) -> Value {
    let base = format!("{}/repos/{owner}/{repo}", urls.api);
    json!({
        "url": format!("{base}/releases/{}", release.id),
        "html_url": format!("https://github.com/{owner}/{repo}/releases/tag/{}", release.tag_name),
        "assets_url": format!("{base}/releases/{}/assets", release.id),
        "upload_url": format!("{}/repos/{owner}/{repo}/releases/{}/assets{{?name,label}}", urls.uploads, release.id),
        "tarball_url": format!("{base}/tarball/{}", release.tag_name),
        "zipball_url": format!("{base}/zipball/{}", release.tag_name),
        "id": release.id,
        "node_id": format!("RE_{}", release.id),
        "tag_name": release.tag_name,
        "target_commitish": release.target_commitish,
        "name": release.name,
        "body": release.body,
        "draft": release.draft,
        "prerelease": release.prerelease,
        "immutable": release.immutable,
        "created_at": time(&release.created_at),
        "published_at": release.published_at.as_ref().map(time),
        "author": user_json(),
        "assets": release.assets.iter().map(|a| asset_json(urls, owner, repo, &release.tag_name, a)).collect::<Vec<_>>(),
    })
}

/// One page of `items` (`page` from 1; `per_page` capped at 100 as GitHub caps it) and the
/// `Link` header for it, built on `url` (the list's URL without query).
pub(crate) fn page<T: Clone>(
    items: &[T],
    per_page: Option<u64>,
    page: Option<u64>,
    url: &str,
) -> (Vec<T>, Option<String>) {
    let per_page = per_page.unwrap_or(30).clamp(1, 100) as usize;
    let page = page.unwrap_or(1).max(1) as usize;
    let pages = items.len().div_ceil(per_page).max(1);
    let start = (page - 1).saturating_mul(per_page).min(items.len());
    let end = (start + per_page).min(items.len());
    let link = |p: usize, rel: &str| format!("<{url}?per_page={per_page}&page={p}>; rel=\"{rel}\"");
    let mut links = Vec::new();
    if page < pages {
        links.push(link(page + 1, "next"));
        links.push(link(pages, "last"));
    }
    if page > 1 {
        links.push(link(1, "first"));
        links.push(link(page - 1, "prev"));
    }
    (
        items[start..end].to_vec(),
        (!links.is_empty()).then(|| links.join(", ")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_renamed_as_github_does() {
        assert_eq!(github_file_name("example.zip"), "example.zip");
        assert_eq!(github_file_name("my file (1).zip"), "my.file.1.zip");
        assert_eq!(
            github_file_name("c++ tool+extras.tar.gz"),
            "c.tool.extras.tar.gz"
        );
        assert_eq!(github_file_name("100% done #1.txt"), "100.done.1.txt");
        assert_eq!(github_file_name("résumé-日本.pdf"), "r.sum.-.pdf");
        assert_eq!(github_file_name(".hidden-config."), "default.hidden-config");
        assert_eq!(github_file_name("..."), "default");
    }

    #[test]
    fn pages_are_capped_at_100_and_linked() {
        let items: Vec<u32> = (0..250).collect();
        let (first, link) = page(&items, Some(500), None, "http://h/x");
        assert_eq!(first.len(), 100);
        assert_eq!(
            link.unwrap(),
            "<http://h/x?per_page=100&page=2>; rel=\"next\", <http://h/x?per_page=100&page=3>; rel=\"last\""
        );
        let (last, link) = page(&items, Some(100), Some(3), "http://h/x");
        assert_eq!(last.len(), 50);
        assert_eq!(
            link.unwrap(),
            "<http://h/x?per_page=100&page=1>; rel=\"first\", <http://h/x?per_page=100&page=2>; rel=\"prev\""
        );
        let (empty, link) = page::<u32>(&[], None, None, "http://h/x");
        assert!(empty.is_empty() && link.is_none());
    }
}
