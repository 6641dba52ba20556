//! Rate limiting: a quota of requests per minute for each client (an API key or an IP address),
//! kept in memory by the generic cell rate algorithm (GCRA).
//!
//! A quota of N a minute admits a burst of N at once and then one request every 60/N seconds:
//! each client has a "theoretical arrival time" (TAT), the moment its quota is whole again, and a
//! request is admitted when pushing the TAT one interval further leaves it at most a minute
//! ahead. One instant per client is the whole state, and a client whose TAT has passed is the
//! same as one never seen, so idle entries can be dropped at any time without changing an answer;
//! that is how the table stays bounded when an attacker sprays addresses.
//!
//! No HTTP here: the middleware in [`crate::api::middleware`] turns a [`Decision`] into headers.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The window a quota is counted over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// Most clients one limiter remembers. Past this, idle entries go first, then the half closest to
/// having their quota back (they lose at most part of a minute's count). At ~64 bytes an entry,
/// a full table is a few megabytes.
pub const DEFAULT_MAX_CLIENTS: usize = 100_000;

/// The answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// The quota: requests a minute (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests the client may still make at once (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the quota is whole again (`RateLimit-Reset`), rounded up.
    pub reset: u64,
    /// When refused, seconds until one more request is admitted (`Retry-After`), rounded up.
    pub retry_after: u64,
}

/// A quota of requests per minute for each client `K`.
pub struct RateLimiter<K> {
    limit: u32,
    /// Time between two requests at the steady rate: a minute divided by the quota.
    interval: Duration,
    /// How far the TAT may run ahead of now: the whole quota's worth of intervals.
    tolerance: Duration,
    max_clients: usize,
    epoch: Instant,
    state: Mutex<Table<K>>,
}

struct Table<K> {
    /// Each client's TAT, as time since `epoch`.
    clients: HashMap<K, Duration>,
    last_sweep: Duration,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter of `per_minute` requests a minute per client (at least 1).
    pub fn new(per_minute: u32) -> Self {
        Self::with_capacity(per_minute, DEFAULT_MAX_CLIENTS)
    }

    /// A limiter that remembers at most `max_clients` clients.
    pub fn with_capacity(per_minute: u32, max_clients: usize) -> Self {
        let limit = per_minute.max(1);
        let interval = WINDOW / limit;
        Self {
            limit,
            interval,
            tolerance: interval * limit,
            max_clients: max_clients.max(2),
            epoch: Instant::now(),
            state: Mutex::new(Table {
                clients: HashMap::new(),
                last_sweep: Duration::ZERO,
            }),
        }
    }

    /// The quota, in requests a minute.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts a request from `client` now.
    pub fn check(&self, client: &K) -> Decision {
        self.check_at(client, self.epoch.elapsed())
    }

    /// Counts a request from `client` at `now` (time since the limiter was made).
    pub fn check_at(&self, client: &K, now: Duration) -> Decision {
        // A panic elsewhere while holding the lock leaves the table usable: every entry is valid.
        let mut table = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let tat = table.clients.get(client).copied().unwrap_or(now).max(now);
        let next = tat + self.interval;
        let ahead = next - now;
        if ahead > self.tolerance {
            return Decision {
                allowed: false,
                limit: self.limit,
                remaining: 0,
                reset: ceil_secs(tat - now),
                retry_after: ceil_secs(ahead - self.tolerance),
            };
        }
        if !table.clients.contains_key(client) {
            self.make_room(&mut table, now);
        }
        table.clients.insert(client.clone(), next);
        let spare = self.tolerance - ahead;
        Decision {
            allowed: true,
            limit: self.limit,
            remaining: u32::try_from(spare.as_nanos() / self.interval.as_nanos().max(1))
                .unwrap_or(u32::MAX)
                .min(self.limit),
            reset: ceil_secs(ahead),
            retry_after: 0,
        }
    }

    /// How many clients the table holds now.
    pub fn clients(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clients
            .len()
    }

    /// Drops idle clients once a window, and makes room when the table is full.
    fn make_room(&self, table: &mut Table<K>, now: Duration) {
        let full = table.clients.len() >= self.max_clients;
        if full || now.saturating_sub(table.last_sweep) >= WINDOW {
            table.clients.retain(|_, tat| *tat > now);
            table.last_sweep = now;
        }
        if table.clients.len() >= self.max_clients {
            // Every entry is busy: forget the half nearest to a whole quota.
            let mut tats: Vec<Duration> = table.clients.values().copied().collect();
            let middle = tats.len() / 2;
            let (_, median, _) = tats.select_nth_unstable(middle);
            let median = *median;
            table.clients.retain(|_, tat| *tat > median);
        }
    }
}

