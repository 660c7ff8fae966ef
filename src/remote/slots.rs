//! The SSH handshakes of one process, bounded across servers (`[ssh] max_parallel_connects`),
//! and what a check learns from them: whether a wave of connects is under way.

use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Handshakes in flight from which a failed connect may have been our own crowd's doing
/// rather than the server's: on 2 cores, the hybrid key exchange ssh uses by default costs
/// ~0.2 s of CPU on each side, so a few dozen at once keep every one of them waiting.
pub const WAVE: usize = 8;

/// How often a connect waiting for a wave to thin looks again.
const LOOK_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug)]
pub struct ConnectSlots {
    permits: Semaphore,
    total: usize,
}

impl ConnectSlots {
    pub fn new(parallel: usize) -> Self {
        let total = parallel.clamp(1, Semaphore::MAX_PERMITS);
        ConnectSlots {
            permits: Semaphore::new(total),
            total,
        }
    }

    /// A slot for one handshake; the wait for it is not part of the connect timeout.
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, tokio::sync::AcquireError> {
        self.permits.acquire().await
    }

    /// Handshakes under way right now.
    pub fn in_flight(&self) -> usize {
        self.total - self.permits.available_permits()
    }

    /// Whether a wave of connects is under way (see `WAVE`).
    pub fn in_wave(&self) -> bool {
        self.in_flight() >= WAVE
    }

    /// Waits until the wave has thinned below `WAVE`, or `at_most` has passed.
    pub async fn wave_thinned(&self, at_most: Duration) {
        let started = Instant::now();
        while self.in_wave() && started.elapsed() < at_most {
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wave_is_told_by_the_handshakes_in_flight() {
        let slots = ConnectSlots::new(64);
        let held: Vec<_> = futures::future::join_all((0..WAVE).map(|_| slots.acquire()))
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(slots.in_flight(), WAVE);
        assert!(slots.in_wave());
        let waited = Instant::now();
        slots.wave_thinned(Duration::from_millis(250)).await;
        assert!(
            waited.elapsed() >= Duration::from_millis(250),
            "waits while busy"
        );
        drop(held);
        assert!(!slots.in_wave());
        let waited = Instant::now();
        slots.wave_thinned(Duration::from_secs(5)).await;
        assert!(waited.elapsed() < Duration::from_millis(50));
    }
}
