//! One reading of a container's CPU and memory, computed exactly as the docker CLI does
//! (`cli/command/container/stats_helpers.go`), so that destui and `docker stats --no-stream`
//! agree.

use super::{DockerApi, DockerError, classify};
use bollard::models::{ContainerCpuStats, ContainerMemoryStats};

/// A container's usage at one moment, as `docker stats --no-stream` shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContainerStats {
    /// Of one CPU: a container busy on two cores shows 200 %.
    pub cpu_percent: f64,
    /// Memory in use, without the inactive page cache the kernel can take back.
    pub memory_bytes: u64,
}

impl DockerApi {
    /// One reading of container `id`'s stats; `None` when the container is gone.
    ///
    /// `stream: false` without `one-shot`: the daemon waits for a second sample (about a
    /// second) and sends it with the first as `precpu_stats`, the way `docker stats
    /// --no-stream` asks — a one-shot reading has no previous sample and no CPU %.
    pub async fn container_stats(&self, id: &str) -> Result<Option<ContainerStats>, DockerError> {
        use futures::StreamExt;
        let options = bollard::query_parameters::StatsOptions {
            stream: false,
            one_shot: false,
        };
        let mut readings = self.docker.stats(id, Some(options));
        match readings.next().await {
            Some(Ok(reading)) => {
                let cpu = reading.cpu_stats.unwrap_or_default();
                let precpu = reading.precpu_stats.unwrap_or_default();
                let memory = reading.memory_stats.unwrap_or_default();
                Ok(Some(ContainerStats {
                    cpu_percent: cpu_percent(&cpu, &precpu),
                    memory_bytes: memory_bytes(&memory),
                }))
            }
            Some(Err(e)) => match classify(e) {
                DockerError::NotFound(_) => Ok(None),
                other => Err(other),
            },
            None => Ok(None),
        }
    }
}

/// CPU % between two samples, as the docker CLI computes it: the container's share of the
/// system's CPU time times the online CPUs (the number of per-CPU values when the daemon does
/// not say), 0 when either delta is not positive.
pub fn cpu_percent(cpu: &ContainerCpuStats, precpu: &ContainerCpuStats) -> f64 {
    let total = |s: &ContainerCpuStats| {
        s.cpu_usage
            .as_ref()
            .and_then(|u| u.total_usage)
            .unwrap_or(0) as f64
    };
    let system = |s: &ContainerCpuStats| s.system_cpu_usage.unwrap_or(0) as f64;
    let cpu_delta = total(cpu) - total(precpu);
    let system_delta = system(cpu) - system(precpu);
    let online = match cpu.online_cpus.unwrap_or(0) {
        0 => cpu
            .cpu_usage
            .as_ref()
            .and_then(|u| u.percpu_usage.as_ref())
            .map_or(0, Vec::len) as f64,
        n => f64::from(n),
    };
    if system_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / system_delta * online * 100.0
    } else {
        0.0
    }
}

/// Memory in use as the docker CLI shows it: the usage minus the inactive page cache
/// (`total_inactive_file` on cgroup v1, `inactive_file` on v2) when that is smaller.
pub fn memory_bytes(memory: &ContainerMemoryStats) -> u64 {
    let usage = memory.usage.unwrap_or(0);
    let stat = |key: &str| memory.stats.as_ref().and_then(|s| s.get(key).copied());
    if let Some(inactive) = stat("total_inactive_file")
        && inactive < usage
    {
        return usage - inactive;
    }
    match stat("inactive_file").unwrap_or(0) {
        inactive if inactive < usage => usage - inactive,
        _ => usage,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::ContainerCpuUsage;
    use std::collections::HashMap;

    fn cpu(
        total: u64,
        system: u64,
        online: Option<u32>,
        percpu: Option<usize>,
    ) -> ContainerCpuStats {
        ContainerCpuStats {
            cpu_usage: Some(ContainerCpuUsage {
                total_usage: Some(total),
                percpu_usage: percpu.map(|n| vec![0; n]),
                ..Default::default()
            }),
            system_cpu_usage: Some(system),
            online_cpus: online,
            ..Default::default()
        }
    }

    #[test]
    fn cpu_is_the_share_of_system_time_times_the_online_cpus() {
        // 0.5 s of the container's CPU time in 4 s of system time (2 CPUs over 2 s): 25 % of
        // the machine, 50 % of one CPU.
        let before = cpu(10_000_000_000, 100_000_000_000, Some(2), None);
        let after = cpu(10_500_000_000, 104_000_000_000, Some(2), None);
        assert!((cpu_percent(&after, &before) - 25.0).abs() < 1e-9);
        // A busy loop on one of two cores: 100 %.
        let busy = cpu(12_000_000_000, 104_000_000_000, Some(2), None);
        assert!((cpu_percent(&busy, &before) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn without_online_cpus_the_per_cpu_values_count() {
        let before = cpu(1_000, 10_000, None, Some(4));
        let after = cpu(2_000, 20_000, None, Some(4));
        assert!((cpu_percent(&after, &before) - 40.0).abs() < 1e-9);
        // Neither: 0 CPUs, 0 %.
        let after = cpu(2_000, 20_000, None, None);
        assert_eq!(cpu_percent(&after, &before), 0.0);
    }

    #[test]
    fn no_positive_delta_is_zero_percent() {
        let same = cpu(1_000, 10_000, Some(2), None);
        assert_eq!(cpu_percent(&same, &same), 0.0);
        // A one-shot reading: no previous sample at all.
        let after = cpu(1_000, 10_000, Some(2), None);
        let none = ContainerCpuStats::default();
        assert!(cpu_percent(&after, &none) > 0.0);
        let idle = cpu(1_000, 20_000, Some(2), None);
        assert_eq!(cpu_percent(&idle, &same), 0.0);
        let clock_back = cpu(2_000, 9_000, Some(2), None);
        assert_eq!(cpu_percent(&clock_back, &same), 0.0);
    }

    fn memory(usage: u64, stats: &[(&str, u64)]) -> ContainerMemoryStats {
        ContainerMemoryStats {
            usage: Some(usage),
            stats: Some(
                stats
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect::<HashMap<_, _>>(),
            ),
            ..Default::default()
        }
    }

    #[test]
    fn memory_leaves_out_the_inactive_page_cache() {
        // cgroup v2
        assert_eq!(
            memory_bytes(&memory(20_000_000, &[("inactive_file", 5_000_000)])),
            15_000_000
        );
        // cgroup v1 names it total_inactive_file, and it wins over inactive_file.
        assert_eq!(
            memory_bytes(&memory(
                20_000_000,
                &[
                    ("total_inactive_file", 4_000_000),
                    ("inactive_file", 1_000_000)
                ]
            )),
            16_000_000
        );
        // Not smaller than the usage: the usage as it is.
        assert_eq!(
            memory_bytes(&memory(3_000, &[("inactive_file", 3_000)])),
            3_000
        );
        // v1 value too big: v2's key is tried next, as the CLI does.
        assert_eq!(
            memory_bytes(&memory(
                3_000,
                &[("total_inactive_file", 9_000), ("inactive_file", 1_000)]
            )),
            2_000
        );
        assert_eq!(memory_bytes(&memory(7_000, &[])), 7_000);
        assert_eq!(memory_bytes(&ContainerMemoryStats::default()), 0);
    }
}
