//! How a destination's network is shaped (DESIGN.md §14): IPv6, MTU, gateway, ranges, labels,
//! driver options and the subnet, each refused before any remote call when it cannot work; and
//! the first free /24 of a pool when Docker's own pools are used up.

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net};
use serde::{Deserialize, Serialize};

use super::Error;
use super::validate::is_unsafe_char;

/// Labels destui writes itself: nobody else may set them.
pub const RESERVED_LABEL_PREFIX: &str = "destui.";
/// The smallest MTU IPv4 allows; IPv6 needs 1280.
pub const MIN_MTU: u32 = 68;
pub const MIN_MTU_IPV6: u32 = 1280;
pub const MAX_MTU: u32 = 65_535;

/// What create was asked for, kept with the record so that repair makes the same network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkOptions {
    /// IPv4 subnet: the one asked for, or the one picked from a pool.
    pub subnet: Option<String>,
    pub internal: bool,
    pub ipv6: bool,
    pub subnet6: Option<String>,
    pub mtu: Option<u32>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    /// The admin's own labels (never `destui.*`).
    pub labels: BTreeMap<String, String>,
    /// Driver options (`--opt K=V`).
    pub driver_opts: BTreeMap<String, String>,
}

/// How the IPv4 subnet is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetChoice {
    /// Docker's own pools.
    Daemon,
    Fixed(Ipv4Net),
    /// The first free /24 of the pool (`--subnet auto[:POOL]`); `None`: `[network]
    /// fallback_pool`.
    Auto(Option<Ipv4Net>),
}

/// The create flags as typed (`--label`/`--opt` as `K=V`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionsAsked {
    pub subnet: Option<String>,
    pub internal: bool,
    pub ipv6: bool,
    pub subnet6: Option<String>,
    pub mtu: Option<u32>,
    pub gateway: Option<String>,
    pub ip_range: Option<String>,
    pub labels: Vec<String>,
    pub opts: Vec<String>,
}

fn invalid(text: String) -> Error {
    Error::Invalid(text)
}

/// A refusal of an option the TUI's create dialog has too, typed so that each front end
/// names the option its own way: the command line by its flag (this `Display`, which the
/// CLI's tests pin), the TUI by its field (`tui::hints`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionRefusal {
    #[error("--subnet {text:?} is an IPv6 CIDR: give it with --ipv6 --subnet6 {text}")]
    SubnetIsIpv6 { text: String },
    #[error(
        "--subnet {text:?} is not an IPv4 CIDR: give one such as 10.201.0.0/24 (or auto, auto:10.201.0.0/16)"
    )]
    SubnetNotCidr { text: String },
    #[error("--subnet6 needs --ipv6: add --ipv6 to give the network IPv6 addresses")]
    Subnet6NeedsIpv6,
    #[error("--subnet6 {text:?} is not an IPv6 CIDR: give one such as fd00:dead:beef::/64")]
    Subnet6NotCidr { text: String },
    #[error(
        "--mtu {mtu} is out of range: give {min} to {MAX_MTU}{} (1450 suits most clouds' overlay links)",
        if *ipv6 { " with --ipv6" } else { "" }
    )]
    MtuOutOfRange { mtu: u32, min: u32, ipv6: bool },
    /// `auto` with no pool given and no `[network] fallback_pool`.
    #[error(
        "--subnet auto needs a pool: give one (--subnet auto:10.201.0.0/16) or set [network] fallback_pool in the config"
    )]
    AutoNeedsPool,
    #[error(
        "no /24 of {pool} is free on {server}: give a wider pool (--subnet auto:POOL, [network] fallback_pool) or remove unused networks"
    )]
    PoolFull { pool: String, server: String },
}

impl From<OptionRefusal> for Error {
    fn from(refusal: OptionRefusal) -> Self {
        Error::BadOption(refusal)
    }
}