fn ceil_secs(duration: Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs
    }
}

/// The client an IP address stands for: IPv4 addresses one by one, IPv6 by /64 network (one
/// host usually holds a whole /64, and could otherwise take a fresh address for every request).
pub fn ip_client(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & (u128::MAX << 64);
                IpAddr::V6(network.into())
            }
        },
    }
}

/// The service's limits: one quota per IP address (for requests without a valid key) and one per
/// API key. `None` is no limit.
#[derive(Clone, Default)]
pub struct RateLimits {
    pub per_ip: Option<Arc<RateLimiter<IpAddr>>>,
    pub per_key: Option<Arc<RateLimiter<uuid::Uuid>>>,
}

impl RateLimits {
    /// Limits of so many requests a minute per IP and per key; 0 turns one off, and both 0 means
    /// no limiting at all (and no `RateLimit-*` headers).
    pub fn new(ip_per_minute: u32, key_per_minute: u32) -> Self {
        Self {
            per_ip: (ip_per_minute > 0).then(|| Arc::new(RateLimiter::new(ip_per_minute))),
            per_key: (key_per_minute > 0).then(|| Arc::new(RateLimiter::new(key_per_minute))),
        }
    }

    /// Whether any limit is on.
    pub fn is_on(&self) -> bool {
        self.per_ip.is_some() || self.per_key.is_some()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_quota_admits_a_burst_of_its_size_then_refuses_with_the_wait() {
        let limiter = RateLimiter::new(3);
        let at = |ms: u64| limiter.check_at(&"a", MS * ms as u32);
        let first = at(0);
        assert_eq!(
            first,
            Decision {
                allowed: true,
                limit: 3,
                remaining: 2,
                reset: 20,
                retry_after: 0
            }
        );
        assert_eq!((at(1).remaining, at(2).remaining), (1, 0));
        let refused = at(3);
        assert!(!refused.allowed);
        assert_eq!((refused.remaining, refused.retry_after), (0, 20));
        assert_eq!(refused.reset, 60);
        // Refusals do not push the quota further away.
        assert_eq!(at(4).retry_after, 20);
    }

    #[test]
    fn the_quota_comes_back_one_interval_at_a_time() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert!(limiter.check_at(&"a", Duration::ZERO).allowed);
        }
        assert!(!limiter.check_at(&"a", Duration::from_secs(19)).allowed);
        let back = limiter.check_at(&"a", Duration::from_secs(20));
        assert!(back.allowed);
        assert_eq!(back.remaining, 0);
        let whole = limiter.check_at(&"a", Duration::from_secs(200));
        assert_eq!((whole.allowed, whole.remaining, whole.reset), (true, 2, 20));
    }

    #[test]
    fn clients_have_quotas_of_their_own() {
        let limiter = RateLimiter::new(1);
        assert!(limiter.check_at(&"a", Duration::ZERO).allowed);
        assert!(!limiter.check_at(&"a", Duration::ZERO).allowed);
        assert!(limiter.check_at(&"b", Duration::ZERO).allowed);
    }

    #[test]
    fn idle_clients_are_forgotten_once_a_window() {
        let limiter = RateLimiter::new(60);
        for n in 0..1000u32 {
            limiter.check_at(&n, Duration::ZERO);
        }
        assert_eq!(limiter.clients(), 1000);
        limiter.check_at(&5000, Duration::from_secs(61));
        assert_eq!(limiter.clients(), 1);
    }

    #[test]
    fn the_table_stays_bounded_when_every_client_is_busy() {
        let limiter = RateLimiter::with_capacity(10, 100);
        for n in 0..10_000u32 {
            limiter.check_at(&n, MS * n);
            assert!(limiter.clients() <= 100);
        }
        // A busy client that was kept still has its count.
        let last = 9_999u32;
        assert_eq!(limiter.check_at(&last, MS * last).remaining, 8);
    }

    #[test]
    fn ipv6_clients_are_counted_by_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ip_client(a), ip_client(b));
        assert_ne!(ip_client(a), ip_client(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(ip_client(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
