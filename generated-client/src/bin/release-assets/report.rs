//! What the tool shows: progress bars on standard error, results on standard output
//! (lines for a person, or one JSON document with `--json`).

use github_release_assets::{Error, Progress, Untrusted, is_invisible_format};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where results and progress go.
pub struct Report {
    pub json: bool,
    bars: MultiProgress,
    /// Whether the JSON document went out (there is one per run).
    printed: std::sync::atomic::AtomicBool,
}

impl Report {
    /// Progress bars draw on standard error, and only when it is a terminal: a log or a
    /// pipe gets the results alone.
    pub fn new(json: bool) -> Self {
        Self {
            json,
            bars: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            printed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A progress bar for one transfer of `total` bytes, and the callback that moves it.
    pub fn transfer(&self, name: &str, total: u64) -> (ProgressBar, Progress) {
        let bar = self.bars.add(ProgressBar::new(total));
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:30!} [{bar:30}] {bytes:>10}/{total_bytes:<10} {bytes_per_sec:>12} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(name.to_owned());
        let moved = bar.clone();
        let progress = Progress::new(move |done, total| {
            moved.set_length(total);
            moved.set_position(done);
        });
        (bar, progress)
    }

    /// A line for a person on standard output (not with `--json`), above the bars; what
    /// a server wrote in it cannot break it (see [`printable`]).
    pub fn line(&self, line: impl AsRef<str>) {
        if !self.json {
            let line = printable(line.as_ref());
            self.bars
                .suspend(|| write_line(&mut std::io::stdout(), &line));
        }
    }

    /// An error about one item of several, on standard error; the others go on.
    pub fn item_error(&self, item: &str, error: impl std::fmt::Display) {
        let line = format!(
            "error: {}: {}",
            one_line(item),
            one_line(&error.to_string())
        );
        self.bars
            .suspend(|| write_line(&mut std::io::stderr(), &line));
    }

    /// The JSON document (with `--json`).
    pub fn json(&self, value: &serde_json::Value) {
        if self.json {
            self.printed
                .store(true, std::sync::atomic::Ordering::SeqCst);
            let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
            self.bars
                .suspend(|| write_line(&mut std::io::stdout(), &text));
        }
    }
}

impl Report {
    /// The JSON document (with `--json`), unless one was printed already.
    pub fn json_unless_printed(&self, value: &serde_json::Value) {
        if !self.printed.load(std::sync::atomic::Ordering::SeqCst) {
            self.json(value);
        }
    }
}

/// Writes a line; a closed pipe (`release-assets list … | head -1`) is not an error worth
/// a panic, and nothing else can be done about a failed write to a standard stream.
pub fn write_line(stream: &mut impl std::io::Write, line: &str) {
    let _ = writeln!(stream, "{line}");
}

/// Text for a terminal: control characters (a newline, an escape sequence from a server)
/// and invisible format characters (a right-to-left override, a zero-width space) are
/// shown escaped, so they neither start a line, nor command the terminal, nor make a name
/// read as another.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_invisible_format(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An error message as one line: whatever a server put in it, it cannot start another
/// (line breaks become spaces, other control characters are escaped).
pub fn one_line(message: &str) -> String {
    printable(
        &message
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// An error as this tool tells it: what happened, why (its causes, each once), and what to
/// do about it with this tool's options.
pub fn explain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(why) = cause {
        let why_text = why.to_string();
        if !text.contains(&why_text) {
            text.push_str(": ");
            text.push_str(&why_text);
        }
        cause = why.source();
    }
    match error {
        Error::AlreadyExists { .. } => {
            text.push_str(": --clobber replaces it, --skip-existing keeps it");
        }
        Error::ReplaceIncomplete { name, asset_id, .. } => text.push_str(&format!(
            "; rename it with `release-assets edit OWNER/REPO --asset-id {asset_id} --rename {name:?}`, or upload again"
        )),
        Error::UntrustedDestination {
            reason: Untrusted::UploadsHost { .. },
            ..
        } => text.push_str("; if that host is yours, name it with --uploads-url"),
        Error::UntrustedDestination {
            reason: Untrusted::PlainHttp,
            ..
        } => text.push_str("; --allow-http sends there anyway"),
        Error::UntrustedDestination {
            reason: Untrusted::InternalAddress,
            ..
        } => text.push_str("; if that address is your server's storage, --allow-internal-redirects follows it"),
        Error::Unverifiable { .. } => {
            text.push_str(" (without --require-digest its size alone is checked)");
        }
        // rustls says UnknownIssuer; OpenSSL "unable to get local issuer certificate".
        _ if text.contains("UnknownIssuer") || text.contains("local issuer certificate") => {
            text.push_str(
                "; if a private authority signed the server's certificate, trust it with --root-certificates",
            );
        }
        _ => {}
    }
    text
}

/// A byte count for a person: `1.5 MiB`.
pub fn size(bytes: u64) -> String {
    indicatif::BinaryBytes(bytes).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_on_one_line() {
        assert_eq!(
            one_line("GitHub answered 502: <html>\r\n<body>\n Bad</body>"),
            "GitHub answered 502: <html> <body> Bad</body>"
        );
        assert_eq!(size(1536), "1.50 KiB");
        assert_eq!(one_line("a\u{1b}[2Jb\tc"), "a\\u{1b}[2Jb\\tc");
        assert_eq!(printable("two\nlines.zip"), "two\\nlines.zip");
        // A right-to-left override would show `invoiceexe.pdf`; a zero-width space hides.
        assert_eq!(
            printable("invoice\u{202e}fdp.exe"),
            "invoice\\u{202e}fdp.exe"
        );
        assert_eq!(printable("a\u{200b}b é"), "a\\u{200b}b é");
    }

    #[test]
    fn a_bar_follows_its_progress() {
        let report = Report::new(false);
        let (bar, progress) = report.transfer("tool.zip", 1000);
        assert_eq!((bar.position(), bar.length()), (0, Some(1000)));
        progress.report(300, 1000);
        assert_eq!((bar.position(), bar.length()), (300, Some(1000)));
        progress.report(1000, 1000);
        assert_eq!(bar.position(), 1000);
    }
}