/// Checks every option (nothing asks the server) and returns the options to create with and
/// how the IPv4 subnet is chosen.
pub fn plan_options(asked: &OptionsAsked) -> Result<(NetworkOptions, SubnetChoice), Error> {
    let choice = match asked.subnet.as_deref() {
        None => SubnetChoice::Daemon,
        Some("auto") => SubnetChoice::Auto(None),
        Some(text) => match text.strip_prefix("auto:") {
            Some(pool) => SubnetChoice::Auto(Some(pool_of(pool)?)),
            None => SubnetChoice::Fixed(ipv4_cidr(text)?),
        },
    };
    let subnet6 = match &asked.subnet6 {
        Some(_) if !asked.ipv6 => return Err(OptionRefusal::Subnet6NeedsIpv6.into()),
        Some(text) => Some(ipv6_cidr(text)?),
        None => None,
    };
    if let Some(mtu) = asked.mtu {
        let min = if asked.ipv6 { MIN_MTU_IPV6 } else { MIN_MTU };
        if !(min..=MAX_MTU).contains(&mtu) {
            let ipv6 = asked.ipv6;
            return Err(OptionRefusal::MtuOutOfRange { mtu, min, ipv6 }.into());
        }
    }
    let fixed = match &choice {
        SubnetChoice::Fixed(net) => Some(IpNet::V4(*net)),
        _ => None,
    };
    let gateway = match &asked.gateway {
        Some(text) => Some(gateway_within(text, fixed.as_ref(), subnet6.as_ref())?),
        None => None,
    };
    let ip_range = match &asked.ip_range {
        Some(text) => Some(range_within(text, fixed.as_ref())?),
        None => None,
    };
    let options = NetworkOptions {
        subnet: fixed.map(|n| n.to_string()),
        internal: asked.internal,
        ipv6: asked.ipv6,
        subnet6: subnet6.map(|n| n.to_string()),
        mtu: asked.mtu,
        gateway,
        ip_range,
        labels: pairs("--label", &asked.labels, true)?,
        driver_opts: pairs("--opt", &asked.opts, false)?,
    };
    Ok((options, choice))
}

fn ipv4_cidr(text: &str) -> Result<Ipv4Net, Error> {
    let text = text.to_string();
    if text.parse::<ipnet::Ipv6Net>().is_ok() {
        return Err(OptionRefusal::SubnetIsIpv6 { text }.into());
    }
    text.parse::<Ipv4Net>()
        .map_err(|_| OptionRefusal::SubnetNotCidr { text }.into())
}

fn ipv6_cidr(text: &str) -> Result<IpNet, Error> {
    match text.parse::<IpNet>() {
        Ok(net @ IpNet::V6(_)) => Ok(net),
        _ => Err(OptionRefusal::Subnet6NotCidr { text: text.into() }.into()),
    }
}

/// A pool to pick /24s from: an IPv4 CIDR of /24 or wider.
pub fn pool_of(text: &str) -> Result<Ipv4Net, Error> {
    let pool = text.parse::<Ipv4Net>().map_err(|_| {
        invalid(format!(
            "the pool {text:?} is not an IPv4 CIDR: give one such as 10.201.0.0/16"
        ))
    })?;
    if pool.prefix_len() > 24 {
        return Err(invalid(format!(
            "the pool {text} is smaller than a /24: give a /24 or a wider one, such as 10.201.0.0/16"
        )));
    }
    Ok(pool.trunc())
}

fn gateway_within(
    text: &str,
    subnet: Option<&IpNet>,
    subnet6: Option<&IpNet>,
) -> Result<String, Error> {
    let ip: IpAddr = text.parse().map_err(|_| {
        invalid(format!(
            "--gateway {text:?} is not an IP address: give one such as 10.201.0.1"
        ))
    })?;
    let within = match ip {
        IpAddr::V4(_) => subnet,
        IpAddr::V6(_) => subnet6,
    };
    match within {
        None => Err(invalid(format!(
            "--gateway {ip} needs the subnet it belongs to: add --subnet{} with a CIDR that contains it",
            if ip.is_ipv6() { "6" } else { "" }
        ))),
        Some(net) if !net.contains(&ip) => Err(invalid(format!(
            "--gateway {ip} is outside the subnet {net}: give an address inside it"
        ))),
        Some(_) => Ok(ip.to_string()),
    }
}

fn range_within(text: &str, subnet: Option<&IpNet>) -> Result<String, Error> {
    let range = text.parse::<Ipv4Net>().map_err(|_| {
        invalid(format!(
            "--ip-range {text:?} is not an IPv4 CIDR: give one such as 10.201.0.128/25"
        ))
    })?;
    match subnet {
        None => Err(invalid(format!(
            "--ip-range {range} needs the subnet it belongs to: add --subnet with a CIDR that contains it"
        ))),
        Some(net) if !net.contains(&IpNet::V4(range)) => Err(invalid(format!(
            "--ip-range {range} is outside the subnet {net}: give a range inside it"
        ))),
        Some(_) => Ok(range.to_string()),
    }
}

