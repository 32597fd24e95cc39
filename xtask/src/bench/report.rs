//! The bench's report: the machine it ran on, every tool's figures, the speed ratios to
//! the peers, and the targets met or missed; as Markdown for people and JSON for tools.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use super::measure::{Sample, Spread};
use super::{Group, Options, RSS_GROWTH_LIMIT_KIB, RSS_LIMIT_KIB};

/// What the figures were measured on.
#[derive(Debug, serde::Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: u64,
    /// Whether the CPU has the SHA extensions (`sha_ni`) the digest uses when present.
    pub sha_extensions: bool,
    pub kernel: String,
    pub rustc: String,
    pub curl: String,
    pub commit: String,
    pub date: String,
    pub runs: u32,
    /// The stand-in on CPU 0 and each measured process on CPU 1.
    pub pinned: bool,
}

impl Machine {
    pub fn here(root: &Path, options: &Options) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |name: &str| {
            cpuinfo
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let memory_kib: u64 = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0);
        let dirty = !first_line(root, "git", &["status", "--porcelain"]).is_empty();
        Self {
            cpu: field("model name"),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib: (memory_kib + (1 << 19)) >> 20,
            sha_extensions: field("flags").split_whitespace().any(|f| f == "sha_ni"),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_owned(),
            rustc: first_line(root, "rustc", &["--version"]),
            curl: first_line(root, "curl", &["--version"])
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" "),
            commit: first_line(root, "git", &["rev-parse", "--short", "HEAD"])
                + if dirty {
                    " (with uncommitted changes)"
                } else {
                    ""
                },
            date: first_line(root, "date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
            runs: options.runs.max(1),
            pinned: options.pin,
        }
    }

    fn line(&self) -> String {
        format!(
            "{}, {} cores, {} GiB, SHA extensions {}; Linux {}; {}; {}. Commit {}, {}; {} runs each (six times that for listing and gets, three times for transfers under 1 GiB, twice for larger transfers){}.",
            self.cpu,
            self.cores,
            self.memory_gib,
            if self.sha_extensions { "yes" } else { "no" },
            self.kernel,
            self.rustc,
            self.curl,
            self.commit,
            self.date,
            self.runs,
            if self.pinned {
                ", the stand-in pinned to CPU 0 and the measured process to CPU 1"
            } else {
                ""
            }
        )
    }
}

fn first_line(root: &Path, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(root)
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .unwrap_or_default()
}

/// A requirement and whether this run met it.
#[derive(Debug, serde::Serialize)]
pub struct Target {
    pub what: String,
    pub measured: String,
    pub limit: String,
    pub met: bool,
}

/// The share of the machine (wall time × cores) the hypervisor may take from a run, as
/// steal, before the run no longer measures this machine: past it, other guests had the
/// CPUs for a quarter of the run, and the tool and its peer beside it ran on different
/// machines in effect.
pub const STOLEN_SHARE: f64 = 0.25;

/// Whether the hypervisor took more than [`STOLEN_SHARE`] of the machine during `sample`.
pub fn stolen(sample: &Sample, cores: usize) -> bool {
    sample.steal > STOLEN_SHARE * sample.wall * cores.max(1) as f64
}

/// One comparison's speed ratios, run beside run: the peer's time over ours.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Ratios {
    /// Over every pair of runs.
    pub all: Spread,
    /// Over the pairs in which neither run was [`stolen`]; `None` when every pair was.
    pub unstolen: Option<Spread>,
    pub pairs: usize,
    pub stolen_pairs: usize,
}

impl Ratios {
    /// The figure a target is judged on: the unstolen pairs when they are at least half of
    /// them, since a stolen pair measures the host, not the tools; otherwise every pair.
    /// Runs slowed without steal (the tool's own CPU seconds inflated) stay counted.
    pub fn judged(&self) -> Spread {
        match self.unstolen {
            Some(unstolen) if self.enough_unstolen() => unstolen,
            _ => self.all,
        }
    }

    /// Whether at least half the pairs were not stolen.
    fn enough_unstolen(&self) -> bool {
        2 * (self.pairs - self.stolen_pairs) >= self.pairs
    }

    /// `0.96x (0.90–1.01)`, and the unstolen figure beside it when pairs were set aside.
    fn describe(&self) -> String {
        let all = self.all;
        let mut text = format!("{:.2}x ({:.2}–{:.2})", all.median, all.min, all.max);
        if self.stolen_pairs > 0 {
            match self.unstolen {
                Some(u) => {
                    let _ = write!(
                        text,
                        "; {:.2}x ({:.2}–{:.2}) without the {} of {} pairs stolen{}",
                        u.median,
                        u.min,
                        u.max,
                        self.stolen_pairs,
                        self.pairs,
                        if self.enough_unstolen() {
                            ", judged"
                        } else {
                            ""
                        }
                    );
                }
                None => {
                    let _ = write!(text, "; every pair stolen");
                }
            }
        }
        text
    }
}

