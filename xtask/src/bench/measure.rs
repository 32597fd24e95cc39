//! Running one measured process: wall time from outside, CPU seconds (user + system, its
//! children's included) and peak resident memory from GNU time, which reads them from the
//! kernel's accounting of the process when it ends. Every tool, curl and this crate alike,
//! is measured the same way.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

/// What one run of a tool cost.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Seconds: from outside, or as the process itself timed its task (see [`Job::timed_inside`]).
    pub seconds: f64,
    /// Seconds from outside, start to exit: the span the machine figures below cover.
    pub wall: f64,
    /// CPU seconds, user and system, of the process and the processes it waited for.
    pub cpu: f64,
    /// Peak resident memory, KiB, of the largest of them.
    pub rss_kib: u64,
    /// CPU seconds the stand-in (this process) spent meanwhile answering it.
    pub server_cpu: f64,
    /// CPU seconds the hypervisor gave to others while the run was on (steal time, all
    /// CPUs): time the machine did not have, which no process's CPU seconds show.
    pub steal: f64,
    /// CPU seconds the rest of the machine spent meanwhile: everything busy on every
    /// CPU, less the tool and the stand-in (the kernel's writeback threads count here).
    pub others_cpu: f64,
}

/// A command to measure.
pub struct Job {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub env: Vec<(String, String)>,
    /// Run before each measured run, untimed: removes what the last run left.
    pub prepare: Option<Box<dyn FnMut() -> std::io::Result<()>>>,
    /// Take the seconds the process reports (its JSON line's `seconds`) instead of the wall
    /// time from outside: for tasks short enough that starting a process would weigh.
    pub timed_inside: bool,
}

impl Job {
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            prepare: None,
            timed_inside: false,
        }
    }

    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn prepare(mut self, prepare: impl FnMut() -> std::io::Result<()> + 'static) -> Self {
        self.prepare = Some(Box::new(prepare));
        self
    }

    pub fn timed_inside(mut self) -> Self {
        self.timed_inside = true;
        self
    }

    /// `sh -c SCRIPT sh ARGS…`: for a tool followed by another (curl, then sha256sum).
    pub fn shell(script: &str) -> Self {
        Self::new("sh").args(["-c", script, "sh"])
    }
}

/// Where the machine's measuring tools are, and the CPU measured processes are kept on.
pub struct Runner {
    time: PathBuf,
    report: PathBuf,
    /// `taskset -c CPU` for every measured process, when pinned.
    pub cpu: Option<usize>,
}