/// `K=V` pairs; labels may not use the `destui.` prefix.
fn pairs(flag: &str, given: &[String], labels: bool) -> Result<BTreeMap<String, String>, Error> {
    let mut out = BTreeMap::new();
    for pair in given {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(invalid(format!("{flag} {pair:?}: give KEY=VALUE")));
        };
        let key = key.trim();
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || is_unsafe_char(c)) {
            return Err(invalid(format!(
                "{flag} {pair:?}: the key must be a word without spaces, e.g. team=shop"
            )));
        }
        if value.chars().any(is_unsafe_char) {
            return Err(invalid(format!(
                "{flag} {key}: the value holds control or invisible characters"
            )));
        }
        if labels && key.starts_with(RESERVED_LABEL_PREFIX) {
            return Err(invalid(format!(
                "--label {key} is reserved: destui.* labels are destui's own (they carry the destination); use another key"
            )));
        }
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// The first /24 of `pool` that overlaps none of `used` (the subnets of every network on the
/// server), or `None` when the pool is full.
pub fn first_free_24(pool: Ipv4Net, used: &[IpNet]) -> Option<Ipv4Net> {
    let subnets = pool.subnets(24).ok()?;
    subnets
        .into_iter()
        .find(|candidate| !used.iter().any(|u| overlaps(&IpNet::V4(*candidate), u)))
}

/// Whether two ranges share an address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> OptionsAsked {
        OptionsAsked::default()
    }

    fn refused(a: OptionsAsked) -> String {
        plan_options(&a).unwrap_err().to_string()
    }

    #[test]
    fn every_option_is_checked_with_its_reason() {
        let full = OptionsAsked {
            subnet: Some("10.201.0.0/24".into()),
            ipv6: true,
            subnet6: Some("fd00:dead:beef::/64".into()),
            mtu: Some(1450),
            gateway: Some("10.201.0.1".into()),
            ip_range: Some("10.201.0.128/25".into()),
            labels: vec!["team=shop".into()],
            opts: vec!["com.docker.network.bridge.name=br-shop".into()],
            ..asked()
        };
        let (options, choice) = plan_options(&full).unwrap();
        assert_eq!(
            choice,
            SubnetChoice::Fixed("10.201.0.0/24".parse().unwrap())
        );
        assert_eq!(options.subnet.as_deref(), Some("10.201.0.0/24"));
        assert_eq!(options.gateway.as_deref(), Some("10.201.0.1"));
        assert_eq!(options.labels["team"], "shop");

        let bad = |f: fn(&mut OptionsAsked)| {
            let mut a = asked();
            f(&mut a);
            refused(a)
        };
        assert!(bad(|a| a.subnet = Some("10.201.0.0/33".into())).contains("not an IPv4 CIDR"));
        assert!(bad(|a| a.subnet = Some("auto:nonsense".into())).contains("pool"));
        assert!(bad(|a| a.subnet = Some("auto:10.0.0.0/28".into())).contains("smaller than a /24"));
        assert!(bad(|a| a.mtu = Some(20)).contains("out of range"));
        assert!(bad(|a| a.mtu = Some(70_000)).contains("out of range"));
        assert!(
            bad(|a| {
                a.ipv6 = true;
                a.mtu = Some(1000)
            })
            .contains("1280")
        );
        assert!(bad(|a| a.subnet6 = Some("fd00::/64".into())).contains("needs --ipv6"));
        assert!(bad(|a| a.labels = vec!["destui.name=x".into()]).contains("reserved"));
        assert!(bad(|a| a.labels = vec!["novalue".into()]).contains("KEY=VALUE"));
        assert!(bad(|a| a.gateway = Some("10.0.0.1".into())).contains("needs the subnet"));
        assert!(
            bad(|a| {
                a.subnet = Some("10.201.0.0/24".into());
                a.gateway = Some("10.9.0.1".into())
            })
            .contains("outside the subnet")
        );
        assert!(
            bad(|a| {
                a.subnet = Some("10.201.0.0/24".into());
                a.ip_range = Some("10.201.1.0/25".into())
            })
            .contains("outside the subnet")
        );
    }

    #[test]
    fn the_first_free_24_skips_every_overlap() {
        let pool: Ipv4Net = "10.201.0.0/16".parse().unwrap();
        let used: Vec<IpNet> = [
            "10.201.0.0/24",
            "10.201.1.128/25",
            "172.17.0.0/16",
            "10.0.0.0/8",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        // 10.0.0.0/8 covers the whole pool.
        assert_eq!(first_free_24(pool, &used), None);
        let used = &used[..3];
        assert_eq!(
            first_free_24(pool, used),
            Some("10.201.2.0/24".parse().unwrap())
        );
        assert_eq!(
            first_free_24("10.201.5.0/24".parse().unwrap(), &[]),
            Some("10.201.5.0/24".parse().unwrap())
        );
    }
}