/// Each run's speed as a ratio to the peer's run beside it, with the pairs the hypervisor
/// took more than [`STOLEN_SHARE`] of the machine from set aside in [`Ratios::unstolen`].
pub fn speed_ratios(group: &Group, comparison: &super::Comparison, cores: usize) -> Option<Ratios> {
    let (ours, peer) = (comparison.ours, comparison.peer);
    let pairs: Vec<(f64, bool)> = group.entries[ours]
        .samples
        .iter()
        .zip(&group.entries[peer].samples)
        .map(|(o, p)| {
            (
                p.seconds / o.seconds * comparison.scale,
                stolen(o, cores) || stolen(p, cores),
            )
        })
        .collect();
    let all: Vec<f64> = pairs.iter().map(|(r, _)| *r).collect();
    let unstolen: Vec<f64> = pairs.iter().filter(|(_, s)| !s).map(|(r, _)| *r).collect();
    Some(Ratios {
        all: Spread::of(&all)?,
        unstolen: Spread::of(&unstolen),
        pairs: pairs.len(),
        stolen_pairs: pairs.len() - unstolen.len(),
    })
}

fn peak_rss(group: &Group, entry: usize) -> u64 {
    group.entries[entry]
        .samples
        .iter()
        .map(|s| s.rss_kib)
        .max()
        .unwrap_or(0)
}

/// The targets: every comparison that has one, and for single transfers, this crate's
/// peak memory at the largest size and its growth from the smallest.
/// Speed targets are judged as [`Ratios::judged`] says.
pub fn targets(groups: &[Group], cores: usize) -> Vec<Target> {
    let mut targets = Vec::new();
    for group in groups {
        for comparison in &group.comparisons {
            let (Some(at_least), Some(speed)) =
                (comparison.at_least, speed_ratios(group, comparison, cores))
            else {
                continue;
            };
            targets.push(Target {
                what: format!(
                    "{}: {} vs {}",
                    group.name,
                    group.entries[comparison.ours].label,
                    group.entries[comparison.peer].label
                ),
                measured: speed.describe(),
                limit: format!("≥ {at_least:.2}x"),
                met: speed.judged().median >= at_least,
            });
        }
    }
    for group in groups {
        for &(entry, seconds) in &group.limits {
            let times: Vec<f64> = group.entries[entry]
                .samples
                .iter()
                .map(|s| s.seconds)
                .collect();
            let Some(spread) = Spread::of(&times) else {
                continue;
            };
            targets.push(Target {
                what: format!("{}: {}", group.name, group.entries[entry].label),
                measured: format!(
                    "{:.2} s ({:.2}–{:.2})",
                    spread.median, spread.min, spread.max
                ),
                limit: format!("≤ {seconds} s"),
                met: spread.median <= seconds,
            });
        }
    }
    let transfers: Vec<&Group> = groups.iter().filter(|g| g.transfer.is_some()).collect();
    for group in &transfers {
        let largest = transfers
            .iter()
            .filter(|g| g.transfer == group.transfer)
            .all(|g| g.bytes <= group.bytes);
        let smallest = transfers
            .iter()
            .filter(|g| g.transfer == group.transfer && g.bytes < group.bytes)
            .min_by_key(|g| g.bytes);
        if !largest {
            continue;
        }
        for (index, entry) in group.entries.iter().enumerate().filter(|(_, e)| e.ours) {
            let peak = peak_rss(group, index);
            targets.push(Target {
                what: format!("{}: {} peak RSS", group.name, entry.label),
                measured: format!("{:.1} MiB", peak as f64 / 1024.0),
                limit: format!("≤ {} MiB", RSS_LIMIT_KIB / 1024),
                met: peak <= RSS_LIMIT_KIB,
            });
            if let Some(smallest) = smallest {
                let Some(small) = smallest.entries.iter().position(|e| e.label == entry.label)
                else {
                    continue;
                };
                let from = peak_rss(smallest, small);
                targets.push(Target {
                    what: format!(
                        "{}: {} peak RSS, {} → {}",
                        group.transfer.as_deref().unwrap_or_default(),
                        entry.label,
                        super::size_name(smallest.bytes.unwrap_or(0)),
                        super::size_name(group.bytes.unwrap_or(0))
                    ),
                    measured: format!("{:+.1} MiB", (peak as f64 - from as f64) / 1024.0),
                    limit: format!("≤ +{} MiB (flat)", RSS_GROWTH_LIMIT_KIB / 1024),
                    met: peak <= from + RSS_GROWTH_LIMIT_KIB,
                });
            }
        }
    }
    targets
}