impl Runner {
    /// Finds GNU time; its report goes to a file in `scratch`.
    pub fn new(scratch: &Path, cpu: Option<usize>) -> Result<Self, String> {
        let time = PathBuf::from("/usr/bin/time");
        let works = Command::new(&time)
            .args(["-f", "%M", "true"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !works {
            return Err(
                "the bench needs GNU time at /usr/bin/time (Debian: apt-get install time)".into(),
            );
        }
        Ok(Self {
            time,
            report: scratch.join("time.txt"),
            cpu,
        })
    }

    /// Runs `job` once.
    pub fn run(&self, job: &mut Job) -> Result<Sample, String> {
        if let Some(prepare) = job.prepare.as_mut() {
            prepare().map_err(|e| format!("preparing {:?}: {e}", job.program))?;
        }
        let mut command = Command::new(&self.time);
        command.args(["-f", "%U %S %M", "-o"]).arg(&self.report);
        if let Some(cpu) = self.cpu {
            command.args(["taskset", "-c", &cpu.to_string()]);
        }
        command.arg(&job.program).args(&job.args);
        command.envs(job.env.iter().map(|(k, v)| (k, v)));
        command.stdin(std::process::Stdio::null());
        let server_before = own_cpu();
        let machine_before = MachineTicks::now();
        let started = Instant::now();
        let output = command
            .output()
            .map_err(|e| format!("running {:?}: {e}", job.program))?;
        let wall = started.elapsed().as_secs_f64();
        let server_cpu = own_cpu() - server_before;
        let machine = MachineTicks::now().since(&machine_before);
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
            return Err(format!(
                "{} {} failed: {}",
                job.program.to_string_lossy(),
                job.args
                    .iter()
                    .map(|a| a.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" "),
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        let report = std::fs::read_to_string(&self.report)
            .map_err(|e| format!("reading GNU time's report: {e}"))?;
        let (cpu, rss_kib) = parse_time(&report)
            .ok_or_else(|| format!("GNU time's report is not `user system rss`: {report:?}"))?;
        let seconds = if job.timed_inside {
            let line = output
                .stdout
                .split(|b| *b == b'\n')
                .rfind(|l| !l.is_empty())
                .unwrap_or_default();
            serde_json::from_slice::<Value>(line)
                .ok()
                .and_then(|v| v["seconds"].as_f64())
                .ok_or("the process printed no JSON line with its seconds")?
        } else {
            wall
        };
        Ok(Sample {
            seconds,
            wall,
            cpu,
            rss_kib,
            server_cpu,
            steal: machine.steal,
            others_cpu: (machine.busy - cpu - server_cpu).max(0.0),
        })
    }
}

/// CPU seconds, user and system, this process has spent: its stand-in's, since the main
/// thread only waits while a tool runs. Linux counts them in ticks of 1/100 s
/// (`USER_HZ`, fixed for user space).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command's name, which is in parentheses and may hold spaces:
    // state is the 3rd field, utime the 14th and stime the 15th.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// The whole machine's CPU time so far, from the `cpu` line of `/proc/stat` (ticks of
/// 1/100 s): busy (user, nice, system, irq, softirq) and stolen by the hypervisor.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct MachineTicks {
    busy: f64,
    steal: f64,
}

impl MachineTicks {
    fn now() -> Self {
        Self::parse(&std::fs::read_to_string("/proc/stat").unwrap_or_default())
    }

    /// Zero where the line is missing (not Linux): no figure rather than a wrong one.
    fn parse(stat: &str) -> Self {
        let Some(line) = stat.lines().find(|l| l.starts_with("cpu ")) else {
            return Self::default();
        };
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        let field = |i: usize| ticks.get(i).copied().unwrap_or(0);
        // user nice system idle iowait irq softirq steal …
        let busy = field(0) + field(1) + field(2) + field(5) + field(6);
        Self {
            busy: busy as f64 / 100.0,
            steal: field(7) as f64 / 100.0,
        }
    }

    fn since(&self, before: &Self) -> Self {
        Self {
            busy: (self.busy - before.busy).max(0.0),
            steal: (self.steal - before.steal).max(0.0),
        }
    }
}

/// GNU time's `%U %S %M` line (the last; lines before it note a failed exit).
fn parse_time(report: &str) -> Option<(f64, u64)> {
    let line = report.lines().rfind(|l| !l.trim().is_empty())?;
    let mut fields = line.split_whitespace();
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    let rss: u64 = fields.next()?.parse().ok()?;
    Some((user + system, rss))
}

/// The middle and the ends of some figures.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `None` for no figures.
    pub fn of(figures: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = figures.iter().copied().filter(|f| f.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Self {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_ends() {
        let odd = Spread::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((odd.median, odd.min, odd.max), (2.0, 1.0, 3.0));
        let even = Spread::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!((even.median, even.min, even.max), (2.5, 1.0, 4.0));
        assert_eq!(Spread::of(&[f64::NAN]), None);
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn machine_ticks_from_proc_stat() {
        let before = MachineTicks::parse(
            "cpu  100 10 50 9000 40 5 5 20 0 0\ncpu0 50 5 25 4500 20 2 3 10 0 0\n",
        );
        assert_eq!((before.busy, before.steal), (1.7, 0.2));
        let after = MachineTicks::parse("cpu  300 10 70 9100 40 5 5 70 0 0\n");
        let during = after.since(&before);
        assert!((during.busy - 2.2).abs() < 1e-9 && (during.steal - 0.5).abs() < 1e-9);
        assert_eq!(MachineTicks::parse("no cpu line"), MachineTicks::default());
    }

    #[test]
    fn gnu_time_reports_after_a_note_of_failure() {
        let (cpu, rss) = parse_time("0.52 0.31 11840\n").unwrap();
        assert!((cpu - 0.83).abs() < 1e-9 && rss == 11840);
        assert_eq!(
            parse_time("Command exited with non-zero status 1\n0.00 0.00 2048\n"),
            Some((0.0, 2048))
        );
        assert_eq!(parse_time("garbage"), None);
    }
}