/// The report for people.
pub fn markdown(machine: &Machine, groups: &[Group], targets: &[Target]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# cargo xtask bench\n\n{}\n", machine.line());
    let _ = writeln!(
        out,
        "Speed ratios are the peer's time over ours, run beside run: above 1 is faster than the peer. Median, then the lowest and highest of the runs. A pair of runs is stolen when the hypervisor took more than {:.0}% of the machine (wall time × cores) from either run, as steal: such a pair measures the host, not the tools. Where pairs were stolen, the ratios without them follow, and a target is judged on those when at least half the pairs remain. Runs slowed without steal stay counted.\n",
        STOLEN_SHARE * 100.0
    );
    let _ = writeln!(
        out,
        "## Targets\n\n| target | measured | limit | |\n|---|---|---|---|"
    );
    for t in targets {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            t.what,
            t.measured,
            t.limit,
            if t.met { "met" } else { "**missed**" }
        );
    }
    let _ = writeln!(
        out,
        "\n## Every tool\n\nCPU s is the tool's own (user and system, GNU time); stand-in CPU s is what the loopback server spent answering it. The CPU floor, (tool + stand-in) / {} cores (when pinned, the larger of the two, each having a core), is the least wall time the machine allows for that work: a tool whose floor is above a peer's wall time cannot match the peer here without doing less work. Others' CPU s is what the rest of the machine spent meanwhile (the kernel's writeback threads among it); steal s is time the hypervisor gave to other guests, on all CPUs, during the run: the machine's share of any slow run.\n",
        machine.cores
    );
    for group in groups {
        let _ = writeln!(
            out,
            "### {}\n\n| tool | median s | min–max s | MiB/s | CPU s | stand-in CPU s | CPU floor s | others' CPU s | steal s, median (max) | peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|---|",
            group.name
        );
        for entry in &group.entries {
            let figures = |f: fn(&super::measure::Sample) -> f64| {
                Spread::of(&entry.samples.iter().map(f).collect::<Vec<_>>())
            };
            let cores = machine.cores.max(1) as f64;
            let (Some(time), Some(cpu), Some(server), Some(others), Some(steal), Some(floor)) = (
                figures(|s| s.seconds),
                figures(|s| s.cpu),
                figures(|s| s.server_cpu),
                figures(|s| s.others_cpu),
                figures(|s| s.steal),
                Spread::of(
                    &entry
                        .samples
                        .iter()
                        .map(|s| {
                            if machine.pinned {
                                s.cpu.max(s.server_cpu)
                            } else {
                                (s.cpu + s.server_cpu) / cores
                            }
                        })
                        .collect::<Vec<_>>(),
                ),
            ) else {
                continue;
            };
            let rate = group
                .bytes
                .map(|b| format!("{:.0}", b as f64 / f64::from(1 << 20) / time.median))
                .unwrap_or_default();
            let peak = entry.samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
            let _ = writeln!(
                out,
                "| {}{} | {:.3} | {:.3}–{:.3} | {rate} | {:.2} | {:.2} | {:.3} | {:.2} | {:.2} ({:.2}) | {:.1} |",
                entry.label,
                if entry.ours { "" } else { " (peer)" },
                time.median,
                time.min,
                time.max,
                cpu.median,
                server.median,
                floor.median,
                others.median,
                steal.median,
                steal.max,
                peak as f64 / 1024.0
            );
        }
        for c in &group.comparisons {
            if let Some(speed) = speed_ratios(group, c, machine.cores) {
                let _ = writeln!(
                    out,
                    "\n- {} vs {}: speed {}{}",
                    group.entries[c.ours].label,
                    group.entries[c.peer].label,
                    speed.describe(),
                    c.at_least
                        .map(|t| format!(", target ≥ {t:.2}x"))
                        .unwrap_or_default()
                );
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// The report for tools.
pub fn json(machine: &Machine, groups: &[Group], targets: &[Target]) -> Value {
    let groups: Vec<Value> = groups
        .iter()
        .map(|group| {
            let entries: Vec<Value> = group
                .entries
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    let seconds: Vec<f64> = entry.samples.iter().map(|s| s.seconds).collect();
                    let cpu: Vec<f64> = entry.samples.iter().map(|s| s.cpu).collect();
                    json!({
                        "label": entry.label,
                        "ours": entry.ours,
                        "seconds": Spread::of(&seconds),
                        "cpu_seconds": Spread::of(&cpu),
                        "peak_rss_kib": peak_rss(group, index),
                        "runs": entry.samples.iter().map(|s| json!({
                            "seconds": s.seconds, "wall_seconds": s.wall, "cpu_seconds": s.cpu, "peak_rss_kib": s.rss_kib,
                            "stand_in_cpu_seconds": s.server_cpu,
                            "steal_seconds": s.steal, "others_cpu_seconds": s.others_cpu,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let comparisons: Vec<Value> = group
                .comparisons
                .iter()
                .map(|c| {
                    json!({
                        "ours": group.entries[c.ours].label,
                        "peer": group.entries[c.peer].label,
                        "speed_ratio": speed_ratios(group, c, machine.cores),
                        "at_least": c.at_least,
                    })
                })
                .collect();
            json!({
                "name": group.name,
                "bytes": group.bytes,
                "entries": entries,
                "comparisons": comparisons,
            })
        })
        .collect();
    json!({ "machine": machine, "targets": targets, "groups": groups })
}

#[cfg(test)]
mod tests {
    use super::super::{Comparison, Entry};
    use super::*;
    use crate::bench::measure::Job;

    fn sample(seconds: f64, steal: f64) -> Sample {
        Sample {
            seconds,
            wall: seconds,
            cpu: 0.0,
            rss_kib: 0,
            server_cpu: 0.0,
            steal,
            others_cpu: 0.0,
        }
    }

    /// Ours against a peer that takes 1 s every run; `ours` is (seconds, steal) per run.
    fn group(ours: &[(f64, f64)]) -> Group {
        let entry = |label: &str, ours: bool, samples: Vec<Sample>| Entry {
            label: label.into(),
            ours,
            job: Job::new("true"),
            samples,
        };
        let mut group = Group::new("gets", None);
        group.entries = vec![
            entry(
                "lib",
                true,
                ours.iter().map(|&(s, t)| sample(s, t)).collect(),
            ),
            entry(
                "peer",
                false,
                ours.iter().map(|_| sample(1.0, 0.0)).collect(),
            ),
        ];
        group.comparisons = vec![Comparison {
            ours: 0,
            peer: 1,
            at_least: Some(0.95),
            scale: 1.0,
        }];
        group
    }

    #[test]
    fn a_run_is_stolen_past_a_quarter_of_the_machine() {
        // 2 cores for 1 s: 0.5 s of steal is the quarter.
        assert!(!stolen(&sample(1.0, 0.5), 2));
        assert!(stolen(&sample(1.0, 0.51), 2));
        assert!(stolen(&sample(1.0, 0.26), 1));
    }

    #[test]
    fn stolen_pairs_are_set_aside_while_half_remain() {
        // Two of five pairs stolen, and slow: judged on the other three.
        let g = group(&[(1.0, 0.0), (2.0, 1.5), (1.0, 0.0), (2.0, 1.5), (1.02, 0.0)]);
        let ratios = speed_ratios(&g, &g.comparisons[0], 2).unwrap();
        assert_eq!((ratios.pairs, ratios.stolen_pairs), (5, 2));
        assert_eq!(ratios.all.median, 1.0 / 1.02);
        assert_eq!(ratios.all.min, 0.5);
        assert_eq!(ratios.judged(), ratios.unstolen.unwrap());
        assert_eq!(ratios.judged().min, 1.0 / 1.02);
        let targets = targets(&[g], 2);
        assert!(targets[0].met);
        assert!(
            targets[0]
                .measured
                .contains("without the 2 of 5 pairs stolen, judged")
        );
    }

    #[test]
    fn every_pair_counts_when_most_were_stolen() {
        let g = group(&[(2.0, 1.5), (2.0, 1.5), (2.0, 1.5), (1.0, 0.0)]);
        let ratios = speed_ratios(&g, &g.comparisons[0], 2).unwrap();
        assert_eq!(ratios.stolen_pairs, 3);
        assert_eq!(ratios.judged(), ratios.all);
        let targets = targets(&[g], 2);
        assert!(!targets[0].met);
        assert!(!targets[0].measured.contains("judged"));
    }

    #[test]
    fn slow_runs_without_steal_stay_counted() {
        let g = group(&[(2.0, 0.1), (2.0, 0.1), (1.0, 0.0)]);
        let ratios = speed_ratios(&g, &g.comparisons[0], 2).unwrap();
        assert_eq!(ratios.stolen_pairs, 0);
        assert_eq!(ratios.judged().median, 0.5);
        assert_eq!(targets(&[g], 2)[0].measured, "0.50x (0.50–1.00)");
    }
}
